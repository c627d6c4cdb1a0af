import { TlsStreamDecoder } from '../tls/recordLayer';
import type { Direction, HandshakeMessage, Span, TlsAlert, TlsRecord, TlsSink } from '../tls/types';
import type { Connection } from '../tcp/connectionTable';
import { PreambleGate } from '../preamble/gate';
import { PreambleSession } from '../preamble/session';
import { judgePreamble } from '../preamble/classify';
import type { KeyStore } from '../decrypt/keyStore';
import { ConnectionDecrypt } from '../decrypt/connectionDecrypt';

export interface TlsProblem {
  from: Direction;
  code: string;
  message: string;
  span: Span;
  severity: 'error' | 'warning' | 'info';
}

export interface DirectionTraffic {
  records: number;
  applicationDataRecords: number;
  applicationDataBytes: number;
  changeCipherSpec: Span | null;
}

/** Records kept per connection; later ones are only counted. */
const RECORD_LIMIT = 4096;

/**
 * Collects what the two TLS stream decoders of one connection report, and
 * tells reassembly when the bytes stop mattering (both sides encrypted and
 * exchanging application data) so long transfers cost offsets only.
 */
export class TlsSession implements TlsSink {
  readonly records: TlsRecord[] = [];
  recordsDropped = 0;
  readonly messages: HandshakeMessage[] = [];
  readonly alerts: TlsAlert[] = [];
  readonly problems: TlsProblem[] = [];
  readonly traffic: Record<Direction, DirectionTraffic> = {
    client: { records: 0, applicationDataRecords: 0, applicationDataBytes: 0, changeCipherSpec: null },
    server: { records: 0, applicationDataRecords: 0, applicationDataBytes: 0, changeCipherSpec: null },
  };
  readonly decoders: Record<Direction, TlsStreamDecoder>;
  tls13 = false;
  /** STARTTLS, SOCKS, CONNECT or PROXY bytes read before TLS (empty when the stream starts with TLS). */
  readonly preamble = new PreambleSession();
  /** Set when the ClientHello random is in the run's keys (issue #14). */
  decrypt: ConnectionDecrypt | null = null;

  constructor(
    private readonly conn: Connection,
    private readonly keys: KeyStore | null = null,
  ) {
    // One shared ConnectionInfo: the client's decoder must know what the server chose.
    // Every record header is walked to the end of the stream (bodies of
    // application data are skipped by arithmetic, in-order segments are not
    // copied): stopping early capped record counts and bytes, lost closing
    // alerts and made a false "stream ended inside a record".
    const { client, server } = TlsStreamDecoder.pair(this);
    this.decoders = { client, server };
    // Each gate hands its direction to the decoder where TLS begins (at once when it starts the stream).
    conn.stream('client').consumer = new PreambleGate('client', this.decoders.client, this.preamble, conn.stream('client'));
    conn.stream('server').consumer = new PreambleGate('server', this.decoders.server, this.preamble, conn.stream('server'));
  }

  get isTls(): boolean {
    return this.records.length > 0 || this.recordsDropped > 0;
  }

  /** No TLS, but the client asked for it (STARTTLS refused) or went through a proxy: listed with the TLS connections. */
  get askedForTls(): boolean {
    return !this.isTls && (judgePreamble(this.preamble, false)?.relevant ?? false);
  }

  record(r: TlsRecord): void {
    this.traffic[r.from].records++;
    if (this.records.length < RECORD_LIMIT) this.records.push(r);
    else this.recordsDropped++;
  }

  handshake(m: HandshakeMessage): void {
    this.messages.push(m);
    if (this.keys !== null && m.clientHello && m.from === 'client' && this.decrypt === null) this.attachKeys(m.clientHello.random);
    if (m.serverHello && m.serverHello.selectedVersion === 0x0304 && !m.serverHello.helloRetryRequest && !this.tls13) {
      this.tls13 = true;
      this.decoders.client.setTls13();
    }
  }

  private attachKeys(clientRandom: string): void {
    const entry = this.keys!.lookup(clientRandom);
    if (!entry) return;
    const keys = this.keys!;
    const d = new ConnectionDecrypt(
      entry,
      (from, code, message, span, severity) => this.problem(from, code, message, span, severity),
      (random) => keys.lookup(random),
    );
    this.decrypt = d;
    this.decoders.client.protection = d;
    this.decoders.server.protection = d;
  }

  alert(a: TlsAlert): void {
    this.alerts.push(a);
  }

  changeCipherSpec(from: Direction, span: Span): void {
    if (!this.traffic[from].changeCipherSpec) this.traffic[from].changeCipherSpec = span;
  }

  applicationDataBegins(from: Direction): void {
    // Retransmissions are compared byte for byte over the handshake only:
    // keep no copies past it (not even of the first record, often 16 KiB).
    if (this.traffic[from].applicationDataRecords === 0) this.conn.stream(from).stopRetaining();
  }

  applicationData(from: Direction, length: number): void {
    const t = this.traffic[from];
    t.applicationDataRecords++;
    t.applicationDataBytes += length;
    if (!this.decoders[from].wantsBytes()) this.conn.stream(from).stopBytes();
  }

  problem(from: Direction, code: string, message: string, span: Span, severity: 'error' | 'warning' | 'info'): void {
    if (this.problems.length < 256) this.problems.push({ from, code, message, span, severity });
  }

  notTls(from: Direction): void {
    // Nothing further to decode in this direction; don't copy its bytes.
    this.conn.stream(from).stopBytes();
  }
}

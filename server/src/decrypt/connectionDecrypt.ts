/**
 * Decryption of one connection whose ClientHello random is in the key store.
 * The record layer hands it every protected record header in stream order
 * (wants), the bodies it asked for (open), and every whole handshake message,
 * cleartext or decrypted (message): from those it keeps the transcript,
 * switches keys where the protocol does (after the ServerHello, each
 * Finished, each KeyUpdate), and checks both Finished messages.
 *
 * Nothing here is ever written out: problems name the key's source and the
 * record, never the key.
 */
import { createHash } from 'node:crypto';
import type { KeySourceKind } from '../../../shared/analysis';
import type { Direction, HandshakeMessage, RecordProtection, Span } from '../tls/types';
import { TLS13_SUITES, hashLength, type Tls13Suite } from './cipherSuites';
import type { KeyEntry } from './keyStore';
import type { KeyLogLabel } from './keyLog';
import type { RecordDecryptor, RecordHeader } from './recordDecryptor';
import { finishedVerifyData, nextTrafficSecret, Tls13RecordDecryptor } from './tls13';
import { createTls12Decryptor, finishedVerifyData as tls12FinishedVerifyData, needsEveryRecord, type Tls12Params } from './tls12Hook';

/**
 * After the handshake only records this short are opened (alerts, tickets,
 * KeyUpdate, short requests); longer ones are application data and are only
 * counted, so keys do not make a long transfer cost a decryption per record.
 */
export const APPLICATION_OPEN_LIMIT = 1024;
/** Handshake bytes kept for the Finished checks; past this a Finished is "not checked". */
const TRANSCRIPT_LIMIT = 256 * 1024;

const HS_HELLO_REQUEST = 0;
const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;
const HS_SERVER_HELLO_DONE = 14;
const HS_FINISHED = 20;
const HS_END_OF_EARLY_DATA = 5;
const HS_KEY_UPDATE = 24;
const EXT_EARLY_DATA = 42;
const EXT_ENCRYPT_THEN_MAC = 22;

type Epoch = 'none' | 'early' | 'handshake' | 'application';

interface DirState {
  decryptor: RecordDecryptor | null;
  epoch: Epoch;
  secret: Uint8Array | null;
  seq: bigint;
  /** Applied before the next record: keys change on record boundaries only. */
  next: { epoch: Epoch; secret: Uint8Array } | null;
  stopped: boolean;
  header: RecordHeader | null;
  span: Span;
  /** This direction's handshake messages that enter the transcript, after the hellos, up to its Finished. */
  flight: Uint8Array[];
  finished: boolean;
  /** The Finished itself (the server's is in the client Finished's transcript). */
  finishedBytes: Uint8Array | null;
  /** TLS ≤ 1.2: keys negotiated by a ServerHello, in force from this direction's next ChangeCipherSpec (renegotiation too). */
  pending: RecordDecryptor | null;
}

interface Tls12Side {
  /** Before this side's Finished (the server's: up to its ServerHelloDone in a full handshake). */
  flight: Uint8Array[];
  /** The server's messages after the client's Finished in a full handshake (NewSessionTicket). */
  after: Uint8Array[];
  finished: Uint8Array | null;
}

interface Tls12Handshake {
  params: Tls12Params;
  /** A full handshake (ServerHelloDone seen): the client's Finished comes first. */
  full: boolean;
  client: Tls12Side;
  server: Tls12Side;
}

export type ProblemFn = (from: Direction, code: string, message: string, span: Span, severity: 'error' | 'warning' | 'info') => void;

export interface DecryptionStats {
  keySource: KeySourceKind;
  records: { client: number; server: number };
  failed: { client: number; server: number };
  /** Finished verify_data against the transcript: true / false, null when not seen or not checked. */
  finished: { client: boolean | null; server: boolean | null };
}

export class ConnectionDecrypt implements RecordProtection {
  readonly stats: DecryptionStats;
  private readonly dirs: Record<Direction, DirState>;
  private suite: Tls13Suite | null = null;
  private clientHellos: Uint8Array[] = [];
  private serverHellos: Uint8Array[] = [];
  private transcriptBytes = 0;
  private transcriptOverflow = false;
  private earlyOffered = false;
  /** 0-RTT: the client's handshake secret, installed at its EndOfEarlyData (or when the server turned the early data down). */
  private clientHandshakeSecret: Uint8Array | null = null;
  /**
   * TLS ≤ 1.2: the handshake in progress (the first, or a renegotiation under the old keys): its key
   * parameters and, per direction, the messages its Finished covers (RFC 5246 §7.4.9; HelloRequest excluded).
   */
  private tls12: Tls12Handshake | null = null;
  /** A TLS ≤ 1.2 ServerHello was seen: later handshake messages are TLS 1.2's (renegotiations included). */
  private tls12Mode = false;
  /** TLS 1.0 CBC: each record's IV is the last block of the one before, so no record may be skipped. */
  private openEvery = false;

  constructor(
    private readonly entry: KeyEntry,
    private readonly report: ProblemFn,
    /** The run's keys by ClientHello random: a TLS ≤ 1.2 renegotiation's new ClientHello has keys of its own. */
    private readonly lookup: (clientRandomHex: string) => KeyEntry | undefined = () => undefined,
  ) {
    this.stats = {
      keySource: entry.source.kind,
      records: { client: 0, server: 0 },
      failed: { client: 0, server: 0 },
      finished: { client: null, server: null },
    };
    this.dirs = { client: newDir(), server: newDir() };
  }

  get kind(): KeySourceKind {
    return this.entry.source.kind;
  }

  /** The connection's key log secrets as hex, label by label: for `--include-secrets` only. */
  secretsHex(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [label, secret] of Object.entries(this.entry.secrets)) if (secret) out[label] = Buffer.from(secret).toString('hex');
    return out;
  }

  wants(from: Direction, contentType: number, version: number, length: number, span: Span): boolean {
    const d = this.dirs[from];
    if (d.next) {
      this.install(d, d.next.epoch, d.next.secret);
      d.next = null;
    }
    if (d.stopped || d.decryptor === null) return false;
    if (d.epoch === 'application' && contentType === 23 && length > APPLICATION_OPEN_LIMIT && !this.openEvery) {
      d.seq++;
      return false;
    }
    d.header = { contentType, version, length };
    d.span = span;
    return true;
  }

  open(from: Direction, body: Uint8Array): { contentType: number; plaintext: Uint8Array; bodyOffset: number } | null {
    const d = this.dirs[from];
    const header = d.header;
    if (!header || !d.decryptor) return null;
    d.header = null;
    let r = d.decryptor.decrypt(header, body, d.seq);
    if (!r.ok && from === 'client' && d.epoch === 'early') {
      const rejected = this.afterEarly(header, body);
      if (rejected) r = rejected;
    }
    d.seq++;
    if (r.ok) {
      this.stats.records[from]++;
      return r.record;
    }
    this.stats.failed[from]++;
    d.stopped = true;
    const early = from === 'client' && d.epoch === 'handshake' && this.earlyOffered && this.stats.records.client === 0;
    const reason = early ? `${r.reason}; the client offered 0-RTT early data, whose records are not decrypted here` : r.reason;
    this.report(
      from,
      'decrypt.failed',
      `record ${d.epoch === 'application' ? 'after' : 'in'} the handshake could not be decrypted with the ${this.sourceText()}: ${reason}; later ${from} records stay encrypted`,
      d.span,
      early ? 'info' : 'warning',
    );
    return null;
  }

  changeCipherSpec(from: Direction): void {
    const d = this.dirs[from];
    if (!d.pending) return; // TLS 1.3: the middlebox-compatibility CCS changes nothing
    d.decryptor = d.pending;
    d.pending = null;
    d.epoch = 'application';
    d.seq = 0n;
  }

  lost(from: Direction): void {
    const d = this.dirs[from];
    if (d.stopped || d.decryptor === null) return;
    d.stopped = true;
    this.report(
      from,
      'decrypt.gap',
      `bytes of the ${from} stream are missing: record sequence numbers are lost, later ${from} records stay encrypted`,
      d.span,
      'info',
    );
  }

  message(from: Direction, bytes: Uint8Array, m: HandshakeMessage): void {
    const type = m.type;
    if (this.tls12Mode) {
      this.tls12Message(from, bytes, m);
      return;
    }
    if (type === HS_CLIENT_HELLO && from === 'client' && this.serverHellos.length < 2) {
      if (m.clientHello?.extensions.some((e) => e.type === EXT_EARLY_DATA) && this.clientHellos.length === 0) {
        this.earlyOffered = true;
        const early = this.entry.secrets.CLIENT_EARLY_TRAFFIC_SECRET;
        if (early) {
          const d = this.dirs.client;
          d.epoch = 'early';
          d.secret = early;
          d.decryptor = new EarlyDecryptor(early);
        }
      }
      this.keep(this.clientHellos, bytes);
      return;
    }
    if (type === HS_END_OF_EARLY_DATA && from === 'client' && this.clientHandshakeSecret) {
      // The last message under the early key: the client's handshake key follows.
      this.keep(this.dirs.client.flight, bytes);
      this.dirs.client.next = { epoch: 'handshake', secret: this.clientHandshakeSecret };
      return;
    }
    if (type === HS_SERVER_HELLO && from === 'server' && m.serverHello) {
      this.keep(this.serverHellos, bytes);
      if (!m.serverHello.helloRetryRequest) this.serverHello(m);
      return;
    }
    const d = this.dirs[from];
    if (this.suite === null) return;
    if (d.epoch === 'handshake' && !d.finished) {
      if (type === HS_FINISHED) {
        this.finished(from, bytes, m);
        return;
      }
      this.keep(d.flight, bytes);
      return;
    }
    if (type === HS_KEY_UPDATE && d.epoch === 'application' && d.secret) {
      d.next = { epoch: 'application', secret: nextTrafficSecret(this.suite.hash, d.next?.secret ?? d.secret) };
    }
  }

  private serverHello(m: HandshakeMessage): void {
    const sh = m.serverHello!;
    if (sh.selectedVersion === 0x0304) {
      const suite = TLS13_SUITES.get(sh.cipherSuite);
      if (!suite) {
        this.report(
          'server',
          'decrypt.suite',
          `cipher suite 0x${sh.cipherSuite.toString(16).padStart(4, '0')} is not a TLS 1.3 suite: nothing is decrypted`,
          m.span,
          'warning',
        );
        return;
      }
      this.suite = suite;
      if (this.dirs.client.epoch === 'early') {
        // Early records may still follow (up to EndOfEarlyData): the handshake key waits for them.
        const secret = this.entry.secrets.CLIENT_HANDSHAKE_TRAFFIC_SECRET;
        if (secret && secret.length === hashLength(suite.hash)) this.clientHandshakeSecret = secret;
        else this.start('client', 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', m.span);
      } else this.start('client', 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', m.span);
      this.start('server', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', m.span);
      return;
    }
    this.tls12ServerHello(m, this.entry, false);
  }

  /**
   * TLS ≤ 1.2 after the first ServerHello: each side's messages up to its Finished make the
   * transcripts the two Finished are checked against; a renegotiation (a new ClientHello, under
   * the old keys) starts another handshake, whose keys come from its own ClientHello random.
   */
  private tls12Message(from: Direction, bytes: Uint8Array, m: HandshakeMessage): void {
    const type = m.type;
    if (type === HS_HELLO_REQUEST) return;
    if (type === HS_CLIENT_HELLO && from === 'client') {
      this.clientHellos = [];
      this.serverHellos = [];
      this.transcriptBytes = 0;
      this.transcriptOverflow = false;
      this.keep(this.clientHellos, bytes);
      this.tls12 = null;
      return;
    }
    if (type === HS_SERVER_HELLO && from === 'server' && m.serverHello) {
      this.keep(this.serverHellos, bytes);
      // A renegotiation has keys of its own: never the first handshake's, which would only fail every record.
      const random = this.clientHellos[0]?.subarray(6, 38);
      this.tls12ServerHello(m, random ? this.lookup(Buffer.from(random).toString('hex')) : undefined, true);
      return;
    }
    const h = this.tls12;
    if (h === null || h[from].finished !== null) return;
    if (type === HS_FINISHED) {
      h[from].finished = new Uint8Array(bytes);
      this.tls12Finished(h, from, bytes, m);
      return;
    }
    if (from === 'server' && type === HS_SERVER_HELLO_DONE) h.full = true;
    this.keep(from === 'server' && h.full && type !== HS_SERVER_HELLO_DONE ? h.server.after : h[from].flight, bytes);
  }

  private tls12ServerHello(m: HandshakeMessage, entry: KeyEntry | undefined, renegotiation: boolean): void {
    const sh = m.serverHello!;
    this.tls12Mode = true;
    const master = entry?.secrets.CLIENT_RANDOM;
    if (!master) {
      const version = sh.selectedVersion === 0x0303 ? 'TLS 1.2' : 'pre-TLS 1.3';
      this.report(
        'server',
        'decrypt.missing-secret',
        renegotiation
          ? `the ${this.sourceText()} has no CLIENT_RANDOM (master secret) line for this ${version} renegotiation's ClientHello: records after its ChangeCipherSpec stay encrypted`
          : `the ${this.sourceText()} has no CLIENT_RANDOM (master secret) line for this ${version} connection: nothing is decrypted`,
        m.span,
        'warning',
      );
      this.tls12 = null;
      return;
    }
    const clientHello = this.clientHellos[this.clientHellos.length - 1];
    const params: Tls12Params = {
      version: sh.selectedVersion,
      cipherSuite: sh.cipherSuite,
      masterSecret: master,
      clientRandom: clientHello ? clientHello.slice(6, 38) : new Uint8Array(32),
      serverRandom: Buffer.from(sh.random, 'hex'),
      encryptThenMac: sh.extensions.some((e) => e.type === EXT_ENCRYPT_THEN_MAC),
    };
    for (const from of ['client', 'server'] as const) this.dirs[from].pending = createTls12Decryptor(params, from);
    this.openEvery = needsEveryRecord(params);
    this.tls12 = {
      params,
      full: false,
      client: { flight: [], after: [], finished: null },
      server: { flight: [], after: [], finished: null },
    };
  }

  /**
   * RFC 5246 §7.4.9: verify_data over every handshake message before this Finished. In a full
   * handshake the client finishes first (the server's Finished also covers the client's, and a
   * NewSessionTicket sent after it); in an abbreviated one the server does.
   */
  private tls12Finished(h: Tls12Handshake, from: Direction, bytes: Uint8Array, m: HandshakeMessage): void {
    let parts: Uint8Array[] | null = null;
    if (!this.transcriptOverflow && this.clientHellos.length === 1 && this.serverHellos.length === 1) {
      const hellos = [this.clientHellos[0], this.serverHellos[0]];
      if (h.full) {
        const toClient = [...hellos, ...h.server.flight, ...h.client.flight];
        if (from === 'client') parts = toClient;
        else if (h.client.finished) parts = [...toClient, h.client.finished, ...h.server.after];
      } else {
        const toServer = [...hellos, ...h.server.flight];
        if (from === 'server') parts = toServer;
        else if (h.server.finished) parts = [...toServer, h.server.finished, ...h.client.flight];
      }
    }
    const verified = parts ? this.checkFinished(from, bytes, tls12FinishedVerifyData(h.params, from, parts), m) : null;
    // A renegotiation's check does not undo a failed one before it.
    if (this.stats.finished[from] !== false) this.stats.finished[from] = verified;
    (m.details ??= {}).verified = verified;
  }

  /**
   * A client record the early key does not open after the ServerHello: the server turned the 0-RTT
   * data down (the client then sends no EndOfEarlyData), so it is under the handshake key.
   */
  private afterEarly(header: RecordHeader, body: Uint8Array): ReturnType<RecordDecryptor['decrypt']> | null {
    const secret = this.clientHandshakeSecret;
    if (!secret || !this.suite) return null;
    const d = this.dirs.client;
    const r = new Tls13RecordDecryptor(this.suite, secret).decrypt(header, body, 0n);
    if (!r.ok) return null;
    this.install(d, 'handshake', secret);
    d.seq = 0n;
    return r;
  }

  private start(from: Direction, label: KeyLogLabel, span: Span): void {
    const secret = this.entry.secrets[label];
    if (!secret) {
      this.report(
        from,
        'decrypt.missing-secret',
        `the ${this.sourceText()} has no ${label} for this connection: ${from} records stay encrypted`,
        span,
        'warning',
      );
      return;
    }
    if (secret.length !== hashLength(this.suite!.hash)) {
      this.report(
        from,
        'decrypt.secret-length',
        `${label} is ${secret.length} bytes, ${this.suite!.name} needs ${hashLength(this.suite!.hash)}: ${from} records stay encrypted`,
        span,
        'warning',
      );
      return;
    }
    this.install(this.dirs[from], 'handshake', secret);
  }

  private install(d: DirState, epoch: Epoch, secret: Uint8Array): void {
    d.epoch = epoch;
    d.secret = secret;
    d.seq = 0n;
    d.decryptor = new Tls13RecordDecryptor(this.suite!, secret);
  }

  private finished(from: Direction, bytes: Uint8Array, m: HandshakeMessage): void {
    const d = this.dirs[from];
    d.finished = true;
    d.finishedBytes = new Uint8Array(bytes);
    const suite = this.suite!;
    const base = d.secret;
    const appLabel: KeyLogLabel = from === 'client' ? 'CLIENT_TRAFFIC_SECRET_0' : 'SERVER_TRAFFIC_SECRET_0';
    const appSecret = this.entry.secrets[appLabel];
    if (appSecret && appSecret.length === hashLength(suite.hash)) d.next = { epoch: 'application', secret: appSecret };
    else {
      d.stopped = true;
      this.report(
        from,
        'decrypt.missing-secret',
        `the ${this.sourceText()} has no ${appLabel}: ${from} records after its Finished stay encrypted`,
        m.span,
        'info',
      );
    }
    const parts = this.transcript(from);
    let verified: boolean | null = null;
    if (parts && base) {
      const h = createHash(suite.hash);
      for (const p of parts) h.update(p);
      verified = this.checkFinished(from, bytes, finishedVerifyData(suite.hash, base, h.digest()), m);
    }
    this.stats.finished[from] = verified;
    (m.details ??= {}).verified = verified;
  }

  /** The transcript a Finished covers (RFC 8446 §4.4.1), or null when it is not all here. */
  private transcript(from: Direction): Uint8Array[] | null {
    if (this.transcriptOverflow || this.serverHellos.length === 0 || this.clientHellos.length === 0) return null;
    const hellos: Uint8Array[] = [];
    if (this.serverHellos.length === 2 && this.clientHellos.length >= 2) {
      // After a HelloRetryRequest the first ClientHello is replaced by a synthetic message_hash holding its hash.
      const h = createHash(this.suite!.hash).update(this.clientHellos[0]).digest();
      hellos.push(Uint8Array.of(254, 0, 0, h.length), h, this.serverHellos[0], this.clientHellos[1], this.serverHellos[1]);
    } else if (this.serverHellos.length === 1) {
      hellos.push(this.clientHellos[this.clientHellos.length - 1], this.serverHellos[0]);
    } else return null;
    const server = this.dirs.server;
    if (from === 'server') return [...hellos, ...server.flight];
    if (!server.finishedBytes) return null;
    return [...hellos, ...server.flight, server.finishedBytes, ...this.dirs.client.flight];
  }

  private keep(list: Uint8Array[], bytes: Uint8Array): void {
    if (this.transcriptBytes + bytes.length > TRANSCRIPT_LIMIT) {
      this.transcriptOverflow = true;
      return;
    }
    this.transcriptBytes += bytes.length;
    list.push(new Uint8Array(bytes));
  }

  /** A Finished's verify_data against the expected value; a mismatch is reported at the message. */
  private checkFinished(from: Direction, bytes: Uint8Array, expected: Uint8Array, m: HandshakeMessage): boolean {
    const got = bytes.subarray(4);
    const ok = got.length === expected.length && expected.every((b, i) => b === got[i]);
    if (!ok)
      this.report(
        from,
        'decrypt.finished-mismatch',
        `${from} Finished does not match the handshake transcript (a message was altered, or one is missing from the capture)`,
        m.span,
        'warning',
      );
    return ok;
  }

  private sourceText(): string {
    const k = this.entry.source.kind;
    return k === 'dsb' ? "capture's Decryption Secrets Block keys" : k === 'sidecar' ? 'sidecar key log' : 'key log';
  }
}

/**
 * The client's 0-RTT records: they are protected with the suite of the session being resumed,
 * which the capture does not say, so the first record is tried under each TLS 1.3 suite whose
 * hash fits the secret (an AEAD tag decides, no guess survives it), and that suite is kept.
 */
class EarlyDecryptor implements RecordDecryptor {
  private chosen: Tls13RecordDecryptor | null = null;

  constructor(private readonly secret: Uint8Array) {}

  decrypt(header: RecordHeader, body: Uint8Array, seq: bigint): ReturnType<RecordDecryptor['decrypt']> {
    if (this.chosen) return this.chosen.decrypt(header, body, seq);
    let last: ReturnType<RecordDecryptor['decrypt']> = { ok: false, reason: 'no TLS 1.3 suite fits the early secret' };
    for (const suite of TLS13_SUITES.values()) {
      if (hashLength(suite.hash) !== this.secret.length) continue;
      const d = new Tls13RecordDecryptor(suite, this.secret);
      last = d.decrypt(header, body, seq);
      if (last.ok) {
        this.chosen = d;
        return last;
      }
    }
    return last;
  }
}

function newDir(): DirState {
  return {
    decryptor: null,
    epoch: 'none',
    secret: null,
    seq: 0n,
    next: null,
    stopped: false,
    header: null,
    span: [0, 0],
    flight: [],
    finished: false,
    finishedBytes: null,
    pending: null,
  };
}

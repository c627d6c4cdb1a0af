/**
 * The application data packet number space of a QUIC connection opened with a
 * key log (issue #14): 0-RTT packets with CLIENT_EARLY_TRAFFIC_SECRET, 1-RTT
 * packets with CLIENT_/SERVER_TRAFFIC_SECRET_0 and, at each flip of the key
 * phase bit, the next generation's secret ("quic ku", RFC 9001 §6). What the
 * frames say is kept in small bounded summaries; STREAM and DATAGRAM data are
 * counted, never held (they are the user's traffic, and unbounded).
 */
import type { KeySourceKind } from '../../../shared/analysis';
import type { Tls13Suite } from '../decrypt/cipherSuites';
import type { Direction } from '../tls/types';
import type { QuicFrame } from './frames';
import { nextQuicSecret, quicPacketKeys, quicSuite } from './handshakeKeys';
import type { OpenedPacket } from './initial';
import type { PacketKeys } from './keys';
import type { QuicPacketHeader } from './packet';
import { decodePacketNumber, decryptPayload, removeHeaderProtection } from './protection';
import type { QuicVersionInfo } from './versions';

/** One key phase generation of a direction (RFC 9001 §6): generation N is sent with key phase bit N % 2. */
interface Generation {
  index: number;
  keys: PacketKeys;
  secret: Uint8Array;
  /** Smallest packet number opened with it: older packets of the other phase belong to the generation before. */
  firstPn: number;
}

interface DirectionKeys {
  suite: Tls13Suite;
  current: Generation;
  previous: Generation | null;
  next: Generation | null;
  /** Packets in a row that did not authenticate; at FAILURES_TO_STOP the direction is no longer tried. */
  failing: number;
}

export interface QuicCloseRecord {
  from: Direction;
  packet: number;
  /** The QUIC packet type that carried it: 1-RTT, 0-RTT or Handshake. */
  packetType: string;
  /** 0x1c: a transport error; 0x1d: the application's. */
  kind: 'transport' | 'application';
  errorCode: number;
  /** 0x1c: the frame type that caused it (0 when none). */
  frameType?: number;
  /** Latin-1, at most 256 bytes of it: attacker-chosen text, escaped where shown. */
  reason: string;
}

export interface QuicNewConnectionIdRecord {
  from: Direction;
  packet: number;
  sequence: number;
  retirePriorTo: number;
  connectionId: string;
}

/** Consecutive authentication failures after which a direction's 1-RTT packets are no longer tried. */
const FAILURES_TO_STOP = 8;
const CLOSE_LIMIT = 8;
const NEW_CID_LIMIT = 32;
/** Distinct stream IDs remembered; past it streams are only counted as bytes. */
const STREAM_ID_LIMIT = 4096;

type Secrets = { keySource: KeySourceKind; early?: Uint8Array; client?: Uint8Array; server?: Uint8Array };

const SECRET_LABEL: Record<Direction, string> = { client: 'CLIENT_TRAFFIC_SECRET_0', server: 'SERVER_TRAFFIC_SECRET_0' };

export class ApplicationSpace {
  readonly packets = { client: 0, server: 0 };
  readonly failed = { client: 0, server: 0 };
  readonly earlyPackets = { decrypted: 0, failed: 0 };
  readonly keyUpdates = { client: 0, server: 0 };
  readonly streamBytes = { client: 0, server: 0 };
  readonly datagramBytes = { client: 0, server: 0 };
  readonly newConnectionIds: QuicNewConnectionIdRecord[] = [];
  /** Capture packet of the server's first HANDSHAKE_DONE (RFC 9000 §19.20: the handshake is confirmed). */
  handshakeDone: number | null = null;
  private readonly streamIds = new Set<number>();
  streamIdsDropped = false;
  private readonly dirs: Record<Direction, DirectionKeys | null | undefined> = { client: undefined, server: undefined };
  private early: { keys: PacketKeys; suite: number } | null | undefined = undefined;
  /** Client and server share no space, but 0-RTT and 1-RTT of the client share one (RFC 9000 §12.3). */
  private readonly largestPn: Record<Direction, number> = { client: -1, server: -1 };

  constructor(
    private readonly secrets: Secrets,
    private readonly version: QuicVersionInfo,
    /** The ServerHello's suite, once known; 0-RTT packets may come before it. */
    private readonly suiteId: () => number | null,
    /** The connection's list: Handshake packets' CONNECTION_CLOSE frames go there too. */
    private readonly closes: QuicCloseRecord[],
    private readonly problem: (from: Direction, packet: number, message: string, severity: 'warning' | 'info') => void,
  ) {}

  get keySource(): KeySourceKind {
    return this.secrets.keySource;
  }

  get streams(): number {
    return this.streamIds.size;
  }

  /** Whether this direction's 1-RTT packets can be tried at all (a secret logged, a suite known). */
  private keysOf(from: Direction, packet: number): DirectionKeys | null | undefined {
    const have = this.dirs[from];
    if (have !== undefined) return have;
    const secret = this.secrets[from];
    if (secret === undefined) return (this.dirs[from] = null);
    const id = this.suiteId();
    if (id === null) return undefined;
    const suite = quicSuite(id);
    if (typeof suite === 'string') {
      this.problem(from, packet, `1-RTT packets: ${suite}`, 'info');
      return (this.dirs[from] = null);
    }
    const keys = quicPacketKeys(suite, this.version, secret);
    this.dirs[from] = { suite, current: { index: 0, keys, secret, firstPn: 0 }, previous: null, next: null, failing: 0 };
    return this.dirs[from];
  }

  /**
   * Opens a 1-RTT packet: header protection off with the direction's hp key (never updated), then the
   * generation its key phase bit names — the current one, the one before for a late packet of the old
   * phase, else the next one, which on success becomes current (a key update). A string says why not.
   */
  open1Rtt(from: Direction, buf: Uint8Array, h: QuicPacketHeader, packet: number): (OpenedPacket & { keyPhase: number }) | string {
    const d = this.keysOf(from, packet);
    if (d === null || d === undefined) return 'encrypted (no keys)';
    if (d.failing >= FAILURES_TO_STOP) return `not decrypted: ${FAILURES_TO_STOP} 1-RTT packets in a row from the ${from} did not authenticate, later ones are not tried`;
    const u = removeHeaderProtection(d.current.keys, buf, h.start, h.pnOffset, h.end);
    if (u === null) return this.fail(from, packet, d, 'packet too short for a header protection sample');
    const keyPhase = (u.firstByte >> 2) & 1;
    const packetNumber = decodePacketNumber(this.largestPn[from], u.truncatedPacketNumber, u.packetNumberLength);
    const payloadOffset = h.pnOffset + u.packetNumberLength;
    const payload = buf.subarray(payloadOffset, h.end);
    let gen: Generation;
    if (keyPhase === d.current.index % 2) gen = d.current;
    else if (d.previous !== null && packetNumber < d.current.firstPn) gen = d.previous;
    else gen = d.next ??= this.nextGeneration(d, packetNumber);
    const plaintext = decryptPayload(gen.keys, packetNumber, u.header, payload);
    if (plaintext === null) {
      return this.fail(from, packet, d, `payload does not authenticate with the keys of key phase generation ${gen.index} (from the key log's ${SECRET_LABEL[from]})`);
    }
    if (gen === d.next) {
      d.previous = d.current;
      d.current = { ...gen, firstPn: packetNumber };
      d.next = null;
      this.keyUpdates[from]++;
    }
    d.failing = 0;
    this.packets[from]++;
    if (packetNumber > this.largestPn[from]) this.largestPn[from] = packetNumber;
    return { packetNumber, packetNumberLength: u.packetNumberLength, firstByte: u.firstByte, plaintext, payloadOffset, keyPhase };
  }

  private nextGeneration(d: DirectionKeys, packetNumber: number): Generation {
    const secret = nextQuicSecret(d.suite.hash, this.version, d.current.secret);
    // The hp key stays the one of generation 0 (RFC 9001 §6: header protection keys are not updated).
    const keys = { ...quicPacketKeys(d.suite, this.version, secret), hp: d.current.keys.hp };
    return { index: d.current.index + 1, keys, secret, firstPn: packetNumber };
  }

  private fail(from: Direction, packet: number, d: DirectionKeys, why: string): string {
    this.failed[from]++;
    d.failing++;
    if (this.failed[from] === 1) {
      this.problem(from, packet, `1-RTT packet: ${why}; the secret is wrong, the packet was altered, or its Destination Connection ID has a length this connection did not announce`, 'warning');
    } else if (d.failing === FAILURES_TO_STOP) {
      this.problem(from, packet, `1-RTT packets: ${FAILURES_TO_STOP} in a row did not authenticate; later ${from} packets are not tried`, 'warning');
    }
    return `not decrypted: ${why}`;
  }

  /**
   * Opens a 0-RTT packet with CLIENT_EARLY_TRAFFIC_SECRET. It usually comes before the ServerHello names
   * the suite, so until then each QUIC suite of the secret's hash length is tried (the AEAD tag tells).
   */
  open0Rtt(packet: number, openWith: (keys: PacketKeys, largestPn: number) => OpenedPacket | string): OpenedPacket | string {
    const secret = this.secrets.early;
    if (secret === undefined || this.early === null) return 'encrypted (no keys)';
    const known = this.suiteId();
    const candidates = this.early !== undefined ? [this.early] : suitesFor(secret.length, known).map((id) => {
      const suite = quicSuite(id);
      return typeof suite === 'string' ? null : { keys: quicPacketKeys(suite, this.version, secret), suite: id };
    }).filter((c): c is { keys: PacketKeys; suite: number } => c !== null);
    let why = 'no QUIC cipher suite fits the secret';
    for (const c of candidates) {
      const o = openWith(c.keys, this.largestPn.client);
      if (typeof o === 'string') {
        why = o;
        continue;
      }
      this.early = c;
      this.earlyPackets.decrypted++;
      if (o.packetNumber > this.largestPn.client) this.largestPn.client = o.packetNumber;
      return o;
    }
    this.earlyPackets.failed++;
    if (this.earlyPackets.failed === 1) {
      this.problem('client', packet, `0-RTT packet: ${why} (the key log's CLIENT_EARLY_TRAFFIC_SECRET for this ClientHello random is wrong, or the packet was altered)`, 'warning');
    }
    return `not decrypted: ${why}`;
  }

  /** What the frames of an opened 0-RTT or 1-RTT packet say, kept bounded. */
  note(from: Direction, packet: number, packetType: string, frames: readonly QuicFrame[]): void {
    for (const f of frames) {
      if (f.streamId !== undefined) {
        this.streamBytes[from] += f.dataLength ?? 0;
        if (this.streamIds.size < STREAM_ID_LIMIT) this.streamIds.add(f.streamId);
        else if (!this.streamIds.has(f.streamId)) this.streamIdsDropped = true;
      } else if (f.type === 0x30 || f.type === 0x31) {
        this.datagramBytes[from] += f.dataLength ?? 0;
      } else if (f.type === 0x1e) {
        if (from === 'server' && this.handshakeDone === null) this.handshakeDone = packet;
      } else if (f.connectionId !== undefined) {
        // A retransmitted frame repeats its sequence number: kept once.
        if (this.newConnectionIds.length < NEW_CID_LIMIT && !this.newConnectionIds.some((n) => n.from === from && n.sequence === f.sequence)) {
          this.newConnectionIds.push({ from, packet, sequence: f.sequence ?? 0, retirePriorTo: f.retirePriorTo ?? 0, connectionId: f.connectionId });
        }
      } else if (f.errorCode !== undefined) {
        noteClose(this.closes, from, packet, packetType, f);
      }
    }
  }
}

/** A CONNECTION_CLOSE frame, kept (up to CLOSE_LIMIT per connection). */
export function noteClose(closes: QuicCloseRecord[], from: Direction, packet: number, packetType: string, f: QuicFrame): void {
  if (closes.length >= CLOSE_LIMIT || f.errorCode === undefined) return;
  const c: QuicCloseRecord = { from, packet, packetType, kind: f.type === 0x1c ? 'transport' : 'application', errorCode: f.errorCode, reason: f.reason ?? '' };
  if (f.frameType !== undefined) c.frameType = f.frameType;
  closes.push(c);
}

/** TLS 1.3 suites QUIC can use, by secret (hash) length; the ServerHello's first when known. */
function suitesFor(secretLength: number, known: number | null): number[] {
  const all = secretLength === 48 ? [0x1302] : [0x1301, 0x1303];
  return known !== null && all.includes(known) ? [known] : all;
}

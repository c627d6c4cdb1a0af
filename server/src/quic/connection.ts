/**
 * One QUIC connection as an observer sees it: datagrams of both directions,
 * the Initial packets opened with the keys derived from the client's
 * Destination Connection ID, their CRYPTO data reassembled per direction, and
 * what stays encrypted (Handshake, 0-RTT, 1-RTT) counted per packet type. With
 * a key log the Handshake packets are opened here, 0-RTT and 1-RTT ones in
 * applicationSpace.ts.
 */
import { Buffer } from 'node:buffer';
import type { Endpoint } from '../../../shared/analysis';
import type { TextPositions } from '../capture/packet';
import type { Direction } from '../tls/types';
import { payloadHash } from '../tcp/payloadHash';
import type { KeySourceKind } from '../../../shared/analysis';
import type { KeyStore } from '../decrypt/keyStore';
import { ApplicationSpace, noteClose, type QuicCloseRecord } from './applicationSpace';
import { CryptoReassembler } from './cryptoStream';
import { parseFrames, type FrameWalk } from './frames';
import { applicationSecrets, clientHelloRandom, handshakeKeys, serverHelloSuite, type HandshakeKeys } from './handshakeKeys';
import { openPacket, type OpenedPacket } from './initial';
import { initialSecrets, type InitialSecrets } from './keys';
import { splitDatagram, type QuicPacketHeader } from './packet';
import { verifyRetry } from './retry';
import { quicVersion, quicVersionName } from './versions';

/** Where a datagram's bytes are in the source, so CRYPTO bytes map back to the file (or the text dump). */
export interface DatagramSource {
  packet: number;
  /** File offset of the UDP payload's first byte; -1 for text dumps. */
  fileOffset: number;
  text?: TextPositions;
  /** Index into `text` (the packet's bytes) of the UDP payload's first byte. */
  textIndex: number;
  /** IP header facts for the packet timeline. */
  ttl: number;
  ipId: number;
}

export interface QuicPacketRecord {
  type: string;
  /** Full packet number when the packet was opened; null when it stayed encrypted. */
  packetNumber: number | null;
  length: number;
  /** 'decrypted', 'encrypted (no keys)', or why opening failed. */
  status: string;
  frames?: string[];
  /** 1-RTT packets opened with a key log: the key phase bit (RFC 9001 §6). */
  keyPhase?: number;
}

export interface QuicDatagramRecord {
  packet: number;
  time: number;
  from: Direction;
  /** UDP payload size: Russia's TSPU rule and the GFW's first-Initial rule are about sizes. */
  size: number;
  packets: QuicPacketRecord[];
  ttl: number;
  ipId: number;
  /**
   * payloadHash() of the UDP payload (at offset 0): NATs rewrite addresses and ports but not payloads,
   * so two captures' copies of one datagram are found by it (compare/joinDatagrams.ts). 0 when not hashed.
   */
  hash: number;
  /** Every Initial in it carried only CRYPTO bytes already received: a retransmitted flight (new packet number, same data). */
  retransmission: boolean;
}

export interface QuicProblem {
  from: Direction;
  packet: number;
  message: string;
  severity: 'error' | 'warning' | 'info';
}

/** Datagrams kept per connection for the timeline; later ones are only counted. */
export const DATAGRAM_LIMIT = 4096;
/** Datagrams listed without the packet timeline: the handshake and the first exchanges, which censors look at. */
export const DATAGRAMS_WITHOUT_TIMELINE = 16;
const PROBLEM_LIMIT = 64;

export class QuicConnection {
  readonly sources: DatagramSource[] = [];
  readonly crypto: Record<Direction, CryptoReassembler> = { client: new CryptoReassembler(), server: new CryptoReassembler() };
  /** CRYPTO data of the Handshake packets, once a key log opened them (issue #14); empty otherwise. */
  readonly handshakeCrypto: Record<Direction, CryptoReassembler> = { client: new CryptoReassembler(), server: new CryptoReassembler() };
  /** CRYPTO data of the 1-RTT packets (NewSessionTicket), once a key log opened them; empty otherwise. */
  readonly applicationCrypto: Record<Direction, CryptoReassembler> = { client: new CryptoReassembler(), server: new CryptoReassembler() };
  /**
   * The 0-RTT/1-RTT space once a key log has its secrets (issue #14): undefined until the ClientHello random
   * is read, null when there are none (the packets then stay "encrypted (no keys)", as without a key log).
   */
  application: ApplicationSpace | null | undefined = undefined;
  /** CONNECTION_CLOSE frames of the packets a key log opened (Handshake, 0-RTT, 1-RTT). */
  readonly closes: QuicCloseRecord[] = [];
  /** Set once a key log's secrets opened (or failed to open) a Handshake packet: packets per direction, never the keys. */
  decryption: { keySource: KeySourceKind; records: Record<Direction, number>; failed: Record<Direction, number>; keys: HandshakeKeys } | null = null;
  readonly datagrams: QuicDatagramRecord[] = [];
  /** Datagrams past `keepDatagrams`: counted, not kept. */
  datagramsDropped = 0;
  readonly counts = { datagrams: { client: 0, server: 0 }, bytes: { client: 0, server: 0 }, retransmissions: { client: 0, server: 0 }, packets: {} as Record<string, number> };
  readonly problems: QuicProblem[] = [];
  readonly connectionIds = new Set<string>();
  version: number;
  originalDcid: Uint8Array;
  clientScid: Uint8Array | null = null;
  serverScid: Uint8Array | null = null;
  retry: { verified: boolean; tokenLength: number } | null = null;
  versionNegotiation: number[] | null = null;
  firstTime = NaN;
  lastTime = NaN;
  /** Both sides' connection IDs are known to the table's index (connectionTable.ts). */
  cidsLearned = false;
  /** NEW_CONNECTION_ID frames (application.newConnectionIds) already in the table's index. */
  issuedCidsLearned = 0;
  private keys: InitialSecrets | null = null;
  private keysDcid = '';
  private readonly largestPn: Record<Direction, number> = { client: -1, server: -1 };
  private readonly largestHandshakePn: Record<Direction, number> = { client: -1, server: -1 };
  private serverVersion: number | undefined = undefined;
  private serverSuite: number | null = null;
  /** Keys of the Handshake space: undefined until the hellos name them, null when the key store has none. */
  private handshakeKeys: HandshakeKeys | null | undefined = undefined;
  /** CRYPTO frames of the datagram being read that brought new bytes / only bytes already held. */
  private cryptoNew = 0;
  private cryptoOld = 0;

  /**
   * Given when the connection is reported (end of input), after every TCP connection got its
   * id: TCP ids stay what they were before QUIC was decoded.
   */
  id = -1;

  /**
   * `keepDatagrams`: records kept for the report, DATAGRAM_LIMIT with a packet timeline, else only the few the
   * report lists (holding every 1-RTT datagram's record of every open connection cost a third of a 200 MB
   * capture's time in garbage collection). `hashPayloads`: hash kept datagrams for compare.
   */
  constructor(
    readonly client: Endpoint, readonly server: Endpoint, first: QuicPacketHeader,
    private readonly hashPayloads = false, private readonly keepDatagrams = DATAGRAM_LIMIT,
    private readonly keyStore: KeyStore | null = null,
  ) {
    this.version = first.version;
    this.originalDcid = first.dcid.slice();
  }

  /**
   * Length of the Destination Connection ID of a short header sent by `from`: short headers carry none. The
   * receiver's first Source Connection ID, or one it issued later in NEW_CONNECTION_ID (read with a key log)
   * that the packet starts with: ngtcp2, quiche and others issue them at another length after migration.
   */
  private shortDcidLength(from: Direction, buf: Uint8Array, start: number, end: number): number {
    const cid = from === 'client' ? this.serverScid : this.clientScid;
    const base = cid?.length ?? 0;
    if (!this.application || (buf[start] & 0x80) !== 0) return base;
    const receiver: Direction = from === 'client' ? 'server' : 'client';
    for (const n of this.application.newConnectionIds) {
      const len = n.connectionId.length / 2;
      if (n.from === receiver && len !== base && start + 1 + len <= end && hex(buf.subarray(start + 1, start + 1 + len)) === n.connectionId) return len;
    }
    return base;
  }

  datagram(from: Direction, buf: Uint8Array, start: number, end: number, src: DatagramSource, time: number): void {
    if (Number.isNaN(this.firstTime)) this.firstTime = time;
    this.lastTime = time;
    this.counts.datagrams[from]++;
    this.counts.bytes[from] += end - start;
    const keep = this.datagrams.length < this.keepDatagrams;
    const rec: QuicDatagramRecord = {
      packet: src.packet, time, from, size: end - start, packets: [], ttl: src.ttl, ipId: src.ipId,
      hash: keep && this.hashPayloads ? payloadHash(buf.subarray(start, end), 0) : 0, retransmission: false,
    };
    if (keep) this.datagrams.push(rec);
    else this.datagramsDropped++;
    const split = splitDatagram(buf, start, end, this.shortDcidLength(from, buf, start, end));
    this.cryptoNew = 0;
    this.cryptoOld = 0;
    for (const h of split.packets) rec.packets.push(this.packet(from, buf, h, src, start));
    rec.retransmission = this.cryptoOld > 0 && this.cryptoNew === 0;
    if (rec.retransmission) this.counts.retransmissions[from]++;
    if (split.problem) this.problem(from, src.packet, `datagram offset ${split.problem.offset - start}: ${split.problem.message}`, 'warning');
  }

  private packet(from: Direction, buf: Uint8Array, h: QuicPacketHeader, src: DatagramSource, dgStart: number): QuicPacketRecord {
    const length = h.end - h.start;
    this.counts.packets[h.type] = (this.counts.packets[h.type] ?? 0) + 1;
    if (h.long) {
      this.connectionIds.add(hex(h.dcid));
      if (h.scid && h.scid.length > 0) this.connectionIds.add(hex(h.scid));
      if (h.scid && h.type !== 'Version Negotiation') {
        if (from === 'client' && this.clientScid === null) this.clientScid = h.scid.slice();
        if (from === 'server' && this.serverScid === null && h.type !== 'Retry') this.serverScid = h.scid.slice();
      }
    }
    // Compatible version negotiation (RFC 9368) may move the connection to the version of the server's packets.
    if (from === 'server' && h.long && (h.type === 'Initial' || h.type === 'Handshake')) this.serverVersion ??= h.version;
    switch (h.type) {
      case 'Version Negotiation':
        this.versionNegotiation = h.supportedVersions ?? [];
        return { type: h.type, packetNumber: null, length, status: `versions offered: ${this.versionNegotiation.map(quicVersionName).join(', ')}` };
      case 'Retry': {
        const info = quicVersion(h.version);
        const verified = info !== undefined && verifyRetry(info, this.originalDcid, buf.subarray(h.start, h.end));
        this.retry = { verified, tokenLength: h.token?.[1] ?? 0 };
        if (!verified) this.problem(from, src.packet, 'Retry integrity tag does not match the client\'s original Destination Connection ID', 'warning');
        return { type: h.type, packetNumber: null, length, status: verified ? 'integrity tag verified' : 'integrity tag does not match' };
      }
      case 'Initial':
        return this.initial(from, buf, h, src, dgStart);
      case 'unknown':
        return { type: h.type, packetNumber: null, length, status: `version ${quicVersionName(h.version)} is not decoded` };
      case 'Handshake':
        if (this.keyStore !== null) return this.handshake(from, buf, h, src, dgStart);
        return { type: h.type, packetNumber: null, length, status: 'encrypted (no keys)' };
      case '0-RTT':
      case '1-RTT':
        if (from === 'server' && h.long) this.serverVersion ??= h.version;
        if (this.keyStore !== null) return this.applicationPacket(from, buf, h, src, dgStart);
        return { type: h.type, packetNumber: null, length, status: 'encrypted (no keys)' };
      default:
        return { type: h.type, packetNumber: null, length, status: 'encrypted (no keys)' };
    }
  }

  private initial(from: Direction, buf: Uint8Array, h: QuicPacketHeader, src: DatagramSource, dgStart: number): QuicPacketRecord {
    const info = quicVersion(h.version)!;
    // The client's Initials after a Retry use the DCID the Retry gave: keys follow the client's current DCID.
    if (from === 'client' && hex(h.dcid) !== this.keysDcid) {
      this.keysDcid = hex(h.dcid);
      this.keys = initialSecrets(info, h.dcid);
    }
    const length = h.end - h.start;
    if (this.keys === null) return { type: h.type, packetNumber: null, length, status: 'no client Initial seen: keys unknown' };
    const opened = openPacket(buf, h, this.keys[from], this.largestPn[from]);
    if (typeof opened === 'string') {
      this.problem(from, src.packet, `Initial: ${opened}`, 'warning');
      return { type: h.type, packetNumber: null, length, status: opened };
    }
    if (opened.packetNumber > this.largestPn[from]) this.largestPn[from] = opened.packetNumber;
    const walk = this.takeCrypto(this.crypto[from], opened, src, dgStart, (covered) => {
      if (covered) this.cryptoOld++;
      else this.cryptoNew++;
    });
    if (walk.problem) this.problem(from, src.packet, `Initial packet ${opened.packetNumber}: ${walk.problem.message}`, 'warning');
    return { type: h.type, packetNumber: opened.packetNumber, length, status: 'decrypted', frames: compactFrames(walk.frames.map((f) => f.name)) };
  }

  /**
   * A Handshake packet opened with the key log's handshake traffic secrets (RFC 9001 §5.1). Without
   * keys for this connection it stays "encrypted (no keys)", exactly as without a key log; after a
   * packet that does not authenticate, that direction is not tried again (one located diagnostic).
   */
  private handshake(from: Direction, buf: Uint8Array, h: QuicPacketHeader, src: DatagramSource, dgStart: number): QuicPacketRecord {
    const length = h.end - h.start;
    const keys = this.resolveHandshakeKeys(from, src.packet, h.version);
    if (keys === null || keys === undefined) return { type: h.type, packetNumber: null, length, status: 'encrypted (no keys)' };
    const d = (this.decryption ??= { keySource: keys.keySource, records: { client: 0, server: 0 }, failed: { client: 0, server: 0 }, keys });
    if (d.failed[from] > 0) {
      d.failed[from]++;
      return { type: h.type, packetNumber: null, length, status: 'not decrypted: an earlier Handshake packet did not authenticate' };
    }
    const opened = openPacket(buf, h, keys[from], this.largestHandshakePn[from]);
    if (typeof opened === 'string') {
      d.failed[from]++;
      this.problem(from, src.packet, `Handshake packet: ${opened} (the key log's ${from === 'client' ? 'CLIENT' : 'SERVER'}_HANDSHAKE_TRAFFIC_SECRET for this ClientHello random is wrong, or the packet was altered); later Handshake packets from the ${from} are not decrypted`, 'warning');
      return { type: h.type, packetNumber: null, length, status: opened };
    }
    d.records[from]++;
    if (opened.packetNumber > this.largestHandshakePn[from]) this.largestHandshakePn[from] = opened.packetNumber;
    const walk = this.takeCrypto(this.handshakeCrypto[from], opened, src, dgStart);
    for (const f of walk.frames) if (f.errorCode !== undefined) noteClose(this.closes, from, src.packet, h.type, f);
    if (walk.problem) this.problem(from, src.packet, `Handshake packet ${opened.packetNumber}: ${walk.problem.message}`, 'warning');
    return { type: h.type, packetNumber: opened.packetNumber, length, status: 'decrypted', frames: compactFrames(walk.frames.map((f) => f.name)) };
  }

  /**
   * The frames of an opened packet, its CRYPTO data added to `stream` at the datagram bytes that carried it
   * (plaintext byte i is ciphertext byte i). `seen` learns, per non-empty CRYPTO frame, whether its bytes were
   * already held (a retransmission).
   */
  private takeCrypto(stream: CryptoReassembler, opened: OpenedPacket, src: DatagramSource, dgStart: number, seen?: (covered: boolean) => void, allFrames = false): FrameWalk {
    const walk = parseFrames(opened.plaintext, allFrames);
    const tag = this.sources.length;
    // Pushed only for a packet with CRYPTO data: 1-RTT packets are many, and most carry none.
    let pushed = false;
    for (const f of walk.frames) {
      if (f.cryptoOffset === undefined || f.dataOffset === undefined || f.dataLength === undefined) continue;
      if (!pushed) {
        this.sources.push(src);
        pushed = true;
      }
      const inDatagram = opened.payloadOffset - dgStart + f.dataOffset;
      if (seen && f.dataLength > 0) seen(stream.covers(f.cryptoOffset, f.dataLength));
      stream.add(f.cryptoOffset, opened.plaintext.subarray(f.dataOffset, f.dataOffset + f.dataLength), inDatagram, tag);
    }
    return walk;
  }

  /**
   * A 0-RTT or 1-RTT packet, opened with the key log's early or application traffic secrets. Its frames
   * are summarised (applicationSpace.ts); the CRYPTO data of 1-RTT packets (NewSessionTicket) is reassembled
   * like the Handshake packets', at the ciphertext bytes that carried it.
   */
  private applicationPacket(from: Direction, buf: Uint8Array, h: QuicPacketHeader, src: DatagramSource, dgStart: number): QuicPacketRecord {
    const length = h.end - h.start;
    const app = this.resolveApplication();
    if (!app) return { type: h.type, packetNumber: null, length, status: 'encrypted (no keys)' };
    const opened: (OpenedPacket & { keyPhase?: number }) | string = h.type === '1-RTT'
      ? app.open1Rtt(from, buf, h, src.packet)
      : from === 'client'
        ? app.open0Rtt(src.packet, (keys, largest) => openPacket(buf, h, keys, largest))
        : 'not decrypted: only clients send 0-RTT packets (RFC 9000 §17.2.3)';
    if (typeof opened === 'string') return { type: h.type, packetNumber: null, length, status: opened };
    // CRYPTO frames are not allowed in 0-RTT packets (RFC 9001 §4.1.4): only 1-RTT ones feed the stream.
    const walk = h.type === '1-RTT'
      ? this.takeCrypto(this.applicationCrypto[from], opened, src, dgStart, undefined, true)
      : parseFrames(opened.plaintext, true);
    app.note(from, src.packet, h.type, walk.frames);
    if (walk.problem) this.problem(from, src.packet, `${h.type} packet ${opened.packetNumber}: ${walk.problem.message}`, 'warning');
    const rec: QuicPacketRecord = { type: h.type, packetNumber: opened.packetNumber, length, status: 'decrypted', frames: compactFrames(walk.frames.map((f) => f.name)) };
    if (opened.keyPhase !== undefined) rec.keyPhase = opened.keyPhase;
    return rec;
  }

  /** The 0-RTT/1-RTT secrets, looked up once the ClientHello random is held (0-RTT comes before any ServerHello). */
  private resolveApplication(): ApplicationSpace | null | undefined {
    if (this.application !== undefined || this.keyStore === null) return this.application;
    if (this.crypto.client.contiguousLength() < 38) return undefined;
    const random = clientHelloRandom(this.crypto.client.contiguous().bytes);
    const secrets = random === null ? null : applicationSecrets(this.keyStore, random);
    const info = quicVersion(this.serverVersion ?? this.version);
    if (secrets === null || info === undefined) return (this.application = null);
    this.application = new ApplicationSpace(secrets, info, () => this.negotiatedSuite(), this.closes,
      (from, packet, message, severity) => this.problem(from, packet, message, severity));
    return this.application;
  }

  /** The ServerHello's cipher suite, once its first bytes are held. */
  private negotiatedSuite(): number | null {
    if (this.serverSuite === null && this.crypto.server.contiguousLength() >= 41) this.serverSuite = serverHelloSuite(this.crypto.server.contiguous().bytes);
    return this.serverSuite;
  }

  /** Looked up once both hellos' first bytes are held (the ClientHello random, the ServerHello's suite). */
  private resolveHandshakeKeys(from: Direction, packet: number, version: number): HandshakeKeys | null | undefined {
    if (this.handshakeKeys !== undefined || this.keyStore === null) return this.handshakeKeys;
    // Cheap test first: contiguous() copies the stream, and Handshake packets may come long before a lost ServerHello's retransmission.
    if (this.crypto.client.contiguousLength() < 38 || this.crypto.server.contiguousLength() < 41) return undefined;
    const random = clientHelloRandom(this.crypto.client.contiguous().bytes);
    const suite = serverHelloSuite(this.crypto.server.contiguous().bytes);
    // The Handshake packet's own version: compatible version negotiation (RFC 9368) may have moved from the first Initial's.
    const info = quicVersion(version);
    if (random === null || suite === null || info === undefined) return undefined;
    const keys = handshakeKeys(this.keyStore, info, random, suite);
    if (typeof keys === 'string') {
      this.problem(from, packet, `Handshake packets: ${keys}`, 'info');
      this.handshakeKeys = null;
    } else {
      this.handshakeKeys = keys;
    }
    return this.handshakeKeys;
  }

  problem(from: Direction, packet: number, message: string, severity: QuicProblem['severity']): void {
    if (this.problems.length < PROBLEM_LIMIT) this.problems.push({ from, packet, message, severity });
  }
}

/** "CRYPTO, PADDING, PADDING" → "CRYPTO, PADDING×2": chaos-protected Initials have dozens of frames. */
function compactFrames(names: string[]): string[] {
  const out: string[] = [];
  let last = '';
  let n = 0;
  const flush = () => { if (n > 0) out.push(n > 1 ? `${last}×${n}` : last); };
  for (const name of names) {
    if (name === last) { n++; continue; }
    flush();
    last = name;
    n = 1;
  }
  flush();
  return out;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

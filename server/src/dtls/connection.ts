/**
 * One DTLS association as an observer sees it, with what shares its 5-tuple
 * (WebRTC: STUN, SRTP/SRTCP). Datagrams are kept by side ('a' sent the first
 * one the table saw, 'b' the other): who is client is only known from the
 * handshake (in WebRTC the answerer may send the ClientHello), so sides become
 * client/server when the report is built.
 *
 * Each side's datagrams are laid end to end in a virtual stream: a record or
 * fragment position is a stream position, and one StreamMap per side maps it
 * back to the file or the text dump, like a TCP stream's.
 */
import type { Endpoint } from '../../../shared/analysis';
import { hex, type DatagramSource } from '../quic/connection';
import { StreamMap } from '../tcp/streamMap';
import { CT, contentTypeName, parseFragment, parseRecord, type DtlsRecordHeader } from './record';
import { HandshakeReassembler, complete, type HeldBytes } from './reassembly';
import { muxClass, parseStun, type MuxClass, type StunMessage } from './stun';
import { helloConnectionId } from './helloScan';

export type Side = 'a' | 'b';
export const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');

export interface DtlsFragmentRecord {
  type: number;
  messageSeq: number;
  fragmentOffset: number;
  fragmentLength: number;
  length: number;
}

export interface DtlsRecordEntry {
  side: Side;
  packet: number;
  form: DtlsRecordHeader['form'];
  contentType: number;
  version: number;
  epoch: number;
  sequence: number;
  length: number;
  /** Hex; only for CID records and unified headers with a CID. */
  cid?: string;
  /** Virtual stream span of the whole record. */
  span: [number, number];
  fragments?: DtlsFragmentRecord[];
  /** A plaintext alert's level and description. */
  alert?: [number, number];
}

export interface DtlsDatagramEntry {
  side: Side;
  packet: number;
  time: number;
  size: number;
  kind: MuxClass;
  ttl: number;
  ipId: number;
  /** Every handshake fragment in it had been seen before: a retransmitted flight (record sequence numbers aside). */
  retransmission: boolean;
  /** Position of its first byte in the side's virtual stream. */
  streamPos: number;
}

export interface DtlsProblem {
  side: Side;
  packet: number;
  code: string;
  message: string;
  /** Virtual stream span, when the problem has a place. */
  span: [number, number] | null;
  severity: 'error' | 'warning' | 'info';
}

export interface StunEntry extends StunMessage {
  side: Side;
  packet: number;
}

/** Records and datagrams kept per connection for the report; later ones are only counted. */
export const RECORD_LIMIT = 4096;
const PROBLEM_LIMIT = 64;
const STUN_LIMIT = 64;

export class DtlsConnection {
  readonly maps: Record<Side, StreamMap> = { a: new StreamMap(), b: new StreamMap() };
  readonly handshake: Record<Side, HandshakeReassembler>;
  readonly records: DtlsRecordEntry[] = [];
  recordsDropped = 0;
  readonly datagrams: DtlsDatagramEntry[] = [];
  datagramsDropped = 0;
  readonly problems: DtlsProblem[] = [];
  readonly stun: StunEntry[] = [];
  stunDropped = 0;
  readonly counts = {
    datagrams: { a: 0, b: 0 }, bytes: { a: 0, b: 0 }, records: { a: 0, b: 0 },
    mux: { stun: 0, zrtp: 0, dtls: 0, 'turn-channel': 0, srtp: 0, srtcp: 0, other: 0 } as Record<MuxClass, number>,
  };
  /** The side that sent the ClientHello (or received a HelloVerifyRequest / ServerHello); null until known. */
  clientSide: Side | null = null;
  /** The connection ID each side asked to receive (connection_id extension, RFC 9146), hex; null when not negotiated. */
  readonly cid: Record<Side, string | null> = { a: null, b: null };
  firstTime = NaN;
  lastTime = NaN;
  id = -1;
  private readonly streamEnd: Record<Side, number> = { a: 0, b: 0 };

  constructor(readonly a: Endpoint, readonly b: Endpoint, held: HeldBytes) {
    this.handshake = { a: new HandshakeReassembler(held), b: new HandshakeReassembler(held) };
  }

  datagram(side: Side, buf: Uint8Array, start: number, end: number, src: DatagramSource, time: number): void {
    if (Number.isNaN(this.firstTime)) this.firstTime = time;
    this.lastTime = time;
    this.counts.datagrams[side]++;
    this.counts.bytes[side] += end - start;
    const kind = muxClass(buf, start, end);
    this.counts.mux[kind]++;
    const base = this.streamEnd[side];
    const entry: DtlsDatagramEntry = { side, packet: src.packet, time, size: end - start, kind, ttl: src.ttl, ipId: src.ipId, retransmission: false, streamPos: base };
    if (this.datagrams.length < RECORD_LIMIT) this.datagrams.push(entry);
    else this.datagramsDropped++;
    // Past the limit the datagram has no place in the map: what it carried is counted, not located.
    if (this.maps[side].segments.length < RECORD_LIMIT) {
      this.maps[side].add({ start: base, end: base + (end - start), packet: src.packet, fileOffset: src.fileOffset, text: src.text, textIndex: src.textIndex });
    }
    this.streamEnd[side] = base + (end - start);
    const streamOf = (q: number) => base + (q - start);
    if (kind === 'stun') this.addStun(side, buf, start, end, src.packet);
    else if (kind === 'dtls') {
      this.freshFragments = 0;
      this.oldFragments = 0;
      this.records_(side, buf, start, end, src.packet, streamOf);
      entry.retransmission = this.oldFragments > 0 && this.freshFragments === 0;
    }
  }

  /** Handshake fragments of the datagram being read that brought new bytes, and those that only repeated. */
  private freshFragments = 0;
  private oldFragments = 0;

  /** STUN seen on the tuple before its DTLS began (the ICE checks): listed and counted as if it had come now; it has no place in the stream. */
  adoptStun(side: Side, m: StunMessage, d: { packet: number; time: number; size: number; ttl: number; ipId: number }): void {
    if (Number.isNaN(this.firstTime) || d.time < this.firstTime) this.firstTime = d.time;
    this.counts.datagrams[side]++;
    this.counts.bytes[side] += d.size;
    this.counts.mux.stun++;
    if (this.datagrams.length < RECORD_LIMIT) this.datagrams.push({ side, ...d, kind: 'stun', retransmission: false, streamPos: -1 });
    if (this.stun.length < STUN_LIMIT) this.stun.push({ ...m, side, packet: d.packet });
    else this.stunDropped++;
  }

  addStun(side: Side, buf: Uint8Array, start: number, end: number, packet: number): void {
    const m = parseStun(buf, start, end);
    if (m === null) return;
    if (this.stun.length < STUN_LIMIT) this.stun.push({ ...m, side, packet });
    else this.stunDropped++;
  }

  private records_(side: Side, buf: Uint8Array, start: number, end: number, packet: number, streamOf: (q: number) => number): void {
    let p = start;
    while (p < end) {
      // Records to this side's peer carry the CID the peer asked for.
      const cidHex = this.cid[other(side)];
      const h = parseRecord(buf, p, end, cidHex === null ? 0 : cidHex.length / 2);
      if ('error' in h) {
        this.problem(side, packet, 'dtls.record', h.error, [streamOf(h.at), streamOf(end)], 'warning');
        return;
      }
      this.counts.records[side]++;
      const entry: DtlsRecordEntry = {
        side, packet, form: h.form, contentType: h.contentType, version: h.version, epoch: h.epoch, sequence: h.sequence,
        length: h.end - h.bodyStart, span: [streamOf(h.start), streamOf(h.end)],
      };
      if (h.cidEnd > h.cidStart) entry.cid = hex(buf.subarray(h.cidStart, h.cidEnd));
      if (this.records.length < RECORD_LIMIT) this.records.push(entry);
      else this.recordsDropped++;
      if (h.contentType === CT.handshake && h.epoch === 0) this.fragments(side, buf, h, packet, streamOf, entry);
      if (h.contentType === CT.alert && h.epoch === 0 && h.end - h.bodyStart === 2) entry.alert = [buf[h.bodyStart], buf[h.bodyStart + 1]];
      p = h.end;
    }
  }

  private fragments(side: Side, buf: Uint8Array, h: DtlsRecordHeader, packet: number, streamOf: (q: number) => number, entry: DtlsRecordEntry): void {
    entry.fragments = [];
    let q = h.bodyStart;
    while (q < h.end) {
      const f = parseFragment(buf, q, h.end);
      if ('error' in f) {
        this.problem(side, packet, 'dtls.fragment', `${contentTypeName(h.contentType)} record: ${f.error}`, [streamOf(f.at), streamOf(h.end)], 'warning');
        return;
      }
      entry.fragments.push({ type: f.type, messageSeq: f.messageSeq, fragmentOffset: f.fragmentOffset, fragmentLength: f.fragmentLength, length: f.length });
      if (this.clientSide === null) {
        if (f.type === 1) this.clientSide = side;
        else if (f.type === 2 || f.type === 3) this.clientSide = other(side);
      }
      const ev = this.handshake[side].add(f, buf, streamOf, h.epoch, packet);
      if (this.handshake[side].lastFresh) this.freshFragments++;
      else this.oldFragments++;
      if (ev) {
        const code = ev.kind === 'differs' ? 'dtls.fragment-differs' : ev.kind === 'mismatch' ? 'dtls.fragment-mismatch' : 'dtls.message-not-held';
        this.problem(side, packet, code, ev.message, [streamOf(f.start), streamOf(f.bodyStart + f.fragmentLength)], 'warning');
      }
      if ((f.type === 1 || f.type === 2) && this.cid[side] === null) {
        const m = this.handshake[side].messages.get(f.messageSeq);
        if (m && complete(m) && m.bytes) this.cid[side] = helloConnectionId(m.bytes, f.type === 1);
      }
      q = f.bodyStart + f.fragmentLength;
    }
  }

  problem(side: Side, packet: number, code: string, message: string, span: [number, number] | null, severity: DtlsProblem['severity']): void {
    if (this.problems.length < PROBLEM_LIMIT) this.problems.push({ side, packet, code, message, span, severity });
  }

  /** Handshake bytes go back to the table's budget once the report is built. */
  release(): void {
    this.handshake.a.release();
    this.handshake.b.release();
  }
}


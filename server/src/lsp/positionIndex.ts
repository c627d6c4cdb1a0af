/**
 * Where every byte of a text dump is, and what it is.
 *
 * The engine's report says where each decoded field's bytes are (text ranges);
 * the text parser says where each packet byte was written (TextPositions).
 * This joins the two through TCP stream offsets: a byte → its packet → its
 * connection, direction and stream offset → the most specific field covering
 * that offset. Going through stream offsets (rather than painting the report's
 * ranges onto the text) means retransmitted copies of a ServerHello are named
 * and coloured like the copy the engine decoded.
 *
 * All state is typed arrays and plain objects, so the index is built in the
 * analysis worker and posted to the server's main thread as is.
 */
import type { AnalysisReport, ConnectionReport, MessageReport, SourceLocation } from '../../../shared/analysis';
import type { RawPacket } from '../capture/packet';
import { decodeTcpPacket, IP_FRAGMENT, UDP, newTcpPacket } from '../net/tcpPacket';
import { alertLevelName } from '../../../shared/tls/registry/alerts';
import { stepLabel } from '../../../shared/fields/registry';
import { formatValue, hexString, OWNER_MESSAGE, prettyKey, recordHeaderValue, tokenForKey, type HelloOwner } from './fieldText';
import { TokenType } from './tokenTypes';
import { preambleFields } from './preambleFields';
import { quicPacketTypeAt, spaceBases } from './quicSpaces';

const NONE = 0xffffffff;

export type Dir = 'client' | 'server';

export interface PacketEntry {
  /** Packet index in the capture (0-based; shown 1-based like Wireshark's frame numbers). */
  index: number;
  headerLine: number;
  firstLine: number;
  lastLine: number;
  linkType: number;
  time: number;
  /** Where the packet's bytes start in IndexData.bytes. */
  dataOffset: number;
  length: number;
  /** Offsets of the IP and TCP headers and the payload in the packet (-1 when absent). */
  ipOffset: number;
  tcpOffset: number;
  payloadOffset: number;
  payloadLength: number;
  /** Connection id and direction, when the packet belongs to a reported connection. */
  conn: number;
  from: Dir | null;
  /** Stream offset of the first payload byte; -1 unknown. */
  seq: number;
  /** An IP fragment: its payload window is corrected once the report says how much of it is TCP payload. */
  fragment: boolean;
}

export type FieldKind = 'message' | 'handshakeHeader' | 'recordHeader' | 'field' | 'certificate' | 'alert' | 'preamble';

export interface FieldEntry {
  conn: number;
  from: Dir;
  /** Stream span [start, end) in the sender's direction. */
  start: number;
  end: number;
  kind: FieldKind;
  /** Wire-style path, e.g. ["TLS", "Handshake", "ServerHello", "cipher_suite"]. */
  path: string[];
  /** Path in the report's terms, e.g. "serverHello.cipherSuite" (what suspects and rules name). */
  reportPath: string | null;
  value: string | null;
  token: TokenType | -1;
  /** Index of the message in the connection's `messages`, or -1. */
  message: number;
}

export interface StreamEntry {
  conn: number;
  from: Dir;
  /** Delivered pieces in stream order: [segStart[i], segEnd[i]) is at bytes segByte[i]…. */
  segStart: Float64Array;
  segEnd: Float64Array;
  segByte: Int32Array;
  /** Most specific field per stream offset (index into fields, -1 none), up to the last field's end. */
  fieldAt: Int32Array;
  /** Semantic token per stream offset (-1 none). */
  tokenAt: Int8Array;
}

export interface IndexData {
  lineCount: number;
  lineLength: Uint32Array;
  /** All packets' bytes, one after another, and where each byte was written. */
  bytes: Uint8Array;
  byteLine: Uint32Array;
  byteColumn: Uint32Array;
  byteAscii: Uint32Array;
  /** First byte written on a line (index into bytes) or -1, and how many bytes the line has. */
  lineFirstByte: Int32Array;
  lineByteCount: Uint16Array;
  /** Packet entry index by line (-1 for lines outside packets). */
  linePacket: Int32Array;
  packets: PacketEntry[];
  fields: FieldEntry[];
  streams: StreamEntry[];
  /**
   * QUIC: runs of dump bytes that carry CRYPTO stream bytes (decrypted Initials; plaintext byte i is ciphertext
   * byte i), sorted by `byte`. A datagram's payload is no stretch of one stream as a TCP segment's is, so its
   * bytes map to stream offsets through these runs, taken from the report's message ranges.
   */
  cryptoRuns: CryptoRun[];
}

export interface CryptoRun {
  /** First byte (index into IndexData.bytes) and how many consecutive bytes of the run. */
  byte: number;
  length: number;
  conn: number;
  from: Dir;
  /** Index offset of the first byte: its CRYPTO stream offset plus `base` (quicSpaces.ts). */
  offset: number;
  /** The QUIC packet type whose CRYPTO stream the bytes are in ("Initial", "Handshake", "1-RTT"; "unknown"). */
  space: string;
  base: number;
}

/** Accumulates the packets a text parser emits (copying: readers may reuse buffers). */
export class PacketCollector {
  private bytes = new Uint8Array(1 << 16);
  private line = new Uint32Array(1 << 16);
  private column = new Uint32Array(1 << 16);
  private ascii = new Uint32Array(1 << 16);
  private used = 0;
  private readonly scratch = newTcpPacket();
  readonly packets: PacketEntry[] = [];

  add(p: RawPacket): void {
    const n = p.data.length;
    if (!p.text || n === 0) {
      if (p.headerLine !== undefined) this.packets.push(this.entry(p, 0));
      return;
    }
    this.reserve(n);
    const at = this.used;
    this.bytes.set(p.data, at);
    this.line.set(p.text.line.subarray(0, n), at);
    this.column.set(p.text.column.subarray(0, n), at);
    if (p.text.asciiColumn) this.ascii.set(p.text.asciiColumn.subarray(0, n), at);
    else this.ascii.fill(NONE, at, at + n);
    this.used += n;
    this.packets.push(this.entry(p, at));
  }

  private entry(p: RawPacket, at: number): PacketEntry {
    const n = p.text ? p.data.length : 0;
    let first = p.headerLine ?? NONE;
    let last = p.headerLine ?? 0;
    for (let i = at; i < at + n; i++) {
      const l = this.line[i];
      if (l < first) first = l;
      if (l > last) last = l;
    }
    // The engine's allocation-free decoder: this runs for every packet of the dump.
    const reason = n > 0 ? decodeTcpPacket(p.linkType, p.data, this.scratch) : 'empty';
    const s = this.scratch;
    const fragment = reason === IP_FRAGMENT;
    // A first fragment holding the TCP header still gets its header hovers;
    // a later one's bytes continue the segment (the report tells how many are payload).
    const tcp = reason === null || (fragment && s.fragTcp) ? s : null;
    // A UDP datagram's payload is a QUIC/DTLS connection's when the report says so (its timeline gives the stream offset).
    const udp = reason === UDP ? s : null;
    return {
      index: p.index, headerLine: p.headerLine ?? -1, firstLine: first === NONE ? -1 : first, lastLine: last,
      linkType: p.linkType, time: p.timestamp, dataOffset: at, length: n,
      ipOffset: tcp || fragment ? s.ipOffset : -1, tcpOffset: tcp ? tcp.tcpOffset : -1,
      payloadOffset: tcp ? tcp.payloadOffset : udp ? udp.payloadOffset : fragment ? s.fragPayloadOffset : -1,
      payloadLength: tcp ? tcp.payloadLength : udp ? udp.payloadLength : fragment ? s.fragPayloadLength : 0,
      conn: -1, from: null, seq: -1, fragment,
    };
  }

  private reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    let size = this.bytes.length;
    while (size < this.used + n) size *= 2;
    const grow = <T extends Uint8Array | Uint32Array>(a: T, make: (s: number) => T): T => {
      const b = make(size);
      b.set(a.subarray(0, this.used) as never);
      return b;
    };
    this.bytes = grow(this.bytes, (s) => new Uint8Array(s));
    this.line = grow(this.line, (s) => new Uint32Array(s));
    this.column = grow(this.column, (s) => new Uint32Array(s));
    this.ascii = grow(this.ascii, (s) => new Uint32Array(s));
  }

  /** Joins the packets with the report into the index. `text` is the document (for line lengths). */
  finish(text: string, report: AnalysisReport): IndexData {
    const lineLength = lineLengths(text);
    const lineCount = lineLength.length;
    const n = this.used;
    const data: IndexData = {
      lineCount, lineLength,
      bytes: this.bytes.slice(0, n), byteLine: this.line.slice(0, n), byteColumn: this.column.slice(0, n), byteAscii: this.ascii.slice(0, n),
      lineFirstByte: new Int32Array(lineCount).fill(-1), lineByteCount: new Uint16Array(lineCount), linePacket: new Int32Array(lineCount).fill(-1),
      packets: this.packets, fields: [], streams: [], cryptoRuns: [],
    };
    for (let g = 0; g < n; g++) {
      const l = data.byteLine[g];
      if (l >= lineCount) continue;
      if (data.lineFirstByte[l] < 0) data.lineFirstByte[l] = g;
      if (data.lineByteCount[l] < 0xffff) data.lineByteCount[l]++;
    }
    data.packets.forEach((p, i) => {
      if (p.firstLine < 0) return;
      for (let l = p.firstLine; l <= p.lastLine && l < lineCount; l++) data.linePacket[l] = i;
    });
    new FieldBuilder(data, report).build();
    return data;
  }
}

function lineLengths(text: string): Uint32Array {
  const out: number[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      out.push(text.length - start);
      break;
    }
    out.push(nl - start - (nl > start && text.charCodeAt(nl - 1) === 13 ? 1 : 0));
    start = nl + 1;
  }
  return Uint32Array.from(out);
}

/** Byte (index into IndexData.bytes) written at a text position, in the hex or the ASCII pane. */
export function byteAt(d: IndexData, line: number, character: number): { byte: number; pane: 'hex' | 'ascii' } | null {
  if (line < 0 || line >= d.lineCount) return null;
  const first = d.lineFirstByte[line];
  if (first < 0) return null;
  const count = d.lineByteCount[line];
  for (let g = first; g < first + count; g++) {
    if (d.byteLine[g] !== line) continue;
    const c = d.byteColumn[g];
    if (character >= c && character < c + 2) return { byte: g, pane: 'hex' };
    if (d.byteAscii[g] === character) return { byte: g, pane: 'ascii' };
  }
  return null;
}

export function packetOfByte(d: IndexData, g: number): number {
  const line = d.byteLine[g];
  const i = line < d.lineCount ? d.linePacket[line] : -1;
  if (i >= 0) {
    const p = d.packets[i];
    if (g >= p.dataOffset && g < p.dataOffset + p.length) return i;
  }
  let lo = 0, hi = d.packets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = d.packets[mid];
    if (p.length > 0 && g < p.dataOffset) hi = mid - 1;
    else if (g >= p.dataOffset + p.length) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The CRYPTO run holding byte g (QUIC), or null. */
export function cryptoRunAt(d: IndexData, g: number): CryptoRun | null {
  const runs = d.cryptoRuns;
  let lo = 0, hi = runs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = runs[mid];
    if (g < r.byte) hi = mid - 1;
    else if (g >= r.byte + r.length) lo = mid + 1;
    else return r;
  }
  return null;
}

/** Stream offset of a payload byte (a QUIC datagram's: of its CRYPTO stream), or -1. */
export function streamOffsetOf(d: IndexData, g: number, pi = packetOfByte(d, g)): number {
  if (pi < 0) return -1;
  const p = d.packets[pi];
  if (p.seq < 0 && d.cryptoRuns.length > 0) {
    const r = cryptoRunAt(d, g);
    return r && r.conn === p.conn && r.from === p.from ? r.offset + (g - r.byte) : -1;
  }
  const inPacket = g - p.dataOffset;
  if (p.seq < 0 || p.payloadOffset < 0 || inPacket < p.payloadOffset || inPacket >= p.payloadOffset + p.payloadLength) return -1;
  return p.seq + (inPacket - p.payloadOffset);
}

export function streamOf(d: IndexData, conn: number, from: Dir): StreamEntry | undefined {
  return d.streams.find((s) => s.conn === conn && s.from === from);
}

/** The most specific field holding a byte (any copy of it, retransmissions included). */
export function fieldAtByte(d: IndexData, g: number): FieldEntry | null {
  const pi = packetOfByte(d, g);
  const off = streamOffsetOf(d, g, pi);
  if (off < 0) return null;
  const p = d.packets[pi];
  const s = streamOf(d, p.conn, p.from as Dir);
  if (!s || off >= s.fieldAt.length) return null;
  const f = s.fieldAt[off];
  return f < 0 ? null : d.fields[f];
}

/** Bytes of a stream span from the delivered copies (shorter when some were never captured). */
export function streamBytes(d: IndexData, s: StreamEntry, start: number, end: number): Uint8Array {
  const out: number[] = [];
  let i = lowerSegment(s, start);
  for (; i < s.segStart.length && s.segStart[i] < end; i++) {
    const a = Math.max(start, s.segStart[i]);
    const b = Math.min(end, s.segEnd[i]);
    for (let k = a; k < b; k++) out.push(d.bytes[s.segByte[i] + (k - s.segStart[i])]);
  }
  return Uint8Array.from(out);
}

function lowerSegment(s: StreamEntry, pos: number): number {
  let lo = 0, hi = s.segStart.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.segEnd[mid] <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Text columns [start, end) on `line` of the bytes whose stream offsets are in [start, end) of the given stream. */
export function columnsOnLine(d: IndexData, line: number, conn: number, from: Dir, start: number, end: number): { hex: [number, number] | null; ascii: [number, number] | null } {
  let hex: [number, number] | null = null;
  let ascii: [number, number] | null = null;
  const first = d.lineFirstByte[line];
  if (first < 0) return { hex, ascii };
  for (let g = first; g < first + d.lineByteCount[line]; g++) {
    const pi = packetOfByte(d, g);
    if (pi < 0 || d.packets[pi].conn !== conn || d.packets[pi].from !== from) continue;
    const off = streamOffsetOf(d, g, pi);
    if (off < start || off >= end) continue;
    const c = d.byteColumn[g];
    hex = hex ? [Math.min(hex[0], c), Math.max(hex[1], c + 2)] : [c, c + 2];
    const a = d.byteAscii[g];
    if (a !== NONE) ascii = ascii ? [Math.min(ascii[0], a), Math.max(ascii[1], a + 1)] : [a, a + 1];
  }
  return { hex, ascii };
}

/** Builds fields and streams from the report. */
class FieldBuilder {
  private readonly byIndex = new Map<number, number>();
  private readonly streamMap = new Map<string, StreamEntry>();
  /** QUIC: where a message's packet space starts in its direction's index stream. */
  private readonly messageBase = new Map<MessageReport, number>();

  constructor(private readonly d: IndexData, private readonly report: AnalysisReport) {
    d.packets.forEach((p, i) => this.byIndex.set(p.index, i));
  }

  build(): void {
    for (const c of this.report.connections) {
      for (const pr of c.packets ?? []) {
        const i = this.byIndex.get(pr.index);
        if (i === undefined) continue;
        const p = this.d.packets[i];
        p.conn = c.id;
        p.from = pr.from;
        p.seq = pr.seq;
        // A fragment's share of the segment is the tail of its bytes: TCP
        // header bytes (split over fragments on purpose, sometimes) come first.
        if (p.fragment && pr.length <= p.payloadLength) {
          p.payloadOffset += p.payloadLength - pr.length;
          p.payloadLength = pr.length;
        }
      }
    }
    for (const c of this.report.connections) if (c.transport === 'quic') this.cryptoRuns(c);
    this.d.cryptoRuns.sort((a, b) => a.byte - b.byte);
    for (const c of this.report.connections) {
      this.streams(c);
      this.fields(c);
    }
    this.paint();
  }

  private key(conn: number, from: Dir): string {
    return `${conn}/${from}`;
  }

  /**
   * A QUIC connection's handshake messages: where each of their CRYPTO bytes was written (the report's message
   * ranges, in stream order), each space's stream laid after the previous one's (quicSpaces.ts).
   */
  private cryptoRuns(c: ConnectionReport): void {
    const placed = c.messages.map((m) => {
      const bytes = this.messageBytes(m);
      return { m, bytes, space: bytes.length > 0 ? this.spaceOf(bytes[0]) : 'unknown' };
    });
    for (const from of ['client', 'server'] as const) {
      const extents = new Map<string, number>();
      for (const { m, space } of placed) if (m.from === from) extents.set(space, Math.max(extents.get(space) ?? 0, m.span[1]));
      const bases = spaceBases(extents);
      for (const { m, bytes, space } of placed) {
        if (m.from !== from) continue;
        const base = bases.get(space) ?? 0;
        this.messageBase.set(m, base);
        let run: CryptoRun | null = null;
        bytes.forEach((g, i) => {
          if (run && run.byte + run.length === g) run.length++;
          else this.d.cryptoRuns.push(run = { byte: g, length: 1, conn: c.id, from, offset: base + m.span[0] + i, space, base });
        });
      }
    }
  }

  /** The dump bytes a message's text ranges cover, in order, at most its span's length. */
  private messageBytes(m: MessageReport): number[] {
    const out: number[] = [];
    const want = m.span[1] - m.span[0];
    for (const loc of m.range ?? []) {
      if (loc.kind !== 'text') continue;
      const first = this.d.lineFirstByte[loc.line] ?? -1;
      if (first < 0) continue;
      for (let g = first; g < first + this.d.lineByteCount[loc.line] && out.length < want; g++) {
        const col = this.d.byteColumn[g];
        if (this.d.byteLine[g] === loc.line && col >= loc.column && col < loc.endColumn) out.push(g);
      }
    }
    return out;
  }

  /** The QUIC packet type of the datagram packet that holds dump byte g. */
  private spaceOf(g: number): string {
    const pi = packetOfByte(this.d, g);
    const p = pi < 0 ? null : this.d.packets[pi];
    if (!p || p.payloadOffset < 0) return 'unknown';
    const start = p.dataOffset + p.payloadOffset;
    return quicPacketTypeAt(this.d.bytes, start, start + p.payloadLength, g) ?? 'unknown';
  }

  private streams(c: ConnectionReport): void {
    if (c.transport === 'quic') {
      for (const from of ['client', 'server'] as const) {
        const runs = this.d.cryptoRuns.filter((r) => r.conn === c.id && r.from === from).sort((a, b) => a.offset - b.offset);
        const s: StreamEntry = {
          conn: c.id, from, segStart: Float64Array.from(runs.map((r) => r.offset)), segEnd: Float64Array.from(runs.map((r) => r.offset + r.length)),
          segByte: Int32Array.from(runs.map((r) => r.byte)), fieldAt: new Int32Array(0), tokenAt: new Int8Array(0),
        };
        this.streamMap.set(this.key(c.id, from), s);
        this.d.streams.push(s);
      }
      return;
    }
    for (const from of ['client', 'server'] as const) {
      const pieces: Array<[number, number, number]> = [];
      for (const pr of c.packets ?? []) {
        if (pr.from !== from) continue;
        const i = this.byIndex.get(pr.index);
        if (i === undefined) continue;
        const p = this.d.packets[i];
        if (p.seq < 0 || p.payloadLength <= 0 || p.length === 0) continue;
        pieces.push([p.seq, p.seq + p.payloadLength, p.dataOffset + p.payloadOffset]);
      }
      pieces.sort((a, b) => a[0] - b[0]);
      // First delivered copy wins; later (retransmitted) copies only fill holes.
      const kept: Array<[number, number, number]> = [];
      let covered = -Infinity;
      for (const [a, b, g] of pieces) {
        if (b <= covered) continue;
        const start = Math.max(a, covered);
        kept.push([start, b, g + (start - a)]);
        covered = b;
      }
      const s: StreamEntry = {
        conn: c.id, from,
        segStart: Float64Array.from(kept.map((k) => k[0])), segEnd: Float64Array.from(kept.map((k) => k[1])), segByte: Int32Array.from(kept.map((k) => k[2])),
        fieldAt: new Int32Array(0), tokenAt: new Int8Array(0),
      };
      this.streamMap.set(this.key(c.id, from), s);
      this.d.streams.push(s);
    }
  }

  /** Stream offset of the byte written at a text location's start. */
  private streamStartOf(loc: SourceLocation): { off: number; conn: number; from: Dir } | null {
    if (loc.kind !== 'text') return null;
    const g = byteAt(this.d, loc.line, loc.column);
    if (!g) return null;
    const pi = packetOfByte(this.d, g.byte);
    const off = streamOffsetOf(this.d, g.byte, pi);
    const p = this.d.packets[pi];
    if (off < 0 || !p.from) return null;
    return { off, conn: p.conn, from: p.from };
  }

  /** Bytes covered by text ranges (hex digits come in pairs, with spaces between groups). */
  private sizeOf(locs: SourceLocation[]): number {
    let n = 0;
    for (const loc of locs) {
      if (loc.kind !== 'text') continue;
      const first = this.d.lineFirstByte[loc.line] ?? -1;
      if (first < 0) continue;
      for (let g = first; g < first + this.d.lineByteCount[loc.line]; g++) {
        const col = this.d.byteColumn[g];
        if (this.d.byteLine[g] === loc.line && col >= loc.column && col < loc.endColumn) n++;
      }
    }
    return n;
  }

  private add(f: FieldEntry): void {
    if (f.end > f.start) this.d.fields.push(f);
  }

  private bytes(conn: number, from: Dir, start: number, end: number): Uint8Array | null {
    const s = this.streamMap.get(this.key(conn, from));
    if (!s) return null;
    const b = streamBytes(this.d, s, start, end);
    return b.length === end - start ? b : null;
  }

  private fields(c: ConnectionReport): void {
    const lastEnd: Record<Dir, number> = { client: 0, server: 0 };
    c.messages.forEach((m, mi) => {
      const spaceBase = this.messageBase.get(m) ?? 0;
      const s = m.span[0] + spaceBase, e = m.span[1] + spaceBase;
      const base = { conn: c.id, from: m.from, message: mi, reportPath: null } as const;
      const encrypted = m.type < 0;
      this.add({ ...base, start: s, end: e, kind: 'message', path: ['TLS', 'Handshake', m.name], value: `${m.length} bytes`, token: -1 });
      // A record header sits right before a message that starts a record:
      // at the stream start or right after the previous record's last message.
      const gap = s - lastEnd[m.from];
      // QUIC carries handshake messages in CRYPTO frames: no record headers.
      if (!encrypted && c.transport !== 'quic' && s >= 5 && (gap === 5 || (lastEnd[m.from] === 0 && s === 5))) {
        const hdr = this.bytes(c.id, m.from, s - 5, s);
        if (hdr && hdr[0] >= 20 && hdr[0] <= 24 && hdr[1] === 3) {
          const rec = (name: 'content_type' | 'version' | 'length', a: number, b: number) => this.add({
            ...base, start: a, end: b, kind: 'recordHeader', path: ['TLS', 'Record', name], value: recordHeaderValue(name, hdr.subarray(a - (s - 5), b - (s - 5))), token: TokenType.keyword,
          });
          rec('content_type', s - 5, s - 4);
          rec('version', s - 4, s - 2);
          rec('length', s - 2, s);
        }
      }
      lastEnd[m.from] = e;
      if (!encrypted && e - s >= 4) {
        this.add({ ...base, start: s, end: s + 1, kind: 'handshakeHeader', path: ['TLS', 'Handshake', m.name, 'msg_type'], value: `${m.name} (${m.type})`, token: TokenType.type });
        this.add({ ...base, start: s + 1, end: s + 4, kind: 'handshakeHeader', path: ['TLS', 'Handshake', m.name, 'length'], value: `${m.length}`, token: TokenType.type });
      }
      for (const owner of ['clientHello', 'serverHello', 'serverKeyExchange'] as HelloOwner[]) {
        const obj = m[owner];
        if (!obj) continue;
        const ranges = obj.ranges ?? {};
        for (const key of Object.keys(ranges)) {
          const locs = ranges[key];
          if (!locs || locs.length === 0) continue;
          const at = this.streamStartOf(locs[0]);
          if (!at || at.conn !== c.id || at.from !== m.from) continue;
          const size = this.sizeOf(locs);
          if (size === 0) continue;
          const raw = this.bytes(c.id, m.from, at.off, at.off + size);
          // recordVersion is in the record header: label it as such.
          const path = key === 'recordVersion' ? ['TLS', 'Record', 'version'] : ['TLS', 'Handshake', OWNER_MESSAGE[owner], ...prettyKey(owner, obj, key)];
          this.add({
            ...base, start: at.off, end: at.off + size, kind: key === 'recordVersion' ? 'recordHeader' : 'field', path, reportPath: `${owner}.${key}`,
            value: formatValue(owner, obj, key, raw), token: key === 'recordVersion' ? TokenType.keyword : tokenForKey(key) ?? (key.includes('.') || key.includes('[') ? -1 : TokenType.property),
          });
        }
      }
      (m.certificates ?? []).forEach((cert, ci) => {
        const at = cert.range[0] ? this.streamStartOf(cert.range[0]) : null;
        if (!at) return;
        const name = cert.subjectCN ?? cert.subject ?? '';
        this.add({
          ...base, start: at.off, end: at.off + cert.length, kind: 'certificate', path: ['TLS', 'Handshake', 'Certificate', stepLabel(`certificates[${ci}]`, cert)], reportPath: `certificates[${ci}]`,
          value: `${name ? `subject ${JSON.stringify(name)}` : cert.subject}, issuer ${JSON.stringify(cert.issuerCN ?? cert.issuer)}, ${cert.length} bytes${cert.notAfter ? `, valid until ${cert.notAfter}` : ''}`, token: -1,
        });
      });
    });
    for (const f of preambleFields(c)) this.add({ ...f, conn: c.id, kind: 'preamble', message: -1, token: -1 });
    for (const a of c.alerts) {
      const at = a.range[0] ? this.streamStartOf(a.range[0]) : null;
      if (!at) continue;
      const size = this.sizeOf(a.range);
      this.add({
        conn: c.id, from: a.from, start: at.off, end: at.off + Math.max(size, 1), kind: 'alert', path: ['TLS', 'Alert'], reportPath: null, message: -1,
        value: a.encrypted ? 'encrypted alert' : `${alertLevelName(a.level ?? 0)} ${a.name} (${a.description ?? '?'})`, token: TokenType.keyword,
      });
    }
  }

  /** Per stream offset: the smallest field wins (painted last), ties to the later-added (more specific) one. */
  private paint(): void {
    const order = this.d.fields.map((_, i) => i).sort((a, b) => {
      const fa = this.d.fields[a], fb = this.d.fields[b];
      return (fb.end - fb.start) - (fa.end - fa.start) || a - b;
    });
    const ends = new Map<StreamEntry, number>();
    for (const f of this.d.fields) {
      const s = this.streamMap.get(this.key(f.conn, f.from));
      if (s) ends.set(s, Math.max(ends.get(s) ?? 0, f.end));
    }
    for (const [s, end] of ends) {
      s.fieldAt = new Int32Array(end).fill(-1);
      s.tokenAt = new Int8Array(end).fill(-1);
    }
    for (const i of order) {
      const f = this.d.fields[i];
      const s = this.streamMap.get(this.key(f.conn, f.from));
      if (!s) continue;
      s.fieldAt.fill(i, f.start, f.end);
      if (f.token !== -1) s.tokenAt.fill(f.token, f.start, f.end);
    }
  }
}

/** One line's worth of raw bytes for hovers: hex of the field, cut when long. */
export function fieldRawText(d: IndexData, f: FieldEntry): string {
  const s = streamOf(d, f.conn, f.from);
  if (!s) return '';
  const b = streamBytes(d, s, f.start, Math.min(f.end, f.start + 32));
  return hexString(b, 32) + (f.end - f.start > 32 ? ` … (${f.end - f.start} bytes)` : '');
}

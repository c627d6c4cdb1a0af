import type { RawPacket, SummaryTcp } from '../capture/packet';
import type { Direction } from '../tls/types';
import { TcpFlag, ipv4Text, type TcpPacket } from '../net/tcpPacket';
import { payloadHash } from './payloadHash';
import { DirectionStream, PacketNote } from './reassembly';
import { Ipv4TupleTable, canonicalFirst } from './tupleTable';
import { CONNECTION_COST, type MemoryBudget } from '../analysis/memoryBudget';

export interface Endpoint {
  address: string;
  port: number;
}

/**
 * How the client was told from the server. The SYN sender is the client; a
 * capture that starts mid-connection falls back, in order, to the SYN-ACK
 * sender being the server, the sender of a TLS ClientHello, a well-known
 * server port facing an ephemeral one, and finally the first packet's sender.
 */
export type RoleEvidence = 'syn' | 'syn-ack' | 'client-hello' | 'port' | 'first-packet';

export interface TimelinePacket {
  index: number;
  time: number;
  from: Direction;
  flags: number;
  /** Stream offset of the first payload byte (SYN: -1). */
  seq: number;
  /** Peer stream offset acknowledged, or -1 without ACK. */
  ack: number;
  /** Payload length on the wire. */
  length: number;
  window: number;
  ttl: number;
  ipId: number;
  notes: number;
  /** payloadHash() of the captured payload at its stream offset (0 when empty or not hashed). */
  hash: number;
}

/** Packets kept per connection for the timeline; the rest are counted. */
export const TIMELINE_LIMIT = 20000;

const EMPTY = new Uint8Array(0);

const WELL_KNOWN_TLS_PORTS = new Set([443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 4433, 5061, 8443, 9001, 9030, 9443]);

export class Connection {
  readonly a: Endpoint;
  readonly b: Endpoint;
  /** Streams by sender: `sa` carries what A sent. */
  readonly sa = new DirectionStream();
  readonly sb = new DirectionStream();
  clientIsA = true;
  roleBy: RoleEvidence = 'first-packet';
  firstTime = NaN;
  lastTime = NaN;
  packetCount = 0;
  readonly timeline: TimelinePacket[] = [];
  /** Counted for every packet, timeline or not. */
  readonly counts = { retransmissions: { client: 0, server: 0 }, retransmissionsDiffering: 0, outOfOrder: 0 };
  rstFrom: Direction | null = null;
  finFrom = { client: false, server: false };
  /** The 4-tuple was reused by a new SYN: this one is over. */
  superseded = false;
  /** Capture time when both FINs or a RST were seen; NaN while open. */
  closedAt = NaN;
  /** Already handed to `finished` (late packets must not finish it twice). */
  done = false;
  /** Seen only through summary lines (tcpdump -nn without hex): the TLS layer is not available. */
  noBytes = false;
  /** Finished early to stay within the memory budget (its later packets start a new connection). */
  shed = false;
  /** Neighbours in the table's list of open connections by age (budgeted runs only); null at the ends or when not listed. */
  olderOpen: Connection | null = null;
  newerOpen: Connection | null = null;
  /** Set by the owner (TLS session); opaque here. */
  session: unknown = null;
  /** IPv4 only: A's address and port, to tell directions without strings. */
  aAddr = -1;
  aPort = -1;
  /** IPv4 only: the connection's key in the tuple table (tupleTable.ts). */
  v4Key: [number, number, number] | null = null;
  /** Tunnel the first packet came through (TcpPacket.encapsulation), null if none. */
  tunnel: string | null = null;

  constructor(readonly id: number, a: Endpoint, b: Endpoint,
    /** Key in the table of non-IPv4 connections; '' for IPv4 (see v4Key). */
    readonly key: string) {
    this.a = a;
    this.b = b;
  }

  get client(): Endpoint { return this.clientIsA ? this.a : this.b; }
  get server(): Endpoint { return this.clientIsA ? this.b : this.a; }
  stream(from: Direction): DirectionStream {
    return (from === 'client') === this.clientIsA ? this.sa : this.sb;
  }
  directionOf(fromA: boolean): Direction {
    return fromA === this.clientIsA ? 'client' : 'server';
  }
  get closed(): boolean {
    return this.rstFrom !== null || (this.finFrom.client && this.finFrom.server);
  }
  /** Roles can still change until the first payload byte or SYN settles them. */
  get roleSettled(): boolean {
    return this.roleBy === 'syn' || this.roleBy === 'syn-ack' || this.roleBy === 'client-hello';
  }
}

export interface ConnectionEvents {
  /** First payload of the connection is about to be delivered: roles are settled now. */
  opened(c: Connection): void;
  /** The connection is over (closed, superseded, idle or end of capture). */
  finished(c: Connection): void;
  /** A packet of a connection already closed and finished (a late retransmission or ACK): counted, not a new connection. */
  late?(connection: number, packet: number, secondsAfterClose: number): void;
  /** `c` was finished early to stay within the memory budget, while `raw` was read. */
  shed?(c: Connection, raw: RawPacket): void;
}

/**
 * What is remembered of a closed connection after it was finished: enough to
 * tell a late retransmission of it (sequence numbers inside its streams) from
 * a new connection on the same 4-tuple.
 */
interface Tombstone {
  id: number;
  closedAt: number;
  /** A's address and port (IPv4 as the int32 address, else the text). */
  aAddr: number | string;
  aPort: number;
  /** Raw sequence number of stream offset 0 and the stream's end, per sender. */
  a: { base: number; end: number };
  b: { base: number; end: number };
}

/** How long (capture seconds) and how many closed connections are remembered for late packets. */
const TOMBSTONE_SECONDS = 120;
const MAX_TOMBSTONES = 16384;

function looksLikeClientHello(p: Uint8Array): boolean {
  if (p.length >= 6 && p[0] === 0x16 && p[1] === 0x03 && p[5] === 0x01) return true;
  // SSLv2-compatible ClientHello: 2-byte header with the high bit, then msg type 1.
  return p.length >= 3 && (p[0] & 0x80) !== 0 && p[2] === 0x01;
}

/**
 * Finds the connection of each TCP packet by its 4-tuple and feeds the
 * direction streams. IPv4 tuples are looked up in an open-addressing table of
 * int32 words (tupleTable.ts), so the hot path builds no string keys.
 */
export class ConnectionTable {
  private readonly v4 = new Ipv4TupleTable<Connection>();
  private readonly other = new Map<string, Connection>();
  private nextId = 0;

  /** An id from the same sequence, for connections of other transports (QUIC) in the same capture. */
  allocateId(): number {
    return this.nextId++;
  }

  private sinceSweep = 0;
  /** Hash payloads for the timeline (two-capture comparison needs it; a plain analysis does not pay for it). */
  hashPayloads = false;
  /** Keep per-packet timeline records (the editor and compare need them; a batch analysis does not). */
  keepTimeline = false;
  /** Idle time (capture seconds) after which an unfinished connection is closed out. */
  idleTimeout = 600;
  /**
   * A closed connection lingers this long (capture seconds) for its last ACKs
   * and retransmitted FINs, then is finished and forgotten: memory follows the
   * connections that are open, not the length of the capture.
   */
  lingerAfterClose = 2;
  private readonly closing: Connection[] = [];
  private closingHead = 0;
  /**
   * Capture time after which the oldest closed connection is due (NaN or
   * Infinity: none due). Checked inline for every packet, so the queue is
   * looked at only when something is due.
   */
  private lingerDue = Infinity;
  /** Closed connections finished by lingering, by tuple key, oldest first. */
  private readonly tombstones = new Map<string, Tombstone>();
  /** Shared by the run; null: no budget (tests of the table alone). */
  budget: MemoryBudget | null = null;
  /**
   * Open connections in order of creation, as a list linked through the
   * connections themselves, to shed the oldest when too many are open; each
   * leaves it when it ends, so nothing finished is held here. A Set did the
   * same but cost a third more time and 50 MB on a capture of short
   * connections (hash-table churn of one insert and one delete per
   * connection); the links cost two fields and no allocation.
   */
  private oldestOpenConn: Connection | null = null;
  private newestOpenConn: Connection | null = null;

  constructor(private readonly events: ConnectionEvents) {}

  get openCount(): number {
    return this.other.size + this.v4.size;
  }

  /** Feeds one decoded TCP packet. */
  tcp(raw: RawPacket, t: TcpPacket): void {
    let conn: Connection;
    let fromA: boolean;
    if (t.ipVersion === 4) {
      const src = t.src4, dst = t.dst4, sp = t.srcPort, dp = t.dstPort;
      const first = canonicalFirst(src, sp, dst, dp);
      const ka = (first ? src : dst) | 0;
      const kb = (first ? dst : src) | 0;
      const kp = first ? (sp << 16) | dp : (dp << 16) | sp;
      let c = this.v4.get(ka, kb, kp);
      if (c && (t.flags & TcpFlag.SYN) && this.reused(c, t.flags, src === c.aAddr && sp === c.aPort, t.seq)) {
        c.superseded = true;
        this.finish(c);
        c = undefined;
      }
      if (!c && this.tombstones.size > 0 && this.late(`${ka}|${kb}|${kp}`, src, sp, t.flags, t.seq, raw)) return;
      if (!c) {
        c = new Connection(this.nextId++, { address: ipv4Text(src), port: sp }, { address: ipv4Text(dst), port: dp }, '');
        c.aAddr = src;
        c.aPort = sp;
        c.v4Key = [ka, kb, kp];
        c.tunnel = t.encapsulation;
        this.v4.set(ka, kb, kp, c);
        this.opened(c, raw);
      }
      conn = c;
      fromA = src === conn.aAddr && sp === conn.aPort;
    } else {
      const ka = `${t.src6}|${t.srcPort}`;
      const kb = `${t.dst6}|${t.dstPort}`;
      const key = ka < kb ? `${ka}|${kb}` : `${kb}|${ka}`;
      let c = this.other.get(key);
      if (c && this.reused(c, t.flags, this.isFromA(c, t.src6, t.srcPort), t.seq)) {
        c.superseded = true;
        this.finish(c);
        c = undefined;
      }
      if (!c && this.tombstones.size > 0 && this.late(key, t.src6, t.srcPort, t.flags, t.seq, raw)) return;
      if (!c) {
        c = new Connection(this.nextId++, { address: t.src6, port: t.srcPort }, { address: t.dst6, port: t.dstPort }, key);
        c.tunnel = t.encapsulation;
        this.other.set(key, c);
        this.opened(c, raw);
      }
      conn = c;
      fromA = this.isFromA(conn, t.src6, t.srcPort);
    }
    const stream = fromA ? conn.sa : conn.sb;
    // A view per packet only when someone will look at the bytes.
    const payload = t.payloadLength > 0 && (stream.wantBytes || this.hashPayloads || !conn.roleSettled) ? payloadOf(raw, t) : EMPTY;
    // Sequence numbers go on as int32 (same value mod 2^32, which is all
    // reassembly uses) and the file offset only when there are bytes to place:
    // numbers beyond 2^30 would be boxed on every call, two or three
    // allocations per packet.
    this.feed(conn, fromA, raw, t.flags, t.seq | 0, t.ack | 0, t.window, t.ttl, t.ipId, payload, t.payloadWireLength,
      payload.length === 0 || raw.fileOffset < 0 ? -1 : raw.fileOffset + t.payloadOffset, t.payloadOffset, t.fragment);
  }

  /** Feeds one summary line (tcpdump -nn without bytes). */
  summary(raw: RawPacket, s: SummaryTcp): void {
    const ka = `${s.src}|${s.srcPort}`;
    const kb = `${s.dst}|${s.dstPort}`;
    const key = ka < kb ? `${ka}|${kb}` : `${kb}|${ka}`;
    const flags = summaryFlags(s.flags);
    let c = this.other.get(key);
    if (c && (flags & TcpFlag.SYN) && !(flags & TcpFlag.ACK) && c.closed) {
      c.superseded = true;
      this.finish(c);
      c = undefined;
    }
    if (!c) {
      c = new Connection(this.nextId++, { address: s.src, port: s.srcPort }, { address: s.dst, port: s.dstPort }, key);
      this.other.set(key, c);
      this.opened(c, raw);
    }
    const fromA = this.isFromA(c, s.src, s.srcPort);
    const stream = fromA ? c.sa : c.sb;
    // A summary line carries no bytes: there is nothing to reassemble or decode.
    c.noBytes = true;
    c.sa.wantBytes = false;
    c.sb.wantBytes = false;
    // tcpdump prints no seq for a pure ACK: it sits at the sender's next offset.
    // (after a FIN, one past it: the FIN takes a sequence number).
    const afterFin = stream.finOffset >= 0 && stream.finOffset <= stream.next ? 1 : 0;
    let seq = s.seq ?? (Number.isNaN(stream.base) ? 0 : (stream.base + stream.next + afterFin) >>> 0);
    // tcpdump prints relative numbers counted from the SYN's sequence number,
    // so data starts at 1: rebase them onto the absolute SYN number if we saw it.
    if (s.relativeSeq && s.seq !== null && !(flags & TcpFlag.SYN) && !Number.isNaN(stream.base)) seq = (stream.base + s.seq - 1) >>> 0;
    let ack = s.ack ?? 0;
    const peer = fromA ? c.sb : c.sa;
    if (s.relativeSeq && s.ack !== null && !(flags & TcpFlag.SYN && !(flags & TcpFlag.ACK)) && !Number.isNaN(peer.base) && s.ack < 0x10000000) ack = (peer.base + s.ack - 1) >>> 0;
    this.feed(c, fromA, raw, flags | (s.ack !== null ? TcpFlag.ACK : 0), seq >>> 0, ack >>> 0, s.window ?? 0, -1, -1,
      EMPTY, s.length, -1, 0, false);
  }

  /** Closes out connections idle for longer than idleTimeout (capture time). */
  sweep(now: number): void {
    if (Number.isNaN(now)) return;
    for (const c of this.v4.valuesList()) {
      if (now - c.lastTime > this.idleTimeout) { this.v4.delete(...c.v4Key!); this.over(c); }
    }
    for (const [k, c] of this.other) if (now - c.lastTime > this.idleTimeout) { this.other.delete(k); this.over(c); }
  }

  private finishLingering(now: number): void {
    const q = this.closing;
    while (this.closingHead < q.length) {
      const c = q[this.closingHead];
      // Timestamps can be missing (text dumps without them): then wait for the end.
      if (!(now - c.closedAt > this.lingerAfterClose)) break;
      this.closingHead++;
      if (!c.done) {
        this.finish(c);
        this.remember(c, now);
      }
    }
    if (this.closingHead > 64 && this.closingHead * 2 > q.length) {
      q.splice(0, this.closingHead);
      this.closingHead = 0;
    }
    this.lingerDue = this.closingHead < q.length ? q[this.closingHead].closedAt + this.lingerAfterClose : Infinity;
  }

  /** End of capture: every open connection is finished, in order of first appearance. */
  finishAll(): void {
    // Appended one by one: spreading a port scan's 150,000 open connections
    // into push() overflowed the call stack.
    const all: Connection[] = this.v4.valuesList();
    for (const c of this.other.values()) all.push(c);
    this.v4.clear();
    this.other.clear();
    all.sort((x, y) => x.id - y.id);
    this.closing.length = 0;
    this.closingHead = 0;
    this.lingerDue = Infinity;
    for (const c of all) this.over(c);
  }

  /**
   * A new connection takes its cost from the budget; past the connections'
   * share the oldest open one is finished early (reported with what it had)
   * and the owner told, so a port scan of millions of SYNs stays within the
   * budget. Oldest by first packet: cheap to keep in order, and in a flood
   * the oldest are the scan's own dead SYNs.
   */
  private opened(c: Connection, raw: RawPacket): void {
    const b = this.budget;
    if (!b) return;
    b.take('connections', CONNECTION_COST);
    c.sa.budget = b;
    c.sb.budget = b;
    this.listOpen(c);
    while (b.over('connections')) {
      const old = this.oldestOpenConn;
      if (!old || old === c) break;
      old.shed = true;
      this.finish(old);
      b.shed.connections++;
      this.events.shed?.(old, raw);
    }
  }

  /**
   * A closed connection was finished after lingering: remember its streams so
   * that a retransmission arriving later (a slow peer, a middlebox replaying)
   * is not taken for a new connection with the roles swapped.
   */
  private remember(c: Connection, now: number): void {
    if (c.superseded || c.noBytes) return;
    const key = c.v4Key ? `${c.v4Key[0]}|${c.v4Key[1]}|${c.v4Key[2]}` : c.key;
    const side = (s: Connection['sa']) => ({ base: s.base, end: Math.max(s.highest, s.finOffset + 1) });
    const m = this.tombstones;
    m.delete(key);
    m.set(key, { id: c.id, closedAt: c.closedAt, aAddr: c.v4Key ? c.aAddr : c.a.address, aPort: c.v4Key ? c.aPort : c.a.port, a: side(c.sa), b: side(c.sb) });
    for (const [k, t] of m) {
      if (m.size <= MAX_TOMBSTONES && !(now - t.closedAt > TOMBSTONE_SECONDS)) break;
      m.delete(k);
    }
  }

  /** True when a packet on a forgotten tuple falls inside the streams of the closed connection that used it. */
  private late(key: string, src: number | string, srcPort: number, flags: number, seq: number, raw: RawPacket): boolean {
    const t = this.tombstones.get(key);
    if (!t || (flags & TcpFlag.SYN)) return false;
    const after = raw.timestamp - t.closedAt;
    if (after > TOMBSTONE_SECONDS) {
      this.tombstones.delete(key);
      return false;
    }
    const side = src === t.aAddr && srcPort === t.aPort ? t.a : t.b;
    if (Number.isNaN(side.base)) return false;
    const rel = (seq - side.base) | 0;
    if (rel < -1 || rel > side.end) return false;
    this.events.late?.(t.id, raw.index, after);
    return true;
  }

  private listOpen(c: Connection): void {
    c.olderOpen = this.newestOpenConn;
    c.newerOpen = null;
    if (this.newestOpenConn) this.newestOpenConn.newerOpen = c;
    else this.oldestOpenConn = c;
    this.newestOpenConn = c;
  }

  /** True when `c` was listed (and is now taken off the list). */
  private unlistOpen(c: Connection): boolean {
    if (c.olderOpen === null && c.newerOpen === null && this.oldestOpenConn !== c) return false;
    if (c.olderOpen) c.olderOpen.newerOpen = c.newerOpen;
    else this.oldestOpenConn = c.newerOpen;
    if (c.newerOpen) c.newerOpen.olderOpen = c.olderOpen;
    else this.newestOpenConn = c.olderOpen;
    c.olderOpen = null;
    c.newerOpen = null;
    return true;
  }

  /** Every way a connection ends comes here once: its cost goes back to the budget. */
  private over(c: Connection): void {
    c.done = true;
    if (this.unlistOpen(c)) this.budget?.give('connections', CONNECTION_COST);
    this.events.finished(c);
  }

  private isFromA(c: Connection, addr: string, port: number): boolean {
    return c.a.port === port && c.a.address === addr && !(c.b.port === port && c.b.address === addr && c.a.port !== c.b.port);
  }

  private reused(c: Connection, flags: number, fromA: boolean, seq: number): boolean {
    // A fresh SYN with a new initial sequence number on a tuple that already
    // carried a connection starts a new one (port reuse).
    if (!(flags & TcpFlag.SYN) || (flags & TcpFlag.ACK)) return false;
    const s = fromA ? c.sa : c.sb;
    if (!s.synSeen) return c.closed || c.packetCount > 0 && (c.sa.bytesDelivered + c.sb.bytesDelivered > 0);
    return ((seq + 1) >>> 0) !== s.base;
  }

  private finish(c: Connection): void {
    if (c.done) return;
    if (c.v4Key) {
      if (this.v4.get(...c.v4Key) === c) this.v4.delete(...c.v4Key);
    } else if (this.other.get(c.key) === c) {
      this.other.delete(c.key);
    }
    this.over(c);
  }

  private feed(c: Connection, fromA: boolean, raw: RawPacket, flags: number, seq: number, ack: number, window: number,
    ttl: number, ipId: number, payload: Uint8Array, wireLength: number, payloadFileOffset: number, payloadIndex: number, fragment: boolean): void {
    const time = raw.timestamp;
    if (c.packetCount === 0) c.firstTime = time;
    c.lastTime = time;
    c.packetCount++;
    if (++this.sinceSweep >= 65536) {
      this.sinceSweep = 0;
      this.sweep(time);
    }
    const stream = fromA ? c.sa : c.sb;
    const peer = fromA ? c.sb : c.sa;
    if (!c.roleSettled) this.settleRole(c, fromA, flags, payload, wireLength);
    if (flags & TcpFlag.SYN) stream.syn(seq);
    let notes = 0;
    if (raw.summary) notes |= PacketNote.NO_BYTES;
    if (fragment) notes |= PacketNote.FRAGMENT;
    if (window === 0 && !(flags & (TcpFlag.RST | TcpFlag.SYN))) notes |= PacketNote.ZERO_WINDOW;
    let rel = -1;
    if (!(flags & TcpFlag.SYN) || wireLength > 0) {
      rel = stream.relative(flags & TcpFlag.SYN ? (seq + 1) >>> 0 : seq);
      if (wireLength > 0) {
        if (rel > stream.next && stream.bytesDelivered === 0 && stream.gaps.length === 0 && !stream.baseFromSyn && stream.next === 0) {
          // Mid-connection start: nothing to wait for before the first segment we saw.
          stream.next = rel;
        }
        if (stream.consumer === null && stream.wantBytes && payload.length > 0) this.events.opened(c);
        notes |= stream.segment(rel, payload, wireLength, raw.index, payloadFileOffset, raw.text, payloadIndex);
      }
    }
    if (flags & TcpFlag.FIN) {
      c.finFrom[c.directionOf(fromA)] = true;
      stream.finOffset = Math.max(stream.finOffset, (rel < 0 ? stream.next : rel) + wireLength);
    }
    if (flags & TcpFlag.RST) {
      c.rstFrom = c.directionOf(fromA);
      stream.rstSeen = true;
    }
    if (Number.isNaN(c.closedAt) && c.closed) {
      c.closedAt = time;
      this.closing.push(c);
      if (this.closingHead === this.closing.length - 1) this.lingerDue = time + this.lingerAfterClose;
    }
    const from = c.directionOf(fromA);
    if (notes & PacketNote.RETRANSMISSION) c.counts.retransmissions[from]++;
    if (notes & PacketNote.RETRANSMISSION_DIFFERS) c.counts.retransmissionsDiffering++;
    if (notes & PacketNote.OUT_OF_ORDER) c.counts.outOfOrder++;
    if (this.keepTimeline && c.timeline.length < TIMELINE_LIMIT) {
      const ackRel = flags & TcpFlag.ACK && !Number.isNaN(peer.base) ? peer.peekRelative(ack) : -1;
      const tp: TimelinePacket = {
        index: raw.index, time, from, flags, seq: rel, ack: ackRel, length: wireLength,
        window, ttl, ipId, notes, hash: this.hashPayloads && payload.length > 0 ? payloadHash(payload, rel) : 0,
      };
      c.timeline.push(tp);
    }
    // Last, so a packet that ends another connection's lingering is counted
    // in its own connection first (it may be that connection's late packet).
    // Written so that a NaN time or deadline (no timestamps) never calls it: those wait for the end.
    if (time > this.lingerDue) this.finishLingering(time);
  }

  private settleRole(c: Connection, fromA: boolean, flags: number, payload: Uint8Array, wireLength: number): void {
    const set = (senderIsClient: boolean, by: RoleEvidence) => {
      c.clientIsA = senderIsClient === fromA;
      c.roleBy = by;
    };
    if ((flags & TcpFlag.SYN) && !(flags & TcpFlag.ACK)) return set(true, 'syn');
    if ((flags & TcpFlag.SYN) && (flags & TcpFlag.ACK)) return set(false, 'syn-ack');
    if (wireLength > 0 && payload.length > 0 && looksLikeClientHello(payload)) return set(true, 'client-hello');
    if (c.packetCount === 1) {
      const src = fromA ? c.a.port : c.b.port;
      const dst = fromA ? c.b.port : c.a.port;
      const srcServerish = WELL_KNOWN_TLS_PORTS.has(src) || (src < 1024 && dst >= 1024);
      const dstServerish = WELL_KNOWN_TLS_PORTS.has(dst) || (dst < 1024 && src >= 1024);
      if (srcServerish !== dstServerish) return set(dstServerish, 'port');
      return set(true, 'first-packet');
    }
  }
}

function payloadOf(raw: RawPacket, t: TcpPacket): Uint8Array {
  const frame = raw.frame;
  if (frame) {
    const at = frame.byteOffset + raw.frameStart! + t.payloadOffset;
    return new Uint8Array(frame.buffer, at, t.payloadLength);
  }
  return raw.data.subarray(t.payloadOffset, t.payloadOffset + t.payloadLength);
}

export function summaryFlags(letters: string): number {
  let f = 0;
  for (const ch of letters) {
    switch (ch) {
      case 'S': f |= TcpFlag.SYN; break;
      case 'F': f |= TcpFlag.FIN; break;
      case 'R': f |= TcpFlag.RST; break;
      case 'P': f |= TcpFlag.PSH; break;
      case 'U': f |= TcpFlag.URG; break;
      case 'E': f |= TcpFlag.ECE; break;
      case 'W': f |= TcpFlag.CWR; break;
      case '.': f |= TcpFlag.ACK; break;
    }
  }
  return f;
}


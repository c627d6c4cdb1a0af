import type { RawPacket, TextPositions } from '../capture/packet';
import { offsetLocation, textLocation, type Diagnostic, type SourceLocation } from '../capture/source';
import { sameElements } from '../util/sameElements';
import { decodeReassembled, ipv4Text, newTcpPacket, TcpFlag, type SkipReason, type TcpPacket } from './tcpPacket';

/**
 * How long (capture time, seconds) a datagram waits for missing fragments.
 * Routers send the fragments of one datagram back to back; a second covers
 * any real reordering and still hands the bytes to their connection before
 * it is finished (two seconds after its close). Linux waits 30 s, but a
 * datagram held that long would be fed to a connection already reported.
 */
const GIVE_UP_AFTER = 1;
/** Bytes of fragments held at once; past it the oldest datagram is given up. */
const MAX_HELD_BYTES = 8 << 20;
/** Fragments per datagram: tiny-fragment floods are given up, not collected. */
const MAX_FRAGMENTS = 64;
/** An IP datagram's payload cannot be longer (16-bit lengths and offsets). */
const MAX_DATAGRAM = 65535;
/** Reassembled datagrams remembered (for GIVE_UP_AFTER) to recognise a late copy of one of their fragments. */
const MAX_RECENT = 256;
const MAX_RECENT_BYTES = 4 << 20;

const DUPLICATE = 'duplicate IP fragment';
const CONTRADICTING = 'IP fragment contradicting an earlier copy';
const INCOMPLETE = 'IP fragment of a datagram never completed';

/** Where the reassembled datagrams go: the connection table, and the counts. */
export interface FragmentSink {
  /** One TCP segment's share carried by one fragment, as a packet of its own (see feed()). */
  tcp(raw: RawPacket, t: TcpPacket): void;
  /** A datagram of `frames` fragments is done with; `reason` is why it was not TCP (null: it was fed). */
  datagram(frames: number, reason: SkipReason): void;
  diagnostic(d: Diagnostic): void;
}

interface Fragment {
  /** Position of bytes[0] in the datagram's payload. */
  offset: number;
  /** The captured share (a copy: the reader's buffer is reused). */
  bytes: Uint8Array;
  packet: number;
  time: number;
  linkType: number;
  /** File offset of bytes[0]; -1 for text dumps. */
  fileOffset: number;
  /** Text positions with index 0 at bytes[0] (text dumps). */
  text?: TextPositions;
  where: SourceLocation | null;
  /** Some of its bytes differ from an earlier fragment's copy of them. */
  conflict: boolean;
}

/** A run of the datagram's payload taken from one fragment: the first copy of every byte wins. */
interface Piece {
  start: number;
  end: number;
  from: Fragment;
}

interface Datagram {
  key: string;
  /** Capture time of the first fragment that arrived. */
  since: number;
  fragments: Fragment[];
  pieces: Piece[];
  /** Payload length, known once the last fragment (no more-fragments flag) arrived; -1 before. */
  total: number;
  held: number;
  proto: number;
  /** The IP fields of the datagram, from its first fragment when that arrived, else from any. */
  ip: TcpPacket;
  haveFirst: boolean;
  dropped: boolean;
}

/**
 * Puts fragmented IPv4 and IPv6 datagrams back together, so a TLS record
 * split at the IP layer (by a router, or on purpose by a circumvention tool
 * or a censor's injector) is decoded like any other. Each fragment stays a
 * packet of its own downstream: its share of the TCP segment is fed with its
 * own packet index, time and source position, so the timeline lists every
 * frame and every byte resolves to the frame that carried it. Overlapping
 * fragments keep the first copy of each byte, and a later copy that differs
 * is reported: two fragments disagreeing about the same bytes is what an
 * injector or an evasion tool leaves behind.
 */
export class IpFragments {
  private readonly pending = new Map<string, Datagram>();
  /** Payloads of datagrams reassembled less than GIVE_UP_AFTER ago, by key, oldest first. */
  private readonly recent = new Map<string, { since: number; payload: Uint8Array; packet: number; complete: boolean }>();
  private recentBytes = 0;
  private held = 0;
  /** Earliest capture time at which a pending datagram is given up; Infinity when none is pending. */
  due = Infinity;
  private readonly scratch = newTcpPacket();
  private readonly piece = newTcpPacket();

  /**
   * Datagrams waiting at once. MAX_HELD_BYTES alone let a million 8-byte
   * first fragments through (8 MB of bytes, 2 GB of bookkeeping); the run's
   * budget sets this (analyzer.ts).
   */
  maxDatagrams = Infinity;
  /** Datagrams given up to stay within maxDatagrams. */
  evictedForCount = 0;

  constructor(private readonly sink: FragmentSink) {}

  /** Takes one fragment, `t` as the decoder left it (IP_FRAGMENT). */
  add(raw: RawPacket, t: TcpPacket): void {
    const key = fragmentKey(t);
    const where = locate(raw, t.ipOffset, Math.max(1, t.fragPayloadOffset - t.ipOffset));
    const start = t.fragOffset;
    if (start + t.fragWireLength > MAX_DATAGRAM) {
      this.sink.diagnostic({
        severity: 'error', code: 'ip.fragment-length', packet: raw.index, location: where,
        message: `${describe(t)}: fragment at offset ${start} with ${t.fragWireLength} bytes ends past ${MAX_DATAGRAM}, the most an IP datagram holds; dropped`,
      });
      this.sink.datagram(1, 'IP fragment past 65535 bytes');
      return;
    }
    let d = this.pending.get(key);
    if (!d && this.lateCopy(key, raw, t, where)) return;
    if (!d) {
      d = { key, since: raw.timestamp, fragments: [], pieces: [], total: -1, held: 0, proto: t.fragProto, ip: newTcpPacket(), haveFirst: false, dropped: false };
      copyIp(t, d.ip);
      this.pending.set(key, d);
      if (!(this.due <= raw.timestamp + GIVE_UP_AFTER)) this.due = raw.timestamp + GIVE_UP_AFTER;
    }
    if (start === 0 && !d.haveFirst) {
      d.haveFirst = true;
      d.proto = t.fragProto;
      copyIp(t, d.ip);
    }
    const bytes = fragmentBytes(raw, t);
    const f: Fragment = {
      offset: start, bytes, packet: raw.index, time: raw.timestamp, linkType: raw.linkType,
      fileOffset: raw.fileOffset < 0 ? -1 : raw.fileOffset + t.fragPayloadOffset,
      text: raw.text ? sliceText(raw.text, t.fragPayloadOffset) : undefined, where, conflict: false,
    };
    d.fragments.push(f);
    this.takeNewBytes(d, f);
    d.held += bytes.length;
    this.held += bytes.length;
    if (!t.fragMore) {
      const total = start + t.fragWireLength;
      if (d.total >= 0 && d.total !== total) {
        this.sink.diagnostic({
          severity: 'warning', code: 'ip.fragment-overlap', packet: raw.index, location: where,
          message: `${describe(t)}: a second last fragment says the datagram is ${total} bytes, the first said ${d.total}; the first is kept`,
        });
      } else {
        d.total = total;
      }
    }
    if (d.fragments.length > MAX_FRAGMENTS) {
      this.sink.diagnostic({
        severity: 'warning', code: 'ip.fragments-too-many', packet: raw.index, location: where,
        message: `${describe(t)}: more than ${MAX_FRAGMENTS} fragments; given up (decoded as far as the fragments before the first hole go, the rest dropped)`,
      });
      this.giveUp(d, true);
      return;
    }
    if (d.total >= 0 && coveredPrefix(d.pieces) >= d.total) {
      this.complete(d, d.total);
      return;
    }
    while ((this.held > MAX_HELD_BYTES || this.pending.size > this.maxDatagrams) && this.pending.size > 0) {
      const oldest = this.pending.values().next().value as Datagram;
      const why = this.held > MAX_HELD_BYTES ? `more than ${MAX_HELD_BYTES >> 20} MiB of fragments` : `more than ${this.maxDatagrams} datagrams (memory budget)`;
      if (this.held <= MAX_HELD_BYTES) this.evictedForCount++;
      this.sink.diagnostic({
        severity: 'warning', code: 'ip.fragments-evicted', packet: oldest.fragments[0].packet, location: oldest.fragments[0].where,
        message: `${describe(oldest.ip)}: ${why} waiting at once; this datagram was given up first`,
      });
      this.giveUp(oldest, true);
    }
  }

  /**
   * A fragment of a datagram already put together (a retransmitted or
   * injected copy arriving late) is dropped: as a duplicate when it repeats
   * the bytes, reported when it contradicts them. (A sender would have to
   * wrap its 16-bit IP id within a second to start a new datagram here.)
   */
  private lateCopy(key: string, raw: RawPacket, t: TcpPacket, where: SourceLocation | null): boolean {
    const done = this.recent.get(key);
    if (!done) return false;
    if (t.fragOffset + t.fragPayloadLength > done.payload.length) {
      // Past the end of a complete datagram: a new one (the id wrapped). Past what was decoded of one given up: more of it.
      if (done.complete) return false;
      this.sink.datagram(1, INCOMPLETE);
      return true;
    }
    const bytes = fragmentBytes(raw, t);
    if (sameElements(bytes, done.payload.subarray(t.fragOffset, t.fragOffset + bytes.length))) {
      this.sink.datagram(1, DUPLICATE);
      return true;
    }
    this.sink.diagnostic({
      severity: 'warning', code: 'ip.fragment-overlap', packet: raw.index, location: where,
      message: `${describe(t)}: bytes ${t.fragOffset}–${t.fragOffset + bytes.length - 1} of the datagram differ from the copy in packet ${done.packet + 1}; ` +
        'the first copy is kept (overlapping fragments that disagree are a sign of injection or of an evasion tool)',
    });
    this.sink.datagram(1, CONTRADICTING);
    return true;
  }

  /** Gives up the datagrams that waited too long by capture time `now`. */
  expire(now: number): void {
    for (const [k, r] of this.recent) {
      if (!(now - r.since > GIVE_UP_AFTER)) break;
      this.dropRecent(k);
    }
    let next = Infinity;
    for (const d of [...this.pending.values()]) {
      if (now - d.since > GIVE_UP_AFTER) this.giveUp(d);
      else if (d.since + GIVE_UP_AFTER < next) next = d.since + GIVE_UP_AFTER;
    }
    const oldest = this.recent.values().next().value;
    if (oldest && oldest.since + GIVE_UP_AFTER < next) next = oldest.since + GIVE_UP_AFTER;
    this.due = next;
  }

  /** End of the capture: every datagram still waiting is given up. */
  end(): void {
    for (const d of [...this.pending.values()]) this.giveUp(d);
    this.recent.clear();
    this.recentBytes = 0;
    this.due = Infinity;
  }

  /** Records the bytes of `f` that no earlier fragment gave, and reports earlier copies it contradicts. */
  private takeNewBytes(d: Datagram, f: Fragment): void {
    let runs: Array<[number, number]> = [[f.offset, f.offset + f.bytes.length]];
    for (const p of d.pieces) {
      const a = Math.max(p.start, f.offset);
      const b = Math.min(p.end, f.offset + f.bytes.length);
      if (a < b) {
        const mine = f.bytes.subarray(a - f.offset, b - f.offset);
        const theirs = p.from.bytes.subarray(a - p.from.offset, b - p.from.offset);
        if (!sameElements(mine, theirs)) {
          f.conflict = true;
          this.sink.diagnostic({
            severity: 'warning', code: 'ip.fragment-overlap', packet: f.packet, location: f.where,
            message: `${describe(d.ip)}: bytes ${a}–${b - 1} of the datagram differ from the copy in packet ${p.from.packet + 1}; ` +
              'the first copy is kept (overlapping fragments that disagree are a sign of injection or of an evasion tool)',
          });
        }
      }
      runs = runs.flatMap(([s, e]) => {
        if (p.end <= s || p.start >= e) return [[s, e] as [number, number]];
        const out: Array<[number, number]> = [];
        if (s < p.start) out.push([s, p.start]);
        if (p.end < e) out.push([p.end, e]);
        return out;
      });
    }
    for (const [s, e] of runs) if (e > s) d.pieces.push({ start: s, end: e, from: f });
    d.pieces.sort((x, y) => x.start - y.start);
  }

  /** `reported`: the caller already said why (too many fragments, too many bytes held). */
  private giveUp(d: Datagram, reported = false): void {
    if (d.dropped) return;
    const have = coveredPrefix(d.pieces);
    const total = d.total >= 0 ? `${d.total}` : 'an unknown number of';
    const first = d.fragments[0];
    if (!reported) this.sink.diagnostic({
      severity: 'warning', code: 'ip.fragments-incomplete', packet: first.packet, location: first.where,
      message: `${describe(d.ip)}: datagram never completed (${d.fragments.length} fragment(s), ${have} of ${total} bytes in order from the start); ` +
        (have > 0 && d.haveFirst ? 'decoded as far as they go' : 'its first fragment is missing, so nothing of it is decoded'),
    });
    if (have > 0 && d.haveFirst) this.complete(d, have);
    else {
      this.forget(d, d.fragments.length, INCOMPLETE);
      // Later fragments of it are dropped with it, not started over.
      this.remember(d, new Uint8Array(0), false);
    }
  }

  /** Decodes the datagram's first `length` bytes and feeds its TCP segment, fragment by fragment. */
  private complete(d: Datagram, length: number): void {
    const payload = new Uint8Array(length);
    for (const p of d.pieces) {
      if (p.start >= length) break;
      const end = Math.min(p.end, length);
      payload.set(p.from.bytes.subarray(p.start - p.from.offset, end - p.from.offset), p.start);
    }
    const t = this.scratch;
    copyIp(d.ip, t);
    const reason = decodeReassembled(payload, d.proto, t);
    if (reason !== null) {
      this.forget(d, d.fragments.length, reason);
      return;
    }
    const used = new Set<Fragment>();
    for (const p of d.pieces) if (p.start < length) used.add(p.from);
    this.forget(d, used.size, null);
    this.remember(d, payload, length === d.total);
    // The fragments that gave no byte: copies of bytes already held, or beyond the part decoded.
    for (const f of d.fragments) {
      if (used.has(f)) continue;
      this.sink.datagram(1, f.conflict ? CONTRADICTING : f.offset + f.bytes.length <= length ? DUPLICATE : INCOMPLETE);
    }
    this.feed(d, t, length);
  }

  /**
   * The TCP segment in `t` (offsets into the reassembled payload) is fed as
   * one packet per piece, each with its fragment's packet index, time and
   * source position: flags that mark the segment's start (SYN) stay on the
   * first piece, those that mark its end (FIN, RST, PSH) on the last, and a
   * piece holding only TCP header bytes is fed with no payload so its frame
   * is still on the connection's timeline.
   */
  private feed(d: Datagram, t: TcpPacket, length: number): void {
    const p0 = t.payloadOffset;
    const p1 = p0 + t.payloadLength;
    const pieces = d.pieces.filter((p) => p.start < length);
    const synShift = t.flags & TcpFlag.SYN ? 1 : 0;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      const f = p.from;
      const a = Math.max(p.start, p0);
      const b = Math.max(a, Math.min(p.end, length, p1));
      const q = this.piece;
      Object.assign(q, t);
      q.fragment = true;
      let flags = t.flags;
      if (i > 0) flags &= ~TcpFlag.SYN;
      if (i < pieces.length - 1) flags &= ~(TcpFlag.FIN | TcpFlag.RST | TcpFlag.PSH);
      q.flags = flags;
      q.seq = (t.seq + (i > 0 ? synShift : 0) + (a - p0)) >>> 0;
      q.payloadOffset = a - f.offset;
      q.payloadLength = b - a;
      q.payloadWireLength = b - a;
      q.ipOffset = -1;
      q.tcpOffset = -1;
      const raw: RawPacket = {
        index: f.packet, timestamp: f.time, linkType: f.linkType, data: f.bytes, origLength: f.bytes.length,
        fileOffset: f.fileOffset, text: f.text,
      };
      this.sink.tcp(raw, q);
    }
  }

  private remember(d: Datagram, payload: Uint8Array, complete: boolean): void {
    this.dropRecent(d.key);
    this.recent.set(d.key, { since: d.since, payload, packet: d.fragments[d.fragments.length - 1].packet, complete });
    this.recentBytes += payload.length;
    while (this.recent.size > MAX_RECENT || this.recentBytes > MAX_RECENT_BYTES) this.dropRecent(this.recent.keys().next().value as string);
    if (!(this.due <= d.since + GIVE_UP_AFTER)) this.due = d.since + GIVE_UP_AFTER;
  }

  private dropRecent(key: string): void {
    const r = this.recent.get(key);
    if (!r) return;
    this.recentBytes -= r.payload.length;
    this.recent.delete(key);
  }

  private forget(d: Datagram, frames: number, reason: SkipReason): void {
    d.dropped = true;
    this.pending.delete(d.key);
    this.held -= d.held;
    if (this.pending.size === 0 && this.recent.size === 0) this.due = Infinity;
    if (frames > 0) this.sink.datagram(frames, reason);
  }
}

function fragmentKey(t: TcpPacket): string {
  const tunnel = t.encapsulation ?? '';
  return t.ipVersion === 4
    ? `${tunnel}|4|${t.src4}|${t.dst4}|${t.fragProto}|${t.ipId}`
    : `${tunnel}|6|${t.src6}|${t.dst6}|${t.ipId}`;
}

function copyIp(from: TcpPacket, to: TcpPacket): void {
  to.ipVersion = from.ipVersion;
  to.src4 = from.src4;
  to.dst4 = from.dst4;
  to.src6 = from.src6;
  to.dst6 = from.dst6;
  to.ttl = from.ttl;
  to.ipId = from.ipId;
  to.dontFragment = from.dontFragment;
  to.encapsulation = from.encapsulation;
}

function fragmentBytes(raw: RawPacket, t: TcpPacket): Uint8Array {
  const at = t.fragPayloadOffset;
  if (raw.frame) {
    const from = raw.frameStart! + at;
    return raw.frame.slice(from, from + t.fragPayloadLength);
  }
  return raw.data.slice(at, at + t.fragPayloadLength);
}

function sliceText(text: TextPositions, from: number): TextPositions {
  return {
    line: text.line.subarray(from), column: text.column.subarray(from),
    asciiColumn: text.asciiColumn ? text.asciiColumn.subarray(from) : undefined,
  };
}

/** Where a fragment's IP header is in the source, for diagnostics. */
function locate(raw: RawPacket, at: number, length: number): SourceLocation | null {
  if (raw.fileOffset >= 0) return offsetLocation(raw.fileOffset + at, length);
  const text = raw.text;
  if (text && at < text.line.length) return textLocation(text.line[at], text.column[at], text.line[at], text.column[at] + 2);
  return null;
}

/** The end of the run of bytes held from offset 0 on. */
function coveredPrefix(pieces: Piece[]): number {
  let end = 0;
  for (const p of pieces) {
    if (p.start > end) break;
    if (p.end > end) end = p.end;
  }
  return end;
}

function describe(t: TcpPacket): string {
  const from = t.ipVersion === 4 ? ipv4Text(t.src4) : t.src6;
  const to = t.ipVersion === 4 ? ipv4Text(t.dst4) : t.dst6;
  return `IPv${t.ipVersion} datagram ${from} → ${to} id 0x${t.ipId.toString(16)}`;
}

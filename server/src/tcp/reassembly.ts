import type { TextPositions } from '../capture/packet';
import { StreamMap } from './streamMap';
import type { MemoryBudget } from '../analysis/memoryBudget';

/** Per-packet notes, as bits so a timeline of 100k packets stays small. */
export const PacketNote = {
  RETRANSMISSION: 1 << 0,
  /** A retransmission whose bytes differ from what was first delivered. */
  RETRANSMISSION_DIFFERS: 1 << 1,
  OUT_OF_ORDER: 1 << 2,
  /** Partly new, partly already-seen bytes. */
  OVERLAP: 1 << 3,
  /** The snaplen cut the payload. */
  SNAPLEN_CUT: 1 << 4,
  FRAGMENT: 1 << 5,
  /** Bytes before this segment were never seen in this direction. */
  AFTER_GAP: 1 << 6,
  ZERO_WINDOW: 1 << 7,
  /** Keep-alive: one byte (or none) just below the next expected offset. */
  KEEPALIVE: 1 << 8,
  /** Captured from a summary line: no bytes. */
  NO_BYTES: 1 << 9,
} as const;

export const PACKET_NOTE_NAMES: Array<[number, string]> = Object.entries(PacketNote).map(([k, v]) => [v, k.toLowerCase().replace(/_/g, '-')]);

export function noteNames(bits: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of PACKET_NOTE_NAMES) if (bits & bit) out.push(name);
  return out;
}

/** What the stream consumer (the TLS decoder) gets. */
export interface StreamConsumer {
  push(bytes: Uint8Array, streamOffset: number): void;
  gap(streamOffset: number, length: number): void;
  end(): void;
}

export interface StreamGap {
  start: number;
  length: number;
}

interface Pending {
  offset: number;
  bytes: Uint8Array;
  /** Wire length: longer than bytes when the snaplen cut the segment. */
  wire: number;
  packet: number;
  fileOffset: number;
  text?: TextPositions;
  textIndex: number;
}

/** How much out-of-order data one direction may hold before it declares a gap. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
const MAX_PENDING_SEGMENTS = 512;
/** Bytes of each direction kept to tell whether a retransmission differs from the original: the handshake lives here. */
export const RETAIN_BYTES = 256 * 1024;

/*
 * Retained-prefix buffers, reused across connections by size class (4 KiB,
 * 8 KiB, … RETAIN_BYTES). Every connection retains its handshake, growing a
 * buffer two or three times; fresh typed arrays of that size live outside
 * V8's heap, and allocating (and zero-filling) thousands of them cost more
 * than decoding the handshakes they held.
 */
const MIN_RETAIN_BUFFER = 4096;
const POOL_DEPTH = 64;
const bufferPool: Uint8Array[][] = [];

function poolClass(size: number): number {
  let k = 0;
  while ((MIN_RETAIN_BUFFER << k) < size) k++;
  return k;
}

function takeBuffer(size: number): Uint8Array {
  const k = poolClass(size);
  return bufferPool[k]?.pop() ?? new Uint8Array(Math.min(RETAIN_BYTES, MIN_RETAIN_BUFFER << k));
}

function giveBuffer(b: Uint8Array): void {
  if (b.length < MIN_RETAIN_BUFFER) return;
  const k = poolClass(b.length);
  if ((MIN_RETAIN_BUFFER << k) !== b.length && b.length !== RETAIN_BYTES) return;
  const list = (bufferPool[k] ??= []);
  if (list.length < POOL_DEPTH) list.push(b);
}

/**
 * One direction of a TCP connection: turns segments (any order, with
 * retransmissions and overlaps) into an in-order byte stream for the consumer,
 * remembering where every delivered byte came from.
 *
 * Offsets are relative to the first byte after the SYN (or to the first seen
 * segment when the capture starts mid-connection); sequence numbers are
 * unwrapped against the last one seen, so streams over 4 GiB stay ordered.
 */
export class DirectionStream {
  /** Raw sequence number of stream offset 0; NaN until known. */
  base = NaN;
  /** True when `base` came from a SYN rather than the first segment seen. */
  baseFromSyn = false;
  private lastRaw = 0;
  private lastRel = 0;
  /** Next stream offset to deliver; everything below is delivered or declared a gap. */
  next = 0;
  /** Highest stream offset + 1 seen in any segment (wire lengths). */
  highest = 0;
  bytesDelivered = 0;
  readonly map = new StreamMap();
  readonly gaps: StreamGap[] = [];
  /** The first RETAIN_BYTES of the stream (or up to stopRetaining()), to compare retransmissions against. */
  private retained: Uint8Array = new Uint8Array(0);
  private retainedLength = 0;
  private retainLimit = RETAIN_BYTES;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  consumer: StreamConsumer | null = null;
  /** The run's budget: out-of-order bytes of all streams together are capped there too. */
  budget: MemoryBudget | null = null;
  /** Once false, bytes are no longer copied or delivered (only offsets tracked). */
  wantBytes = true;
  synSeen = false;
  finOffset = -1;
  rstSeen = false;

  /** Sets the stream origin from a SYN's sequence number. */
  syn(seq: number): void {
    this.synSeen = true;
    if (!Number.isNaN(this.base) && this.baseFromSyn) return;
    this.base = (seq + 1) >>> 0;
    this.baseFromSyn = true;
    this.lastRaw = this.base;
    this.lastRel = 0;
  }

  /** Stream offset of a raw sequence number (may be negative just before the origin). */
  relative(seq: number): number {
    if (Number.isNaN(this.base)) {
      this.base = seq >>> 0;
      this.lastRaw = seq >>> 0;
      this.lastRel = 0;
    }
    const rel = this.lastRel + ((seq - this.lastRaw) | 0);
    this.lastRaw = seq >>> 0;
    this.lastRel = rel;
    return rel;
  }

  /** Like relative(), without moving the unwrap reference (for acknowledgement numbers). */
  peekRelative(seq: number): number {
    if (Number.isNaN(this.base)) return -1;
    return this.lastRel + ((seq - this.lastRaw) | 0);
  }

  /**
   * Takes one segment. `payload` may be a view into a reused buffer: copied
   * only when it has to wait (out of order) or is retained. `wireLength` >
   * payload.length means the snaplen cut bytes, which become a gap.
   * Returns PacketNote bits for the segment.
   */
  segment(offset: number, payload: Uint8Array, wireLength: number, packet: number, fileOffset: number, text: TextPositions | undefined, textIndex: number): number {
    const len = wireLength;
    if (len === 0) return 0;
    let notes = 0;
    const end = offset + len;
    if (end > this.highest) this.highest = end;
    if (!this.wantBytes) return notes | this.offsetsOnly(offset, end, len);
    if (payload.length < wireLength) notes |= PacketNote.SNAPLEN_CUT;
    if (end <= this.next) {
      notes |= PacketNote.RETRANSMISSION;
      if (len <= 1 && end === this.next) notes |= PacketNote.KEEPALIVE;
      if (this.differsFromRetained(offset, payload)) notes |= PacketNote.RETRANSMISSION_DIFFERS;
      return notes;
    }
    if (offset < this.next) {
      notes |= PacketNote.OVERLAP;
      if (this.differsFromRetained(offset, payload.subarray(0, Math.min(payload.length, this.next - offset)))) notes |= PacketNote.RETRANSMISSION_DIFFERS;
      const skip = this.next - offset;
      if (skip >= payload.length) {
        // Only the cut-off tail is new: it was never captured.
        this.declareGap(this.next, end - this.next);
        return notes;
      }
      const fo = fileOffset < 0 ? -1 : fileOffset + skip;
      this.deliver(this.next, payload.subarray(skip), packet, fo, text, textIndex + skip);
      if (payload.length < wireLength) this.declareGap(this.next, end - this.next);
      this.drain();
      return notes;
    }
    if (offset === this.next) {
      this.deliver(offset, payload, packet, fileOffset, text, textIndex);
      if (payload.length < wireLength) this.declareGap(this.next, end - this.next);
      this.drain();
      return notes;
    }
    notes |= PacketNote.OUT_OF_ORDER;
    this.hold({ offset, bytes: payload.slice(), wire: wireLength, packet, fileOffset, text, textIndex });
    return notes;
  }

  /**
   * Bookkeeping when nobody needs the bytes (past the handshake, or a summary
   * dump that has none): offsets only, so retransmissions are still told
   * apart and nothing is mistaken for a gap.
   */
  private offsetsOnly(offset: number, end: number, len: number): number {
    if (end <= this.next) return PacketNote.RETRANSMISSION | (len <= 1 && end === this.next ? PacketNote.KEEPALIVE : 0);
    const notes = offset < this.next ? PacketNote.OVERLAP : offset > this.next ? PacketNote.OUT_OF_ORDER : 0;
    this.bytesDelivered += end - Math.max(offset, this.next);
    this.next = end;
    return notes;
  }

  /** No more segments will come (FIN handled, RST, end of capture): flush what waits. */
  finish(): void {
    while (this.pending.length > 0) {
      const p = this.pending[0];
      if (p.offset > this.next) this.declareGap(this.next, p.offset - this.next);
      this.drain();
    }
    if (this.finOffset > this.next && this.wantBytes) this.declareGap(this.next, this.finOffset - this.next);
    this.consumer?.end();
    this.consumer = null;
    this.pending = [];
    this.budget?.give('out-of-order', this.pendingBytes);
    this.pendingBytes = 0;
  }

  /** Stops copying and delivering bytes; reassembly continues on offsets only. */
  stopBytes(): void {
    this.wantBytes = false;
    this.pending = [];
    this.budget?.give('out-of-order', this.pendingBytes);
    this.pendingBytes = 0;
  }

  /** Keeps what is retained so far, copies nothing more. */
  stopRetaining(): void {
    this.retainLimit = this.retainedLength;
  }

  /** The connection is over and reported: its retained bytes go back to the pool. */
  release(): void {
    giveBuffer(this.retained);
    this.retained = new Uint8Array(0);
    this.retainedLength = 0;
    this.retainLimit = 0;
  }

  private hold(p: Pending): void {
    const list = this.pending;
    let i = list.length;
    while (i > 0 && list[i - 1].offset > p.offset) i--;
    list.splice(i, 0, p);
    this.pendingBytes += p.bytes.length;
    this.budget?.take('out-of-order', p.bytes.length);
    // Past the run's share for all streams together, the stream adding gives
    // up its wait (256 connections × 4 MiB each took over a gigabyte).
    while (this.pendingBytes > MAX_PENDING_BYTES || list.length > MAX_PENDING_SEGMENTS || (this.budget?.over('out-of-order') && list.length > 0)) {
      // The hole is not being filled: the bytes were lost before the capture point.
      const first = list[0];
      if (this.budget && this.pendingBytes <= MAX_PENDING_BYTES && list.length <= MAX_PENDING_SEGMENTS) this.budget.shed['out-of-order'] += first.bytes.length;
      if (first.offset > this.next) this.declareGap(this.next, first.offset - this.next);
      this.drain();
    }
  }

  private drain(): void {
    const list = this.pending;
    while (list.length > 0 && list[0].offset <= this.next) {
      const p = list.shift()!;
      this.pendingBytes -= p.bytes.length;
      this.budget?.give('out-of-order', p.bytes.length);
      const end = p.offset + p.bytes.length;
      if (end > this.next) {
        const skip = this.next - p.offset;
        this.deliver(this.next, p.bytes.subarray(skip), p.packet, p.fileOffset < 0 ? -1 : p.fileOffset + skip, p.text, p.textIndex + skip);
      }
      if (p.offset + p.wire > this.next) this.declareGap(this.next, p.offset + p.wire - this.next);
    }
  }

  private declareGap(start: number, length: number): void {
    if (length <= 0) return;
    this.gaps.push({ start, length });
    this.next = start + length;
    if (this.wantBytes) this.consumer?.gap(start, length);
  }

  private deliver(offset: number, bytes: Uint8Array, packet: number, fileOffset: number, text: TextPositions | undefined, textIndex: number): void {
    const n = bytes.length;
    this.next = offset + n;
    this.bytesDelivered += n;
    if (!this.wantBytes) return;
    if (offset < RETAIN_BYTES) this.map.add({ start: offset, end: offset + n, packet, fileOffset, text, textIndex });
    if (offset < this.retainLimit) this.retain(offset, bytes);
    this.consumer?.push(bytes, offset);
  }

  private retain(offset: number, bytes: Uint8Array): void {
    // Only contiguous retention from 0: after a gap the retained prefix stops,
    // since retransmissions are compared at their stream offsets.
    if (offset !== this.retainedLength) return;
    const room = this.retainLimit - this.retainedLength;
    const take = Math.min(room, bytes.length);
    if (take <= 0) return;
    if (this.retainedLength + take > this.retained.length) {
      const grown = takeBuffer(Math.min(RETAIN_BYTES, (this.retainedLength + take) * 2));
      grown.set(this.retained.subarray(0, this.retainedLength));
      giveBuffer(this.retained);
      this.retained = grown;
    }
    this.retained.set(bytes.subarray(0, take), this.retainedLength);
    this.retainedLength += take;
  }

  private differsFromRetained(offset: number, bytes: Uint8Array): boolean {
    const from = Math.max(0, offset);
    const to = Math.min(offset + bytes.length, this.retainedLength);
    for (let p = from; p < to; p++) if (this.retained[p] !== bytes[p - offset]) return true;
    return false;
  }
}

/**
 * Bounds-checked reading of one handshake message, with every position turned
 * into a stream-offset Span.
 *
 * Decoders fill their result objects as they go and a malformed field throws
 * DecodeStop after reporting the problem, so the caller keeps everything decoded
 * before the bad byte: that partial object is what a forensic analyst wants to
 * see (e.g. a ClientHello truncated by a middlebox).
 */
import { Buffer } from 'node:buffer';
import type { Direction, RangeMap, Span } from './types';

/** Thrown after a problem was reported; caught by the enclosing decoder. */
export class DecodeStop extends Error {
  constructor() {
    super('decode stopped');
  }
}

export type Severity = 'error' | 'warning' | 'info';
export type ProblemFn = (code: string, message: string, span: Span, severity: Severity) => void;

/**
 * Message position → stream offset. A message that was split over several
 * records has record headers between its pieces, so positions map piecewise.
 */
export interface OffsetMap {
  at(pos: number): number;
}

export class LinearMap implements OffsetMap {
  constructor(private readonly base: number) {}
  at(pos: number): number {
    return this.base + pos;
  }
}

export class PiecewiseMap implements OffsetMap {
  /** Sorted by msgPos; piece i covers [msgPos[i], msgPos[i+1]). */
  readonly msgPos: number[] = [];
  readonly streamPos: number[] = [];
  add(msgPos: number, streamPos: number): void {
    const n = this.msgPos.length;
    // Contiguous continuation: no new piece needed.
    if (n > 0 && this.streamPos[n - 1] + (msgPos - this.msgPos[n - 1]) === streamPos) return;
    this.msgPos.push(msgPos);
    this.streamPos.push(streamPos);
  }
  at(pos: number): number {
    const m = this.msgPos;
    let lo = 0;
    let hi = m.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (m[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return this.streamPos[lo] + (pos - m[lo]);
  }
}

export class MsgCtx {
  constructor(
    /** The whole message, header included. */
    readonly buf: Uint8Array,
    readonly map: OffsetMap,
    readonly from: Direction,
    private readonly report: ProblemFn,
  ) {}

  /** Span of message bytes [a, b); an empty field gets an empty span at its position. */
  span(a: number, b: number): Span {
    const s = this.map.at(a);
    return b > a ? [s, this.map.at(b - 1) + 1] : [s, s];
  }

  /** ranges.set(key, span(a, b)) without building the Span. */
  mark(ranges: RangeMap, key: string, a: number, b: number): void {
    const s = this.map.at(a);
    ranges.put(key, s, b > a ? this.map.at(b - 1) + 1 : s);
  }

  problem(code: string, message: string, a: number, b: number, severity: Severity): void {
    this.report(code, message, this.span(a, b), severity);
  }

  /** Report and abandon the current structure. */
  fail(code: string, message: string, a: number, b: number): never {
    this.problem(code, message, a, b, 'error');
    throw new DecodeStop();
  }
}

/** A window [pos, end) of a message. */
export class Cursor {
  pos: number;
  constructor(
    readonly ctx: MsgCtx,
    start: number,
    readonly end: number,
    /** What this window is, for messages ("ClientHello", "extension key_share"). */
    readonly what: string,
  ) {
    this.pos = start;
  }

  get left(): number {
    return this.end - this.pos;
  }

  get buf(): Uint8Array {
    return this.ctx.buf;
  }

  private need(n: number, field: string): void {
    if (this.end - this.pos < n) {
      this.ctx.fail(
        'tls.truncated-field',
        `${this.what}: ${field} needs ${n} byte(s) but only ${this.end - this.pos} remain`,
        this.pos,
        this.end,
      );
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.ctx.buf[this.pos++];
  }

  u16(field: string): number {
    this.need(2, field);
    const b = this.ctx.buf;
    const v = (b[this.pos] << 8) | b[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u24(field: string): number {
    this.need(3, field);
    const b = this.ctx.buf;
    const v = (b[this.pos] << 16) | (b[this.pos + 1] << 8) | b[this.pos + 2];
    this.pos += 3;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.ctx.buf;
    const v = (b[this.pos] * 0x1000000) + ((b[this.pos + 1] << 16) | (b[this.pos + 2] << 8) | b[this.pos + 3]);
    this.pos += 4;
    return v;
  }

  /** Fixed-size field; returns its [start, end) message positions. */
  take(n: number, field: string): [number, number] {
    this.need(n, field);
    const s = this.pos;
    this.pos += n;
    return [s, this.pos];
  }

  /**
   * A length-prefixed vector. Returns a cursor over its contents (the caller's
   * cursor moves past it) plus the position of the length field, for spans.
   */
  vec(lenBytes: 1 | 2 | 3, field: string): Cursor {
    const lenAt = this.pos;
    const len = lenBytes === 1 ? this.u8(`${field} length`) : lenBytes === 2 ? this.u16(`${field} length`) : this.u24(`${field} length`);
    if (len > this.end - this.pos) {
      this.ctx.fail(
        'tls.vector-overrun',
        `${this.what}: ${field} length ${len} runs past the end (${this.end - this.pos} byte(s) left)`,
        lenAt,
        this.pos,
      );
    }
    const sub = new Cursor(this.ctx, this.pos, this.pos + len, `${this.what} ${field}`);
    this.pos += len;
    return sub;
  }

  /** Ranges for a vector read with vec(): `${key}Length` gets the prefix, `key` the contents. */
  static vecRanges(ranges: RangeMap, key: string, sub: Cursor, lenBytes: number): void {
    sub.ctx.mark(ranges, `${key}Length`, sub.pos - lenBytes, sub.pos);
    sub.ctx.mark(ranges, key, sub.pos, sub.end);
  }

  span(a: number, b: number): Span {
    return this.ctx.span(a, b);
  }

  hex(a: number, b: number): string {
    return toHex(this.ctx.buf, a, b);
  }

  /** Warn about bytes left after a structure that should have used them all. */
  expectEnd(): void {
    if (this.pos < this.end) {
      this.ctx.problem(
        'tls.trailing-bytes',
        `${this.what}: ${this.end - this.pos} unexpected byte(s) after the last field`,
        this.pos,
        this.end,
        'warning',
      );
      this.pos = this.end;
    }
  }

  /** List length must be a multiple of the element size; report and round down otherwise. */
  checkMultiple(size: number, field: string): number {
    const n = this.left;
    if (n % size !== 0) {
      this.ctx.problem(
        'tls.odd-length',
        `${this.what}: ${field} length ${n} is not a multiple of ${size}`,
        this.pos,
        this.end,
        'error',
      );
    }
    return Math.floor(n / size);
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(b: Uint8Array, start = 0, end = b.length): string {
  // Long runs (DH primes, public values, signatures: hundreds of bytes) in
  // native code: built here two characters at a time, each step made a string.
  if (end - start >= 16) return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('hex');
  let s = '';
  for (let i = start; i < end; i++) s += HEX[b[i]];
  return s;
}

/** Text as it appears on the wire: printable ASCII kept, anything else as \xNN (SNI/ALPN may be hostile). */
export function printable(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i];
    s += c >= 0x20 && c <= 0x7e && c !== 0x5c ? String.fromCharCode(c) : c === 0x5c ? '\\\\' : '\\x' + HEX[c];
  }
  return s;
}

/** Bit length of a big-endian unsigned integer (leading zero bits excluded). */
export function bitLength(b: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && b[i] === 0) i++;
  if (i === end) return 0;
  return (end - i - 1) * 8 + (32 - Math.clz32(b[i]));
}

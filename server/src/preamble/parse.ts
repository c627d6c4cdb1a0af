import type { Direction } from '../tls/types';
import { MAX_RECORD_LENGTH } from '../tls/recordLayer';
import type { PreamblePart, PreambleTarget } from './types';

/** What a parser found in the bytes at hand. */
export interface Step {
  /** Buffer position up to which bytes were read as preamble. */
  pos: number;
  /** A TLS record header starts at `pos`. */
  tls?: boolean;
  /** This parser's exchange is complete: what follows is TLS or another preamble. */
  done?: boolean;
  /** The bytes are not what this preamble should hold. */
  fail?: string;
}

/** What a unit says beyond its text: a refusal, a STARTTLS command, where its named elements sit. */
export interface UnitExtra {
  refusal?: string;
  startTls?: boolean;
  parts?: PreamblePart[];
}

/** Where a parser reports what it decoded. */
export interface UnitSink {
  unit(from: Direction, start: number, end: number, text: string, extra?: UnitExtra): void;
  target(t: PreambleTarget, kind: 'destination' | 'source'): void;
}

/** One direction's preamble framing, fed a growing buffer from its start. */
export interface PreambleParser {
  /** `base` is the stream offset of buf[0]; parse from `pos` up to `len`, `ended` when no more bytes will come. */
  step(buf: Uint8Array, pos: number, len: number, base: number, sink: UnitSink): Step;
}

/**
 * 'yes' when a TLS record header (handshake or alert, TLS 1.0–1.3) starts at
 * p, 'more' when too few bytes are at hand to tell. After a preamble this is
 * where a handshake starts; a ClientHello or ServerHello also has its
 * message type checked, which makes a false match in text impossible (0x16
 * is a control byte) and in binary preambles very unlikely.
 */
export function tlsAt(b: Uint8Array, p: number, len: number): 'yes' | 'no' | 'more' {
  const t = b[p];
  if (t !== 0x16 && t !== 0x15) return 'no';
  if (len - p < 6) return 'more';
  if (b[p + 1] !== 3 || b[p + 2] > 4) return 'no';
  const rl = (b[p + 3] << 8) | b[p + 4];
  if (rl === 0 || rl > MAX_RECORD_LENGTH) return 'no';
  if (t === 0x16 && b[p + 5] !== 1 && b[p + 5] !== 2) return 'no';
  return 'yes';
}

/** Bytes as text for people: printable ASCII kept, the rest escaped. */
export function escapeBytes(b: Uint8Array, start: number, end: number, max = 200): string {
  let s = '';
  const stop = Math.min(end, start + max);
  for (let i = start; i < stop; i++) {
    const c = b[i];
    if (c >= 0x20 && c <= 0x7e && c !== 0x5c) s += String.fromCharCode(c);
    else if (c === 0x5c) s += '\\\\';
    else s += '\\x' + c.toString(16).padStart(2, '0');
  }
  return end > stop ? `${s}… (${end - start} bytes)` : s;
}

export function ipv4(b: Uint8Array, p: number): string {
  return `${b[p]}.${b[p + 1]}.${b[p + 2]}.${b[p + 3]}`;
}

export function ipv6(b: Uint8Array, p: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((b[p + i] << 8) | b[p + i + 1]).toString(16));
  // Longest run of zero groups → "::" (RFC 5952).
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return parts.join(':');
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`;
}

export function part(name: string, start: number, end: number, value: string): PreamblePart {
  return { name, span: [start, end], value };
}

/** Host as text from a length-prefixed or NUL-terminated name: escaped, since it is the sender's choice. */
export function hostText(b: Uint8Array, start: number, end: number): string {
  return escapeBytes(b, start, end, 255);
}

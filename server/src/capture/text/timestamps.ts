import { isDigit, isSpace } from './lines';

/**
 * A timestamp as printed: `date` (YYYY-MM-DD HH:MM:SS[.f], read as UTC),
 * `tod` (HH:MM:SS[.f], seconds since midnight) or `number` (S.f: epoch
 * seconds, or a relative time when the printer said so).
 */
export interface TimeToken {
  kind: 'date' | 'tod' | 'number';
  seconds: number;
  start: number;
  end: number;
}

function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** Reads ".ffff" at i; returns [fraction, end] (fraction 0 and end i when absent). */
function fractionAt(s: string, i: number): [number, number] {
  if (s.charCodeAt(i) !== 46) return [0, i];
  let j = i + 1;
  while (j < s.length && isDigit(s.charCodeAt(j))) j++;
  if (j === i + 1) return [0, i];
  // Number() of the whole fraction keeps 9-digit (nanosecond) text exact to the double's precision.
  return [Number('0' + s.slice(i, j)), j];
}

/** True when the token may end at i: end of line, space, or a comma (tshark's column separators). */
function endsAt(s: string, i: number): boolean {
  return i >= s.length || isSpace(s.charCodeAt(i)) || s.charCodeAt(i) === 44;
}

/** HH:MM:SS or H:MM:SS at i: [seconds, end] or null. */
function clockAt(s: string, i: number): [number, number] | null {
  let h = digitsAt(s, i, 2);
  let j = i + 2;
  if (h < 0) {
    h = digitsAt(s, i, 1);
    j = i + 1;
    if (h < 0) return null;
  }
  if (s.charCodeAt(j) !== 58) return null;
  const m = digitsAt(s, j + 1, 2);
  if (m < 0 || m > 59 || s.charCodeAt(j + 3) !== 58) return null;
  const sec = digitsAt(s, j + 4, 2);
  if (sec < 0 || sec > 60) return null;
  return [h * 3600 + m * 60 + sec, j + 6];
}

/**
 * Parses a timestamp starting exactly at i. With `needFraction`, time forms
 * must carry ".digits" (tcpdump always prints them, and it keeps a MAC
 * address or a clock in prose from passing for a timestamp).
 */
export function parseTimestampAt(s: string, i: number, needFraction: boolean): TimeToken | null {
  // YYYY-MM-DD[ T]HH:MM:SS
  if (s.charCodeAt(i + 4) === 45 && s.charCodeAt(i + 7) === 45) {
    const y = digitsAt(s, i, 4);
    const mo = digitsAt(s, i + 5, 2);
    const d = digitsAt(s, i + 8, 2);
    const sep = s.charCodeAt(i + 10);
    if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && (sep === 32 || sep === 84)) {
      const t = clockAt(s, i + 11);
      if (t) {
        const [frac, end] = fractionAt(s, t[1]);
        if ((end > t[1] || !needFraction) && endsAt(s, end)) {
          const day = Date.UTC(y, mo - 1, d) / 1000;
          return { kind: 'date', seconds: day + t[0] + frac, start: i, end };
        }
      }
    }
    return null;
  }
  const t = clockAt(s, i);
  if (t) {
    const [frac, end] = fractionAt(s, t[1]);
    if ((end > t[1] || !needFraction) && endsAt(s, end)) return { kind: 'tod', seconds: t[0] + frac, start: i, end };
    return null;
  }
  // S.f: epoch seconds (tcpdump -tt, tshark -t e) or a relative time (tshark's default column).
  let j = i;
  while (j < s.length && isDigit(s.charCodeAt(j))) j++;
  if (j === i || j - i > 12 || s.charCodeAt(j) !== 46) return null;
  const [, end] = fractionAt(s, j);
  if (end === j || !endsAt(s, end)) return null;
  return { kind: 'number', seconds: Number(s.slice(i, end)), start: i, end };
}

/**
 * A tcpdump header line's timestamp: -ttt and -ttttt print deltas with a
 * leading space, which marks them; everything else starts at column 0.
 */
export interface HeaderTime {
  token: TimeToken;
  /** Printed with the leading space of tcpdump's delta formats. */
  delta: boolean;
}

export function tcpdumpTimeAt(s: string): HeaderTime | null {
  let i = 0;
  if (s.charCodeAt(0) === 32 && isDigit(s.charCodeAt(1))) i = 1;
  const token = parseTimestampAt(s, i, true);
  if (!token || token.end >= s.length) return null;
  return { token, delta: i === 1 };
}

/**
 * Turns tcpdump header timestamps into RawPacket.timestamp values.
 * - date (-tttt) and S.f (-tt): absolute.
 * - time of day (default): seconds since midnight, plus a day each time the
 *   clock goes back by more than 12 hours, so a capture across midnight stays ordered.
 * - deltas (-ttt since the previous packet, -ttttt since the first): -ttt
 *   values are summed, so both give seconds since the first packet.
 */
export class TcpdumpClock {
  private sum = 0;
  private lastTod = NaN;
  private day = 0;

  constructor(
    /** How this dump's deltas count; see detectDeltaMode(). */
    private readonly deltaMode: 'previous' | 'first',
    /** A dump whose first time of day is 00:00:00.000000 and which lost its leading spaces is read as deltas. */
    private readonly todIsDelta: boolean,
  ) {}

  time(t: HeaderTime | null): number {
    if (!t) return NaN;
    const { kind, seconds } = t.token;
    if (kind === 'tod' && (t.delta || this.todIsDelta)) {
      if (this.deltaMode === 'first') return seconds;
      this.sum += seconds;
      return this.sum;
    }
    if (kind !== 'tod') return seconds;
    if (this.lastTod - seconds > 43200) this.day += 86400;
    this.lastTod = seconds;
    return seconds + this.day;
  }
}

/**
 * tcpdump prints -ttt (delta since previous) and -ttttt (delta since first)
 * identically. Since-first values never decrease in a capture in time order,
 * while consecutive inter-packet gaps nearly always do somewhere: a
 * non-decreasing sequence is read as -ttttt. With two or fewer packets both
 * readings agree; with three or four, growing gaps can still be misread.
 */
export function detectDeltaMode(values: number[]): 'previous' | 'first' {
  for (let i = 1; i < values.length; i++) if (values[i] < values[i - 1]) return 'previous';
  return 'first';
}

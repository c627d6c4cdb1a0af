import { PacketBuilder, NO_COLUMN } from './builder';
import { hexValue, isSpace, type Line } from './lines';

/** Result of reading the hex area of one line. */
export interface HexRun {
  /** Bytes added to the builder from this line. */
  count: number;
  /** Index in line.text just past the last hex token read. */
  end: number;
  /** Set when a token in the hex area is not hex: [from, to) in line.text and what was expected. */
  error: { from: number; to: number; message: string } | null;
}

function allHex(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) if (hexValue(s.charCodeAt(i)) < 0) return false;
  return true;
}

/**
 * Reads whitespace-separated hex tokens from `start`, each holding a whole
 * number of bytes of `tokenDigits` (4 for tcpdump's 16-bit groups, 2 for
 * tshark/od; a 2-digit final tcpdump group is accepted too). Stops at the end
 * of the line, after `maxTokens`, or at a gap of `gapStop` or more spaces
 * (the ASCII pane follows such a gap); `midGap` allows hexdump -C's double
 * space after the 8th byte. Every byte is pushed with the column of its first digit.
 */
export function readHexTokens(
  line: Line,
  start: number,
  b: PacketBuilder,
  tokenDigits: 2 | 4,
  maxTokens: number,
  gapStop: number,
  midGap = -1,
  /** text2pcap reads hex until the first token that is not a byte: anything after it is the ASCII dump. */
  stopAtText = false,
): HexRun {
  const s = line.text;
  const n = s.length;
  const col0 = line.col0;
  let pos = start;
  let tokens = 0;
  let count = 0;
  let end = start;
  while (pos < n && tokens < maxTokens) {
    let e = pos;
    while (e < n && !isSpace(s.charCodeAt(e))) e++;
    const len = e - pos;
    const ok = (len === tokenDigits || len === 2) && allHex(s, pos, e);
    if (!ok) {
      if (stopAtText && count > 0) break;
      let message: string;
      if (allHex(s, pos, e)) {
        message = tokenDigits === 4
          ? `expected a group of 4 hex digits (2 bytes) or a final group of 2, found ${len} digits`
          : `expected 2 hex digits (one byte), found ${len} digits`;
      } else {
        let bad = pos;
        while (bad < e && hexValue(s.charCodeAt(bad)) >= 0) bad++;
        message = `expected hex digits, found ${JSON.stringify(s[bad])}`;
      }
      return { count, end, error: { from: pos, to: e, message } };
    }
    for (let k = pos; k < e; k += 2) {
      b.push((hexValue(s.charCodeAt(k)) << 4) | hexValue(s.charCodeAt(k + 1)), line.no, col0 + k, NO_COLUMN);
      count++;
    }
    tokens++;
    end = e;
    let next = e;
    while (next < n && isSpace(s.charCodeAt(next))) next++;
    const gap = next - e;
    if (gap >= gapStop && !(gap === gapStop && count === midGap)) break;
    pos = next;
  }
  return { count, end, error: null };
}

/**
 * Fills the ASCII-pane columns of the `count` bytes just read from `line`.
 * The pane starts at a fixed column (`paneCol`, from the printer's layout),
 * even on a short last line where the hex area is padded; if the line was
 * re-spaced and the pane is not there, it is taken to be the last `count`
 * characters. Bytes without a pane character keep NO_COLUMN.
 */
export function fillAscii(line: Line, b: PacketBuilder, count: number, hexEnd: number, paneCol: number): void {
  const s = line.text;
  let k = hexEnd;
  while (k < s.length && isSpace(s.charCodeAt(k))) k++;
  if (k >= s.length || count === 0) return;
  let pane = -1;
  if (paneCol >= hexEnd + 1 && paneCol < s.length) {
    let clean = true;
    for (let i = hexEnd; i < paneCol && clean; i++) if (!isSpace(s.charCodeAt(i))) clean = false;
    if (clean) pane = paneCol;
  }
  if (pane < 0) pane = s.length - count > hexEnd ? s.length - count : k;
  const first = b.length - count;
  for (let i = 0; i < count && pane + i < s.length; i++) b.setAscii(first + i, line.col0 + pane + i);
}

import { hexValue, isSpace } from './lines';

/** An offset at the start of a line, as tshark, od and hexdump print it. */
export interface LineOffset {
  value: number;
  /** Index just past the offset digits. */
  end: number;
  /** Spaces between the offset and the first byte (2 for tshark, 1 for od). */
  gap: number;
}

/**
 * Reads "<hex offset><spaces or end of line>" at column 0; null when the line
 * does not start that way. Leading whitespace is not allowed: text2pcap needs
 * the offset first, and it keeps tcpdump's indented "0x…" lines apart.
 */
export function lineOffset(s: string, minDigits: number): LineOffset | null {
  let j = 0;
  let v = 0;
  while (j < s.length && j < 12) {
    const h = hexValue(s.charCodeAt(j));
    if (h < 0) break;
    v = v * 16 + h;
    j++;
  }
  if (j < minDigits) return null;
  if (j < s.length && !isSpace(s.charCodeAt(j))) return null;
  let k = j;
  while (k < s.length && isSpace(s.charCodeAt(k))) k++;
  return { value: v, end: j, gap: k - j };
}

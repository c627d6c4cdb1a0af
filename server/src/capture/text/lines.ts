/**
 * A line of a text dump. `no` is the 0-based line number; `col0` is the
 * column of text[0] in the editor's view of the line (1 on a first line that
 * starts with a byte-order mark, which is kept out of `text` so parsers need
 * not care), so a character at index i of `text` sits at column col0 + i.
 */
export interface Line {
  readonly no: number;
  readonly text: string;
  readonly col0: number;
}

/**
 * Splits on "\n", "\r\n" and a lone "\r", the three line ends LSP counts, so
 * that line numbers agree with the editor whatever the dump's origin.
 */
export function splitLines(text: string): Line[] {
  const out: Line[] = [];
  const n = text.length;
  let start = 0;
  let col0 = 0;
  if (n > 0 && text.charCodeAt(0) === 0xfeff) {
    start = 1;
    col0 = 1;
  }
  let i = start;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      out.push({ no: out.length, text: text.slice(start, i), col0 });
      col0 = 0;
      i += c === 13 && i + 1 < n && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      start = i;
    } else {
      i++;
    }
  }
  // A final line without a line end is still a line; an empty one after the last "\n" is not worth reporting.
  if (start < n) out.push({ no: out.length, text: text.slice(start, n), col0 });
  return out;
}

export function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 12) return false;
  }
  return true;
}

/** Index of the first character that is not a space or tab at or after `i`. */
export function skipSpaces(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Value of a hex digit character code, or -1. */
export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

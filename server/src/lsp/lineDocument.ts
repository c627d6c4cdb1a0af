/**
 * An open document as an array of lines, so an edit costs what it touches.
 * vscode-languageserver-textdocument keeps one flat string: every edit copies
 * the whole text (and shifts every later line offset), ~25 ms per typed
 * character on a 10 MB dump, on the server's main thread and again in the
 * analysis worker; an edit storm then queues seconds of work before a hover.
 * Here an edit replaces the lines it spans; the flat text and the line
 * offsets are made again only when asked for, once per version.
 *
 * Lines end as LSP counts them: at \n, \r\n or a lone \r.
 */
import type { Position, Range, TextDocument, TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';

/** Splits text into lines that keep their terminators (the last one has none). */
function splitKeepingEnds(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  if (!text.includes('\r')) {
    // The usual case, and a fast one: indexOf scans natively.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
      out.push(text.slice(start, i + 1));
      start = i + 1;
    }
    out.push(text.slice(start));
    return out;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      out.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** Length of a stored line without its terminator. */
function contentLength(line: string): number {
  const n = line.length;
  if (n > 0 && line.charCodeAt(n - 1) === 10) return n > 1 && line.charCodeAt(n - 2) === 13 ? n - 2 : n - 1;
  if (n > 0 && line.charCodeAt(n - 1) === 13) return n - 1;
  return n;
}

export class LineDocument implements TextDocument {
  private lines: string[];
  private flat: string | null;
  private offsets: Float64Array | null = null;

  constructor(readonly uri: string, readonly languageId: string, public version: number, text: string) {
    this.lines = splitKeepingEnds(text);
    this.flat = text;
  }

  static create(uri: string, languageId: string, version: number, text: string): LineDocument {
    return new LineDocument(uri, languageId, version, text);
  }

  /** Applies the editor's changes in order (in place) and returns the document. */
  static update(doc: LineDocument, changes: readonly TextDocumentContentChangeEvent[], version: number): LineDocument {
    for (const c of changes) {
      if ('range' in c) doc.replace(c.range, c.text);
      else {
        doc.lines = splitKeepingEnds(c.text);
        doc.flat = c.text;
        doc.offsets = null;
      }
    }
    doc.version = version;
    return doc;
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** A line's text without its terminator. */
  line(n: number): string {
    const l = this.lines[n] ?? '';
    return l.slice(0, contentLength(l));
  }

  getText(range?: Range): string {
    if (!range) {
      this.flat ??= this.lines.join('');
      return this.flat;
    }
    const s = this.clamp(range.start);
    const e = this.clamp(range.end);
    if (e.line < s.line || (e.line === s.line && e.character <= s.character)) return '';
    if (s.line === e.line) return this.lines[s.line].slice(s.character, e.character);
    const parts = [this.lines[s.line].slice(s.character)];
    for (let l = s.line + 1; l < e.line; l++) parts.push(this.lines[l]);
    parts.push(this.lines[e.line].slice(0, e.character));
    return parts.join('');
  }

  getLineRange(line: number): Range {
    if (line < 0) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const l = Math.min(line, this.lines.length - 1);
    return { start: { line: l, character: 0 }, end: { line: l, character: contentLength(this.lines[l]) } };
  }

  getEOLCharacters(line: number): string {
    const l = this.lines[line];
    return l === undefined ? '' : l.slice(contentLength(l));
  }

  offsetAt(p: Position): number {
    const q = this.clamp(p);
    return this.lineOffsets()[q.line] + q.character;
  }

  positionAt(offset: number): Position {
    const offsets = this.lineOffsets();
    const o = Math.max(0, Math.min(offset, offsets[offsets.length - 1]));
    let lo = 0, hi = this.lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: Math.min(o - offsets[lo], contentLength(this.lines[lo])) };
  }

  /** Start offset of each line, and the text's length last. */
  private lineOffsets(): Float64Array {
    if (!this.offsets) {
      const o = new Float64Array(this.lines.length + 1);
      for (let i = 0; i < this.lines.length; i++) o[i + 1] = o[i] + this.lines[i].length;
      this.offsets = o;
    }
    return this.offsets;
  }

  /** A position inside the text: the line clamped to the document, the character to the line's content. */
  private clamp(p: Position): Position {
    if (p.line < 0) return { line: 0, character: 0 };
    if (p.line >= this.lines.length) {
      const last = this.lines.length - 1;
      return { line: last, character: contentLength(this.lines[last]) };
    }
    return { line: p.line, character: Math.max(0, Math.min(p.character, contentLength(this.lines[p.line]))) };
  }

  private replace(range: Range, text: string): void {
    let s = this.clamp(range.start);
    let e = this.clamp(range.end);
    if (e.line < s.line || (e.line === s.line && e.character < s.character)) [s, e] = [e, s];
    this.flat = null;
    this.offsets = null;
    const head = this.lines[s.line].slice(0, s.character);
    const tail = this.lines[e.line].slice(e.character);
    let first = s.line;
    let last = e.line;
    let joined = head + text + tail;
    // A lone \r before the edit and a \n after it (or the reverse across the
    // tail) become one \r\n terminator: re-split the neighbours with it.
    if (first > 0 && joined.charCodeAt(0) === 10 && this.lines[first - 1].endsWith('\r')) joined = this.lines[--first] + joined;
    if (joined.endsWith('\r') && last + 1 < this.lines.length && this.lines[last + 1].charCodeAt(0) === 10) joined += this.lines[++last];
    const single = first === last && s.line === e.line && !text.includes('\n') && !text.includes('\r');
    if (single) {
      this.lines[first] = joined;
      return;
    }
    const pieces = splitKeepingEnds(joined);
    // The chunk ends with line `last`'s terminator unless that is the document's last line: no new line after it.
    if (last < this.lines.length - 1) pieces.pop();
    if (pieces.length < 10000) this.lines.splice(first, last - first + 1, ...pieces);
    else this.lines = this.lines.slice(0, first).concat(pieces, this.lines.slice(last + 1));
  }
}

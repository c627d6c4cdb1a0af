/**
 * The edits made to a document since the version its last complete analysis
 * was made from, so positions can be carried between that version and the
 * current text: a hover on the current text is answered from the older
 * analysis (the worker is still re-analysing), and the range the answer
 * highlights is carried forward again. A position inside text typed since
 * has no counterpart and maps to null.
 */
import type { Position, Range } from 'vscode-languageserver-types';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';

/** One ranged change: `range` in the text before it, `end` where its new text ends in the text after it. */
interface Step {
  version: number;
  range: Range;
  end: Position;
}

/** Past this many changes the log gives up mapping (memory stays bounded in a long edit storm). */
const MAX_STEPS = 100_000;

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Where a text that starts at `start` ends. */
function endOf(start: Position, text: string): Position {
  let line = start.line;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return last < 0 ? { line, character: start.character + text.length } : { line, character: text.length - last - 1 };
}

/** A position at or after `from` moved the way the text after `from` moved to `to`. */
function shift(p: Position, from: Position, to: Position): Position {
  return p.line === from.line ? { line: to.line, character: to.character + (p.character - from.character) } : { line: p.line + (to.line - from.line), character: p.character };
}

export class EditLog {
  private steps: Step[] = [];
  /** The last version made by a whole-text replacement (or when the log overflowed): nothing maps across it. */
  private brokenAt = -Infinity;
  /** The version the analysis in use was made from. */
  private base = -Infinity;

  /** Records the changes that made `version` (in the order the editor sent them). */
  add(version: number, changes: readonly TextDocumentContentChangeEvent[]): void {
    for (const c of changes) {
      if ('range' in c && this.steps.length < MAX_STEPS) {
        this.steps.push({ version, range: c.range, end: endOf(c.range.start, c.text) });
      } else {
        this.brokenAt = version;
        this.steps = [];
      }
    }
  }

  /** The analysis of `version` is now the base: forget the changes it already includes. */
  rebase(version: number): void {
    this.base = version;
    this.steps = this.steps.filter((s) => s.version > version);
  }

  get isBroken(): boolean {
    return this.brokenAt > this.base;
  }

  get length(): number {
    return this.steps.length;
  }

  /** The version-of-base position of a current position, or null when it is in (or the log cannot see past) an edit. */
  toBase(p: Position): Position | null {
    if (this.isBroken) return null;
    let q = p;
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const s = this.steps[i];
      if (before(q, s.range.start)) continue;
      // Inside the new text (an insertion point itself is new text, unless nothing was inserted).
      if (before(q, s.end)) return null;
      q = shift(q, s.end, s.range.end);
    }
    return q;
  }

  /** A base range carried to the current text, or null when an edit touched it. */
  rangeFromBase(r: Range): Range | null {
    if (this.isBroken) return null;
    let a = r.start, b = r.end;
    for (const s of this.steps) {
      if (!before(s.range.start, b)) continue; // the change is after the range
      if (before(a, s.range.end)) return null; // it overlaps the range
      a = shift(a, s.range.end, s.end);
      b = shift(b, s.range.end, s.end);
    }
    return { start: a, end: b };
  }
}

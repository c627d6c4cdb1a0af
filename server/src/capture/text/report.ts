import type { CaptureSink } from '../packet';
import { textLocation, type Severity } from '../source';
import type { Line } from './lines';

/**
 * Per-code ceiling: a binary file or a wrong dialect pasted into the editor
 * would otherwise flood the Problems panel with one entry per line.
 */
const MAX_PER_CODE = 100;

/** Diagnostics for one text dump, with per-code caps and one-time notes. */
export class Reporter {
  private readonly counts = new Map<string, number>();
  private readonly once = new Set<string>();

  constructor(private readonly sink: CaptureSink) {}

  /** Reports columns [from, to) of `line` (indexes into line.text). */
  at(severity: Severity, code: string, message: string, line: Line, from: number, to: number, packet?: number): void {
    const n = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, n);
    if (n > MAX_PER_CODE) return;
    const end = Math.max(to, from + 1);
    this.sink.diagnostic({
      severity,
      code,
      message,
      location: textLocation(line.no, line.col0 + from, line.no, line.col0 + end),
      ...(packet === undefined ? {} : { packet }),
    });
  }

  /** Reports the whole line (its non-blank extent). */
  line(severity: Severity, code: string, message: string, line: Line, packet?: number): void {
    const s = line.text;
    let a = 0;
    while (a < s.length && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
    let b = s.length;
    while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
    this.at(severity, code, message, line, a, b, packet);
  }

  /** Reports only the first occurrence of `key` (e.g. one note per skipped pane kind). */
  first(key: string, severity: Severity, code: string, message: string, line: Line, from: number, to: number): void {
    if (this.once.has(key)) return;
    this.once.add(key);
    this.at(severity, code, message, line, from, to);
  }

  /** Whole-file problem with no better place to point at. */
  file(severity: Severity, code: string, message: string): void {
    this.sink.diagnostic({ severity, code, message, location: textLocation(0, 0) });
  }

  /** Says how many diagnostics the caps swallowed, so a clean-looking Problems list is not mistaken for a clean file. */
  finish(): void {
    for (const [code, n] of this.counts) {
      if (n > MAX_PER_CODE) {
        this.sink.diagnostic({
          severity: 'info',
          code: 'text.suppressed',
          message: `${n - MAX_PER_CODE} more '${code}' diagnostics not shown (only the first ${MAX_PER_CODE} are reported)`,
          location: null,
        });
      }
    }
  }
}

/** Shortens a piece of a line for quoting in a message. */
export function quote(s: string, max = 24): string {
  return JSON.stringify(s.length > max ? s.slice(0, max) + '…' : s);
}

export function hex4(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}

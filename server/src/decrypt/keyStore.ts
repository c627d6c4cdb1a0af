/**
 * The keys of one analysis run, by ClientHello random: from key log files
 * (`--keylog`, the editor setting), a sidecar next to the capture, and the
 * capture's own Decryption Secrets Blocks. Bounded (MAX_CLIENT_RANDOMS), and
 * it remembers which entries a connection used, so a key log that matches
 * nothing is said so at the end of the run.
 */
import type { KeySourceKind, ReportDiagnostic } from '../../../shared/analysis';
import { KeyLogParser, type KeyLogLabel, type KeyLogLine, type KeyLogProblem } from './keyLog';

export interface KeySource {
  kind: KeySourceKind;
  /** A path, or "Decryption Secrets Block at offset N": where a diagnostic points. */
  name: string;
}

export interface KeyEntry {
  source: KeySource;
  /** First line of this client random in its source. */
  line: number;
  secrets: Partial<Record<KeyLogLabel, Uint8Array>>;
  used: boolean;
}

/** Client randoms held at most (each a few hundred bytes): a key log of a week of browsing fits, a hostile one stays small. */
export const MAX_CLIENT_RANDOMS = 65536;
const MAX_PROBLEMS = 200;

export class KeyStore {
  private readonly entries = new Map<string, KeyEntry>();
  private readonly sources: KeySource[] = [];
  readonly diagnostics: ReportDiagnostic[] = [];
  private problemsDropped = 0;
  private full = false;

  get size(): number {
    return this.entries.size;
  }

  /** A parser that adds what it reads from `source` (push chunks, then end()). */
  parser(source: KeySource): KeyLogParser {
    this.sources.push(source);
    return new KeyLogParser(
      (l) => this.add(source, l),
      (p) => this.problem(source, p),
    );
  }

  /** Every entry of the run is for the caller; looking one up marks it used. */
  lookup(clientRandomHex: string): KeyEntry | undefined {
    const e = this.entries.get(clientRandomHex.toLowerCase());
    if (e) e.used = true;
    return e;
  }

  private add(source: KeySource, l: KeyLogLine): void {
    let e = this.entries.get(l.clientRandom);
    if (!e) {
      if (this.entries.size >= MAX_CLIENT_RANDOMS) {
        if (!this.full) {
          this.full = true;
          this.note(
            'warning',
            'keylog.too-many',
            source,
            l.line,
            `more than ${MAX_CLIENT_RANDOMS} client randoms in the key logs: this and later ones are left out`,
          );
        }
        return;
      }
      e = { source, line: l.line, secrets: {}, used: false };
      this.entries.set(l.clientRandom, e);
    }
    const had = e.secrets[l.label];
    if (had && !sameBytes(had, l.secret)) {
      this.note(
        'warning',
        'keylog.conflict',
        source,
        l.line,
        `${l.label} for this client random differs from the one read before (${e.source.name}:${e.line}): the first is kept`,
      );
      return;
    }
    e.secrets[l.label] = l.secret;
  }

  private problem(source: KeySource, p: KeyLogProblem): void {
    this.note(p.severity, p.code, source, p.line, p.message);
  }

  note(severity: ReportDiagnostic['severity'], code: string, source: KeySource, line: number | null, message: string): void {
    if (this.diagnostics.length >= MAX_PROBLEMS) {
      this.problemsDropped++;
      return;
    }
    // Compiler style (path:line: …): key logs are not the capture, whose positions `location` holds.
    this.diagnostics.push({ severity, code, location: null, message: `${source.name}${line === null ? '' : `:${line}`}: ${message}` });
  }

  /** End of the run: what was left out, and each source whose client randoms matched no connection. */
  summary(): ReportDiagnostic[] {
    const out: ReportDiagnostic[] = [];
    if (this.problemsDropped > 0)
      out.push({
        severity: 'warning',
        code: 'keylog.too-many-problems',
        location: null,
        message: `${this.problemsDropped} further key log problems were not listed`,
      });
    for (const s of this.sources) {
      let total = 0;
      let unused = 0;
      let first = Infinity;
      for (const e of this.entries.values()) {
        if (e.source !== s) continue;
        total++;
        if (!e.used) {
          unused++;
          first = Math.min(first, e.line);
        }
      }
      if (unused === 0) continue;
      const all = unused === total;
      out.push({
        severity: all ? 'warning' : 'info',
        code: 'decrypt.keys-unmatched',
        location: null,
        message: `${s.name}:${first}: ${all ? `none of its ${total}` : `${unused} of its ${total}`} client random(s) match a connection of this capture${all ? ' (a key log of another capture?)' : ''}`,
      });
    }
    return out;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

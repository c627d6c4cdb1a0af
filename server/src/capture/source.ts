/**
 * Where bytes and problems sit in the file the user opened. Every decoded field
 * resolves to one of these, so hovers, highlights, diagnostics and reports can
 * point back at the exact bytes (binary captures) or characters (text dumps).
 *
 * Conventions: offsets are into the decompressed byte stream of the file (a
 * `.pcap.gz` is addressed as the `.pcap` inside it). Lines and columns are
 * 0-based, as in LSP; human-readable messages print them 1-based.
 */
// Declared with the JSON contract, which carries them.
import type { Severity, SourceLocation } from '../../../shared/analysis';

export type { Severity, SourceLocation };

export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. `pcapng.block-length`, `tls.record-length`. */
  code: string;
  message: string;
  location: SourceLocation | null;
  /** Packet index (0-based) the problem belongs to, when there is one. */
  packet?: number;
}

export function offsetLocation(offset: number, length = 1): SourceLocation {
  return { kind: 'offset', offset, length };
}

export function textLocation(line: number, column: number, endLine = line, endColumn = column + 1): SourceLocation {
  return { kind: 'text', line, column, endLine, endColumn };
}

export function describeLocation(loc: SourceLocation | null): string {
  if (!loc) return '';
  return loc.kind === 'offset' ? `offset ${loc.offset}` : `line ${loc.line + 1}, column ${loc.column + 1}`;
}

/**
 * Reports are made to be shared (attached to an issue, mailed to a colleague):
 * they name each capture by its file name, not where it sits on the machine
 * that made the report (`/home/alice/fieldwork/…` tells who and where). The
 * SHA-256 beside it identifies the file. Key log diagnostics name their key
 * log the same way. The user can ask for full paths (`report --full-paths`).
 */
import { basename } from 'node:path';
import type { AnalysisReport, ReportDiagnostic } from '../../../shared/analysis';
import type { CompareReport } from '../../../shared/compare';

/** A capture's or key log's name as a report shows it; a name without directory (e.g. `untitled:…`) stays. */
export function fileName(path: string): string {
  return basename(path) || path;
}

/** The comparison with every input path (and key log path in diagnostics) cut to its file name; the input is not changed. */
export function withFileNames(r: CompareReport): CompareReport {
  return { ...r, client: namedInput(r.client), relay: r.relay && namedInput(r.relay) };
}

function namedInput(a: AnalysisReport): AnalysisReport {
  return { ...a, input: { ...a.input, path: fileName(a.input.path) }, diagnostics: a.diagnostics.map(namedKeyLog) };
}

/**
 * The key store's diagnostics read `KEYLOG[:LINE]: …` (keyStore.ts `note`), a conflict also
 * `(KEYLOG:LINE)`: those paths become names. Other diagnostics name no file.
 */
function namedKeyLog(d: ReportDiagnostic): ReportDiagnostic {
  if (!d.code.startsWith('keylog.') && d.code !== 'decrypt.sidecar') return d;
  const message = d.message
    .replace(/^(.*?)((?::\d+)?: )/, (_, path: string, rest: string) => `${fileName(path)}${rest}`)
    .replace(/\(([^()]*?)(:\d+)\)/g, (_, path: string, line: string) => `(${fileName(path)}${line})`);
  return { ...d, message };
}

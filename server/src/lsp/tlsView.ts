import type { AnalysisReport, ConnectionReport, ReportDiagnostic } from '../../../shared/analysis';
import { notTlsReasons } from '../../../shared/captureContents';
import { isTlsView } from '../analysis/analyzeCapture';

/** At most this many not-TLS streams are named in the editor's view: enough to say what the capture holds, bounded however many there are. */
const MAX_NOT_TLS_REASONS = 20;

/**
 * The capture editor's TLS-only view of an analysis of every connection. The
 * connections left out take with them the one thing that says what they are
 * (each not-TLS direction's first bytes, e.g. an SMTP banner): those
 * diagnostics are kept at the capture level so the editor can say why it
 * shows nothing.
 */
export function tlsView(r: AnalysisReport): AnalysisReport {
  const connections: ConnectionReport[] = [];
  const reasons: ReportDiagnostic[] = [];
  for (const c of r.connections) {
    if (isTlsView(c)) connections.push(c);
    else if (reasons.length < MAX_NOT_TLS_REASONS) reasons.push(...notTlsReasons(c.diagnostics));
  }
  return { ...r, connections, diagnostics: reasons.length ? r.diagnostics.concat(reasons.slice(0, MAX_NOT_TLS_REASONS)) : r.diagnostics };
}

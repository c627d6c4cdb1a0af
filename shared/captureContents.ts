/**
 * What a capture holds, in the words the CLI's text summary uses, so the
 * capture editor says the same thing when it has no TLS connection to show
 * (a UDP-only or plaintext capture must not look as if decoding never ended).
 */
import type { InputReport, ReportDiagnostic } from './analysis';

/** `13 packets, 13 TCP, 4 QUIC datagrams; not TCP: 12 UDP; 0 connection(s) shown` */
export function packetCountsLine(input: InputReport, shown: number): string {
  const skipped = Object.entries(input.skipped).map(([k, v]) => `${v} ${k}`).join(', ');
  const quic = input.quicDatagrams ? `, ${input.quicDatagrams} QUIC datagrams` : '';
  return `${input.packets} packets, ${input.tcpPackets} TCP${quic}${skipped ? `; not TCP: ${skipped}` : ''}; ${shown} connection(s) shown`;
}

/** The diagnostic a TCP connection gets when a direction does not start with a TLS record (its message shows how it starts). */
export const NOT_TLS_CODE = 'tls.not-tls';

/** Why nothing was decoded: the not-TLS streams' own messages (which quote their first bytes, e.g. an SMTP banner). */
export function notTlsReasons(diagnostics: readonly ReportDiagnostic[]): ReportDiagnostic[] {
  return diagnostics.filter((d) => d.code === NOT_TLS_CODE);
}

/** One line of the Problems panel for a binary capture (the extension gives it the capture's URI and a range). */
export interface CaptureProblem {
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

/** At most this many problems per capture go to the Problems panel: the editor lists every one per connection. */
export const MAX_CAPTURE_PROBLEMS = 500;

/**
 * A binary capture's decoding problems for the Problems panel: the file's and
 * every connection's warnings and errors, each saying where (connection,
 * packet, file offset), since a binary file has no line to point at.
 */
export function captureProblems(diagnostics: readonly ReportDiagnostic[], connections: ReadonlyArray<{ id: number; diagnostics: readonly ReportDiagnostic[] }>): CaptureProblem[] {
  const out: CaptureProblem[] = [];
  const add = (d: ReportDiagnostic) => {
    if (d.severity === 'info' || out.length >= MAX_CAPTURE_PROBLEMS) return;
    const where = [
      d.connection !== undefined ? `connection #${d.connection}` : null,
      d.packet !== undefined ? `packet #${d.packet + 1}` : null,
      d.location?.kind === 'offset' ? `file offset ${d.location.offset}` : null,
    ].filter((x) => x !== null);
    out.push({ severity: d.severity, code: d.code, message: where.length ? `${d.message} (${where.join(', ')})` : d.message });
  };
  diagnostics.forEach(add);
  for (const c of connections) c.diagnostics.forEach(add);
  return out;
}

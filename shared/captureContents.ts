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
  const dtls = input.dtlsDatagrams ? `, ${input.dtlsDatagrams} DTLS datagrams` : '';
  return `${input.packets} packets, ${input.tcpPackets} TCP${quic}${dtls}${skipped ? `; not TCP: ${skipped}` : ''}; ${shown} connection(s) shown`;
}

/**
 * The diagnostics that say why a TCP connection carries no TLS: a direction
 * that does not start with a TLS record (its message quotes the first bytes),
 * or a known preamble (SMTP, IMAP, SOCKS …) that never turned into TLS (its
 * message says why: no STARTTLS asked, STARTTLS refused …).
 */
export const NOT_TLS_CODES: readonly string[] = ['tls.not-tls', 'tls.no-tls-after-preamble'];

export function isNotTlsReason(d: ReportDiagnostic): boolean {
  return NOT_TLS_CODES.includes(d.code);
}

/** Why nothing was decoded: the not-TLS connections' own messages. */
export function notTlsReasons(diagnostics: readonly ReportDiagnostic[]): ReportDiagnostic[] {
  return diagnostics.filter(isNotTlsReason);
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

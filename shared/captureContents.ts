/**
 * What a capture holds, in the words the CLI's text summary uses, so the
 * capture editor says the same thing when it has no TLS connection to show
 * (a UDP-only or plaintext capture must not look as if decoding never ended).
 */
import type { InputReport, ReportDiagnostic } from './analysis';

/** `13 packets, 13 TCP; not TCP: 12 UDP; 0 connection(s) shown` */
export function packetCountsLine(input: InputReport, shown: number): string {
  const skipped = Object.entries(input.skipped).map(([k, v]) => `${v} ${k}`).join(', ');
  return `${input.packets} packets, ${input.tcpPackets} TCP${skipped ? `; not TCP: ${skipped}` : ''}; ${shown} connection(s) shown`;
}

/** The diagnostic a TCP connection gets when a direction does not start with a TLS record (its message shows how it starts). */
export const NOT_TLS_CODE = 'tls.not-tls';

/** Why nothing was decoded: the not-TLS streams' own messages (which quote their first bytes, e.g. an SMTP banner). */
export function notTlsReasons(diagnostics: readonly ReportDiagnostic[]): ReportDiagnostic[] {
  return diagnostics.filter((d) => d.code === NOT_TLS_CODE);
}

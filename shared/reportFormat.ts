/**
 * Formats of an exported report (the CLI's `report --format`, the server's
 * `handshake/exportReport`). On its own, not in protocol.ts: the CLI checks
 * its argument with it and must not load the JSON-RPC library to do so.
 */
export const REPORT_FORMATS = ['html', 'md', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(x: unknown): x is ReportFormat {
  return typeof x === 'string' && (REPORT_FORMATS as readonly string[]).includes(x);
}

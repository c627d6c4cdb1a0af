/**
 * The JSON report: everything, for machines and for archiving next to the
 * captures. It is the CompareReport (or AnalysisReport) exactly as the engine
 * produced it, plus the annotations and who made it when.
 *
 * NaN times (a packet one end never saw) become null, as JSON.stringify does;
 * nothing is escaped beyond JSON's own rules, so consumers that put these
 * strings into HTML or Markdown must escape them (see escape.ts).
 */
import type { AnalysisReport } from '../../../shared/analysis';
import type { CompareReport } from '../../../shared/compare';
import type { Annotation } from './annotations';
import { normalize, type ReportContext, type ReportInput, type ReportKind } from '../../../shared/report/model';

export const REPORT_FORMAT = 'handshake-inspector-report';
export const REPORT_FORMAT_VERSION = 1;

export interface JsonReport {
  format: typeof REPORT_FORMAT;
  formatVersion: typeof REPORT_FORMAT_VERSION;
  kind: ReportKind;
  generatedAt: string;
  tool: { name: string; version: string };
  /** The inputs, repeated here so a reader can check the files without digging into `report`. */
  inputs: Array<{ side: 'client' | 'relay'; path: string; format: string; compressed: boolean; bytes: number; sha256: string }>;
  /** CompareReport for kind compare/single, AnalysisReport for kind analysis. */
  report: CompareReport | AnalysisReport;
  annotations: Annotation[];
}

export function buildJsonReport(input: ReportInput, ctx: Pick<ReportContext, 'annotations' | 'generatedAt'>): JsonReport {
  const { kind, report } = normalize(input);
  const inputs: JsonReport['inputs'] = [];
  for (const [side, a] of [['client', report.client], ['relay', report.relay]] as const) {
    if (!a) continue;
    const i = a.input;
    inputs.push({ side, path: i.path, format: i.format, compressed: i.compressed, bytes: i.bytes, sha256: i.sha256 });
  }
  return {
    format: REPORT_FORMAT,
    formatVersion: REPORT_FORMAT_VERSION,
    kind,
    generatedAt: ctx.generatedAt.toISOString(),
    tool: { ...report.tool },
    inputs,
    report: input,
    annotations: ctx.annotations.map((a) => ({ ...a, side: a.side ?? 'client' })),
  };
}

export function renderJson(input: ReportInput, ctx: Pick<ReportContext, 'annotations' | 'generatedAt'>): string {
  return `${JSON.stringify(buildJsonReport(input, ctx), null, 2)}\n`;
}

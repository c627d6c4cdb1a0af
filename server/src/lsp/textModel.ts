/**
 * Everything the language server answers about one version of a text dump,
 * computed in one go (in the analysis worker): the engine's report, the
 * position index, and the LSP-shaped results that depend only on them
 * (diagnostics, semantic tokens, symbols, folding ranges, code lenses).
 * Hovers are answered from the index on the server's main thread.
 */
import {
  DiagnosticSeverity, FoldingRangeKind, SymbolKind,
  type CodeLens, type Diagnostic, type DocumentSymbol, type FoldingRange, type Range,
} from 'vscode-languageserver-types';
import type { AnalysisReport, ConnectionReport, ReportDiagnostic, SourceLocation } from '../../../shared/analysis';
import type { Interference, RuleTexts, Suspect } from '../../../shared/compare';
import { ruleText, suspectWhy } from '../../../shared/suspects';
import { LensCommand } from '../../../shared/protocol';
import { analyzeBytes } from '../analysis/analyzeCapture';
import { compareReports } from '../compare/compareCaptures';
import type { UserRule } from '../rules/userRules';
import { PacketCollector, type IndexData, type PacketEntry } from './positionIndex';
import { TokenType } from './tokenTypes';
import { maxOf, minOf } from '../util/extremes';

export interface TextModelOptions {
  ja4plus?: boolean;
  userRules?: readonly UserRule[];
  /** Called often during the build; throws to abandon it (the analysis worker's cancellation). */
  check?(): void;
  keyLogFiles?: string[];
}

export interface ConnectionVerdict {
  connection: number;
  interference: Interference;
  suspects: Suspect[];
}

export interface TextModel {
  uri: string;
  version: number;
  report: AnalysisReport;
  verdicts: ConnectionVerdict[];
  /** The texts of the rules the verdicts' suspects name. */
  rules: RuleTexts;
  index: IndexData;
  diagnostics: Diagnostic[];
  /** LSP relative encoding (5 integers per token). */
  tokens: Uint32Array;
  symbols: DocumentSymbol[];
  folding: FoldingRange[];
  lenses: CodeLens[];
  timings: Record<string, number>;
}

const SOURCE = 'handshake-inspector';

export function buildTextModel(uri: string, version: number, text: string, opts: TextModelOptions = {}): TextModel {
  const timings: Record<string, number> = {};
  const check = opts.check ?? (() => undefined);
  let t = performance.now();
  const lap = (name: string) => {
    check();
    const now = performance.now();
    timings[name] = Math.round(now - t);
    t = now;
  };
  // One parse feeds both the engine and the position index; the check runs
  // per packet, so a stale run stops within a packet's worth of work.
  const collector = new PacketCollector();
  const report = analyzeBytes(Buffer.from(text, 'utf8'), uri, {
    packets: true, ja4plus: opts.ja4plus, keyLogFiles: opts.keyLogFiles, onPacket: (p) => {
      check();
      collector.add(p);
    },
  });
  lap('analyze');
  const index = collector.finish(text, report);
  lap('index');
  const single = compareReports(report, null, { userRules: opts.userRules as UserRule[] | undefined });
  const verdicts: ConnectionVerdict[] = (single.singleVantage ?? []).map((v) => ({ connection: v.connection, interference: v.interference, suspects: v.suspects }));
  lap('rules');
  const spans = connectionLines(report, index);
  const diagnostics = buildDiagnostics(report, verdicts, single.rules, index, spans);
  const tokens = buildTokens(text, index, check);
  lap('tokens');
  const symbols = buildSymbols(report, index, spans);
  const folding = buildFolding(index);
  const lenses = buildLenses(uri, report, spans);
  lap('symbols');
  return { uri, version, report, verdicts, rules: single.rules, index, diagnostics, tokens, symbols, folding, lenses, timings };
}

interface LineSpan {
  first: number;
  last: number;
  packets: PacketEntry[];
}

function connectionLines(report: AnalysisReport, index: IndexData): Map<number, LineSpan> {
  const out = new Map<number, LineSpan>();
  const byIndex = new Map<number, PacketEntry>();
  for (const p of index.packets) byIndex.set(p.index, p);
  for (const c of report.connections) {
    const packets = (c.packets ?? []).map((p) => byIndex.get(p.index)).filter((p): p is PacketEntry => !!p && p.firstLine >= 0);
    if (packets.length === 0) continue;
    out.set(c.id, { first: minOf(packets.map((p) => p.firstLine)), last: maxOf(packets.map((p) => p.lastLine)), packets });
  }
  return out;
}

function lineRange(line: number, index: IndexData, endLine = line): Range {
  const l = Math.max(0, Math.min(line, index.lineCount - 1));
  const e = Math.max(l, Math.min(endLine, index.lineCount - 1));
  return { start: { line: l, character: 0 }, end: { line: e, character: index.lineLength[e] ?? 0 } };
}

function locRange(loc: SourceLocation | null | undefined): Range | null {
  if (!loc || loc.kind !== 'text') return null;
  return { start: { line: loc.line, character: loc.column }, end: { line: loc.endLine, character: loc.endColumn } };
}

const SEVERITY: Record<ReportDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information,
};

function urlIn(text: string): string | null {
  const m = /https?:\/\/[^\s)\]>"']+/.exec(text);
  return m ? m[0].replace(/[.,;]$/, '') : null;
}

function buildDiagnostics(report: AnalysisReport, verdicts: ConnectionVerdict[], rules: RuleTexts, index: IndexData, spans: Map<number, LineSpan>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const packetLine = new Map<number, number>();
  for (const p of index.packets) packetLine.set(p.index, p.headerLine >= 0 ? p.headerLine : p.firstLine);
  const place = (d: ReportDiagnostic): Range => {
    const r = locRange(d.location);
    if (r) return r;
    if (d.packet !== undefined && packetLine.has(d.packet)) return lineRange(packetLine.get(d.packet) as number, index);
    if (d.connection !== undefined && spans.has(d.connection)) return lineRange((spans.get(d.connection) as LineSpan).first, index);
    return lineRange(0, index);
  };
  for (const d of report.diagnostics) out.push({ range: place(d), severity: SEVERITY[d.severity], code: d.code, source: SOURCE, message: d.message });
  for (const c of report.connections) {
    for (const d of c.diagnostics) out.push({ range: place({ ...d, connection: d.connection ?? c.id }), severity: SEVERITY[d.severity], code: d.code, source: SOURCE, message: `Connection ${c.id}: ${d.message}` });
  }
  for (const v of verdicts) {
    const span = spans.get(v.connection);
    if (v.interference.kind !== 'none' && span) {
      const words = v.interference.evidence.length ? `: ${v.interference.evidence.join(' ')}` : '';
      out.push({
        range: lineRange(span.first, index), severity: DiagnosticSeverity.Information, source: SOURCE, code: `verdict.${v.interference.kind}`,
        message: `Connection ${v.connection}: ${v.interference.kind === 'undetermined' ? 'interference undetermined from one vantage point' : `looks like ${v.interference.kind}`}${v.interference.firstMissingTlsMessage ? ` (first missing: ${v.interference.firstMissingTlsMessage})` : ''}${words}`,
      });
    }
    for (const s of v.suspects) {
      const range = locRange(s.range[0]) ?? (span ? lineRange(span.first, index) : null);
      if (!range) continue;
      const { reference } = ruleText(rules, s.rule);
      const href = urlIn(reference);
      out.push({
        range, severity: s.weight === 'low' ? DiagnosticSeverity.Information : DiagnosticSeverity.Warning, source: SOURCE,
        code: s.rule, ...(href ? { codeDescription: { href } } : {}),
        message: `Suspect field ${s.field}${s.value ? ` = ${s.value}` : ''} (${s.weight}): ${suspectWhy(rules, s)}${reference ? `\nSource: ${reference}` : ''}`,
      });
    }
  }
  return out;
}

/** Relative-encoded semantic tokens: header lines, offset columns, and every byte by layer / field. */
function buildTokens(text: string, d: IndexData, check: () => void): Uint32Array {
  const data: number[] = [];
  let prevLine = 0, prevChar = 0;
  const push = (line: number, start: number, length: number, type: number) => {
    if (length <= 0) return;
    data.push(line - prevLine, line === prevLine ? start - prevChar : start, length, type, 0);
    prevLine = line;
    prevChar = start;
  };
  const headerLines = new Set<number>();
  for (const p of d.packets) if (p.headerLine >= 0) headerLines.add(p.headerLine);
  const lineStarts = lineStartOffsets(text);
  const streamsByKey = new Map<string, IndexData['streams'][number]>();
  for (const s of d.streams) streamsByKey.set(`${s.conn}/${s.from}`, s);
  const tokenOfByte = (g: number, p: PacketEntry): number => {
    const inPacket = g - p.dataOffset;
    if (p.payloadOffset >= 0 && inPacket >= p.payloadOffset) {
      if (p.seq < 0 || !p.from) return -1;
      const s = streamsByKey.get(`${p.conn}/${p.from}`);
      const off = p.seq + (inPacket - p.payloadOffset);
      return s && off < s.tokenAt.length ? s.tokenAt[off] : -1;
    }
    if (p.tcpOffset >= 0 && inPacket >= p.tcpOffset) return TokenType.parameter;
    if (p.ipOffset >= 0 && inPacket >= p.ipOffset) return TokenType.class;
    if (p.ipOffset > 0 && inPacket < p.ipOffset) return TokenType.namespace;
    return -1;
  };
  const asciiRuns: Array<[number, number, number]> = [];
  for (let line = 0; line < d.lineCount; line++) {
    if ((line & 4095) === 0) check();
    if (headerLines.has(line)) {
      push(line, 0, d.lineLength[line], TokenType.comment);
      continue;
    }
    const first = d.lineFirstByte[line];
    if (first < 0) continue;
    const pi = d.linePacket[line];
    if (pi < 0) continue;
    const p = d.packets[pi];
    const firstCol = d.byteColumn[first];
    // The offset column ("0x0010:" / "0000") before the first byte.
    const prefix = text.slice(lineStarts[line], lineStarts[line] + firstCol);
    const m = /^(\s*)((?:0x)?[0-9a-fA-F]{4,8}:?)/.exec(prefix);
    if (m) push(line, m[1].length, m[2].length, TokenType.label);
    let runStart = -1, runEnd = -1, runType = -1;
    asciiRuns.length = 0;
    let aStart = -1, aEnd = -1, aType = -1;
    const count = d.lineByteCount[line];
    for (let g = first; g < first + count; g++) {
      if (d.byteLine[g] !== line) continue;
      const type = tokenOfByte(g, p);
      const col = d.byteColumn[g];
      if (type === runType && runType >= 0) {
        runEnd = col + 2;
      } else {
        if (runType >= 0) push(line, runStart, runEnd - runStart, runType);
        runStart = col;
        runEnd = col + 2;
        runType = type;
      }
      const a = d.byteAscii[g];
      if (a !== 0xffffffff) {
        if (type === aType && aType >= 0 && a === aEnd) {
          aEnd = a + 1;
        } else {
          if (aType >= 0) asciiRuns.push([aStart, aEnd, aType]);
          aStart = a;
          aEnd = a + 1;
          aType = type;
        }
      }
    }
    if (runType >= 0) push(line, runStart, runEnd - runStart, runType);
    if (aType >= 0) asciiRuns.push([aStart, aEnd, aType]);
    for (const [s, e, ty] of asciiRuns) if (s >= prevChar || prevLine !== line) push(line, s, e - s, ty);
  }
  return Uint32Array.from(data);
}

function lineStartOffsets(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

function endpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

function connectionTitle(c: ConnectionReport): string {
  return `Connection ${c.id}: ${endpoint(c.client)} → ${endpoint(c.server)}`;
}

function connectionDetail(c: ConnectionReport): string {
  const parts = [c.tls.serverName, c.tls.versionName, c.tls.cipherSuiteName, c.tls.lastMessage ? `last: ${c.tls.lastMessage}` : null,
    c.preamble ? (c.preamble.noTls === null ? `after ${c.preamble.chain.join(' › ')}` : `no TLS: ${c.preamble.noTls}`) : null];
  return parts.filter(Boolean).join(' · ');
}

function buildSymbols(report: AnalysisReport, index: IndexData, spans: Map<number, LineSpan>): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const c of report.connections) {
    const span = spans.get(c.id);
    if (!span) continue;
    const byPacket = new Map<number, ConnectionReport['messages']>();
    for (const m of c.messages) {
      if (m.packet < 0) continue;
      const list = byPacket.get(m.packet) ?? [];
      list.push(m);
      byPacket.set(m.packet, list);
    }
    const pr = new Map((c.packets ?? []).map((p) => [p.index, p]));
    const children: DocumentSymbol[] = span.packets.map((p) => {
      const info = pr.get(p.index);
      const range = lineRange(p.firstLine, index, p.lastLine);
      const head = lineRange(p.firstLine, index);
      const messages = (byPacket.get(p.index) ?? []).map((m): DocumentSymbol => {
        const loc = m.range.find((r) => r.kind === 'text' && r.line >= p.firstLine && r.line <= p.lastLine) ?? null;
        const sel = locRange(loc) ?? head;
        const lastLoc = [...m.range].reverse().find((r) => r.kind === 'text' && r.line <= p.lastLine);
        const endLine = lastLoc && lastLoc.kind === 'text' ? lastLoc.endLine : sel.end.line;
        const r: Range = { start: { line: sel.start.line, character: 0 }, end: { line: endLine, character: index.lineLength[endLine] ?? 0 } };
        const detail = m.serverHello ? m.serverHello.cipherSuiteName : m.clientHello?.serverName ?? (m.certificates?.[0]?.subjectCN ?? `${m.length} bytes`);
        return { name: m.name, detail: detail ?? undefined, kind: SymbolKind.Struct, range: r, selectionRange: sel };
      });
      const dir = info ? (info.from === 'client' ? '→' : '←') : '';
      return {
        name: `#${p.index + 1} ${dir} ${info ? `[${info.flags}]` : ''} len ${info?.length ?? p.payloadLength}`.replace(/\s+/g, ' ').trim(),
        detail: info && info.tls.length ? info.tls.join(', ') : undefined,
        kind: SymbolKind.Event, range, selectionRange: head, children: messages,
      };
    });
    out.push({ name: connectionTitle(c), detail: connectionDetail(c), kind: SymbolKind.Module, range: lineRange(span.first, index, span.last), selectionRange: lineRange(span.first, index), children });
  }
  return out;
}

function buildFolding(index: IndexData): FoldingRange[] {
  const out: FoldingRange[] = [];
  for (const p of index.packets) {
    if (p.firstLine >= 0 && p.lastLine > p.firstLine) out.push({ startLine: p.firstLine, endLine: p.lastLine, kind: FoldingRangeKind.Region });
  }
  return out;
}

function buildLenses(uri: string, report: AnalysisReport, spans: Map<number, LineSpan>): CodeLens[] {
  const out: CodeLens[] = [];
  for (const c of report.connections) {
    const span = spans.get(c.id);
    if (!span) continue;
    const range: Range = { start: { line: span.first, character: 0 }, end: { line: span.first, character: 0 } };
    const args = [uri, c.id];
    out.push({ range, command: { title: `$(graph-line) Open Timeline (connection ${c.id})`, command: LensCommand.openTimeline, arguments: args } });
    out.push({ range, command: { title: 'Compare With…', command: LensCommand.compareWith, arguments: args } });
    out.push({ range, command: { title: 'Export Report', command: LensCommand.exportReport, arguments: args } });
  }
  return out;
}

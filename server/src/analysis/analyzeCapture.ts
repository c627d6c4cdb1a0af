import type { AnalysisReport, ConnectionReport, InputReport, ReportDiagnostic } from '../../../shared/analysis';
import type { RuleTexts } from '../../../shared/compare';
import { CONTRACT_SCHEMA } from '../../../shared/analysis';
import type { CaptureSink, RawPacket } from '../capture/packet';
import { readCapture, readCaptureBytes, readCaptureData } from '../capture/readCapture';
import { buildConnectionReport } from '../output/connectionReport';
import { dropRanges } from '../output/sourceRanges';
import { CertificateCache } from '../x509/certificate';
import { describeRules, evaluateSuspects } from '../rules';
import type { UserRule } from '../rules/userRules';
import { PacketAnalyzer } from './analyzer';
import { buildQuicConnectionReport } from '../output/quicReport';
import { buildDtlsConnectionReport } from '../output/dtlsReport';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { MemoryBudget } from './memoryBudget';
import { assessEch, EchSightings } from './echAssessment';
import { KeyStore } from '../decrypt/keyStore';
import { findSidecar, loadKeyLogFiles } from '../decrypt/keyLogFiles';

export interface AnalyzeOptions {
  /** JA4S/JA4X (FoxIO License 1.1): computed only when the user opts in. */
  ja4plus?: boolean;
  /** Include per-packet timelines in the connection reports. */
  packets?: boolean;
  /** Keep only TLS connections in the result (the default); false keeps every TCP connection. */
  tlsOnly?: boolean;
  /** Called as each connection finishes, in finishing order: lets editors show results while the rest is read. */
  onConnection?(c: ConnectionReport): void;
  /** Keep finished connections in the returned report (default true). Streaming consumers set false to keep memory flat. */
  keep?: boolean;
  onProgress?(bytesRead: number, totalBytes: number): void;
  /** See ReadCaptureOptions.backpressure. */
  backpressure?(): Promise<unknown> | undefined;
  signal?: AbortSignal;
  /** The user's own suspect-field rules, applied with the built-in catalogue. */
  userRules?: UserRule[];
  /** Shared between runs so a certificate seen in many connections is decoded once. */
  certificates?: CertificateCache;
  /** Memory budget of the run in MiB (default 512): past it the oldest held data is shed, with a diagnostic. */
  maxMemoryMB?: number;
  /**
   * analyzeBytes only: sees every packet before the analyzer does (the
   * language server indexes a dump's byte positions in the same parse, and
   * stops a stale run from here by throwing).
   */
  onPacket?(p: RawPacket): void;
  /** NSS key log files (`--keylog`, the editor's `handshakeInspector.keyLogFiles`): TLS connections they have keys for are decrypted. */
  keyLogFiles?: string[];
  /** Look for `CAPTURE.keys` / `CAPTURE.keylog` next to a capture file (default true). */
  sidecarKeys?: boolean;
  /** Write each decrypted connection's secrets into the output (`--include-secrets`). */
  includeSecrets?: boolean;
  /**
   * Keep byte ranges (default true). False lets go of them once the
   * connection's own suspects are found (the hellos' stream maps, the `range`
   * of messages, certificates and alerts): for callers that hold many
   * connections and never show a range (compare without --ranges); they then
   * read empty.
   */
  keepRanges?: boolean;
  /** See MemoryBudget's `collectSlackMB`. */
  collectSlackMB?: number;
}

/** The run's keys: key log files, the capture's sidecar; the capture's own Decryption Secrets Blocks are added as they are read. */
function keyStoreFor(opts: AnalyzeOptions, capturePath: string | null): KeyStore {
  const keys = new KeyStore();
  loadKeyLogFiles(keys, opts.keyLogFiles ?? [], 'keylog');
  const sidecar = capturePath !== null && (opts.sidecarKeys ?? true) ? findSidecar(capturePath) : null;
  if (sidecar !== null) {
    loadKeyLogFiles(keys, [sidecar], 'sidecar');
    keys.note('info', 'decrypt.sidecar', { kind: 'sidecar', name: sidecar }, null, 'key log found next to the capture and used');
  }
  return keys;
}

function makeAnalyzer(opts: AnalyzeOptions, connections: ConnectionReport[], ruleIds: Set<string>, keys: KeyStore) {
  const certificates = opts.certificates ?? new CertificateCache();
  const keep = opts.keep ?? true;
  const tlsOnly = opts.tlsOnly ?? true;
  const sightings = new EchSightings();
  const emit = (report: ConnectionReport) => {
    const ech = assessEch(report, sightings);
    if (ech) report.ech = ech;
    if (report.isTls) report.suspects = evaluateSuspects(report, { userRules: opts.userRules });
    for (const x of report.suspects) ruleIds.add(x.rule);
    if (opts.keepRanges === false) dropRanges(report);
    opts.onConnection?.(report);
    if (keep) connections.push(report);
  };
  return new PacketAnalyzer(({ conn, tls }) => {
    // A summary-only dump cannot show TLS: its connections are all shown, marked so.
    if (tlsOnly && !(tls?.isTls ?? false) && !conn.noBytes && !(tls?.askedForTls ?? false)) return;
    emit(buildConnectionReport(conn, tls, { ja4plus: opts.ja4plus ?? false, packets: opts.packets ?? false, certificates, includeSecrets: opts.includeSecrets ?? false }));
  }, {
    hashPayloads: opts.packets ?? false, timeline: opts.packets ?? false, budget: new MemoryBudget(opts.maxMemoryMB, opts.collectSlackMB), keys,
    // QUIC connections are always listed: every one began with an Initial, which carries TLS.
    quic: (c) => emit(buildQuicConnectionReport(c, { packets: opts.packets ?? false, ja4plus: opts.ja4plus ?? false, certificates })),
    // DTLS associations are listed likewise: each began with a handshake record.
    dtls: (c) => emit(buildDtlsConnectionReport(c, { ja4plus: opts.ja4plus ?? false, packets: opts.packets ?? false, certificates })),
  });
}

function finish(analyzer: PacketAnalyzer, connections: ConnectionReport[], rules: () => RuleTexts, input: Omit<InputReport, 'packets' | 'tcpPackets' | 'skipped' | 'snaplenCut' | 'comments' | 'interfaces' | 'decryptionSecrets' | 'timeSpan'>): AnalysisReport {
  analyzer.end();
  connections.sort((a, b) => a.id - b.id);
  const s = analyzer.stats;
  const diagnostics: ReportDiagnostic[] = analyzer.diagnostics.map((d) => ({ ...d }));
  if (s.diagnosticsDropped > 0) {
    diagnostics.push({ severity: 'warning', code: 'input.too-many-diagnostics', location: null, message: `${s.diagnosticsDropped} further problems were not listed` });
  }
  diagnostics.push(...budgetSummary(analyzer));
  if (analyzer.keys) diagnostics.push(...analyzer.keys.diagnostics, ...analyzer.keys.summary());
  if (s.snaplenCut > 0) {
    diagnostics.push({ severity: 'info', code: 'capture.snaplen', location: null, message: `${s.snaplenCut} packets were cut short by the capture's snapshot length; their missing bytes are treated as gaps` });
  }
  return {
    schema: CONTRACT_SCHEMA,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    input: {
      ...input, packets: s.packets, tcpPackets: s.tcpPackets, skipped: s.skipped, snaplenCut: s.snaplenCut, comments: s.comments,
      interfaces: s.interfaces.map((i) => ({ id: i.id, linkType: i.linkType, name: i.name, description: i.description })),
      decryptionSecrets: s.secrets,
      ...(s.quicDatagrams > 0 ? { quicDatagrams: s.quicDatagrams } : {}),
      ...(s.dtlsDatagrams > 0 ? { dtlsDatagrams: s.dtlsDatagrams } : {}),
      ...(s.firstTime <= s.lastTime ? { timeSpan: { first: s.firstTime, last: s.lastTime } } : {}),
    },
    connections,
    diagnostics,
    // After end(): the connections still open are finished (and their suspects found) there.
    rules: rules(),
  };
}

/**
 * Whether a finished connection is one a `tlsOnly` run keeps (the filter in
 * makeAnalyzer, which decides before the report is built): a caller holding
 * an analysis of every connection takes the TLS-only view from it with this
 * instead of reading the capture again.
 */
export function isTlsView(c: ConnectionReport): boolean {
  return c.isTls || !c.tls.available || c.preamble?.towardTls === true;
}

/** What the memory budget made the run leave out, said once per kind at the end (where it started is said where it happened). */
function budgetSummary(analyzer: PacketAnalyzer): ReportDiagnostic[] {
  const b = analyzer.budget;
  if (!b) return [];
  const out: ReportDiagnostic[] = [];
  const mib = b.limit >> 20;
  if (b.shed.connections > 0) {
    out.push({ severity: 'warning', code: 'budget.connections', location: null, message: `memory budget (${mib} MiB): ${b.shed.connections} connections were finished early, oldest first, because too many were open at once; each is reported with what it had` });
  }
  if (b.shed['out-of-order'] > 0) {
    out.push({ severity: 'warning', code: 'budget.out-of-order', location: null, message: `memory budget (${mib} MiB): ${b.shed['out-of-order']} bytes waiting out of order were passed on past a hole early (the holes are the connections' gaps)` });
  }
  if (analyzer.fragmentsEvicted > 0) {
    out.push({ severity: 'warning', code: 'budget.fragments', location: null, message: `memory budget (${mib} MiB): ${analyzer.fragmentsEvicted} IP datagrams waiting for fragments were given up, oldest first, because too many waited at once` });
  }
  if (analyzer.stats.commentsDropped > 0) {
    out.push({ severity: 'warning', code: 'budget.comments', location: null, message: `memory budget (${mib} MiB): the comments of ${analyzer.stats.commentsDropped} packets were left out` });
  }
  return out;
}

/** Reads a capture file as a stream and analyses it. Throws only when the file can't be read or is no capture at all. */
export async function analyzeFile(path: string, opts: AnalyzeOptions = {}): Promise<AnalysisReport> {
  const connections: ConnectionReport[] = [];
  const ruleIds = new Set<string>();
  const analyzer = makeAnalyzer(opts, connections, ruleIds, keyStoreFor(opts, path));
  const backpressure = () => {
    analyzer.budget?.afterChunk();
    return opts.backpressure?.();
  };
  const r = await readCapture(path, analyzer, { onProgress: opts.onProgress, signal: opts.signal, backpressure });
  return finish(analyzer, connections, () => describeRules(ruleIds, opts.userRules), { path, format: r.format, compressed: r.compressed, sha256: r.sha256, bytes: r.bytes });
}

/**
 * Same for bytes in memory of any kind (an editor's bytes for a URI the
 * server cannot open), gzip included: inflated as a bounded stream off this
 * thread, with `backpressure` between chunks.
 */
export async function analyzeData(bytes: Uint8Array, path: string, opts: AnalyzeOptions = {}): Promise<AnalysisReport> {
  const connections: ConnectionReport[] = [];
  const ruleIds = new Set<string>();
  const analyzer = makeAnalyzer(opts, connections, ruleIds, keyStoreFor(opts, null));
  const backpressure = () => {
    analyzer.budget?.afterChunk();
    return opts.backpressure?.();
  };
  const r = await readCaptureData(bytes, analyzer, { name: path, signal: opts.signal, backpressure });
  return finish(analyzer, connections, () => describeRules(ruleIds, opts.userRules), { path, format: r.format, compressed: r.compressed, sha256: r.sha256, bytes: r.bytes });
}

/** Synchronously, for uncompressed bytes in memory (a text dump's model, tests). */
export function analyzeBytes(bytes: Uint8Array, path: string, opts: AnalyzeOptions = {}): AnalysisReport {
  const connections: ConnectionReport[] = [];
  // Bytes in memory have no file to sit next to: no sidecar (key log files given still count).
  const ruleIds = new Set<string>();
  const analyzer = makeAnalyzer(opts, connections, ruleIds, keyStoreFor(opts, null));
  const onPacket = opts.onPacket;
  const full: CaptureSink = analyzer;
  const sink: CaptureSink = onPacket ? {
    packet: (p) => {
      onPacket(p);
      analyzer.packet(p);
    },
    diagnostic: full.diagnostic.bind(analyzer), interface: full.interface?.bind(analyzer), secrets: full.secrets?.bind(analyzer), names: full.names?.bind(analyzer),
  } : analyzer;
  const r = readCaptureBytes(bytes, sink, path);
  return finish(analyzer, connections, () => describeRules(ruleIds, opts.userRules), { path, format: r.format, compressed: r.compressed, sha256: r.sha256, bytes: r.bytes });
}

import type { AnalysisReport, ConnectionReport } from '../../../shared/analysis';
import { CONTRACT_SCHEMA } from '../../../shared/analysis';
import type { CompareReport, ConnectionPair, RuleTexts, Suspect } from '../../../shared/compare';
import { analyzeFile, type AnalyzeOptions } from '../analysis/analyzeCapture';
import { CertificateCache } from '../x509/certificate';
import { describeRules, evaluateSuspects } from '../rules';
import { baselineDiff } from '../rules/baseline';
import type { UserRule } from '../rules/userRules';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { alignPackets, estimateClockOffset, joinPackets } from './classifyPackets';
import { isDatagramConnection, joinDatagrams } from './joinDatagrams';
import { connectionBrief, type CaptureBriefs } from './connectionBrief';
import { matchConnections, matchFacts, type Match } from './matchConnections';
import { unseenConnections, type JudgedMatch, type UnseenResult } from './unseenConnections';
import { captureSide, judgePair, judgeSingle } from './verdict';

export type SingleVantage = NonNullable<CompareReport['singleVantage']>[number];

export interface CompareOptions {
  ja4plus?: boolean;
  /** A connection known to work: `N` (id in the client capture) or a path to a third capture (its first TLS connection). */
  baseline?: string;
  userRules?: UserRule[];
  signal?: AbortSignal;
  /** Memory budget of each analysis, in MiB (see AnalyzeOptions). */
  maxMemoryMB?: number;
  /** Key log files for both captures (see AnalyzeOptions.keyLogFiles); each capture's sidecar is read too. */
  keyLogFiles?: string[];
  includeSecrets?: boolean;
  /** Keep the hellos' byte ranges (see AnalyzeOptions.keepRanges; default true): only output that shows ranges needs them. */
  keepRanges?: boolean;
  onProgress?(side: 'client' | 'relay', bytesRead: number, totalBytes: number): void;
}

/** Analyses both captures and compares every connection they share; relay may be null (one vantage point). */
export function compareCaptures(clientPath: string, relayPath: string | null, opts: CompareOptions = {}): Promise<CompareReport> {
  const spec = opts.baseline;
  const baseline = spec === undefined ? undefined : /^\d+$/.test(spec) ? Number(spec) : { name: spec, source: spec };
  return compareSources(clientPath, relayPath, (path, o) => analyzeFile(path, o), { ...opts, baseline });
}

/** A baseline: a connection id in the client capture, or a third capture (its first TLS connection), named for messages. */
export type BaselineSpec<S> = number | { name: string; source: S };

/**
 * The same for captures named any way the caller reads them (the language
 * server: files, bytes the editor sent, open documents, with its cache).
 */
export async function compareSources<S>(
  client: S, relay: S | null, analyse: (source: S, opts: AnalyzeOptions) => Promise<AnalysisReport>,
  opts: Omit<CompareOptions, 'baseline'> & { baseline?: BaselineSpec<S> } = {},
): Promise<CompareReport> {
  const certificates = new CertificateCache();
  const base: AnalyzeOptions = { packets: true, tlsOnly: false, ja4plus: opts.ja4plus, certificates, signal: opts.signal, maxMemoryMB: opts.maxMemoryMB,
    keyLogFiles: opts.keyLogFiles, includeSecrets: opts.includeSecrets, keepRanges: opts.keepRanges };
  const clientReport = await naming('client', () => analyse(client, { ...base, onProgress: (a, b) => opts.onProgress?.('client', a, b) }));
  const relayReport = relay !== null ? await naming('relay', () => analyse(relay, { ...base, onProgress: (a, b) => opts.onProgress?.('relay', a, b) })) : null;
  const byId = new Map(clientReport.connections.map((c) => [c.id, c]));
  const baseline = opts.baseline === undefined ? null
    : await resolveBaseline(opts.baseline, { get: (id) => byId.get(id), ids: () => clientReport.connections.map((c) => c.id) }, (s) => naming('baseline', () => analyse(s, base)));
  return compareReports(clientReport, relayReport, { userRules: opts.userRules, baselineConnection: baseline });
}

/** A capture that cannot be read fails the comparison with a reason that says which one it was. */
export async function naming<T>(which: 'client' | 'relay' | 'baseline', run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof Error && e.name !== 'AbortError') e.message = `${which} capture: ${e.message}`;
    throw e;
  }
}

/** The client capture's connections, by id (in memory, or on disk: streamedCompare.ts). */
export interface ConnectionLookup {
  get(id: number): ConnectionReport | undefined;
  ids(): number[];
}

export async function resolveBaseline<S>(spec: BaselineSpec<S>, client: ConnectionLookup, analyse: (s: S) => Promise<AnalysisReport>): Promise<ConnectionReport> {
  if (typeof spec === 'number') {
    const c = client.get(spec);
    if (!c) throw new Error(`baseline connection ${spec} is not in the client capture (it has ${client.ids().join(', ') || 'none'})`);
    return c;
  }
  const r = await analyse(spec.source);
  const c = r.connections.find((x) => x.serverHello) ?? r.connections.find((x) => x.isTls);
  if (!c) throw new Error(`baseline capture ${spec.name} has no TLS handshake`);
  return c;
}

/** What judging a pair needs besides the two connections. */
export interface PairOptions {
  userRules?: UserRule[];
  baselineConnection?: ConnectionReport | null;
}

/** The comparison proper, on analyses already made (the language server reuses cached ones). */
export function compareReports(client: AnalysisReport, relay: AnalysisReport | null, opts: PairOptions = {}): CompareReport {
  const report: CompareReport = { schema: CONTRACT_SCHEMA, tool: { name: TOOL_NAME, version: TOOL_VERSION }, client, relay, pairs: [], unmatched: { client: [], relay: [] }, rules: {} };
  if (!relay) {
    report.singleVantage = client.connections.filter(hasSingleVantage).map((c) => singleVantageOf(c, opts));
    report.rules = compareRules(report, opts.userRules);
    return report;
  }
  const clientById = new Map(client.connections.map((c) => [c.id, c]));
  const relayById = new Map(relay.connections.map((c) => [c.id, c]));
  const briefs = (a: AnalysisReport): CaptureBriefs => ({ input: a.input, connections: a.connections.map(connectionBrief) });
  const clientBriefs = briefs(client);
  const relayBriefs = briefs(relay);
  const briefById = (b: CaptureBriefs) => new Map(b.connections.map((x) => [x.id, x]));
  const clientBrief = briefById(clientBriefs);
  const relayBrief = briefById(relayBriefs);
  const { matches, unmatchedClient, unmatchedRelay } = matchConnections(client.connections.map(matchFacts), relay.connections.map(matchFacts));
  const judged: JudgedMatch[] = [];
  for (const m of matches) {
    const pair = judgeMatch(m, clientById.get(m.client)!, relayById.get(m.relay)!, opts);
    report.pairs.push(pair);
    judged.push({ client: clientBrief.get(m.client)!, relay: relayBrief.get(m.relay)!, clockOffset: pair.clockOffset, interference: pair.interference });
  }
  const unseen = unseenConnections(clientBriefs, relayBriefs, judged, unmatchedClient, unmatchedRelay, (id) => clientById.get(id)!);
  for (const u of unseen.pairs) report.pairs.push(unseenPair(u, opts));
  if (unseen.pairs.length > 0) report.pairs.sort((a, b) => a.client - b.client);
  addUnseen(report, unseen);
  report.rules = compareRules(report, opts.userRules);
  return report;
}

/** A connection a single capture judges: TLS, or anything with TCP packets. */
export function hasSingleVantage(c: ConnectionReport): boolean {
  return c.isTls || c.tcp.packets > 0;
}

/** What one vantage point tells of a connection. */
export function singleVantageOf(c: ConnectionReport, opts: PairOptions): SingleVantage {
  const interference = judgeSingle(c);
  return { connection: c.id, side: captureSide(c) ?? 'client', interference, suspects: evaluateSuspects(c, { userRules: opts.userRules }) };
}

/** One matched pair: the two timelines joined, clocks aligned, the verdict and the suspect fields. */
export function judgeMatch(m: Match, client: ConnectionReport, relay: ConnectionReport, opts: PairOptions): ConnectionPair {
  const joined = isDatagramConnection(client) || isDatagramConnection(relay) ? joinDatagrams(client, relay) : joinPackets(client, relay);
  const clockOffset = estimateClockOffset(joined.samples);
  const packets = alignPackets(joined.packets, clockOffset);
  const interference = judgePair(packets, client, relay, clockOffset);
  // The relay saw what the server sent, so its view of the server's flight is the complete one.
  const subject = relay.serverHello || !client.serverHello ? relay : client;
  const other = subject === relay ? client : relay;
  const pair: ConnectionPair = {
    client: client.id, relay: relay.id, matchedBy: m.matchedBy, matchScore: m.score, clockOffset, interference, packets,
    suspects: evaluateSuspects(subject, { interference, userRules: opts.userRules, other }),
  };
  if (opts.baselineConnection) pair.baselineDiff = baselineDiff(subject, opts.baselineConnection);
  return pair;
}

/** A client connection the relay never saw, as a pair with its suspects. */
export function unseenPair(u: UnseenResult['pairs'][number], opts: PairOptions): ConnectionPair {
  const full: ConnectionPair = { ...u.pair, suspects: evaluateSuspects(u.connection, { interference: u.pair.interference, userRules: opts.userRules }) };
  if (opts.baselineConnection) full.baselineDiff = baselineDiff(u.connection, opts.baselineConnection);
  return full;
}

/** What the unseen-connection search left unmatched, took as spoofed or found the relay capture did not cover. */
export function addUnseen(report: CompareReport, unseen: UnseenResult): void {
  report.unmatched = { client: unseen.unmatchedClient, relay: unseen.unmatchedRelay };
  if (unseen.spoofed.length > 0) report.spoofed = unseen.spoofed;
  if (unseen.uncovered.length > 0) report.uncovered = unseen.uncovered;
}

/**
 * compareRules for a comparison whose pairs are not held (streamedCompare.ts,
 * pairAsAnalysed.ts): the rules its pairs named as they were judged, and its
 * analyses' rules (those their connections' suspects name).
 */
export function heldRules(r: CompareReport, pairRules: Set<string>, userRules: readonly UserRule[] | undefined): RuleTexts {
  const ids = new Set(pairRules);
  for (const a of [r.client, r.relay]) for (const id of Object.keys(a?.rules ?? {})) ids.add(id);
  return describeRules(ids, userRules);
}

/** Every rule a suspect of the comparison names: its pairs', its single-vantage verdicts' and both analyses' connections'. */
export function compareRules(r: CompareReport, userRules: readonly UserRule[] | undefined): RuleTexts {
  const ids = new Set<string>();
  const note = (xs: readonly Suspect[]) => { for (const x of xs) ids.add(x.rule); };
  for (const p of r.pairs) note(p.suspects);
  for (const v of r.singleVantage ?? []) note(v.suspects);
  for (const a of [r.client, r.relay]) for (const c of a?.connections ?? []) note(c.suspects);
  return describeRules(ids, userRules);
}

/**
 * The comparison of two captures of any size within the run's memory budget
 * (issue #16): what compareSources does, with every connection's report and
 * every pair on disk (util/recordSpool.ts) from the moment it is made until
 * the output is written. Memory holds, per connection, what matching reads
 * (MatchFacts) and what the unseen-connection search and the text summary
 * read (ConnectionBrief): a few hundred bytes, against the ~10 kB of a report
 * with its packet timeline; 1.3 GB for two 200 MB captures held whole.
 *
 * The verdicts, suspects and document are the same as compareReports' on the
 * same analyses, byte for byte (test/engine/streamedCompare.test.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisReport, ConnectionReport } from '../../../shared/analysis';
import type { CompareReport, ConnectionPair, RuleTexts } from '../../../shared/compare';
import { CONTRACT_SCHEMA } from '../../../shared/analysis';
import type { AnalyzeOptions } from '../analysis/analyzeCapture';
import { describeRules } from '../rules';
import { RecordSpool, TEXT_CODEC } from '../util/recordSpool';
import { MemoryBudget } from '../analysis/memoryBudget';
import { PlannedCertificates, WrittenCertificates, type CertificateMemory } from '../output/jsonContract';
import { comparePairText, verdictLine, type TextOptions } from '../output/textSummary';
import { CertificateCache } from '../x509/certificate';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import type { BaselineSpec, CompareOptions } from './compareCaptures';
import { hasSingleVantage, judgeMatch, naming, resolveBaseline, singleVantageOf, unseenPair, type PairOptions, type SingleVantage } from './compareCaptures';
import type { CaptureSide, CompareDocument } from './compareDocument';
import { matchConnections, type Match } from './matchConnections';
import { SpooledCapture } from './spooledCapture';
import { COMPARE_WORKER, type CompareWorkerData, type CompareWorkerMessage } from './compareWorkerProtocol';
import { unseenConnections, type JudgedMatch } from './unseenConnections';

/** A comparison on disk: read it through CompareDocument, then close() it (which removes its files). */
export interface StreamedCompare extends CompareDocument {
  close(): void;
  /** Bytes the connections and pairs take on disk. */
  readonly spooledBytes: number;
}

/**
 * Writes the document's connections and pairs while they are in memory
 * (compareJsonRenderer): the document is then put together from their texts,
 * with no report read back from disk twice.
 */
export interface CompareRenderer {
  connection(c: ConnectionReport, written: CertificateMemory): string;
  pair(p: ConnectionPair): string;
}

export type StreamedCompareOptions<S> = Omit<CompareOptions, 'baseline'> & {
  baseline?: BaselineSpec<S>;
  render?: CompareRenderer;
  /** Write the text summary's pair blocks while judging (the CLI's compare without --json); not with `render`. */
  renderText?: TextOptions;
  /**
   * The file a source is, when it is one that `analyse` reads as analyzeFile
   * does: the relay's is then analysed on a second thread, beside the
   * client's (null, or not given: one after the other).
   */
  filePath?: (source: S) => string | null;
};

/** Analyses `path` on a worker thread into `capture`'s spool; `stop()` ends it (the other analysis failed). */
function analyseInWorker(capture: SpooledCapture, path: string, base: AnalyzeOptions, opts: Pick<CompareOptions, 'signal' | 'onProgress'>): { done: Promise<void>; stop(): void } {
  const data: CompareWorkerData = {
    side: 'relay', path, spoolPath: capture.spool.path, wantsCertificates: capture.wantsCertificates,
    options: { ja4plus: base.ja4plus, maxMemoryMB: base.maxMemoryMB, keyLogFiles: base.keyLogFiles, includeSecrets: base.includeSecrets, keepRanges: base.keepRanges, collectSlackMB: base.collectSlackMB },
  };
  let stop = () => undefined as void;
  const done = new Promise<void>((resolve, reject) => {
    const worker = new Worker(join(__dirname, COMPARE_WORKER), { workerData: data });
    let settled = false;
    const settle = (f: () => void) => { if (!settled) { settled = true; opts.signal?.removeEventListener('abort', onAbort); f(); } };
    const onAbort = () => { void worker.terminate(); settle(() => reject(opts.signal!.reason ?? Object.assign(new Error('cancelled'), { name: 'AbortError' }))); };
    stop = () => { void worker.terminate(); settle(() => reject(new Error('stopped'))); };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: CompareWorkerMessage) => {
      if (m.kind === 'progress') opts.onProgress?.('relay', m.read, m.total);
      else if (m.kind === 'done') settle(() => { capture.adopt(m.result); resolve(); });
      else settle(() => reject(Object.assign(new Error(m.message), { name: m.name })));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', () => settle(() => reject(new Error('the analysis thread stopped'))));
  });
  return { done, stop: () => stop() };
}

/**
 * Old-generation growth between forced full collections in a comparison's
 * analyses (MemoryBudget.afterChunk; the pair pass keeps the default: it makes
 * garbage faster, and 24 MiB there peaked near 512 MB). The analysis default, 8
 * MiB, collected each heap ~25 times per 200 MB capture, each marking every
 * connection's match facts so far: a fifth of a 200 MB self-compare's CPU.
 * At 24 MiB it took ~2 s less (of ~24) and peaked at ~455 MB against ~425.
 */
const COLLECT_SLACK_MB = 24;

/** Records judged between two full collections in the pair pass: see MemoryBudget.afterChunk. */
const COLLECT_EVERY = 256;

/**
 * compareSources, streamed: the same analyses, matching and judgement, with
 * the connections and pairs kept on disk. Each analysis has the memory
 * budget; the relay's runs on a second thread when `filePath` names its file.
 */
export async function compareStreamed<S>(
  clientSource: S, relaySource: S | null, analyse: (source: S, opts: AnalyzeOptions) => Promise<AnalysisReport>, opts: StreamedCompareOptions<S> = {},
): Promise<StreamedCompare> {
  const render = opts.render;
  const client = new SpooledCapture('client');
  const relay = relaySource === null ? null : new SpooledCapture('relay');
  if (relay && render) relay.wantsCertificates = true;
  const renderText = render ? undefined : opts.renderText;
  // Each pair as the output needs it: its text when one is rendered, else the pair itself.
  const pairTexts = render || renderText ? new RecordSpool<string>('pair-texts', TEXT_CODEC) : null;
  const pairs = pairTexts ? null : new RecordSpool<ConnectionPair>('pairs');
  const clientTexts = render ? new RecordSpool<string>('client-texts', TEXT_CODEC) : null;
  const relayTexts = render && relay ? new RecordSpool<string>('relay-texts', TEXT_CODEC) : null;
  const spools = [client.spool, relay?.spool, pairs, pairTexts, clientTexts, relayTexts];
  const closeAll = () => { for (const s of spools) s?.close(); };
  try {
    const certificates = new CertificateCache();
    const budget = new MemoryBudget(opts.maxMemoryMB);
    const base: AnalyzeOptions = { packets: true, tlsOnly: false, ja4plus: opts.ja4plus, certificates, signal: opts.signal, maxMemoryMB: opts.maxMemoryMB,
      keyLogFiles: opts.keyLogFiles, includeSecrets: opts.includeSecrets, keepRanges: opts.keepRanges, keep: false, collectSlackMB: COLLECT_SLACK_MB };
    const pairOpts: PairOptions = { userRules: opts.userRules };
    // One vantage point: each connection is judged as it finishes, while its report is still in memory.
    const single: SingleVantage[] = [];
    const onClient = relay === null
      ? (c: ConnectionReport) => { if (hasSingleVantage(c)) single.push(singleVantageOf(c, pairOpts)); client.add(c); }
      : (c: ConnectionReport) => client.add(c);
    const relayPath = relay && relaySource !== null ? opts.filePath?.(relaySource) ?? null : null;
    const worker = relay && relayPath !== null && existsSync(join(__dirname, COMPARE_WORKER)) ? analyseInWorker(relay, relayPath, base, opts) : null;
    const inWorker = worker && naming('relay', () => worker.done);
    // Whichever fails first is the error; the other is not left running.
    inWorker?.catch(() => undefined);
    try {
      client.finished(await naming('client', () => analyse(clientSource, { ...base, onConnection: onClient, onProgress: (a, b) => opts.onProgress?.('client', a, b) })));
    } catch (e) {
      worker?.stop();
      throw e;
    }
    if (inWorker) await inWorker;
    else if (relay && relaySource !== null) {
      relay.finished(await naming('relay', () => analyse(relaySource, { ...base, onConnection: (c) => relay.add(c), onProgress: (a, b) => opts.onProgress?.('relay', a, b) })));
    }
    if (opts.baseline !== undefined) {
      pairOpts.baselineConnection = await resolveBaseline(opts.baseline, { get: (id) => client.get(id), ids: () => client.briefs.map((b) => b.id) },
        (s: S) => naming('baseline', () => analyse(s, { ...base, keep: true })));
    }
    const head: CompareReport = {
      schema: CONTRACT_SCHEMA, tool: { name: TOOL_NAME, version: TOOL_VERSION }, client: client.analysis!, relay: relay?.analysis ?? null,
      pairs: [], unmatched: { client: [], relay: [] }, rules: {},
    };
    const ruleIds = new Set<string>();
    // The pairs in the document's order (by client connection id), by record.
    const order: Array<{ client: number; record: number }> = [];
    const relayTextAt = new Map<number, number>();
    let judgedCount = 0;
    const tick = () => { if (++judgedCount % COLLECT_EVERY === 0) { opts.signal?.throwIfAborted(); budget.afterChunk(); } };
    // The rule texts the pair blocks so far name (the text summary gives each suspect's title).
    const ruleTexts: RuleTexts = {};
    const textOf = (pair: ConnectionPair): string => {
      for (const x of pair.suspects) if (!(x.rule in ruleTexts)) Object.assign(ruleTexts, describeRules([x.rule], opts.userRules));
      const where = (side: SpooledCapture, id: number) => side.brief(id)!;
      // The verdict line first: it is one line, so the block starts after the first newline.
      return `${verdictLine(pair)}\n${comparePairText(pair, where(client, pair.client), pair.relay === null ? null : where(relay!, pair.relay), ruleTexts, renderText!)}`;
    };
    const addPair = (pair: ConnectionPair) => {
      for (const x of pair.suspects) ruleIds.add(x.rule);
      const record = render ? pairTexts!.add(render.pair(pair)) : renderText ? pairTexts!.add(textOf(pair)) : pairs!.add(pair);
      order.push({ client: pair.client, record });
    };
    if (!relay) {
      single.sort((a, b) => a.connection - b.connection);
      head.singleVantage = single;
      for (const v of single) for (const x of v.suspects) ruleIds.add(x.rule);
      if (render) {
        const written = new WrittenCertificates();
        for (const c of client.inOrder()) { clientTexts!.add(render.connection(c, written)); tick(); }
      }
    } else {
      const { matches, unmatchedClient, unmatchedRelay } = matchConnections(client.facts, relay.facts);
      client.facts = [];
      relay.facts = [];
      const judged: JudgedMatch[] = [];
      const judge = (m: Match, c: ConnectionReport) => {
        const r = relay.get(m.relay)!;
        const pair = judgeMatch(m, c, r, pairOpts);
        addPair(pair);
        // Only the verdict's kind: the evidence of 22,000 pairs was most of what the pass held.
        judged.push({ client: client.brief(m.client)!, relay: relay.brief(m.relay)!, clockOffset: pair.clockOffset, interference: { kind: pair.interference.kind } });
        return r;
      };
      if (render) {
        // Every connection is read once: the client's in id order (the order they are written in), each relay
        // connection with the client connection it pairs with, the relay's others after.
        const relayPlan = new PlannedCertificates(relay.certificates);
        relay.certificates = [];
        const clientWritten = new WrittenCertificates();
        const byClient = new Map(matches.map((m) => [m.client, m]));
        for (const b of client.briefs) {
          const c = client.get(b.id)!;
          const m = byClient.get(b.id);
          if (m) {
            const r = judge(m, c);
            relayTextAt.set(r.id, relayTexts!.add(render.connection(r, relayPlan)));
          }
          clientTexts!.add(render.connection(c, clientWritten));
          tick();
        }
        for (const id of unmatchedRelay) {
          relayTextAt.set(id, relayTexts!.add(render.connection(relay.get(id)!, relayPlan)));
          tick();
        }
      } else {
        for (const m of matches) { judge(m, client.get(m.client)!); tick(); }
      }
      const unseen = unseenConnections(client.view(), relay.view(), judged, unmatchedClient, unmatchedRelay, (id) => client.get(id)!);
      for (const u of unseen.pairs) addPair(unseenPair(u, pairOpts));
      if (unseen.pairs.length > 0) order.sort((a, b) => a.client - b.client);
      head.unmatched = { client: unseen.unmatchedClient, relay: unseen.unmatchedRelay };
      if (unseen.spoofed.length > 0) head.spoofed = unseen.spoofed;
      if (unseen.uncovered.length > 0) head.uncovered = unseen.uncovered;
    }
    // The analyses' rules are those their connections' suspects name.
    for (const a of [head.client, head.relay]) for (const id of Object.keys(a?.rules ?? {})) ruleIds.add(id);
    head.rules = describeRules(ruleIds, opts.userRules);
    const side = (s: CaptureSide) => (s === 'client' ? client : relay);
    const spooled = <T>(spool: RecordSpool<T>, records: Iterable<number>) => (function* () { for (const i of records) yield spool.get(i); })();
    const doc: StreamedCompare = {
      head,
      pairCount: order.length,
      *pairs() {
        if (!pairs) throw new Error('this comparison was written as text while judged: read rendered or renderedText');
        yield* spooled(pairs, order.map((o) => o.record));
      },
      connectionCount: (s) => side(s)?.briefs.length ?? 0,
      connections: (s) => side(s)?.inOrder() ?? [],
      endpoints: (s, id) => side(s)?.brief(id),
      get spooledBytes() { return spools.reduce((n, x) => n + (x?.bytes ?? 0), 0); },
      close: closeAll,
      ...(renderText ? {
        *renderedText() {
          for (const t of spooled(pairTexts!, order.map((o) => o.record))) {
            const at = t.indexOf('\n');
            yield { verdict: t.slice(0, at), block: t.slice(at + 1) };
          }
        },
      } : {}),
      ...(render ? {
        rendered: {
          connections: (s: CaptureSide) => (s === 'client'
            ? spooled(clientTexts!, Array.from({ length: clientTexts!.length }, (_, i) => i))
            : spooled(relayTexts!, relay!.briefs.map((b) => relayTextAt.get(b.id)!))),
          pairs: () => spooled(pairTexts!, order.map((o) => o.record)),
        },
      } : {}),
    };
    return doc;
  } catch (e) {
    closeAll();
    throw e;
  }
}

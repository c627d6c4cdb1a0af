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
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisReport, ConnectionReport } from '../../../shared/analysis';
import type { CompareReport, ConnectionPair, RuleTexts } from '../../../shared/compare';
import { CONTRACT_SCHEMA } from '../../../shared/analysis';
import type { AnalyzeOptions } from '../analysis/analyzeCapture';
import { RecordSpool, TEXT_CODEC } from '../util/recordSpool';
import { MemoryBudget } from '../analysis/memoryBudget';
import { PlannedCertificates, WrittenCertificates, type CertificateMemory, type JsonOptions } from '../output/jsonContract';
import type { TextOptions } from '../output/textSummary';
import { CertificateCache } from '../x509/certificate';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import type { BaselineSpec, CompareOptions } from './compareCaptures';
import { addUnseen, hasSingleVantage, heldRules, naming, resolveBaseline, singleVantageOf, unseenPair, type PairOptions, type SingleVantage } from './compareCaptures';
import type { CaptureSide, CompareDocument } from './compareDocument';
import { judgeShare, pairText, pairTextParts, type ShareOutput, type ShareResult, type ShareWork } from './judgeShare';
import { matchConnections } from './matchConnections';
import { compareAsAnalysed } from './pairAsAnalysed';
import { SpooledCapture } from './spooledCapture';
import { COMPARE_WORKER, type CompareWorkerData, type CompareWorkerMessage, type JudgeRequest } from './compareWorkerProtocol';
import { unseenConnections, type JudgedMatch } from './unseenConnections';

/** A comparison on disk: read it through CompareDocument, then close() it (which removes its files). */
export interface StreamedCompare extends CompareDocument {
  close(): void;
  /** Bytes the connections and pairs take on disk. */
  readonly spooledBytes: number;
  /** Threads the pairs were judged on: 2 when the second thread took a share. */
  readonly judgedOn: number;
  /** Pairs judged while the captures were still being analysed (pairAsAnalysed.ts); absent when the comparison was spooled. */
  readonly judgedEarly?: number;
}

/**
 * Writes the document's connections and pairs while they are in memory
 * (compareJsonRenderer): the document is then put together from their texts,
 * with no report read back from disk twice.
 */
export interface CompareRenderer {
  connection(c: ConnectionReport, written: CertificateMemory): string;
  pair(p: ConnectionPair): string;
  /** The options the renderer was made with: the second thread then writes its share the same way. */
  options?: JsonOptions;
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

/**
 * A comparison's second thread (compareAnalysisWorker.ts): the relay's
 * analysis, or a share of the judging. Its answers are taken one at a time;
 * a failure, a cancel or the thread's end rejects the one awaited.
 */
class CompareThread {
  private readonly worker: Worker;
  private waiting: { resolve(m: CompareWorkerMessage): void; reject(e: unknown): void } | null = null;
  private ended: Error | null = null;
  private readonly onAbort = () => this.end(this.signal!.reason ?? Object.assign(new Error('cancelled'), { name: 'AbortError' }));

  constructor(data: CompareWorkerData, private readonly signal: AbortSignal | undefined, onProgress?: (read: number, total: number) => void) {
    this.worker = new Worker(join(__dirname, COMPARE_WORKER), { workerData: data });
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.worker.on('message', (m: CompareWorkerMessage) => {
      if (m.kind === 'progress') {
        onProgress?.(m.read, m.total);
        return;
      }
      const w = this.waiting;
      this.waiting = null;
      if (m.kind === 'error') w?.reject(Object.assign(new Error(m.message), { name: m.name }));
      else w?.resolve(m);
    });
    this.worker.on('error', (e) => this.end(e));
    this.worker.on('exit', () => this.end(new Error('the second thread of the comparison stopped')));
  }

  /** Its next answer. */
  next<K extends CompareWorkerMessage['kind']>(kind: K, request?: JudgeRequest): Promise<Extract<CompareWorkerMessage, { kind: K }>> {
    const answer = new Promise<CompareWorkerMessage>((resolve, reject) => {
      if (this.ended) reject(this.ended);
      else this.waiting = { resolve, reject };
    });
    if (request && !this.ended) this.worker.postMessage(request);
    return answer.then((m) => {
      if (m.kind !== kind) throw new Error(`the comparison's second thread answered ${m.kind}, not ${kind}`);
      return m as Extract<CompareWorkerMessage, { kind: K }>;
    });
  }

  /** Ends the thread (its work is done, or the comparison failed or was cancelled). */
  stop(): void {
    this.end(new Error('stopped'));
  }

  private end(e: Error): void {
    if (this.ended) return;
    this.ended = e;
    this.signal?.removeEventListener('abort', this.onAbort);
    void this.worker.terminate();
    const w = this.waiting;
    this.waiting = null;
    w?.reject(e);
  }
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

/**
 * The same when both analyses share this thread's heap (pairAsAnalysed.ts):
 * each analysis' budget sees the other's growth too, and at 24 MiB they
 * forced 29 full collections of a heap holding both captures' match facts
 * (1.7 s of a 200 MB self-compare's 20). At 64: 14.7 s, peak RSS 426 MB
 * against 387; 128 was no faster and peaked at 489 MB.
 */
const EARLY_COLLECT_SLACK_MB = 64;

/** Records judged between two full collections in the pair pass: see MemoryBudget.afterChunk. */
const COLLECT_EVERY = 256;

/**
 * Fewer matches than this are judged on the main thread alone: handing a
 * share to a second thread costs a message each way and its opening of both
 * spools, which a handful of pairs does not repay.
 */
const SHARE_FROM = 2;

/**
 * Whether the client's capture is so much larger than the relay's that most
 * of its connections come in after the relay's are all in: each then waits
 * for a partner that never comes, on disk past a few thousand (their reports
 * are read for the connections the relay never saw), on one thread. A 200 MB
 * client against a 5 MB relay took 10.1 s that way and 7.4 s spooled on two
 * threads. (The other way round, the relay's connections no waiting client
 * connection could pair with are let go: 3.9 s against 9.7.)
 */
function clientFarLarger(clientPath: string, relayPath: string): boolean {
  try {
    return statSync(clientPath).size > 4 * statSync(relayPath).size;
  } catch {
    // Unreadable: the analysis says why.
    return false;
  }
}

/** A text or pair in one of the spools: the main thread's share or the second thread's. */
interface SpoolRef<T> {
  spool: RecordSpool<T>;
  record: number;
}

/**
 * compareSources, streamed: the same analyses, matching and judgement, with
 * the connections and pairs kept on disk. Each analysis has the memory
 * budget; the relay's runs on a second thread when `filePath` names its file.
 * After matching, a fresh second thread judges half of the pairs.
 */
export async function compareStreamed<S>(
  clientSource: S, relaySource: S | null, analyse: (source: S, opts: AnalyzeOptions) => Promise<AnalysisReport>, opts: StreamedCompareOptions<S> = {},
): Promise<StreamedCompare> {
  const render = opts.render;
  const renderText = render ? undefined : opts.renderText;
  const base: AnalyzeOptions = { packets: true, tlsOnly: false, ja4plus: opts.ja4plus, certificates: new CertificateCache(), signal: opts.signal, maxMemoryMB: opts.maxMemoryMB,
    keyLogFiles: opts.keyLogFiles, includeSecrets: opts.includeSecrets, keepRanges: opts.keepRanges, keep: false, collectSlackMB: COLLECT_SLACK_MB };
  // Two files compared as text: pairs judged as both are analysed, with no report on disk, unless the
  // whole-capture matching disagrees with an early pair (then the spooled way below). A baseline is only known after.
  const clientFile = relaySource !== null ? opts.filePath?.(clientSource) : null;
  const relayFile = relaySource !== null ? opts.filePath?.(relaySource) : null;
  if (renderText && relaySource !== null && opts.baseline === undefined && clientFile && relayFile && !clientFarLarger(clientFile, relayFile)) {
    const early = await compareAsAnalysed(clientSource, relaySource, analyse, { ...base, collectSlackMB: EARLY_COLLECT_SLACK_MB }, { pairOpts: { userRules: opts.userRules }, renderText, signal: opts.signal, onProgress: opts.onProgress });
    if (early) return early;
  }
  const client = new SpooledCapture('client');
  const relay = relaySource === null ? null : new SpooledCapture('relay');
  // Certificates are written by reference to the first connection (in id order) that has them: planned from the hashes.
  if (relay && render) client.wantsCertificates = relay.wantsCertificates = true;
  const spools: Array<RecordSpool<unknown> | undefined> = [client.spool as RecordSpool<unknown>, relay?.spool as RecordSpool<unknown> | undefined];
  const spool = <T>(name: string, codec?: ConstructorParameters<typeof RecordSpool<T>>[1]): RecordSpool<T> => {
    const x = new RecordSpool<T>(name, codec);
    spools.push(x as RecordSpool<unknown>);
    return x;
  };
  // Each pair as the output needs it: its text when one is rendered, else the pair itself.
  const pairSpool = () => (render || renderText ? spool<string>('pair-texts', TEXT_CODEC) as RecordSpool<unknown> : spool<ConnectionPair>('pairs') as RecordSpool<unknown>);
  const pairs = pairSpool();
  const clientTexts = render ? spool<string>('client-texts', TEXT_CODEC) : null;
  const relayTexts = render && relay ? spool<string>('relay-texts', TEXT_CODEC) : null;
  const threads: CompareThread[] = [];
  const closeAll = () => {
    for (const t of threads) t.stop();
    for (const s of spools) s?.close();
  };
  try {
    const budget = new MemoryBudget(opts.maxMemoryMB);
    const pairOpts: PairOptions = { userRules: opts.userRules };
    // One vantage point: each connection is judged as it finishes, while its report is still in memory.
    const single: SingleVantage[] = [];
    const onClient = relay === null
      ? (c: ConnectionReport) => { if (hasSingleVantage(c)) single.push(singleVantageOf(c, pairOpts)); client.add(c); }
      : (c: ConnectionReport) => client.add(c);
    const relayPath = relay ? relayFile ?? null : null;
    const threaded = existsSync(join(__dirname, COMPARE_WORKER));
    const analysing = relay && relayPath !== null && threaded ? new CompareThread({
      task: 'analyse', side: 'relay', path: relayPath, spoolPath: relay.spool.path, wantsCertificates: relay.wantsCertificates,
      options: { ja4plus: base.ja4plus, maxMemoryMB: base.maxMemoryMB, keyLogFiles: base.keyLogFiles, includeSecrets: base.includeSecrets, keepRanges: base.keepRanges, collectSlackMB: base.collectSlackMB },
    }, opts.signal, (a, b) => opts.onProgress?.('relay', a, b)) : null;
    if (analysing) threads.push(analysing);
    const inThread = analysing && naming('relay', async () => relay!.adopt((await analysing.next('done')).result));
    // Whichever fails first is the error; the other is not left running.
    inThread?.catch(() => undefined);
    client.finished(await naming('client', () => analyse(clientSource, { ...base, onConnection: onClient, onProgress: (a, b) => opts.onProgress?.('client', a, b) })));
    if (inThread) await inThread;
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
    let judgedOn = 1;
    // The pairs in the document's order (by client id), the connections' texts in theirs.
    const order: Array<{ client: number } & SpoolRef<unknown>> = [];
    const clientTextRefs: Array<SpoolRef<string>> = [];
    const relayTextAt = new Map<number, SpoolRef<string>>();
    let judgedCount = 0;
    const tick = () => { if (++judgedCount % COLLECT_EVERY === 0) { opts.signal?.throwIfAborted(); budget.afterChunk(); } };
    const addPair = (pair: ConnectionPair) => {
      for (const x of pair.suspects) ruleIds.add(x.rule);
      const record = render ? pairs.add(render.pair(pair)) : renderText ? pairs.add(pairText(pair, client, relay ?? client, ruleTexts, opts.userRules, renderText)) : pairs.add(pair);
      order.push({ client: pair.client, spool: pairs, record });
    };
    const ruleTexts: RuleTexts = {};
    if (!relay) {
      single.sort((a, b) => a.connection - b.connection);
      head.singleVantage = single;
      for (const v of single) for (const x of v.suspects) ruleIds.add(x.rule);
      if (render) {
        const written = new WrittenCertificates();
        for (const c of client.inOrder()) { clientTextRefs.push({ spool: clientTexts!, record: clientTexts!.add(render.connection(c, written)) }); tick(); }
      }
    } else {
      // The thread for the second share starts (a fresh heap: the analysis thread's held ~100 MB of garbage) while this one matches.
      const judging = threaded && !(opts.userRules && opts.userRules.length > 0) && (!render || render.options !== undefined) && client.facts.length >= SHARE_FROM
        ? new CompareThread({ task: 'judge' }, opts.signal) : null;
      if (judging) threads.push(judging);
      const { matches, unmatchedClient, unmatchedRelay } = matchConnections(client.facts, relay.facts);
      client.facts = [];
      relay.facts = [];
      const clientIds = client.briefs.map((b) => b.id);
      // The second thread takes the second half (unless a share cannot cross to it: user rules are code).
      const shared = judging !== null && matches.length >= SHARE_FROM;
      if (!shared) judging?.stop();
      // JSON: the client's connections (each with its pair), then the relay's unpaired ones, split in two runs (a small
      // client capture against a big relay capture is mostly the latter).
      const nc = clientIds.length;
      const clientsIn = (from: number, to: number) => Math.max(0, Math.min(to, nc) - Math.min(from, nc));
      const workOf = (from: number, to: number): ShareWork => {
        if (!render) return { matches: matches.slice(from, to) };
        const ids = clientIds.slice(Math.min(from, nc), Math.min(to, nc));
        const mine = new Set(ids);
        return { matches: matches.filter((m) => mine.has(m.client)), clientIds: ids, unmatchedRelay: unmatchedRelay.slice(Math.max(from - nc, 0), Math.max(to - nc, 0)) };
      };
      const total = render ? nc + unmatchedRelay.length : matches.length;
      const half = shared ? Math.ceil(total / 2) : total;
      const plans = render ? { clientPlan: new PlannedCertificates(client.certificates), relayPlan: new PlannedCertificates(relay.certificates) } : null;
      // The second thread plans the same from both captures' hashes.
      const clientCertificates = shared && render ? client.certificates : [];
      const relayCertificates = shared && render ? relay.certificates : [];
      client.certificates = [];
      relay.certificates = [];
      const mainOutput: ShareOutput = render
        ? { kind: 'json', connection: render.connection, pair: render.pair, pairTexts: pairs as RecordSpool<string>, clientTexts: clientTexts!, relayTexts: relayTexts!, ...plans! }
        : renderText ? { kind: 'text', options: renderText, pairTexts: pairs as RecordSpool<string> } : { kind: 'pairs', pairs: pairs as RecordSpool<ConnectionPair> };
      // The other share's spools: made (and removed) here, written there.
      const theirs = shared ? { pairs: pairSpool(), clientTexts: render ? spool<string>('client-texts', TEXT_CODEC) : undefined, relayTexts: render ? spool<string>('relay-texts', TEXT_CODEC) : undefined } : null;
      const answer = shared ? judging!.next('judged', {
        kind: 'judge', work: workOf(half, total),
        client: { path: client.spool.path, records: client.spool.finish(), ids: client.ids(), briefs: client.briefs, certificates: clientCertificates },
        relay: { path: relay.spool.path, records: relay.spool.finish(), ids: relay.ids(), briefs: relay.briefs, certificates: relayCertificates },
        output: render ? { kind: 'json', options: render.options! } : renderText ? { kind: 'text', options: renderText } : { kind: 'pairs' },
        spools: { pairs: theirs!.pairs.path, clientTexts: theirs!.clientTexts?.path, relayTexts: theirs!.relayTexts?.path },
        baselineConnection: pairOpts.baselineConnection ?? null, maxMemoryMB: opts.maxMemoryMB,
      }) : null;
      answer?.catch(() => undefined);
      const mine = judgeShare(workOf(0, half), { client, relay, pairOpts, output: mainOutput, tick });
      const results: Array<{ result: ShareResult; pairs: RecordSpool<unknown>; clientTexts: RecordSpool<string> | null; relayTexts: RecordSpool<string> | null; clientCount: number }> = [
        { result: mine, pairs, clientTexts, relayTexts, clientCount: render ? clientsIn(0, half) : 0 },
      ];
      if (answer) {
        const m = await answer;
        theirs!.pairs.adopt(m.spools.pairs);
        if (m.spools.clientTexts) theirs!.clientTexts!.adopt(m.spools.clientTexts);
        if (m.spools.relayTexts) theirs!.relayTexts!.adopt(m.spools.relayTexts);
        judgedOn = 2;
        results.push({ result: m.result, pairs: theirs!.pairs, clientTexts: theirs!.clientTexts ?? null, relayTexts: theirs!.relayTexts ?? null, clientCount: render ? clientsIn(half, total) : 0 });
      }
      judging?.stop();
      const judged: JudgedMatch[] = [];
      for (const r of results) {
        for (const x of r.result.ruleIds) ruleIds.add(x);
        for (const p of r.result.pairs) {
          order.push({ client: p.client, spool: r.pairs, record: p.record });
          judged.push({ client: client.brief(p.client)!, relay: relay.brief(p.relay)!, clockOffset: p.clockOffset, interference: { kind: p.kind } });
        }
        for (const [id, record] of r.result.relayTexts) relayTextAt.set(id, { spool: r.relayTexts!, record });
        for (let i = 0; i < r.clientCount; i++) clientTextRefs.push({ spool: r.clientTexts!, record: i });
      }
      const unseen = unseenConnections(client.view(), relay.view(), judged, unmatchedClient, unmatchedRelay, (id) => client.get(id)!);
      for (const u of unseen.pairs) addPair(unseenPair(u, pairOpts));
      if (unseen.pairs.length > 0) order.sort((a, b) => a.client - b.client);
      addUnseen(head, unseen);
    }
    head.rules = heldRules(head, ruleIds, opts.userRules);
    const side = (s: CaptureSide) => (s === 'client' ? client : relay);
    const read = <T>(refs: Iterable<SpoolRef<T>>) => (function* () { for (const r of refs) yield r.spool.get(r.record); })();
    const doc: StreamedCompare = {
      head,
      pairCount: order.length,
      *pairs() {
        if (render || renderText) throw new Error('this comparison was written as text while judged: read rendered or renderedText');
        yield* read(order as Array<SpoolRef<ConnectionPair>>);
      },
      connectionCount: (s) => side(s)?.briefs.length ?? 0,
      connections: (s) => side(s)?.inOrder() ?? [],
      endpoints: (s, id) => side(s)?.brief(id),
      get spooledBytes() { return spools.reduce((n, x) => n + (x?.bytes ?? 0), 0); },
      judgedOn,
      close: closeAll,
      ...(renderText ? {
        *renderedText() {
          for (const t of read(order as Array<SpoolRef<string>>)) yield pairTextParts(t);
        },
      } : {}),
      ...(render ? {
        rendered: {
          connections: (s: CaptureSide) => (s === 'client' ? read(clientTextRefs) : read(relay!.briefs.map((b) => relayTextAt.get(b.id)!))),
          pairs: () => read(order as Array<SpoolRef<string>>),
        },
      } : {}),
    };
    return doc;
  } catch (e) {
    closeAll();
    throw e;
  }
}

/**
 * A comparison's second thread (streamedCompare.ts), for one of two tasks.
 * The relay capture's analysis, beside the main thread's of the client's: the
 * two are independent until matching, and each is most of a comparison's
 * time; it writes the connections into the main thread's spool file and
 * hands back where they are, with their match facts and briefs. Or, once
 * the main thread matches, a share of the judging (judgeShare.ts): reading
 * both captures' reports back from disk for it is most of the rest. Bundled
 * on its own (dist/compareAnalysisWorker.js), next to the CLI.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ConnectionPair } from '../../../shared/compare';
import { analyzeFile } from '../analysis/analyzeCapture';
import { MemoryBudget } from '../analysis/memoryBudget';
import { compareJsonRenderer, PlannedCertificates } from '../output/jsonContract';
import { RecordSpool, TEXT_CODEC } from '../util/recordSpool';
import { judgeShare, type ShareOutput } from './judgeShare';
import { SpooledCapture } from './spooledCapture';
import type { AnalyseData, CompareWorkerData, CompareWorkerMessage, JudgeRequest, SpooledSide } from './compareWorkerProtocol';
import type { CaptureSide } from './compareDocument';

const post = (m: CompareWorkerMessage) => parentPort!.postMessage(m);
const failed = (e: unknown): CompareWorkerMessage => ({ kind: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) });

/** Records judged between two looks at the memory budget (as on the main thread). */
const COLLECT_EVERY = 256;

async function analyse(data: AnalyseData): Promise<void> {
  const capture = new SpooledCapture(data.side, data.spoolPath);
  capture.wantsCertificates = data.wantsCertificates;
  let lastProgress = 0;
  try {
    const analysis = await analyzeFile(data.path, {
      ...data.options, packets: true, tlsOnly: false, keep: false,
      onConnection: (c) => capture.add(c),
      onProgress: (read, total) => {
        // Often enough for a progress bar, not once per chunk.
        const now = Date.now();
        if (now - lastProgress < 100 && read < total) return;
        lastProgress = now;
        post({ kind: 'progress', read, total });
      },
    });
    post({ kind: 'done', result: capture.result(analysis) });
  } catch (e) {
    post(failed(e));
  } finally {
    capture.spool.close();
  }
}

function judge(req: JudgeRequest): void {
  const opened: Array<RecordSpool<unknown>> = [];
  const track = <T>(s: RecordSpool<T>) => {
    opened.push(s as RecordSpool<unknown>);
    return s;
  };
  const side = (name: CaptureSide, x: SpooledSide) => {
    const c = SpooledCapture.reading(name, x.path, x.records, x.ids, x.briefs);
    track(c.spool);
    return c;
  };
  const spool = <T>(name: string, path: string | undefined, codec?: ConstructorParameters<typeof RecordSpool<T>>[1]) => track(new RecordSpool<T>(name, codec, path));
  try {
    const client = side('client', req.client);
    const relay = side('relay', req.relay);
    let output: ShareOutput;
    if (req.output.kind === 'json') {
      const render = compareJsonRenderer(req.output.options);
      output = {
        kind: 'json', connection: render.connection, pair: render.pair, pairTexts: spool<string>('pair-texts', req.spools.pairs, TEXT_CODEC),
        clientTexts: spool<string>('client-texts', req.spools.clientTexts, TEXT_CODEC), relayTexts: spool<string>('relay-texts', req.spools.relayTexts, TEXT_CODEC),
        clientPlan: new PlannedCertificates(req.client.certificates), relayPlan: new PlannedCertificates(req.relay.certificates),
      };
    } else if (req.output.kind === 'text') output = { kind: 'text', options: req.output.options, pairTexts: spool<string>('pair-texts', req.spools.pairs, TEXT_CODEC) };
    else output = { kind: 'pairs', pairs: spool<ConnectionPair>('pairs', req.spools.pairs) };
    const budget = new MemoryBudget(req.maxMemoryMB);
    let n = 0;
    const result = judgeShare(req.work, {
      client, relay, output, pairOpts: { baselineConnection: req.baselineConnection }, tick: () => { if (++n % COLLECT_EVERY === 0) budget.afterChunk(); },
    });
    const records = (s: RecordSpool<unknown>) => s.finish();
    post({
      kind: 'judged', result, spools: {
        pairs: records(output.kind === 'pairs' ? output.pairs as RecordSpool<unknown> : output.pairTexts as RecordSpool<unknown>),
        clientTexts: output.kind === 'json' ? records(output.clientTexts as RecordSpool<unknown>) : undefined,
        relayTexts: output.kind === 'json' ? records(output.relayTexts as RecordSpool<unknown>) : undefined,
      },
    });
  } finally {
    for (const s of opened) s.close();
  }
}

const data = workerData as CompareWorkerData;
if (data.task === 'analyse') void analyse(data);
else {
  parentPort!.once('message', (req: JudgeRequest) => {
    try {
      judge(req);
    } catch (e) {
      post(failed(e));
    }
  });
}

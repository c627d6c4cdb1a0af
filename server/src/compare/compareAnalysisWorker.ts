/**
 * The relay capture's analysis for a streamed comparison (streamedCompare.ts),
 * on a second thread while the main thread analyses the client's: the two
 * are independent until matching, and each is most of a comparison's time.
 * It writes the connections into the main thread's spool file and hands back
 * where they are, with their match facts and briefs. Bundled on its own
 * (dist/compareAnalysisWorker.js), next to the CLI.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeFile } from '../analysis/analyzeCapture';
import { SpooledCapture } from './spooledCapture';
import type { CompareWorkerData, CompareWorkerMessage } from './compareWorkerProtocol';

async function run(data: CompareWorkerData): Promise<void> {
  const post = (m: CompareWorkerMessage) => parentPort!.postMessage(m);
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
    post({ kind: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) });
  } finally {
    capture.spool.close();
  }
}

void run(workerData as CompareWorkerData);

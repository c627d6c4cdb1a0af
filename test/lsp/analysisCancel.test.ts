// A stale analysis stops at its next check, and the worker lives on with its
// texts: the build checks per packet, the service answers `cancelled` for the
// run whose id is in the shared word, and the real worker bundle then
// analyses the next version from the edits it was sent.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { CANCEL_SLOT, AnalysisService, type WorkerMessage, type WorkerReply } from '../../server/src/lsp/analysisWorker';
import { buildTextModel } from '../../server/src/lsp/textModel';
import { ROOT } from '../helpers/paths';
import { skipUnlessCi } from '../helpers/prerequisites';

const WORKER = join(ROOT, 'dist', 'analysisWorker.js');
const piece = readFileSync(join(ROOT, 'test', 'fixtures', 'tor-kz', 'relay.tcpdump-X.txt'), 'utf8');

describe('cancelling a text-dump analysis', () => {
  it('checks at least once per packet, and a throwing check ends the build', () => {
    let checks = 0;
    const model = buildTextModel('file:///a', 1, piece, { check: () => void checks++ });
    assert.ok(model.report.input.packets > 10);
    assert.ok(checks >= model.report.input.packets, `${checks} checks for ${model.report.input.packets} packets`);
    let calls = 0;
    assert.throws(() => buildTextModel('file:///a', 1, piece, {
      check: () => {
        if (++calls === 5) throw new Error('stop here');
      },
    }), /stop here/);
    assert.equal(calls, 5, 'nothing ran a check after the throw');
  });

  it('answers cancelled for the run named in the shared word, and analyses the next run', () => {
    const word = new Int32Array(new SharedArrayBuffer(4));
    const service = new AnalysisService(word);
    service.handle({ kind: 'open', uri: 'u', version: 1, text: piece });
    Atomics.store(word, CANCEL_SLOT, 1);
    assert.deepEqual(service.handle({ kind: 'analyze', id: 1, uri: 'u', version: 1, ja4plus: false, rules: null }), { id: 1, cancelled: true });
    const r = service.handle({ kind: 'analyze', id: 2, uri: 'u', version: 1, ja4plus: false, rules: null });
    assert.ok(r && 'model' in r && r.model.report.connections.length === 1);
    // A job for a version the text is not at (overtaken by edits) is not run.
    assert.deepEqual(service.handle({ kind: 'analyze', id: 3, uri: 'u', version: 7, ja4plus: false, rules: null }), { id: 3, cancelled: true });
  });

  it('the worker bundle stops a running analysis of a 4 MB dump and analyses the edited text next', { skip: skipUnlessCi(existsSync(WORKER) ? null : 'dist/analysisWorker.js is missing: run npm run build') }, async () => {
    const text = piece.repeat(Math.ceil((4 << 20) / piece.length));
    const word = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(WORKER, { workerData: { cancel: word.buffer } });
    try {
      const replies: WorkerReply[] = [];
      const next = () => new Promise<WorkerReply>((resolve) => worker.once('message', (r: WorkerReply) => {
        replies.push(r);
        resolve(r);
      }));
      const post = (m: WorkerMessage) => worker.postMessage(m);
      post({ kind: 'open', uri: 'u', version: 1, text });
      let reply = next();
      post({ kind: 'analyze', id: 1, uri: 'u', version: 1, ja4plus: false, rules: null });
      // Set while the worker takes the text in or parses it: a 4 MB analysis takes far longer than this statement.
      Atomics.store(word, CANCEL_SLOT, 1);
      assert.deepEqual(await reply, { id: 1, cancelled: true });
      // The worker kept the text: an edit (a new first line) and the next run see it.
      post({ kind: 'edit', uri: 'u', version: 2, changes: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'typed\n' }] });
      reply = next();
      post({ kind: 'analyze', id: 2, uri: 'u', version: 2, ja4plus: false, rules: null });
      const done = await reply;
      assert.ok('model' in done, JSON.stringify(done).slice(0, 300));
      assert.equal(done.model.version, 2);
      assert.ok(done.model.index.lineCount === text.split('\n').length + 1, 'the edit was applied');
      assert.ok(done.model.report.input.packets > 1000);
    } finally {
      await worker.terminate();
    }
  });
});

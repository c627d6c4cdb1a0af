#!/usr/bin/env node
// How fast the language server stops decoding a capture when the editor
// cancels (issue #15: within 200 ms, keeping what was found). Starts
// dist/server.js as the capture editor does, asks it to decode FILE with a
// stream of connections, cancels after WAIT ms, and prints how long the
// request took to settle after the cancel and how many connections had
// arrived. A measurement, not a test: the machine's load moves the numbers.
//   node scripts/cancel-timing.mjs FILE [WAIT_MS=500] [RUNS=5]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter, CancellationTokenSource } = require('vscode-jsonrpc/node');

const ROOT = resolve(import.meta.dirname, '..');
const SERVER = process.env.HI_SERVER ?? resolve(ROOT, 'dist', 'server.js'); // HI_SERVER: another build's, for A/B
const [file, waitArg = '500', runsArg = '5'] = process.argv.slice(2);
if (!file || !existsSync(file) || !existsSync(SERVER)) {
  console.error('usage: node scripts/cancel-timing.mjs FILE [WAIT_MS] [RUNS] (after npm run build)');
  process.exit(2);
}

const proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
conn.onRequest('workspace/semanticTokens/refresh', () => null);
conn.onRequest('workspace/codeLens/refresh', () => null);
const found = new Map();
conn.onNotification('handshake/connectionFound', (p) => found.set(p.streamId, (found.get(p.streamId) ?? 0) + 1));
conn.listen();
await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} });
await conn.sendNotification('initialized', {});

const uri = pathToFileURL(resolve(file)).toString();
for (let run = 0; run < Number(runsArg); run++) {
  const streamId = `${uri}#${run}`;
  const cts = new CancellationTokenSource();
  const started = performance.now();
  let cancelledAt = 0;
  const settled = conn.sendRequest('handshake/analyzeFile', { uri, streamId, packets: true }, cts.token).then(() => 'finished', (e) => `rejected (${e.code ?? e.message})`);
  const timer = setTimeout(() => { cancelledAt = performance.now(); cts.cancel(); }, Number(waitArg));
  const how = await settled;
  clearTimeout(timer);
  const end = performance.now();
  console.log(cancelledAt
    ? `run ${run}: cancelled at ${(cancelledAt - started).toFixed(0)} ms, ${how} ${(end - cancelledAt).toFixed(0)} ms later, ${found.get(streamId) ?? 0} connections streamed`
    : `run ${run}: ${how} before the cancel, in ${(end - started).toFixed(0)} ms`);
}
await conn.sendRequest('shutdown');
await conn.sendNotification('exit');
conn.dispose();
proc.kill();

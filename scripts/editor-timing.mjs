#!/usr/bin/env node
// Where the capture editor's time goes on a large capture (issue #15: every
// connection listed within 2x the CLI's time, first rows within 1 s). Runs,
// in one go on FILE: the CLI (`analyze`, as a user runs it), then the editor's
// data path: dist/server.js started as the extension starts it, asked to
// decode FILE with a stream of connections exactly as the capture editor
// asks, and every message relayed, as the extension relays it, into the
// webview (dist/webview.js in headless Chromium, the test harness page).
// Prints the CLI's time, the time to the first row in the webview and to
// the last, and per stage what crossed (messages, bytes of JSON) and when.
// A measurement, not a test: the machine's load moves the numbers.
//   npm run build && npx tsc -p tsconfig.test.json && node scripts/editor-timing.mjs FILE [--previous|--before]
// A/B against another build's server: HI_SERVER=/path/to/dist/server.js ... --previous (a server
// without handshake/captureRows); the webview is always this build's.
// (a 220 MB capture: node dist/bench.js --make .bench/editor-220MB.pcap 220)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');

const ROOT = resolve(import.meta.dirname, '..');
const SERVER = process.env.HI_SERVER ?? resolve(ROOT, 'dist', 'server.js'); // HI_SERVER: another build's, for A/B
const harnessJs = resolve(ROOT, 'out', 'test', 'helpers', 'webviewHarness.js');
const args = process.argv.slice(2);
// --before: the editor's data path before issue #15's fix (a post per connection, every timeline sent), for A/B.
const before = args.includes('--before');
// --previous: the data path before rows (full connections without timelines, batched by the extension, commit b0db253).
const previous = args.includes('--previous');
const rowsPath = !before && !previous;
const [file] = args.filter((a) => !a.startsWith('--'));
if (!file || !existsSync(file) || !existsSync(SERVER) || !existsSync(harnessJs)) {
  console.error('usage: node scripts/editor-timing.mjs FILE (after npm run build and npx tsc -p tsconfig.test.json)');
  process.exit(2);
}
const harness = require(harnessJs);
const { DARK } = require(resolve(ROOT, 'out', 'test', 'helpers', 'webviewThemes.js'));
const reason = harness.skipReason();
if (reason) {
  console.error(reason);
  process.exit(1);
}

// The CLI, as a user runs it (the bin with its launcher flags).
const cliStart = performance.now();
const cli = spawnSync(resolve(ROOT, 'bin', 'handshake-inspector.js'), ['analyze', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
const cliMs = performance.now() - cliStart;
if (cli.status !== 0) throw new Error(`the CLI failed: ${cli.stderr}`);
const cliConnections = Number(/(\d+) connection\(s\) shown/.exec(cli.stdout)?.[1] ?? NaN);

const browser = await harness.launch();
const view = await harness.openView(browser, { theme: DARK, files: { client: resolve(file) }, viewport: { width: 1400, height: 900 } });
const { page } = view;

// The server, over stdio (the extension uses IPC: the same JSON-RPC framing).
const proc = spawn(process.execPath, ['--min-semi-space-size=64', '--max-semi-space-size=64', SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
conn.onRequest('workspace/semanticTokens/refresh', () => null);
conn.onRequest('workspace/codeLens/refresh', () => null);
const uri = pathToFileURL(resolve(file)).toString();
const streamId = `${uri}#timing`;
const stats = { notifications: 0, notificationBytes: 0, connections: 0, firstNotification: 0, lastNotification: 0, responseBytes: 0, posts: 0, postBytes: 0 };
let t0 = 0;
const sends = [];
// What the extension does with each message: post it to the webview (the harness page stands in for VS Code's postMessage).
const post = (m) => {
  const json = JSON.stringify(m);
  stats.posts++;
  stats.postBytes += json.length;
  sends.push(view.send(m));
};
// As extension/src/captureEditor.ts: the first connection at once, then one post per 100 ms.
let batch = [];
let timer;
let firstSent = false;
const streamedIds = new Set();
const flush = () => {
  timer = undefined;
  if (batch.length) post({ type: 'connections', connections: batch, done: false });
  batch = [];
};
// What crossed from the server, counted the same for rows (this build) and whole connections (--previous).
const counted = (p, connections) => {
  const now = performance.now() - t0;
  if (!stats.notifications) stats.firstNotification = now;
  stats.lastNotification = now;
  stats.notifications++;
  stats.notificationBytes += JSON.stringify(p).length;
  stats.connections += connections;
};
conn.onNotification('handshake/connectionRows', (p) => {
  if (p.streamId !== streamId) return;
  counted(p, p.rows.length);
  post({ type: 'rows', rows: p.rows, done: false });
});
conn.onNotification('handshake/connectionFound', (p) => {
  if (p.streamId !== streamId) return;
  counted(p, 1);
  streamedIds.add(p.connection.id);
  if (before) return post({ type: 'connections', connections: [p.connection], done: false });
  batch.push(p.connection);
  if (!timer) timer = setTimeout(flush, batch.length === 1 && !firstSent ? 0 : 100);
  firstSent = true;
});
// The webview's timeline requests, answered as the extension answers them.
let seen = 0;
const timelines = [];
const asked = setInterval(() => {
  for (; seen < view.posted.length; seen++) {
    const m = view.posted[seen];
    if (m.type === 'detail') {
      const at = performance.now();
      void conn.sendRequest('handshake/connectionDetail', { uri, connection: m.connection, timeline: m.timeline }).then(({ connection }) => {
        timelines.push({ connection: m.connection, ms: performance.now() - at, packets: connection?.packets?.length ?? null, during: !done, what: m.timeline ? 'connection with its timeline' : 'connection in full' });
        post({ type: 'detail', connection: m.connection, report: connection });
      });
    }
    if (m.type !== 'timeline') continue;
    const at = performance.now();
    void conn.sendRequest('handshake/connectionTimeline', { uri, connection: m.connection }).then(({ packets }) => {
      timelines.push({ connection: m.connection, ms: performance.now() - at, packets: packets?.length ?? null, during: !done });
      post({ type: 'timeline', connection: m.connection, packets });
    });
  }
}, 10);
let done = false;
conn.listen();
await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} });
await conn.sendNotification('initialized', {});

await view.send({ type: 'init', mode: 'capture', fileName: file.split('/').pop(), uri, timeDisplay: 'relative', ja4plus: false });
await view.send({ type: 'progress', percentage: 0 });
// Rows in the webview, watched from inside the page: the first drawn, and the moment the count reads every connection.
const watch = page.evaluate(() => new Promise((done) => {
  const start = performance.now();
  let first = 0;
  const tick = () => {
    if (!first && document.querySelector('.list-row')) first = performance.now() - start;
    const count = document.querySelector('.list-count')?.textContent ?? '';
    const summary = document.querySelector('.header-summary')?.textContent ?? '';
    if (first && (window).__hiExpect && Number(count) >= (window).__hiExpect && !document.querySelector('.progress-row:not([hidden])')) done({ first, all: performance.now() - start, summary });
    else requestAnimationFrame(tick);
  };
  tick();
}));
t0 = performance.now();
let report;
if (rowsPath) {
  const r = await conn.sendRequest('handshake/captureRows', { uri, streamId });
  done = true;
  stats.responseBytes = JSON.stringify(r).length;
  report = { input: r.input, connections: { length: stats.connections + r.rows.length } };
  post({ type: 'rows', done: true, streamed: true, input: r.input, diagnostics: r.diagnostics, rows: r.rows });
} else {
  report = await conn.sendRequest('handshake/analyzeFile', { uri, streamId, packets: before });
  done = true;
  stats.responseBytes = JSON.stringify(report).length;
  if (timer) clearTimeout(timer);
  flush();
  const last = { type: 'connections', done: true, input: report.input, diagnostics: report.diagnostics };
  post(before ? { ...last, connections: report.connections } : { ...last, streamed: true, connections: report.connections.filter((c) => !streamedIds.has(c.id)) });
}
const responseAt = performance.now() - t0;
// The list is complete once the last rows are drawn; the verdicts (the full analysis, with timelines) come after, as in the extension.
await page.evaluate((n) => { (window).__hiExpect = n; }, report.connections.length);
const shown = await watch;
const verdictStart = performance.now();
const single = await conn.sendRequest('handshake/compare', { client: { uri }, relay: null, packets: before, ...(rowsPath ? { connections: false } : {}) });
const verdictMs = performance.now() - verdictStart;
post({ type: 'verdicts', verdicts: (single.singleVantage ?? []).map((v) => ({ connection: v.connection, interference: v.interference, suspects: v.suspects })) });
await page.locator('.list-row .badge[class*="verdict-"]').first().waitFor({ timeout: 600_000 });
const verdictsDrawn = performance.now() - t0;
await page.locator('g.arrow').first().waitFor({ timeout: 600_000 });
const timelineDrawn = performance.now() - t0;
await Promise.all(sends);
const allMs = performance.now() - t0;

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
console.log(`${before ? 'BEFORE (a post per connection, every timeline sent)' : previous ? 'PREVIOUS (full connections without timelines, batched posts, timelines on demand)' : 'ROWS (rows streamed in batches, the connection in full on demand)'} — server ${SERVER}\ncapture: ${file} (${report.input.packets} packets, ${report.connections.length} TLS connections; CLI: ${cliConnections})`);
console.log(`CLI analyze: ${(cliMs / 1000).toFixed(2)} s`);
console.log(`editor, first row drawn: ${((t0 - t0 + shown.first) / 1000).toFixed(2)} s; every connection listed (count ${report.connections.length}, decoding ended): ${(shown.all / 1000).toFixed(2)} s = ${(shown.all / cliMs).toFixed(2)}x the CLI`);
console.log(`  server: first ${rowsPath ? 'row' : 'connection'} streamed at ${(stats.firstNotification / 1000).toFixed(2)} s, last at ${(stats.lastNotification / 1000).toFixed(2)} s; ${stats.notifications} notifications (${stats.connections} ${rowsPath ? 'rows' : 'connections'}, ${mb(stats.notificationBytes)} JSON)`);
console.log(`  server: response at ${(responseAt / 1000).toFixed(2)} s (${mb(stats.responseBytes)} JSON); one-vantage verdicts asked after the list, answered in ${(verdictMs / 1000).toFixed(2)} s, drawn at ${(verdictsDrawn / 1000).toFixed(2)} s`);
console.log(`  the shown connection's timeline drawn at ${(timelineDrawn / 1000).toFixed(2)} s`);
console.log(`  extension -> webview: ${stats.posts} posts, ${mb(stats.postBytes)} JSON; all delivered and drawn at ${(allMs / 1000).toFixed(2)} s`);
console.log(`  webview summary: ${shown.summary}`);
for (const t of timelines) console.log(`  ${t.what ?? 'timeline'} of connection ${t.connection} fetched ${t.during ? 'while decoding' : 'after decoding'}: ${t.packets} packets in ${t.ms.toFixed(0)} ms`);
clearInterval(asked);
await conn.sendRequest('shutdown');
await conn.sendNotification('exit');
conn.dispose();
proc.kill();
await browser.close();

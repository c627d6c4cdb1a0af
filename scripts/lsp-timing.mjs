// Measures how the language server copes with a big text dump being edited.
// Builds a ~10 MB `tcpdump -nn -tttt -XX` dump from the real fixture captures
// (each copy shifted in time with editcap, so timestamps keep increasing),
// then, over stdio as an editor talks to it:
//  - the first hover on the dump right after it opens, and hovers once analysed;
//  - the main-thread cost of a `didChange` (incremental, as VS Code sends them;
//    and whole-text, for comparison): N changes then a trivial request, minus
//    that request alone;
//  - edit storms of 200, 500 and 2,000 incremental edits (one per 10 ms) with a
//    hover every 4 edits, not waiting for answers: hover p50/p95/max, how many
//    were answered, how many said they came from an older analysis, and the
//    time from the last edit to the analysis of the final text;
//  - the server's resident memory, now and at its peak.
// Numbers depend on the machine and its load: compare builds in the same run
// (`--server=OTHER/dist/server.js` runs the same measurements on another build).
//
//   node scripts/build.mjs && npx tsc -p tsconfig.test.json && node scripts/lsp-timing.mjs [MEGABYTES] [--server=PATH] [--storms=200,500,2000]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const ROOT = resolve(import.meta.dirname, '..');
const helper = join(ROOT, 'out', 'test', 'helpers', 'editStorm.js');
if (!existsSync(helper)) {
  console.error(`${helper} is missing: run npx tsc -p tsconfig.test.json first`);
  process.exit(2);
}
const { editStorm, percentile, hoverText } = require(helper);

const args = process.argv.slice(2);
const opt = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const server = resolve(opt('server', join(ROOT, 'dist', 'server.js')));
const storms = opt('storms', '200,500,2000').split(',').map(Number);
const target = Number(args.find((a) => !a.startsWith('--')) ?? 10) * 1024 * 1024;
const OUT = join(ROOT, '.bench');
mkdirSync(OUT, { recursive: true });

const sources = [join(ROOT, 'samples', 'tor-kz-drop', 'relay.pcap'), join(ROOT, 'samples', 'tor-kz-drop', 'client.pcap')];
const tv = join(ROOT, 'test', 'fixtures', 'two-vantage');
for (const d of existsSync(tv) ? readdirSync(tv) : []) for (const f of ['client.pcap', 'relay.pcap']) if (existsSync(join(tv, d, f))) sources.push(join(tv, d, f));

const dumpPath = join(OUT, `big-${Math.round(target / 1048576)}MB.tcpdump-XX.txt`);
let text = existsSync(dumpPath) ? readFileSync(dumpPath, 'utf8') : '';
let copies = 0;
if (!text) {
  const parts = [];
  let size = 0;
  while (size < target) {
    const src = sources[copies % sources.length];
    const shifted = join(OUT, 'shifted.pcap');
    // One minute apart per copy: timestamps keep increasing through the dump.
    execFileSync('editcap', ['-t', String(copies * 60), src, shifted]);
    const part = execFileSync('tcpdump', ['-nn', '-tttt', '-XX', '-r', shifted], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 }).toString();
    parts.push(part);
    size += Buffer.byteLength(part);
    copies++;
  }
  text = parts.join('');
  writeFileSync(dumpPath, text);
}
const lines = text.split('\n');
console.log(`dump: ${dumpPath}: ${(Buffer.byteLength(text) / 1048576).toFixed(1)} MB, ${lines.length} lines${copies ? `, ${copies} capture copies` : ' (reused)'}`);
console.log(`server: ${server}`);

const proc = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
const analyzed = [];
let wake = () => {};
conn.onNotification('handshake/documentAnalyzed', (p) => {
  analyzed.push({ ...p, at: performance.now() });
  wake();
});
conn.onNotification('textDocument/publishDiagnostics', () => {});
conn.onRequest('workspace/semanticTokens/refresh', () => null);
conn.onRequest('workspace/codeLens/refresh', () => null);
conn.listen();
await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
await conn.sendNotification('initialized', {});

const waitVersion = async (uri, v) => {
  for (;;) {
    const a = analyzed.find((x) => x.uri === uri && x.version === v);
    if (a) return a;
    await new Promise((r) => { wake = r; setTimeout(r, 50); });
  }
};
const ms = (x) => `${x.toFixed(1)} ms`;
const stats = (sorted) => `p50 ${ms(percentile(sorted, 50))}, p95 ${ms(percentile(sorted, 95))}, max ${ms(sorted[sorted.length - 1] ?? NaN)}`;
const memory = () => {
  try {
    const s = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN) / 1024;
    return `RSS ${kb('VmRSS').toFixed(0)} MB, peak ${kb('VmHWM').toFixed(0)} MB`;
  } catch {
    return 'RSS n/a';
  }
};
const timed = async (request) => {
  const t = performance.now();
  const r = await request();
  return [performance.now() - t, r];
};
// A request the server answers at once (a hover on a document it does not have): its round trip is the baseline.
const ping = () => conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///not-open.txt' }, position: { line: 0, character: 0 } });

const uri = pathToFileURL(dumpPath).toString();
const hexAt = lines.findIndex((l) => /^\s+0x0030:/.test(l));
const hexPos = { line: hexAt, character: lines[hexAt].indexOf(':') + 3 };

// Opening sends the whole text as one JSON message: the server reads it before anything else.
const t0 = performance.now();
await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'capture-text', version: 1, text } });
await ping();
const opened = performance.now() - t0;
const [firstHover, fh] = await timed(() => conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: hexPos }));
console.log(`didOpen read and handled: ${ms(opened)}; then the first hover: ${ms(firstHover)} (${hoverText(fh).split('\n')[0] || 'no answer'})`);
const first = await waitVersion(uri, 1);
console.log(`open → analysed: ${(first.at - t0).toFixed(0)} ms (server: ${first.milliseconds} ms), ${first.connections} TLS connections, ${first.packets} packets; ${memory()}`);
const settled = [];
for (let i = 0; i < 40; i++) settled.push((await timed(() => conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: hexAt + i * 97, character: hexPos.character } })))[0]);
console.log(`hovers on the analysed dump (40): ${stats(settled.sort((a, b) => a - b))}`);
let [tokenMs, tokens] = await timed(() => conn.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } }));
console.log(`semantic tokens: ${tokenMs.toFixed(0)} ms, ${tokens.data.length / 5} tokens`);

// didChange cost on the main thread.
let version = 1;
const pings = [];
for (let i = 0; i < 5; i++) pings.push((await timed(ping))[0]);
const pingMs = pings.sort((a, b) => a - b)[2];
const perChange = async (n, change) => {
  const t = performance.now();
  for (let i = 0; i < n; i++) void conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [change()] });
  await ping();
  return Math.max(0, performance.now() - t - pingMs) / n;
};
const incremental = [];
for (let round = 0; round < 3; round++) {
  incremental.push(await perChange(200, () => {
    const at = { line: hexAt - 1, character: lines[hexAt - 1].length };
    lines[hexAt - 1] += ' ';
    return { range: { start: at, end: at }, text: ' ' };
  }));
}
console.log(`didChange, incremental (1 character): ${incremental.map((x) => x.toFixed(2)).join(' / ')} ms each on the main thread (200 changes then a request, minus the request alone: ${ms(pingMs)})`);
const full = await perChange(5, () => {
  lines[hexAt - 1] += ' ';
  return { text: lines.join('\n') };
});
console.log(`didChange, whole text (${(Buffer.byteLength(text) / 1048576).toFixed(0)} MB): ${full.toFixed(1)} ms each`);
let t = performance.now();
await waitVersion(uri, version);
console.log(`last change → analysis of that text: ${(performance.now() - t).toFixed(0)} ms; ${memory()}`);

for (const n of storms) {
  const r = await editStorm(conn, { uri, lines, version, edits: n, hoverEvery: 4, intervalMs: 10, timeoutMs: 120_000, seed: n });
  version = r.version;
  t = performance.now();
  const done = await waitVersion(uri, version);
  const answered = r.latencies.length;
  console.log(`storm of ${n} edits, ${r.hovers} hovers: ${stats(r.latencies)}; answered ${answered}/${r.hovers}, ${r.stale} from the analysis before the last edit, ${r.empty} empty; last edit → analysis of the final text ${(done.at - r.lastEditAt).toFixed(0)} ms; ${memory()}`);
}

[tokenMs, tokens] = await timed(() => conn.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } }));
console.log(`semantic tokens after the storms: ${tokenMs.toFixed(0)} ms, ${tokens.data.length / 5} tokens; ${memory()}`);
await conn.sendRequest('shutdown');
await conn.sendNotification('exit');
proc.kill();
process.exit(0);

// Measures how the language server copes with a big text dump: builds a
// ~10 MB `tcpdump -nn -tttt -X` dump from the real fixture captures (each copy
// shifted in time with editcap, so every copy is a new connection), then over
// stdio: first analysis, a burst of edits (debounce + cancellation), hover
// latency while a re-analysis runs, semantic tokens. Needs tcpdump and editcap.
//
//   node scripts/build.mjs && node scripts/lsp-timing.mjs [MEGABYTES]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, '.bench');
const target = Number(process.argv[2] ?? 10) * 1024 * 1024;
mkdirSync(OUT, { recursive: true });

const sources = [join(ROOT, 'samples', 'tor-kz-drop', 'relay.pcap'), join(ROOT, 'samples', 'tor-kz-drop', 'client.pcap')];
const tv = join(ROOT, 'test', 'fixtures', 'two-vantage');
for (const d of existsSync(tv) ? readdirSync(tv) : []) for (const f of ['client.pcap', 'relay.pcap']) if (existsSync(join(tv, d, f))) sources.push(join(tv, d, f));

const dumpPath = join(OUT, `big-${Math.round(target / 1048576)}MB.tcpdump-X.txt`);
let text = '';
let copy = 0;
while (Buffer.byteLength(text) < target) {
  const src = sources[copy % sources.length];
  const shifted = join(OUT, 'shifted.pcap');
  // One minute apart per copy: timestamps keep increasing through the dump.
  execFileSync('editcap', ['-t', String(copy * 60), src, shifted]);
  text += execFileSync('tcpdump', ['-nn', '-tttt', '-X', '-r', shifted], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 }).toString();
  copy++;
}
writeFileSync(dumpPath, text);
const lines = text.split('\n').length;
console.log(`dump: ${dumpPath}: ${(Buffer.byteLength(text) / 1048576).toFixed(1)} MB, ${lines} lines, ${copy} capture copies`);

const proc = spawn(process.execPath, [join(ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
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

const uri = pathToFileURL(dumpPath).toString();
const small = pathToFileURL(join(ROOT, 'samples', 'tor-kz-drop', 'client.tcpdump-X.txt')).toString();
const smallText = (await import('node:fs')).readFileSync(join(ROOT, 'samples', 'tor-kz-drop', 'client.tcpdump-X.txt'), 'utf8');
await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: small, languageId: 'capture-text', version: 1, text: smallText } });
await waitVersion(small, 1);

let t0 = performance.now();
await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'capture-text', version: 1, text } });
// While the big dump is analysed, the server must keep answering: hover on the small dump.
const hoverLine = smallText.split('\n').findIndex((l) => /^\s+0x0000:/.test(l));
const h0 = performance.now();
await conn.sendRequest('textDocument/hover', { textDocument: { uri: small }, position: { line: hoverLine, character: 12 } });
const hoverDuring = performance.now() - h0;
const first = await waitVersion(uri, 1);
console.log(`open → analysed: ${(first.at - t0).toFixed(0)} ms (server: ${first.milliseconds} ms), ${first.connections} TLS connections, ${first.packets} packets`);
console.log(`hover on another document while the 10 MB analysis runs: ${hoverDuring.toFixed(1)} ms`);

let h = performance.now();
await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: text.split('\n').findIndex((l) => /^\s+0x0030:/.test(l)), character: 12 } });
console.log(`hover on the big dump (analysed): ${(performance.now() - h).toFixed(1)} ms`);
h = performance.now();
const tokens = await conn.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } });
console.log(`semantic tokens: ${(performance.now() - h).toFixed(0)} ms, ${tokens.data.length / 5} tokens`);
h = performance.now();
const symbols = await conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
console.log(`document symbols: ${(performance.now() - h).toFixed(0)} ms, ${symbols.length} connections`);

// Typing: 10 edits 40 ms apart (faster than the debounce), full-text sync as the worst case.
const before = analyzed.length;
t0 = performance.now();
let lastEdit = 0;
const hoverTimes = [];
for (let v = 2; v <= 11; v++) {
  text += ' ';
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text }] });
  lastEdit = performance.now();
  const hs = performance.now();
  await conn.sendRequest('textDocument/hover', { textDocument: { uri: small }, position: { line: hoverLine, character: 12 } });
  hoverTimes.push(performance.now() - hs);
  await new Promise((r) => setTimeout(r, 40));
}
const last = await waitVersion(uri, 11);
const runs = analyzed.slice(before).filter((a) => a.uri === uri);
console.log(`10 edits in ${(lastEdit - t0).toFixed(0)} ms → ${runs.length} completed analysis run(s) (versions ${runs.map((r) => r.version).join(', ')}); last edit → results ${(last.at - lastEdit).toFixed(0)} ms`);
console.log(`hover on another document during the edits: max ${Math.max(...hoverTimes).toFixed(1)} ms, median ${hoverTimes.sort((a, b) => a - b)[5].toFixed(1)} ms`);

// A hover on the big dump right after an edit waits for the re-analysis of that version (positions must match the text).
text += ' ';
await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 12 }, contentChanges: [{ text }] });
h = performance.now();
await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 12 } });
console.log(`hover on the big dump right after an edit (waits for the fresh analysis): ${(performance.now() - h).toFixed(0)} ms`);

await conn.sendRequest('shutdown');
await conn.sendNotification('exit');
proc.kill();
process.exit(0);

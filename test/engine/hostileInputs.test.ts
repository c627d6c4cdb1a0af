import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../../server/src/capture/readCapture';
import type { CaptureSink } from '../../server/src/capture/packet';
import { jsonChunks } from '../../server/src/util/jsonChunks';
import { maxOf, minOf } from '../../server/src/util/extremes';
import { analyzeBytes, analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { MemoryBudget } from '../../server/src/analysis/memoryBudget';
import { PcapStream, synFlood } from '../scale/generate';

const ROOT = join(__dirname, '..', '..', '..');
const sink: CaptureSink = { packet() {}, diagnostic() {} };
const replacer = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

test('jsonChunks: pieces join to exactly JSON.stringify, for every split depth', () => {
  const cases: unknown[] = [
    { a: [], b: {}, c: [1, { x: undefined, y: [Infinity, undefined, () => 1] }], d: { e: { f: { g: [1, 2, { h: 'a\nb "q"' }] } } }, u: undefined },
    [], {}, [[], [{}]], 5, 's', null, { k: { toJSON: () => ({ z: 1 }) } }, { only: undefined },
  ];
  for (const c of cases) {
    for (const depth of [0, 1, 2, 3, 6]) assert.equal([...jsonChunks(c, replacer, 2, depth)].join(''), JSON.stringify(c, replacer, 2), `depth ${depth}: ${JSON.stringify(c)}`);
  }
});

test('jsonChunks: a real analysis serialises identically, in many pieces', async () => {
  const r = await analyzeFile(join(ROOT, 'test', 'fixtures', 'two-vantage', 'openssl-pass', 'client.pcap'), { packets: true, tlsOnly: false });
  const pieces = [...jsonChunks(r, replacer, 2)];
  assert.ok(pieces.length > 3, `${pieces.length} pieces`);
  assert.equal(pieces.join(''), JSON.stringify(r, replacer, 2));
});

test('minOf/maxOf: 500,000 values (Math.min(...xs) overflows the stack there), empty lists and NaN as Math.min does', () => {
  const xs = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 500_009);
  assert.throws(() => Math.min(...xs), RangeError);
  assert.equal(minOf(xs), 0);
  assert.equal(maxOf(xs), xs.reduce((a, b) => (b > a ? b : a)));
  assert.equal(minOf([], -1), -1);
  assert.equal(maxOf([]), Number.NEGATIVE_INFINITY);
  assert.ok(Number.isNaN(minOf([1, NaN, 0])));
});

test('special files: a directory, a FIFO without a writer and a character device are refused by name, without blocking', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hi-special-'));
  const sub = join(dir, 'a-directory');
  mkdirSync(sub);
  await assert.rejects(readCapture(sub, sink), /not a capture file: .*a-directory is a directory/);
  const fifo = join(dir, 'capture.pcap');
  // No Node API makes FIFOs; mkfifo is coreutils. Opening one without a writer would block forever.
  execFileSync('mkfifo', [fifo]);
  await assert.rejects(readCapture(fifo, sink), /is a named pipe \(FIFO\); save the capture to a file first/);
  await assert.rejects(readCapture('/dev/zero', sink), /\/dev\/zero is a character device/);
  // The message is the CLI's too: exit 1, the reason, no stack.
  const cli = join(ROOT, 'bin', 'handshake-inspector.js');
  let status = 0, stderr = '';
  try {
    execFileSync(process.execPath, [cli, 'analyze', fifo, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch (e) {
    status = (e as { status: number }).status;
    stderr = String((e as { stderr: Buffer }).stderr);
  }
  assert.equal(status, 1);
  assert.match(stderr, /named pipe \(FIFO\)/);
});

test('memory budget: past the connections\' share the oldest open connection is finished early, reported once, and said where it started', async () => {
  const chunks: Buffer[] = [];
  const w = new PcapStream((b) => chunks.push(b));
  synFlood(10_000)(w);
  w.flush();
  const r = analyzeBytes(Buffer.concat(chunks), 'syn-flood.pcap', { tlsOnly: false, maxMemoryMB: 64 });
  // 64 MiB: a quarter for connections, about 2.6 KB each, so about 6,450 open at once.
  assert.equal(r.connections.length, 10_000);
  assert.deepEqual(r.connections.map((c) => c.id), r.connections.map((_, i) => i));
  const first = r.diagnostics.find((d) => d.code === 'budget.connections' && d.location !== null);
  assert.ok(first, JSON.stringify(r.diagnostics));
  assert.equal(first.location!.kind, 'offset');
  const summary = r.diagnostics.find((d) => d.code === 'budget.connections' && d.location === null)!;
  const shed = Number(/(\d+) connections were finished early/.exec(summary.message)![1]);
  assert.ok(shed > 3000 && shed < 4000, summary.message);
  // Without the budget pressure nothing is shed.
  const calm = analyzeBytes(Buffer.concat(chunks), 'syn-flood.pcap', { tlsOnly: false, maxMemoryMB: 512 });
  assert.equal(calm.diagnostics.filter((d) => d.code.startsWith('budget.')).length, 0);
});

test('memory budget: an editor setting of the wrong type is the default, not NaN', () => {
  assert.equal(new MemoryBudget('lots' as unknown as number).limit, 512 * 1024 * 1024);
  assert.equal(new MemoryBudget(Number.NaN).limit, 512 * 1024 * 1024);
  assert.equal(new MemoryBudget(1).limit, 64 * 1024 * 1024);
});

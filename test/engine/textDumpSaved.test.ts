// Text dumps as people save them (issue #16): UTF-16 with a byte-order mark
// (PowerShell's `>`), UTF-8 with one, a stray NUL, blank lines before the
// hex. Each is a real dump (tcpdump -XX of hs.pcap) changed only that way,
// and must decode to the same handshakes as the dump itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBytes } from '../../server/src/analysis/analyzeCapture';
import type { AnalysisReport } from '../../shared/analysis';

const ROOT = join(__dirname, '..', '..', '..');
const DUMP = readFileSync(join(ROOT, 'test', 'fixtures', 'text', 'hs.XX-tttt.txt'), 'utf8');
const analyse = (b: Uint8Array) => analyzeBytes(b, 'dump.txt', { packets: true });
const original = analyse(Buffer.from(DUMP, 'utf8'));

function handshakes(r: AnalysisReport) {
  return r.connections.map((c) => ({ random: c.clientHello?.random, sni: c.tls.serverName, suite: c.tls.cipherSuite, packets: c.tcp.packets }));
}

test('the dump itself decodes (the reference for the variants)', () => {
  assert.equal(original.input.format, 'tcpdump-hex');
  assert.ok(original.connections.length > 0 && original.connections[0].serverHello, 'a handshake with a ServerHello');
});

test('UTF-16 LE and BE with a byte-order mark, and UTF-8 with one: the same analysis, positions included', () => {
  const le = Buffer.from(`\ufeff${DUMP}`, 'utf16le');
  const be = Buffer.from(le);
  be.swap16();
  for (const [name, bytes] of [['utf-16le', le], ['utf-16be', be], ['utf-8 bom', Buffer.from(`\ufeff${DUMP}`, 'utf8')]] as const) {
    const r = analyse(bytes);
    assert.equal(r.input.format, original.input.format, name);
    assert.deepEqual(r.connections, original.connections, name);
  }
});

test('a stray NUL in the first 4 KiB is a bad character on its line, not "binary"', () => {
  const lines = DUMP.split('\n');
  // On the first header line, after its text: the hex lines stay intact.
  lines[0] = `${lines[0]} \u0000`;
  const r = analyse(Buffer.from(lines.join('\n'), 'utf8'));
  assert.equal(r.input.format, 'tcpdump-hex');
  assert.deepEqual(handshakes(r), handshakes(original));
});

test('5,000 blank lines after the first header: still tcpdump -XX, not a summary; TLS kept', () => {
  const lines = DUMP.split('\n');
  const r = analyse(Buffer.from([lines[0], ...new Array<string>(5000).fill(''), ...lines.slice(1)].join('\n'), 'utf8'));
  assert.equal(r.input.format, 'tcpdump-hex');
  assert.deepEqual(handshakes(r), handshakes(original));
});

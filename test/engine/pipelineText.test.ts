import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import type { SourceLocation } from '../../shared/analysis';
import { ROOT } from '../helpers/paths';

// Text dumps made by the real tcpdump and tshark from the fixture pcaps must
// give the same analysis as the pcaps, with every field located by line and column.
const HS = join(ROOT, 'test', 'fixtures', 'handshakes');
const DUMPS = [
  ['tls13.pcap', 'tls13.tcpdump-X.txt'],
  ['tls13.pcap', 'tls13.tcpdump-xx.txt'],
  ['tls13.pcap', 'tls13.tshark-x.txt'],
  ['tls12-ecdhe-rsa.pcap', 'tls12-ecdhe-rsa.tcpdump-X.txt'],
  ['tls12-ecdhe-rsa.pcap', 'tls12-ecdhe-rsa.tcpdump-xx.txt'],
  ['tls12-chain.pcap', 'tls12-chain.tcpdump-X.txt'],
  ['tls12-chain.pcap', 'tls12-chain.tshark-x.txt'],
] as const;

/** The hex digits a field's text locations cover, spaces removed. */
function hexAt(lines: string[], locs: SourceLocation[]): string {
  return locs.map((l) => {
    assert.equal(l.kind, 'text');
    if (l.kind !== 'text') return '';
    return lines[l.line].slice(l.column, l.endColumn).replace(/\s+/g, '');
  }).join('').toLowerCase();
}

for (const [pcap, dump] of DUMPS) {
  test(`${dump}: same handshakes as ${pcap}, fields located in the text`, async () => {
    const [a, b] = await Promise.all([analyzeFile(join(HS, pcap)), analyzeFile(join(HS, dump))]);
    assert.notEqual(b.input.format, 'pcap');
    assert.equal(b.connections.length, a.connections.length);
    for (let i = 0; i < a.connections.length; i++) {
      const x = a.connections[i], y = b.connections[i];
      assert.deepEqual(y.fingerprints, x.fingerprints);
      assert.deepEqual(y.messages.map((m) => `${m.from}:${m.name}:${m.length}`), x.messages.map((m) => `${m.from}:${m.name}:${m.length}`));
      assert.deepEqual(y.certificates.map((c) => c.sha256), x.certificates.map((c) => c.sha256));
      assert.deepEqual(y.tcp.gaps, x.tcp.gaps);
      const lines = readFileSync(join(HS, dump), 'utf8').split('\n');
      const ch = y.clientHello!;
      assert.equal(hexAt(lines, ch.ranges!.random), ch.random);
      assert.equal(hexAt(lines, ch.ranges!.cipherSuites), ch.cipherSuites.map((n) => n.toString(16).padStart(4, '0')).join(''));
      const sh = y.serverHello!;
      assert.equal(hexAt(lines, sh.ranges!.cipherSuite), sh.cipherSuite.toString(16).padStart(4, '0'));
      assert.equal(hexAt(lines, sh.ranges!.random), sh.random);
    }
  });
}

test('tcpdump -nn summary lines: same timeline as the pcap, TLS marked unavailable, no invented gaps', async () => {
  const [a, b] = await Promise.all([analyzeFile(join(HS, 'tls13.pcap'), { packets: true }), analyzeFile(join(HS, 'tls13.tcpdump-nn.txt'), { packets: true })]);
  assert.equal(b.input.format, 'tcpdump-summary');
  const x = a.connections[0], y = b.connections[0];
  assert.equal(y.tls.available, false);
  assert.equal(y.clientHello, null);
  assert.deepEqual(y.tcp.gaps, { client: [], server: [] });
  assert.deepEqual(y.packets!.map((p) => `${p.from} ${p.flags} ${p.seq} ${p.length}`), x.packets!.map((p) => `${p.from} ${p.flags} ${p.seq} ${p.length}`));
  assert.equal(y.client.port, x.client.port);
});

test('anonymised dumps of the two vantage points still give the drop verdict', async () => {
  const dir = join(ROOT, 'test', 'fixtures', 'two-vantage', 'openssl-drop-serverhello');
  const text = readFileSync(join(dir, 'client.anon.tcpdump-X.txt'), 'utf8');
  assert.ok(!text.includes('10.66.1.2'), 'the fixture really is anonymised');
  const r = await compareCaptures(join(dir, 'client.anon.tcpdump-X.txt'), join(dir, 'relay.anon.tcpdump-X.txt'));
  assert.equal(r.pairs[0].interference.kind, 'drop');
  assert.equal(r.pairs[0].interference.firstMissingTlsMessage, 'ServerHello');
  // Suspect fields point at lines of the relay dump.
  const s = r.pairs[0].suspects.find((x) => x.field === 'serverHello.cipherSuite')!;
  assert.equal(s.range[0].kind, 'text');
});

test('the 2012-style job: client and relay tcpdump -X dumps of the Kazakhstan sample', async () => {
  const dir = join(ROOT, 'test', 'fixtures', 'tor-kz');
  const r = await compareCaptures(join(dir, 'client.tcpdump-X.txt'), join(dir, 'relay.tcpdump-X.txt'));
  const i = r.pairs[0].interference;
  assert.equal(i.kind, 'drop');
  assert.equal(i.direction, 'relay-to-client');
  assert.equal(i.firstMissingTlsMessage, 'ServerHello');
});

test('a text dump with garbage in it: diagnostics at the line, packets before and after kept', async () => {
  const { analyzeBytes } = await import('../../server/src/analysis/analyzeCapture');
  const lines = readFileSync(join(HS, 'tls13.tcpdump-X.txt'), 'utf8').split('\n');
  const at = lines.findIndex((l) => /\t0x0010:/.test(l));
  lines.splice(at, 0, '\t0x00zz:  this is not hex at all');
  const r = analyzeBytes(Buffer.from(lines.join('\n')), 'garbage.txt');
  const d = r.diagnostics.find((x) => x.location?.kind === 'text' && x.location.line === at);
  assert.ok(d, JSON.stringify(r.diagnostics.slice(0, 3)));
  assert.equal(r.connections.length, 1);
  assert.ok(r.connections[0].serverHello);
});

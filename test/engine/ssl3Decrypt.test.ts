import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { formatConnectionText } from '../../server/src/output/textSummary';

// A real SSL 3.0 connection (lab/ssl3/make.sh: scapy's TLS automatons, RSA + AES-128-CBC-SHA, one line of
// data, close_notify both ways) with its master secret, checked against what tshark decrypts with the same key
// log: SSL 3.0's own key block, MAC, padding and 36-byte Finished (RFC 6101).
const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'ssl3');
const PCAP = join(DIR, 'ssl3-rsa-aes128-sha.pcap');
const KEYS = join(DIR, 'ssl3-rsa-aes128-sha.keys');

type Layers = Record<string, string[] | undefined>;
const ref = (JSON.parse(readFileSync(join(DIR, 'ssl3-rsa-aes128-sha.tshark.json'), 'utf8')) as Array<{ _source: { layers: Layers } }>).map((p) => p._source.layers);

describe('SSL 3.0 decrypted with a key log (real capture)', async () => {
  const plain = (await analyzeFile(PCAP)).connections[0];
  const c = (await analyzeFile(PCAP, { keyLogFiles: [KEYS] })).connections[0];

  it('shows the handshake messages tshark decrypts, both Finished verified (36-byte SSL 3.0 verify data)', () => {
    assert.equal(c.tls.versionName, 'SSL 3.0');
    assert.ok(ref.every((l) => (l['tls.record.version'] ?? []).every((v) => v === '0x0300')));
    assert.deepEqual(c.messages.map((m) => m.type), ref.flatMap((l) => (l['tls.handshake.type'] ?? []).map(Number)));
    const fin = c.messages.filter((m) => m.type === 20);
    assert.deepEqual(fin.map((m) => [m.from, m.decrypted, m.length]), [['client', true, 36], ['server', true, 36]]);
    assert.deepEqual(c.tls.decryption, { keySource: 'keylog', records: c.tls.decryption!.records, failed: { client: 0, server: 0 }, finished: { client: true, server: true } });
    assert.ok(c.tls.decryption!.records.client >= 2 && c.tls.decryption!.records.server >= 2);
    assert.deepEqual(c.diagnostics.filter((d) => d.code.startsWith('decrypt')), []);
  });

  it('decrypts both closing alerts as tshark does (close_notify, warning)', () => {
    const alerts = ref.filter((l) => l['tls.alert_message.desc']).map((l) => [Number(l['tls.alert_message.level']![0]), Number(l['tls.alert_message.desc']![0])]);
    assert.deepEqual(c.alerts.map((a) => [a.level, a.description]), alerts);
    assert.ok(c.alerts.every((a) => a.decrypted));
    assert.deepEqual(plain.alerts.map((a) => a.encrypted), [true, true]);
    assert.match(formatConnectionText(c, { color: false }), /alert from client: warning close_notify \(decrypted\)/);
  });

  it('a wrong master secret: the MAC check fails, located, per direction; nothing is made up', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hi-ssl3-')), 'wrong.keys');
    writeFileSync(path, readFileSync(KEYS, 'utf8').replace(/(\S)\n?$/, (_, ch: string) => `${ch === '0' ? '1' : '0'}\n`));
    const w = (await analyzeFile(PCAP, { keyLogFiles: [path] })).connections[0];
    const bad = w.diagnostics.filter((d) => d.code === 'decrypt.failed');
    assert.deepEqual(bad.map((d) => d.message.split(':')[0]), ['client', 'server']);
    for (const d of bad) {
      assert.match(d.message, /bad (record MAC|padding)/);
      assert.equal(d.location?.kind, 'offset');
    }
    assert.ok(w.messages.every((m) => !m.decrypted));
  });
});

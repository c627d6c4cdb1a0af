import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';

const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'sslv2');

// An SSLv2-framed CLIENT-HELLO (lab/sslv2/make.sh, bytes checked with tshark -V):
// JA3 and JA4 are defined over TLS ClientHellos; tshark gives this hello no JA3,
// and neither may we (it used to get a made-up JA3 "769,57-53-10-47-255,,," and a JA4 that
// ignored its seven cipher specs).
test('SSLv2 CLIENT-HELLO: cipher specs as tshark lists them, no JA3/JA4 made up', async () => {
  const [row] = readFileSync(join(DIR, 'sslv2-compat-hello.tshark.tsv'), 'utf8').split('\n').map((l) => l.split('\t'));
  const [, port, ja3, specs] = row;
  const report = await analyzeFile(join(DIR, 'sslv2-compat-hello.pcap'));
  assert.equal(report.connections.length, 1);
  const c = report.connections[0];
  assert.equal(c.client.port, Number(port));
  assert.equal(c.clientHello?.sslv2, true);
  assert.deepEqual(c.clientHello?.sslv2CipherSpecs, specs.split(',').map((s) => parseInt(s, 16)));
  assert.equal(ja3, '');
  assert.equal(c.fingerprints.ja3, null);
  assert.equal(c.fingerprints.ja3Full, null);
  assert.equal(c.fingerprints.ja4, null);
  assert.equal(c.alerts[0]?.name, 'handshake_failure');
});

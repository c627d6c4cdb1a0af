import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import type { ConnectionReport } from '../../shared/analysis';

// The whole pipeline (reader → TCP → TLS → fingerprints) against the JA4+
// project's published values for its own captures.
const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'ja4-reference');
const FILES = ['tls12.pcap', 'tls3.pcapng', 'tls-handshake.pcapng'];

type Expected = Record<string, string | number>;

function find(conns: ConnectionReport[], e: Expected): ConnectionReport | undefined {
  return conns.find((c) => c.client.address === e.src && String(c.client.port) === String(e.srcport)
    && c.server.address === e.dst && String(c.server.port) === String(e.dstport));
}

for (const file of FILES) {
  test(`JA4 family from the full pipeline matches the published values: ${file}`, async () => {
    const expected = JSON.parse(readFileSync(join(DIR, `${file}.expected.json`), 'utf8')) as Expected[];
    const report = await analyzeFile(join(DIR, file), { ja4plus: true });
    let compared = 0;
    let published = 0;
    for (const e of expected) {
      const keys = Object.keys(e).filter((k) => /^(JA4(_r|_o|_ro)?\.1|JA4S(_r)?|JA4X\.\d+)$/.test(k));
      published += keys.length;
      if (keys.length === 0) continue;
      const c = find(report.connections, e);
      assert.ok(c, `stream ${e.stream} (${e.src}:${e.srcport} → ${e.dst}:${e.dstport}) was not found`);
      for (const k of keys) {
        let actual: string | null | undefined;
        if (k === 'JA4.1') actual = c.fingerprints.ja4;
        else if (k === 'JA4_r.1') actual = c.fingerprints.ja4_r;
        else if (k === 'JA4_o.1') actual = c.fingerprints.ja4_o;
        else if (k === 'JA4_ro.1') actual = c.fingerprints.ja4_ro;
        else if (k === 'JA4S') actual = c.fingerprints.ja4s;
        else if (k === 'JA4S_r') actual = c.fingerprints.ja4s_r;
        else actual = c.certificates[Number(k.split('.')[1]) - 1]?.ja4x;
        assert.equal(actual, e[k], `stream ${e.stream} ${k}`);
        compared++;
      }
    }
    assert.ok(published > 0);
    assert.equal(compared, published, 'every published value was compared');
  });
}

test('JA4S and JA4X are absent unless opted in (FoxIO License 1.1)', async () => {
  const report = await analyzeFile(join(DIR, 'tls-handshake.pcapng'));
  const c = report.connections.find((x) => x.serverHello);
  assert.ok(c);
  assert.equal(c.fingerprints.ja4s, undefined);
  assert.equal(c.fingerprints.ja4x, undefined);
  assert.ok(c.certificates.every((x) => x.ja4x === undefined));
  assert.match(c.fingerprints.ja4 ?? '', /^t1[0-3][di]\d{4}/);
});

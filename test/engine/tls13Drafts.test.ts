import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { ja4s } from '../../server/src/fingerprint/ja4plus';
import type { ServerHello } from '../../server/src/tls/types';
import { RangeMap } from '../../server/src/tls/types';

const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'tls13-drafts');

/** tshark's fields for the ServerHello (lab/tls13-drafts/make.sh): version, suite, extension types, supported_version, sid length, compression, JA3S. */
function tsharkServerHello(draft: number): { version: number; suite: number; extensions: number[]; supported: string; sidLength: string; compression: string; ja3s: string } {
  const rows = readFileSync(join(DIR, `draft-${draft}.tshark.tsv`), 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const row = rows.find((r) => r[0] === '2');
  assert.ok(row, 'tshark saw a ServerHello');
  const [, version, suite, exts, supported, sidLength, compression, ja3s] = row;
  return { version: parseInt(version, 16), suite: parseInt(suite, 16), extensions: exts.split(',').map(Number), supported, sidLength, compression, ja3s };
}

// Drafts before 22 have no session id and no compression method: read with
// the TLS 1.2 layout the suite came out as 0x8989 (bytes of the random) and
// the extensions as an overrun. tshark picks the layout by the draft version.
for (const draft of [18, 21]) {
  test(`TLS 1.3 draft ${draft} ServerHello: decoded by the draft's layout, fields and JA3S as tshark has them`, async () => {
    const ts = tsharkServerHello(draft);
    assert.equal(ts.sidLength, '', 'tshark shows no session id in this layout');
    assert.equal(ts.compression, '', 'tshark shows no compression method in this layout');
    const report = await analyzeFile(join(DIR, `draft-${draft}.pcap`));
    assert.equal(report.connections.length, 1);
    const c = report.connections[0];
    const sh = c.serverHello!;
    assert.equal(sh.tls13Draft, draft);
    assert.equal(sh.legacyVersion, ts.version);
    assert.equal(sh.selectedVersion, 0x7f00 + draft);
    assert.equal(sh.cipherSuite, ts.suite);
    assert.deepEqual(sh.extensions.map((e) => e.type), ts.extensions);
    // key_share at its draft codepoint 40, decoded like 51
    assert.deepEqual(sh.extensions[0].data, { group: 0x001d, groupName: 'x25519', length: 32 });
    assert.equal(sh.sessionId, '');
    assert.equal(sh.ranges?.sessionId, undefined, 'no bytes are claimed for an absent session id');
    assert.equal(sh.ranges?.compressionMethod, undefined);
    assert.equal(c.fingerprints.ja3s, ts.ja3s);
    assert.deepEqual(c.diagnostics, [], 'no "extensions length runs past the end" any more');
    assert.equal(c.tls.versionName, `TLS 1.3 (draft ${draft})`);
    // everything after the ServerHello is encrypted in type-23 records: 60 + 300 + 90 bytes from the server
    assert.deepEqual(c.tls.applicationData?.server, { records: 3, bytes: 450 });
    // JA4S: drafts have no JA4 version code ('00'), one extension, the suite, the extension list 0028
    const j = ja4s({ ...sh, ranges: new RangeMap() } as ServerHello);
    assert.equal(j.ja4s_r, `t000100_${ts.suite.toString(16).padStart(4, '0')}_0028`);
  });
}

test('TLS 1.3 draft 22 ServerHello: the session id and compression method are back (layout by legacy_version 0x0303), the draft in supported_versions', async () => {
  const ts = tsharkServerHello(22);
  assert.equal(ts.sidLength, '0');
  assert.equal(ts.compression, '0');
  const report = await analyzeFile(join(DIR, 'draft-22.pcap'));
  const sh = report.connections[0].serverHello!;
  assert.equal(sh.tls13Draft, undefined);
  assert.equal(sh.legacyVersion, ts.version);
  assert.equal(sh.selectedVersion, parseInt(ts.supported, 16));
  assert.equal(sh.cipherSuite, ts.suite);
  assert.deepEqual(sh.extensions.map((e) => e.type), ts.extensions);
  assert.equal(report.connections[0].fingerprints.ja3s, ts.ja3s);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { extensionData } from '../../shared/tlsExtensions';

const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'ech');

// Crafted (lab/ech/make.sh): an ESNI ClientHello as Firefox sent it in 2020, no SNI, never answered.
test('legacy ESNI (0xffce): every field as tshark -V decodes it, assessed real, and China 2020\'s rule marks it', async () => {
  const tv = readFileSync(join(DIR, 'esni.tshark-V.txt'), 'utf8');
  const field = (label: string): string => new RegExp(`^\\s*${label}: (.*)$`, 'm').exec(tv)![1].trim();
  const c = (await analyzeFile(join(DIR, 'esni.pcap'))).connections[0];
  const d = extensionData(c.clientHello!.extensions, 0xffce)!;
  assert.equal(d.cipherSuite, parseInt(/\(0x([0-9a-f]{4})\)/.exec(field('Cipher Suite'))![1], 16));
  assert.equal(d.keyShareGroup, Number(/\((\d+)\)/.exec(field('Group'))![1]));
  assert.equal(d.keyShareGroupName, 'x25519');
  assert.equal(d.keyShareLength, Number(field('Key Exchange Length')));
  assert.equal(d.recordDigest, field('Record Digest'));
  assert.equal(d.recordDigest!.length / 2, Number(field('Record Digest Length')));
  assert.equal(d.encryptedSniLength, Number(field('Encrypted SNI Length')));
  assert.equal(c.ech?.kind, 'esni');
  assert.equal(c.ech?.likely, 'real');
  assert.equal(c.ech?.acceptance, 'no ServerHello');
  const s = c.suspects.find((x) => x.rule === 'catalogue.china-2020-esni');
  assert.ok(s, 'the China 2020 ESNI rule marks the extension');
  assert.equal(s.field, `clientHello.extensions[${c.clientHello!.extensions.findIndex((e) => e.type === 0xffce)}]`);
  assert.equal(s.weight, 'high');
});

// Crafted: two connections with the outer SNI cloudflare-ech.com and config id 0x2a; the first is answered
// with a HelloRetryRequest carrying the ECH extension, the second with a plain ServerHello.
test('real ECH: the provider\'s public name, a recurring config id and the HRR confirmation are the evidence; Russia 2024\'s rule marks the pair', async () => {
  const rows = readFileSync(join(DIR, 'ech-cloudflare.tshark.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const report = await analyzeFile(join(DIR, 'ech-cloudflare.pcapng'));
  assert.equal(report.connections.length, 2);
  for (const c of report.connections) {
    const hello = rows.find((r) => r[0] === String(c.client.port) && r[1] === '1')!;
    assert.equal(c.ech?.outerServerName, hello[2]);
    assert.ok(hello[3].split(',').includes('65037'), 'tshark sees the ECH extension');
    assert.equal(c.ech?.kind, 'ech');
    assert.equal(c.ech?.likely, 'real');
    assert.equal(c.ech?.configId, 0x2a);
    assert.match(c.ech!.evidence[0], /public name of a known ECH provider/);
    const rule = c.suspects.filter((s) => s.rule === 'catalogue.russia-2024-ech-public-name').map((s) => s.field);
    assert.deepEqual(rule, ['clientHello.serverName', `clientHello.extensions[${c.clientHello!.extensions.findIndex((e) => e.type === 0xfe0d)}]`]);
    const answer = rows.find((r) => r[0] === '443' && rows.indexOf(r) === rows.indexOf(hello) + 1)!;
    if (answer[3].split(',').includes('65037')) {
      // tshark: the HRR's ECH extension is 8 bytes long (the confirmation)
      assert.equal(answer[4].split(',')[answer[3].split(',').indexOf('65037')], '8');
      assert.equal(c.ech?.hrrConfirmation, true);
      assert.match(c.ech!.acceptance, /HelloRetryRequest carries the ECH confirmation/);
    } else {
      assert.equal(c.ech?.hrrConfirmation, null);
      assert.match(c.ech!.acceptance, /last 8 bytes of ServerHello\.random: not checkable/);
    }
  }
  // Whichever connection finished second saw the first one's config id.
  assert.equal(report.connections.filter((c) => c.ech!.evidence.some((e) => /was used with the outer SNI cloudflare-ech\.com by an earlier connection/.test(e))).length, 1);
});

// Real: headless Chromium against openssl s_server in a network namespace (lab/ech/grease.sh).
test('GREASE ECH from Chromium: the real SNI in the outer hello, assessed GREASE, no Russia 2024 mark', async () => {
  const [types, sni] = readFileSync(join(DIR, 'chromium-grease-ech.tshark.tsv'), 'utf8').trim().split('\t');
  assert.ok(types.split(',').includes('65037'), 'tshark sees the ECH extension');
  const c = (await analyzeFile(join(DIR, 'chromium-grease-ech.pcap'))).connections[0];
  assert.equal(c.clientHello?.serverName, sni);
  const d = extensionData(c.clientHello!.extensions, 0xfe0d)!;
  assert.equal(d.type, 0);
  assert.equal(c.ech?.likely, 'grease');
  assert.equal(c.ech?.outerServerName, sni);
  assert.equal(c.ech?.configId, d.configId);
  assert.match(c.ech!.evidence[0], /GREASE ECH keeps the real server name/);
  assert.equal(c.ech?.hrrConfirmation, null);
  assert.ok(!c.suspects.some((s) => s.rule.startsWith('catalogue.russia-2024')));
});

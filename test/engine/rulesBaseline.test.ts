import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { baselineDiff, nameShape } from '../../server/src/rules/baseline';
import { fieldRange, isPathError, parseFieldPath } from '../../server/src/rules/fieldPath';
import { CAPTURES, cloneReport, connectionOf } from '../helpers/rulesHelpers';

test('a connection against itself differs nowhere', async () => {
  const c = await connectionOf(CAPTURES.torRelay);
  assert.deepEqual(baselineDiff(c, c), []);
});

test('blocked Tor-2011-shaped handshake against an ordinary DHE one: the telling differences are distinctive', async () => {
  const blocked = await connectionOf(CAPTURES.tor2011);
  const baseline = await connectionOf(CAPTURES.dheAes256);
  const d = baselineDiff(blocked, baseline);
  const get = (f: string) => d.find((e) => e.field === f);

  const suite = get('serverHello.cipherSuite');
  assert.deepEqual(suite, {
    field: 'serverHello.cipherSuite',
    blocked: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA (0x0033)',
    baseline: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA (0x0039)',
    distinctive: true,
  });
  assert.equal(get('serverKeyExchange.dhPrime')?.blocked, 'RFC 2409 Oakley group 2 (1024-bit MODP)');
  assert.equal(get('serverKeyExchange.dhPrime')?.baseline, 'RFC 3526 group 14 (2048-bit MODP)');
  assert.equal(get('serverKeyExchange.dhPrime')?.distinctive, true);
  assert.equal(get('serverKeyExchange.dhPrimeBits')?.distinctive, true);
  assert.equal(get('certificates[0].lifetimeSeconds')?.blocked, '2 h 0 min');
  assert.equal(get('certificates[0].lifetimeSeconds')?.distinctive, true);
  assert.equal(get('certificates[0].signatureAlgorithm')?.blocked, 'sha1WithRSAEncryption');
  assert.equal(get('certificates')?.blocked, '2 certificates');
  assert.equal(get('clientHello.cipherSuites')?.distinctive, true);
  assert.equal(get('clientHello.serverName')?.blocked, 'none');
  assert.equal(get('clientHello.serverName')?.distinctive, true);
  assert.equal(get('fingerprints.ja3s')?.distinctive, true);

  // Per-connection noise is listed but not distinctive, and comes after everything distinctive.
  for (const f of ['clientHello.random', 'serverHello.random', 'serverKeyExchange.dhPublic', 'certificates[0].notBefore']) {
    assert.equal(get(f)?.distinctive, false, f);
  }
  const firstNoise = d.findIndex((e) => !e.distinctive);
  assert.ok(firstNoise > 0 && d.slice(firstNoise).every((e) => !e.distinctive));
  // Only differences are listed.
  assert.ok(d.every((e) => e.blocked !== e.baseline));
  assert.equal(get('serverHello.compressionMethod'), undefined);

  // Entries are named by field paths, so an editor can highlight the blocked side's bytes.
  for (const e of d) {
    assert.ok(!isPathError(parseFieldPath(e.field)), e.field);
    if (e.blocked !== null) assert.ok(fieldRange(blocked, e.field).length > 0, `no range for ${e.field}`);
  }
});

test('two Tor relays: random names, serials, digests and exact lifetimes are noise; the name form is not', async () => {
  const blocked = await connectionOf(CAPTURES.torRelay);
  const other = cloneReport(blocked);
  const leaf = other.certificates[0];
  leaf.subjectCN = 'www.q7xk2mzt4pr6ua.net';
  leaf.subject = `CN=${leaf.subjectCN}`;
  leaf.serialNumber = '5d1a77e0c3b2a918';
  leaf.sha256 = 'ab'.repeat(32);
  leaf.lifetimeSeconds = 200 * 86400;
  other.clientHello!.serverName = 'www.abcdefghij234567.com';
  other.clientHello!.random = '00'.repeat(32);
  const d = baselineDiff(blocked, other);
  const get = (f: string) => d.find((e) => e.field === f);
  for (const f of ['certificates[0].subjectCN', 'certificates[0].subject', 'certificates[0].serialNumber', 'certificates[0].sha256', 'certificates[0].lifetimeSeconds', 'clientHello.serverName', 'clientHello.random']) {
    assert.equal(get(f)?.distinctive, false, f);
  }
  assert.ok(d.every((e) => !e.distinctive), JSON.stringify(d.filter((e) => e.distinctive)));

  // A real name instead of a random one, or a lifetime under a day, is telling.
  leaf.issuerCN = 'R3';
  leaf.lifetimeSeconds = 7200;
  const d2 = baselineDiff(blocked, other);
  assert.equal(d2.find((e) => e.field === 'certificates[0].issuerCN')?.distinctive, true);
  assert.equal(d2.find((e) => e.field === 'certificates[0].lifetimeSeconds')?.distinctive, true);
});

test('GREASE values compare as one symbol', async () => {
  const a = cloneReport(await connectionOf(CAPTURES.torRelay));
  const b = cloneReport(a);
  a.clientHello!.cipherSuites.unshift(0x0a0a);
  b.clientHello!.cipherSuites.unshift(0xdada);
  assert.equal(baselineDiff(a, b).find((e) => e.field === 'clientHello.cipherSuites'), undefined);
});

test('nameShape abstracts only Tor-style random names', () => {
  assert.equal(nameShape('www.b3iya6yfytxok2q7o.net'), 'www.<random base32>.net');
  assert.equal(nameShape('www.nticptdx7zayqmuqfjd6aq.com'), 'www.<random base32>.com');
  assert.equal(nameShape('www.example.com'), 'www.example.com');
  assert.equal(nameShape(null), '(none)');
});

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, getDiffieHellman } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOGUE, runCatalogue, torLinkNames } from '../../server/src/rules/catalogue';
import { KNOWN_DH_GROUPS, OAKLEY_GROUP_2_PRIME, identifyDhPrime } from '../../server/src/rules/dhGroups';
import { REF } from '../../server/src/rules/references';
import { evaluateSuspects } from '../../server/src/rules';
import { CAPTURES, ROOT, assertRangesInCapture, bytesAt, cloneReport, connectionOf, find, ruleRef, why } from '../helpers/rulesHelpers';
import { SHARED_REFERENCE } from '../helpers/paths';
import { commandMissing, skipUnlessCi } from '../helpers/prerequisites';

// The reference notes next to the repository (../shared), not in it.
const SOURCE_NOTE = path.join(SHARED_REFERENCE, 'notes', 'censorship-history.md');

test('Tor relay (real bridge): random-name certificate rule fires high on subject and issuer, pointing at the certificate', async () => {
  const c = await connectionOf(CAPTURES.torRelay);
  assert.equal(c.certificates[0].subjectCN, 'www.b3iya6yfytxok2q7o.net');
  const s = runCatalogue(c);
  const subject = find(s, 'catalogue.tor-random-cert-names', 'certificates[0].subject');
  const issuer = find(s, 'catalogue.tor-random-cert-names', 'certificates[0].issuer');
  assert.ok(subject && issuer, 'both names marked');
  assert.equal(subject.weight, 'high');
  assert.equal(issuer.weight, 'high');
  assert.equal(subject.message, 'Certificate');
  assert.equal(subject.value, 'www.b3iya6yfytxok2q7o.net');
  assert.equal(issuer.value, 'www.sx3dhznicot62snfljg.com');
  // The range is the certificate's DER in the capture, and the name is inside it.
  const der = bytesAt(CAPTURES.torRelay, subject.range);
  assert.equal(der[0], 0x30);
  assert.ok(der.includes(Buffer.from('www.b3iya6yfytxok2q7o.net')));
  assertRangesInCapture(CAPTURES.torRelay, s);
});

test('Tor relay: documented-match rules that do not apply stay silent', async () => {
  const c = await connectionOf(CAPTURES.torRelay);
  const s = runCatalogue(c);
  // ECDHE with a 313-day certificate and a random 8-byte serial.
  assert.equal(c.serverHello?.cipherSuite, 0xc030);
  assert.equal(find(s, 'catalogue.ethiopia-2012-dhe-aes256'), undefined);
  assert.equal(find(s, 'catalogue.iran-2011-short-lifetime'), undefined);
  assert.equal(find(s, 'catalogue.iran-2011-oakley-group2'), undefined);
  assert.equal(find(s, 'catalogue.timestamp-serial'), undefined);
  assert.equal(find(s, 'catalogue.sha1-signature'), undefined);
  assert.equal(find(s, 'catalogue.syria-2011-renegotiation'), undefined);
  // Not self-signed: the issuer is Tor's identity certificate, which is not sent.
  assert.equal(find(s, 'catalogue.self-signed-random-leaf'), undefined);
});

test('Tor relay: the client\'s ClientHello matches the Tor client shape (cipher list, groups, random SNI), medium', async () => {
  const c = await connectionOf(CAPTURES.torRelay);
  const s = runCatalogue(c);
  const suites = find(s, 'catalogue.china-2011-tor-client-hello', 'clientHello.cipherSuites');
  assert.ok(suites);
  assert.equal(suites.weight, 'medium');
  assert.equal(suites.message, 'ClientHello');
  assert.match(why(suites), /shape match/);
  assert.match(ruleRef(suites), /Winter & Lindskog/);
  // The range is the cipher suite list itself: 18 suites, 2 bytes each, Tor's order.
  const bytes = bytesAt(CAPTURES.torRelay, suites.range);
  assert.equal(bytes.length, 36);
  assert.equal(bytes.readUInt16BE(0), 0x1301);
  assert.equal(bytes.readUInt16BE(34), 0x00ff);
  const sni = find(s, 'catalogue.china-2011-tor-client-hello', 'clientHello.serverName');
  assert.ok(sni);
  assert.equal(bytesAt(CAPTURES.torRelay, sni.range).toString('latin1'), 'www.nticptdx7zayqmuqfjd6aq.com');
  assert.ok(find(s, 'catalogue.china-2011-tor-client-hello', 'clientHello.supportedGroups'));
});

test('China rule does not fire on OpenSSL\'s own ClientHello, nor when one suite is moved', async () => {
  for (const f of [CAPTURES.dheAes256, CAPTURES.renegotiation, CAPTURES.tor2011]) {
    assert.equal(find(runCatalogue(await connectionOf(f)), 'catalogue.china-2011-tor-client-hello'), undefined, path.basename(f));
  }
  const c = cloneReport(await connectionOf(CAPTURES.torRelay));
  const suites = c.clientHello!.cipherSuites;
  [suites[0], suites[1]] = [suites[1], suites[0]];
  assert.equal(find(runCatalogue(c), 'catalogue.china-2011-tor-client-hello'), undefined);
});

test('Ethiopia 2012 rule fires high on a real ServerHello choosing 0x0039, and the range holds 00 39', async () => {
  const c = await connectionOf(CAPTURES.dheAes256);
  assert.equal(c.serverHello?.cipherSuite, 0x0039);
  const s = runCatalogue(c);
  const e = find(s, 'catalogue.ethiopia-2012-dhe-aes256', 'serverHello.cipherSuite');
  assert.ok(e);
  assert.equal(e.weight, 'high');
  assert.equal(e.message, 'ServerHello');
  assert.equal(e.value, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA (0x0039)');
  assert.deepEqual([...bytesAt(CAPTURES.dheAes256, e.range)], [0x00, 0x39]);
  assert.match(ruleRef(e), /Ethiopia introduces deep packet inspection/);
  assert.match(ruleRef(e), /6045/);
  assertRangesInCapture(CAPTURES.dheAes256, s);
});

test('Ethiopia 2012 rule does not fire on a real ServerHello choosing 0x0033', async () => {
  const c = await connectionOf(CAPTURES.tor2011);
  assert.equal(c.serverHello?.cipherSuite, 0x0033);
  assert.equal(find(runCatalogue(c), 'catalogue.ethiopia-2012-dhe-aes256'), undefined);
});

test('lifetime rule does not fire on an ordinary 1-year certificate', async () => {
  const c = await connectionOf(CAPTURES.dheAes256);
  assert.ok((c.certificates[0].lifetimeSeconds ?? 0) >= 365 * 86400);
  const s = runCatalogue(c);
  assert.equal(find(s, 'catalogue.iran-2011-short-lifetime'), undefined);
  assert.equal(find(s, 'catalogue.tor-random-cert-names'), undefined);
  // A self-signed certificate with a real-looking name is not a random-name trait.
  assert.equal(c.certificates[0].selfSigned, true);
  assert.equal(find(s, 'catalogue.self-signed-random-leaf'), undefined);
});

test('OpenSSL\'s default DH group is recognised as a published group (low), not as small or Oakley', async () => {
  const c = await connectionOf(CAPTURES.dheAes256);
  const s = runCatalogue(c);
  const g = find(s, 'catalogue.well-known-dh-group', 'serverKeyExchange.dhPrime');
  assert.ok(g);
  assert.equal(g.weight, 'low');
  assert.match(g.value ?? '', /RFC 3526 group 14/);
  assert.equal(find(s, 'catalogue.small-dh-prime'), undefined);
  assert.equal(find(s, 'catalogue.iran-2011-oakley-group2'), undefined);
  assert.equal(bytesAt(CAPTURES.dheAes256, g.range).toString('hex'), c.serverKeyExchange?.dhPrime);
});

test('Tor-2011-shaped server: Oakley prime, 2-hour lifetime, random names, timestamp serial, SHA-1 all marked', async () => {
  const c = await connectionOf(CAPTURES.tor2011);
  const s = runCatalogue(c);

  const oakley = find(s, 'catalogue.iran-2011-oakley-group2', 'serverKeyExchange.dhPrime');
  assert.ok(oakley);
  assert.equal(oakley.weight, 'high');
  assert.equal(oakley.message, 'ServerKeyExchange');
  assert.equal(bytesAt(CAPTURES.tor2011, oakley.range).toString('hex'), OAKLEY_GROUP_2_PRIME);
  assert.match(ruleRef(oakley), /Tor and censorship 2012/);
  // The Oakley rule says it all; the small-prime trait does not repeat it.
  assert.equal(find(s, 'catalogue.small-dh-prime'), undefined);
  assert.equal(find(s, 'catalogue.well-known-dh-group'), undefined);

  const life = find(s, 'catalogue.iran-2011-short-lifetime', 'certificates[0].notAfter');
  assert.ok(life);
  assert.equal(life.weight, 'high');
  assert.match(life.value ?? '', /^2 h 0 min/);
  assert.match(ruleRef(life), /Iran blocks Tor; Tor releases same-day fix/);
  // The self-signed identity certificate lives a year: only the link certificate is marked.
  assert.equal(find(s, 'catalogue.iran-2011-short-lifetime', 'certificates[1].notAfter'), undefined);

  assert.equal(find(s, 'catalogue.tor-random-cert-names', 'certificates[0].subject')?.weight, 'high');
  assert.equal(find(s, 'catalogue.tor-random-cert-names', 'certificates[0].issuer')?.weight, 'high');

  const serial = find(s, 'catalogue.timestamp-serial', 'certificates[0].serialNumber');
  assert.ok(serial);
  assert.equal(serial.weight, 'low');
  assert.equal(find(s, 'catalogue.timestamp-serial', 'certificates[1].serialNumber'), undefined, 'the identity certificate has a random 20-byte serial');

  assert.equal(find(s, 'catalogue.sha1-signature', 'certificates[0].signatureAlgorithm')?.value, 'sha1WithRSAEncryption');
  assert.ok(find(s, 'catalogue.sha1-signature', 'certificates[1].signatureAlgorithm'));
  assertRangesInCapture(CAPTURES.tor2011, s);
});

test('one Tor-shaped name alone is not Tor: an ordinary certificate for www.lilawelt.net is not marked (issue #15)', async () => {
  const c = cloneReport(await connectionOf(CAPTURES.torRelay));
  // The false positive of a public trace: an 8-letter host name under .net, issued by a CA.
  c.certificates[0].subject = 'CN=www.lilawelt.net';
  c.certificates[0].subjectCN = 'www.lilawelt.net';
  c.certificates[0].issuer = 'C=US, O=Let\'s Encrypt, CN=R3';
  c.certificates[0].issuerCN = 'R3';
  assert.equal(find(runCatalogue(c), 'catalogue.tor-random-cert-names'), undefined);
  // Both names of the form but one DN with more than a CN: not Tor's either.
  c.certificates[0].issuer = 'O=Example, CN=www.sx3dhznicot62snfljg.com';
  c.certificates[0].issuerCN = 'www.sx3dhznicot62snfljg.com';
  assert.equal(find(runCatalogue(c), 'catalogue.tor-random-cert-names'), undefined);
  assert.equal(torLinkNames({ subject: 'CN=www.lilawelt.net', issuer: 'CN=R3', subjectCN: 'www.lilawelt.net', issuerCN: 'R3' }), false);
});

test('Tor link names with a subjectAltName: a medium mark (Tor\'s link certificates have none)', async () => {
  const c = cloneReport(await connectionOf(CAPTURES.torRelay));
  c.certificates[0].subjectAltNames = ['DNS:www.b3iya6yfytxok2q7o.net'];
  const s = runCatalogue(c);
  assert.equal(find(s, 'catalogue.tor-random-cert-names', 'certificates[0].subject')?.weight, 'medium');
  assert.equal(find(s, 'catalogue.tor-random-cert-names', 'certificates[0].issuer')?.weight, 'medium');
});

test('small DH primes: 1024 bits low, below 1024 medium', async () => {
  const base = await connectionOf(CAPTURES.dheAes256);
  const c = cloneReport(base);
  // RFC 2409 group 1 (768 bits), straight from OpenSSL's table.
  c.serverKeyExchange!.dhPrime = getDiffieHellman('modp1').getPrime('hex');
  c.serverKeyExchange!.dhPrimeBits = 768;
  let s = runCatalogue(c);
  assert.equal(find(s, 'catalogue.small-dh-prime')?.weight, 'medium');
  assert.match(find(s, 'catalogue.small-dh-prime')?.value ?? '', /768-bit prime \(RFC 2409 Oakley group 1/);
  c.serverKeyExchange!.dhPrime = 'c' + 'f'.repeat(255);
  c.serverKeyExchange!.dhPrimeBits = 1024;
  s = runCatalogue(c);
  assert.equal(find(s, 'catalogue.small-dh-prime')?.weight, 'low');
  assert.equal(find(s, 'catalogue.well-known-dh-group'), undefined);
});

test('Syria 2011 rule marks the client\'s second encrypted handshake record (a real renegotiation)', async () => {
  const c = await connectionOf(CAPTURES.renegotiation);
  const s = runCatalogue(c);
  const marks = s.filter((x) => x.rule === 'catalogue.syria-2011-renegotiation');
  assert.equal(marks.length, 1);
  const m = marks[0];
  assert.equal(m.weight, 'medium');
  const i = Number(/^messages\[(\d+)\]$/.exec(m.field)?.[1]);
  const msg = c.messages[i];
  assert.equal(msg.from, 'client');
  assert.equal(msg.type, -1);
  assert.deepEqual(m.range, msg.range);
  // It comes after the client's Finished, which is the first encrypted client record.
  const firstEncrypted = c.messages.findIndex((x) => x.from === 'client' && x.type === -1);
  assert.ok(i > firstEncrypted);
  assertRangesInCapture(CAPTURES.renegotiation, s);
  // Ordinary TLS 1.2 handshakes encrypt one handshake message per side.
  for (const f of [CAPTURES.dheAes256, CAPTURES.tor2011]) {
    assert.equal(find(runCatalogue(await connectionOf(f)), 'catalogue.syria-2011-renegotiation'), undefined, path.basename(f));
  }
});

test('Syria rule: a ClientHello whose renegotiation_info carries a previous Finished is a renegotiation', async () => {
  const c = cloneReport(await connectionOf(CAPTURES.dheAes256));
  const i = c.clientHello!.extensions.findIndex((e) => e.type === 0xff01);
  assert.ok(i < 0, 'OpenSSL signals secure renegotiation with the SCSV, not the extension');
  c.clientHello!.extensions.push({ type: 0xff01, name: 'renegotiation_info', grease: false, length: 13, data: { length: 12, renegotiatedConnection: '00'.repeat(12) } });
  const m = find(runCatalogue(c), 'catalogue.syria-2011-renegotiation', `clientHello.extensions[${c.clientHello!.extensions.length - 1}]`);
  assert.ok(m);
  assert.ok(m.range.length > 0);
});

test('Syria rule ignores the second ClientHello a HelloRetryRequest asks for (TLS 1.3)', async () => {
  const { analyzeFile } = await import('../../server/src/analysis/analyzeCapture');
  const r = await analyzeFile(path.join(ROOT, 'test/fixtures/tls/tls13-hrr.pcap'));
  for (const c of r.connections) {
    assert.equal(c.messages.filter((m) => m.name === 'ClientHello').length, 2);
    assert.equal(find(runCatalogue(c), 'catalogue.syria-2011-renegotiation'), undefined);
  }
});

test('ServerHello without extensions: low mark when the client offered some, none otherwise', async () => {
  const base = await connectionOf(CAPTURES.dheAes256);
  assert.equal(find(runCatalogue(base), 'catalogue.serverhello-no-extensions'), undefined);
  const c = cloneReport(base);
  c.serverHello!.extensions = [];
  const m = find(runCatalogue(c), 'catalogue.serverhello-no-extensions', 'serverHello.extensions');
  assert.ok(m);
  assert.equal(m.weight, 'low');
  assert.ok(m.range.length > 0);
  c.clientHello!.extensions = [];
  assert.equal(find(runCatalogue(c), 'catalogue.serverhello-no-extensions'), undefined);
});

test('self-signed leaf with a random-looking name: low trait', async () => {
  const c = cloneReport(await connectionOf(CAPTURES.dheAes256));
  c.certificates[0].subjectCN = 'www.q7xk2mzt4pr6ua.net';
  const m = find(runCatalogue(c), 'catalogue.self-signed-random-leaf');
  assert.ok(m);
  assert.equal(m.weight, 'low');
  assert.equal(m.field, 'certificates[0].issuer');
});

test('ordinary OpenSSL handshakes raise no high-weight mark except the documented 0x0039 choice', async () => {
  const { analyzeFile } = await import('../../server/src/analysis/analyzeCapture');
  const dir = path.join(ROOT, 'test/fixtures/tls');
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.pcap'))) {
    const r = await analyzeFile(path.join(dir, f));
    for (const c of r.connections) {
      const high = evaluateSuspects(c).filter((s) => s.weight === 'high');
      const expected = c.serverHello?.cipherSuite === 0x0039 ? ['catalogue.ethiopia-2012-dhe-aes256'] : [];
      assert.deepEqual(high.map((s) => s.rule), expected, f);
    }
  }
});

test('every built-in rule has an id, explanation, weight and a reference from the censorship-history note', () => {
  const ids = new Set<string>();
  for (const r of CATALOGUE) {
    assert.match(r.id, /^catalogue\.[a-z0-9-]+$/);
    assert.ok(!ids.has(r.id), `duplicate id ${r.id}`);
    ids.add(r.id);
    assert.ok(r.explanation.length > 40, r.id);
    assert.ok(['high', 'medium', 'low'].includes(r.weight));
    assert.ok(Object.values(REF).includes(r.reference as (typeof REF)[keyof typeof REF]), `${r.id} cites something not in references.ts`);
  }
});

test('references.ts cites only titles the censorship-history note gives', { skip: skipUnlessCi(fs.existsSync(SOURCE_NOTE) ? null : `${SOURCE_NOTE} not available (../shared next to the repository)`) }, () => {
  const note = fs.readFileSync(SOURCE_NOTE, 'utf8');
  for (const [key, ref] of Object.entries(REF)) {
    // Every quoted title and every address must appear in the note.
    for (const m of ref.matchAll(/'([^']+)'/g)) assert.ok(note.includes(m[1]), `${key}: title "${m[1]}" not in the note`);
    for (const m of ref.matchAll(/\b([a-z0-9.-]+\.(?:org|com)[\w/.-]*)/g)) assert.ok(note.includes(m[1].replace(/[.]$/, '')), `${key}: address ${m[1]} not in the note`);
  }
});

test('DH group digests match Node\'s RFC 2409 / RFC 3526 tables and the embedded Oakley group 2 hex', () => {
  assert.equal(OAKLEY_GROUP_2_PRIME, getDiffieHellman('modp2').getPrime('hex'));
  for (const g of KNOWN_DH_GROUPS.filter((x) => x.node)) {
    const p = getDiffieHellman(g.node!).getPrime();
    assert.equal(createHash('sha256').update(p).digest('hex'), g.sha256, g.id);
    assert.equal(p.length * 8, g.bits, g.id);
    assert.equal(identifyDhPrime(p.toString('hex'))?.id, g.id);
    // Leading zero bytes (a DER-style encoding) do not hide the group.
    assert.equal(identifyDhPrime(`00${p.toString('hex')}`)?.id, g.id);
  }
});

/** The first INTEGER of a DER SEQUENCE: p in both PKCS #3 DHParameter and X9.42 DomainParameters. */
function firstDerInteger(der: Buffer): Buffer {
  let i = 1;
  const len = (): number => {
    const b = der[i++];
    if (b < 0x80) return b;
    let n = 0;
    for (let k = 0; k < (b & 0x7f); k++) n = n * 256 + der[i++];
    return n;
  };
  assert.equal(der[0], 0x30);
  len();
  assert.equal(der[i++], 0x02);
  const n = len();
  let p = der.subarray(i, i + n);
  while (p.length > 0 && p[0] === 0) p = p.subarray(1);
  return p;
}

test('DH group digests match OpenSSL\'s RFC 7919 and RFC 5114 groups', { skip: skipUnlessCi(commandMissing('openssl', ['version'])) }, () => {
  for (const g of KNOWN_DH_GROUPS.filter((x) => !x.node)) {
    // genpkey writes parameters as PEM whatever -outform says.
    const pem = execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', `group:${g.id}`]).toString('latin1');
    const p = firstDerInteger(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
    assert.equal(p.length * 8, g.bits, g.id);
    assert.equal(createHash('sha256').update(p).digest('hex'), g.sha256, g.id);
  }
});

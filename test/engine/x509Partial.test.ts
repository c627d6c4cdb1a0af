import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { decodeCertificate } from '../../server/src/x509/certificate';
import { partialCertificate, PARTIAL_SAN_LIMIT } from '../../server/src/x509/derWalk';

const ROOT = join(__dirname, '..', '..', '..', 'test', 'fixtures');

// A real TLS 1.2 handshake whose certificate has 10,000 SANs (lab/bigcert/make.sh):
// the ASN.1 library stops at 10,000 nodes ("Maximum ASN.1 node count exceeded").
test('an undecodable certificate: located diagnostic, names and validity read in part, SANs counted', async () => {
  const ref = Object.fromEntries(readFileSync(join(ROOT, 'bigcert', 'sans-10000.reference.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t')));
  const r = await analyzeFile(join(ROOT, 'bigcert', 'sans-10000.pcap.gz'));
  const c = r.connections[0];
  const cert = c.certificates[0];
  assert.equal(cert.length, Number(ref.der_bytes));
  assert.match(cert.error ?? '', /Maximum ASN\.1 node count exceeded/);
  assert.equal(cert.subject, 'CN=many-names.example.test, O=Handshake Inspector lab');
  assert.equal(cert.subjectCN, 'many-names.example.test');
  assert.equal(cert.issuer, cert.subject);
  assert.ok(cert.notBefore && cert.notAfter && Date.parse(cert.notAfter) - Date.parse(cert.notBefore) > 7000 * 86400e3);
  assert.deepEqual(cert.publicKey, { algorithm: 'EC', oid: '1.2.840.10045.2.1', bits: null });
  assert.equal(cert.subjectAltNameCount, Number(ref.san_count));
  assert.equal(cert.subjectAltNames.length, PARTIAL_SAN_LIMIT);
  assert.deepEqual(cert.subjectAltNames.slice(0, 2), ['DNS:h1.t', 'DNS:h2.t']);
  const d = c.diagnostics.find((x) => x.code === 'x509.undecodable');
  assert.ok(d, 'a diagnostic, not only certificates[0].error');
  assert.deepEqual(d.location, cert.range[0]);
  assert.match(d.message, /certificate \[0\] \(\d+ bytes\) could not be decoded: .*10000 subject alternative name\(s\)/);
  // The rest of the handshake is decoded as usual.
  assert.deepEqual(c.messages.filter((m) => m.from === 'server').map((m) => m.name).slice(0, 4), ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone']);
});

// The bounded walk reads what the full decoder reads, on every decodable DER fixture.
test('the bounded DER walk agrees with the full decoder on decodable certificates', () => {
  let checked = 0;
  for (const f of readdirSync(join(ROOT, 'x509')).filter((n) => n.endsWith('.der'))) {
    const der = readFileSync(join(ROOT, 'x509', f));
    const full = decodeCertificate(der);
    if (full.error !== undefined) continue;
    const p = partialCertificate(der);
    assert.ok(p, f);
    assert.equal(p.serialNumber, full.serialNumber, `${f} serial`);
    assert.equal(p.notBefore, full.notBefore, `${f} notBefore`);
    assert.equal(p.notAfter, full.notAfter, `${f} notAfter`);
    assert.equal(p.publicKeyAlgorithm, full.publicKey.algorithm, `${f} key`);
    assert.equal(p.subjectAltNameCount, full.subjectAltNames.length, `${f} SAN count`);
    if (/^[\x20-\x7e]*$/.test(full.subject) && !/[+\\]/.test(full.subject)) assert.equal(p.subject, full.subject, `${f} subject`);
    checked++;
  }
  assert.ok(checked >= 4);
});

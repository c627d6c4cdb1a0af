import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CertificateCache, decodeCertificate, type DecodedCertificate, type ParsedCertificate,
} from '../../server/src/x509/certificate';
import { X509_DIR, certificateChains, loadHandshakes } from '../helpers/tsharkHandshakes';
import { commandMissing, skipUnlessCi } from '../helpers/prerequisites';

const fixture = (name: string): Buffer => readFileSync(join(X509_DIR, name));

function parsed(d: DecodedCertificate): ParsedCertificate {
  if (d.error !== undefined) assert.fail(`expected a decoded certificate, got error: ${d.error}`);
  return d;
}

/** Every certificate the tests know: the generated ones and the real chains in the captures. */
function allCertificates(): Array<{ name: string; der: Buffer }> {
  const out = new Map<string, { name: string; der: Buffer }>();
  for (const f of ['rsa2048-selfsigned.der', 'ec-p384-ca.der', 'ec-p256-leaf.der', 'ed25519-v1.der', 'rsa3072-pss-multirdn.der', 'hostile-names.der']) {
    out.set(f, { name: f, der: fixture(f) });
  }
  for (const capture of ['tls-handshake.pcapng', 'local-openssl.pcap']) {
    for (const s of loadHandshakes(capture).streams) {
      for (const chain of certificateChains(s)) {
        chain.forEach((der, i) => {
          const key = createHash('sha256').update(der).digest('hex');
          if (!out.has(key)) out.set(key, { name: `${capture} stream ${s.stream} cert ${i + 1}`, der: Buffer.from(der) });
        });
      }
    }
  }
  return [...out.values()];
}


function openssl(der: Buffer, ...args: string[]): string {
  return execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', ...args], { input: der, encoding: 'utf8' });
}

function expandIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}

/** SAN strings in one vocabulary: OpenSSL says 'IP Address:' and writes IPv6 uncompressed in upper case. */
function normaliseSan(san: string): string {
  const ip = /^IP(?: Address)?:(.*)$/.exec(san);
  return ip ? `IP:${expandIp(ip[1])}` : san;
}

describe('decodeCertificate against openssl x509', { skip: skipUnlessCi(commandMissing('openssl', ['version'])) }, () => {
  for (const { name, der } of allCertificates()) {
    it(name, () => {
      const d = parsed(decodeCertificate(der));
      const fields = openssl(der, '-serial', '-dates', '-fingerprint', '-sha256');
      assert.equal(d.serialNumber.toUpperCase(), /serial=(\w+)/.exec(fields)![1]);
      assert.equal(d.notBefore, new Date(/notBefore=(.*)/.exec(fields)![1]).toISOString());
      assert.equal(d.notAfter, new Date(/notAfter=(.*)/.exec(fields)![1]).toISOString());
      assert.equal(d.sha256, /Fingerprint=(.*)/.exec(fields)![1].replace(/:/g, '').toLowerCase());
      assert.equal(d.sha1, /Fingerprint=(.*)/.exec(openssl(der, '-fingerprint', '-sha1'))![1].replace(/:/g, '').toLowerCase());

      const names = openssl(der, '-subject', '-issuer', '-nameopt', 'multiline,utf8,-esc_msb');
      const [subjectText, issuerText] = names.split(/^issuer=/m);
      const lastCN = (text: string) => {
        const all = [...text.matchAll(/commonName\s+= (.*?)(?= \+ \w+\s+= |$)/gm)].map((m) => m[1]);
        return all.length ? all[all.length - 1] : null;
      };
      assert.equal(d.subjectCN, lastCN(subjectText));
      assert.equal(d.issuerCN, lastCN(issuerText));

      const text = openssl(der, '-text');
      assert.equal(d.version, Number(/Version: (\d+)/.exec(text)![1]));
      assert.equal(d.signatureAlgorithm.name, /Signature Algorithm: (\S+)/.exec(text)![1]);
      const bits = /Public-Key: \((\d+) bit\)/.exec(text);
      if (bits) assert.equal(d.publicKey.bits, Number(bits[1]));
      const nist = /NIST CURVE: (\S+)/.exec(text);
      if (nist) assert.equal(d.publicKey.curve, nist[1]);

      const sanText = /X509v3 Subject Alternative Name:(?: critical)?\s*\n\s*(.*)/.exec(text);
      assert.deepEqual(d.subjectAltNames.map(normaliseSan), sanText ? sanText[1].trim().split(', ').map(normaliseSan) : []);

      assert.deepEqual(d.problems.filter((p) => !p.includes('non-ASCII')), []);
    });
  }
});

describe('decodeCertificate: generated certificates', () => {
  it('RSA 2048 self-signed with every common SAN kind', () => {
    const d = parsed(decodeCertificate(fixture('rsa2048-selfsigned.der')));
    assert.equal(d.version, 3);
    assert.equal(d.subject, 'C=US, ST=Test State, O=Handshake Inspector Test, CN=rsa.example.test');
    assert.equal(d.issuer, d.subject);
    assert.equal(d.subjectCN, 'rsa.example.test');
    assert.equal(d.serialNumber, '0123456789abcdef');
    assert.equal(d.lifetimeSeconds, 365 * 86400);
    assert.deepEqual(d.subjectAltNames, [
      'DNS:rsa.example.test', 'DNS:*.rsa.example.test', 'IP:192.0.2.1', 'IP:2001:db8::1',
      'email:admin@example.test', 'URI:https://example.test/path',
    ]);
    assert.deepEqual(d.publicKey, { algorithm: 'RSA', oid: '1.2.840.113549.1.1.1', bits: 2048 });
    assert.deepEqual(d.signatureAlgorithm, { name: 'sha256WithRSAEncryption', oid: '1.2.840.113549.1.1.11' });
    assert.equal(d.selfIssued, true);
    assert.equal(d.selfSigned, true);
    assert.equal(d.selfSignatureVerified, true);
    assert.deepEqual(d.extensions.map((e) => [e.name, e.critical]), [
      ['basicConstraints', true], ['keyUsage', true], ['extKeyUsage', false], ['subjectAltName', false], ['subjectKeyIdentifier', false],
    ]);
    assert.equal(d.length, fixture('rsa2048-selfsigned.der').length);
    assert.equal(d.sha256, createHash('sha256').update(fixture('rsa2048-selfsigned.der')).digest('hex'));
  });

  it('EC chain: P-384 root and the P-256 leaf it issued', () => {
    const ca = parsed(decodeCertificate(fixture('ec-p384-ca.der')));
    const leaf = parsed(decodeCertificate(fixture('ec-p256-leaf.der')));
    assert.deepEqual(ca.publicKey, { algorithm: 'EC', oid: '1.2.840.10045.2.1', bits: 384, curve: 'P-384' });
    assert.equal(ca.signatureAlgorithm.name, 'ecdsa-with-SHA384');
    assert.equal(ca.selfSigned, true);
    assert.equal(ca.lifetimeSeconds, 3650 * 86400);
    assert.deepEqual(leaf.publicKey, { algorithm: 'EC', oid: '1.2.840.10045.2.1', bits: 256, curve: 'P-256' });
    assert.equal(leaf.signatureAlgorithm.name, 'ecdsa-with-SHA256');
    assert.equal(leaf.issuer, 'O=Handshake Inspector Test, CN=Test EC Root');
    assert.equal(leaf.issuerCN, 'Test EC Root');
    assert.equal(leaf.serialNumber, 'ff01');
    assert.equal(leaf.lifetimeSeconds, 90 * 86400);
    assert.equal(leaf.selfIssued, false);
    assert.equal(leaf.selfSigned, false);
    assert.equal(leaf.selfSignatureVerified, null);
    assert.deepEqual(leaf.subjectAltNames, ['DNS:ec.example.test']);
  });

  it('Ed25519 version 1 certificate without extensions', () => {
    const d = parsed(decodeCertificate(fixture('ed25519-v1.der')));
    assert.equal(d.version, 1);
    assert.deepEqual(d.extensions, []);
    assert.deepEqual(d.subjectAltNames, []);
    assert.deepEqual(d.publicKey, { algorithm: 'Ed25519', oid: '1.3.101.112', bits: 256 });
    assert.deepEqual(d.signatureAlgorithm, { name: 'ED25519', oid: '1.3.101.112' });
    assert.equal(d.serialNumber, '07');
    assert.equal(d.lifetimeSeconds, 30 * 86400);
    assert.equal(d.selfSignatureVerified, true);
  });

  it('RSA-PSS signature and a multi-valued RDN', () => {
    const d = parsed(decodeCertificate(fixture('rsa3072-pss-multirdn.der')));
    assert.deepEqual(d.signatureAlgorithm, { name: 'rsassaPss', oid: '1.2.840.113549.1.1.10', hash: 'SHA-512', saltLength: 64 });
    assert.equal(d.publicKey.bits, 3072);
    assert.equal(d.subject, 'O=Handshake Inspector Test, OU=Multi Valued+CN=pss.example.test');
    assert.equal(d.subjectCN, 'pss.example.test');
    assert.equal(d.serialNumber, '00');
    assert.equal(d.selfSignatureVerified, true);
  });

  it('hands markup, quotes and non-ASCII over unchanged', () => {
    const d = parsed(decodeCertificate(fixture('hostile-names.der')));
    assert.equal(d.subjectCN, '<script>alert(1)</script>"quoted"');
    assert.equal(d.issuerCN, '<script>alert(1)</script>"quoted"');
    assert.deepEqual(d.subjectAltNames, ['DNS:<script>alert(1)</script>', 'DNS:"quoted".example.test', 'DNS:Zürich.example.test']);
    // The DN string uses RFC 4514 escaping (that is what makes it parseable), values otherwise verbatim.
    assert.equal(d.subject, 'O=Quote \\"double\\" \'single\'\\, plus\\+comma, OU=Zürich 東京, CN=\\<script\\>alert(1)\\</script\\>\\"quoted\\"');
    assert.deepEqual(d.problems, ['subjectAltName DNS name contains non-ASCII bytes']);
  });

  it('self-issued with a broken signature is not self-signed', () => {
    const der = Buffer.from(fixture('rsa2048-selfsigned.der'));
    der[der.length - 1] ^= 0xff;
    const d = parsed(decodeCertificate(der));
    assert.equal(d.selfIssued, true);
    assert.equal(d.selfSignatureVerified, false);
    assert.equal(d.selfSigned, false);
  });

  it('a real chain from a capture: leaf and intermediate', () => {
    const s = loadHandshakes('tls-handshake.pcapng').streams.find((x) => x.stream === 5)!;
    const [leaf, ca] = certificateChains(s)[0].map((der) => parsed(decodeCertificate(der)));
    assert.equal(leaf.issuer, ca.subject);
    assert.equal(leaf.selfSigned, false);
    assert.ok(leaf.subjectAltNames.every((n) => n.startsWith('DNS:')));
    assert.ok(leaf.extensions.some((e) => e.name === 'ctPrecertificateSCTs' || e.name === 'subjectAltName'));
  });
});

describe('decodeCertificate: input that is not a certificate', () => {
  for (const f of ['empty.der', 'truncated.der', 'garbage.der']) {
    it(`${f} gives an error, never an exception`, () => {
      const der = fixture(f);
      const d = decodeCertificate(der);
      assert.equal(typeof d.error, 'string');
      assert.ok(d.error!.length > 0);
      assert.equal(d.sha256, createHash('sha256').update(der).digest('hex'));
      assert.equal(d.length, der.length);
      assert.equal(d.subject, undefined);
    });
  }

  it('survives every truncation and single-byte corruption of a real certificate', () => {
    const der = fixture('ec-p256-leaf.der');
    for (let n = 0; n < der.length; n += 7) assert.doesNotThrow(() => decodeCertificate(der.subarray(0, n)));
    for (let i = 0; i < der.length; i += 3) {
      const bad = Buffer.from(der);
      bad[i] ^= 0x5a;
      assert.doesNotThrow(() => decodeCertificate(bad));
    }
  });
});

describe('CertificateCache', () => {
  it('decodes each distinct certificate once, by content', () => {
    const cache = new CertificateCache();
    const a = cache.get(fixture('rsa2048-selfsigned.der'));
    const b = cache.get(Uint8Array.from(fixture('rsa2048-selfsigned.der')));
    assert.equal(a, b);
    assert.equal(cache.misses, 1);
    assert.equal(cache.hits, 1);
    assert.deepEqual(b, decodeCertificate(fixture('rsa2048-selfsigned.der')));
  });

  it('tells apart certificates that agree in length, head and tail (it compares bytes, not just a quick hash)', () => {
    const cache = new CertificateCache();
    const der = fixture('rsa2048-selfsigned.der');
    const twin = Uint8Array.from(der);
    twin[Math.floor(twin.length / 2)] ^= 0x01;
    const a = cache.get(der);
    const b = cache.get(twin);
    assert.notEqual(a.sha256, b.sha256);
    assert.equal(b.sha256, createHash('sha256').update(twin).digest('hex'));
    assert.equal(cache.misses, 2);
    // And each is still found again.
    assert.equal(cache.get(Uint8Array.from(twin)), b);
    assert.equal(cache.get(Uint8Array.from(der)), a);
    assert.equal(cache.hits, 2);
  });

  it('caches failures too', () => {
    const cache = new CertificateCache();
    cache.get(fixture('garbage.der'));
    const d = cache.get(fixture('garbage.der'));
    assert.equal(typeof d.error, 'string');
    assert.equal(cache.misses, 1);
  });

  it('evicts the least recently used entry', () => {
    const cache = new CertificateCache(2);
    const [x, y, z] = ['rsa2048-selfsigned.der', 'ec-p384-ca.der', 'ed25519-v1.der'].map(fixture);
    cache.get(x);
    cache.get(y);
    cache.get(x); // x is now the most recent
    cache.get(z); // evicts y
    assert.equal(cache.size, 2);
    const misses = cache.misses;
    cache.get(x);
    assert.equal(cache.misses, misses);
    cache.get(y);
    assert.equal(cache.misses, misses + 1);
  });

  it('rejects a capacity below one', () => {
    assert.throws(() => new CertificateCache(0), RangeError);
  });
});

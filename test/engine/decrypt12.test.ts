import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTls12Decryptor, createTls12Decryptors, finishedVerifyData, type Tls12Params } from '../../server/src/decrypt/tls12';
import { keyBlock, prf } from '../../server/src/decrypt/tls12/prf';
import { TLS12_SUITES } from '../../server/src/decrypt/cipherSuites';
import { cipherSuiteName } from '../../shared/tls/registry/cipherSuites';
import { loadDecrypt12, tsharkLike, walkedLikeTshark, walkSession } from '../helpers/tls12Sessions';

// Real TLS 1.0–1.2 sessions between openssl s_client and s_server (lab/decrypt12/make.sh),
// decrypted record by record with the client's key log and compared with what tshark
// decrypted from the same capture and key log.

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => Buffer.from(s, 'hex');

interface Expected {
  name: string;
  suite: number;
  version: number;
  /** Where plaintext starts in the body (the interface's bodyOffset). */
  bodyOffset: number;
  etm: boolean;
  /** Handshakes whose keys the walk built (2 for the renegotiation). */
  handshakes: number;
}

const SESSIONS: Expected[] = [
  { name: 'tls12-ecdhe-aes128gcm', suite: 0xc02f, version: 0x0303, bodyOffset: 8, etm: false, handshakes: 1 },
  { name: 'tls12-rsa-aes256gcm', suite: 0x009d, version: 0x0303, bodyOffset: 8, etm: false, handshakes: 1 },
  { name: 'tls12-dhe-aes128gcm', suite: 0x009e, version: 0x0303, bodyOffset: 8, etm: false, handshakes: 1 },
  { name: 'tls12-ecdhe-chacha20', suite: 0xcca8, version: 0x0303, bodyOffset: 0, etm: false, handshakes: 1 },
  { name: 'tls12-ecdhe-aes128sha-etm', suite: 0xc013, version: 0x0303, bodyOffset: 16, etm: true, handshakes: 1 },
  { name: 'tls12-ecdhe-aes128sha', suite: 0xc013, version: 0x0303, bodyOffset: 16, etm: false, handshakes: 1 },
  { name: 'tls12-rsa-aes256sha256', suite: 0x003d, version: 0x0303, bodyOffset: 16, etm: false, handshakes: 1 },
  { name: 'tls12-ecdhe-aes256sha384', suite: 0xc028, version: 0x0303, bodyOffset: 16, etm: false, handshakes: 1 },
  { name: 'tls11-ecdhe-aes256sha-etm', suite: 0xc014, version: 0x0302, bodyOffset: 16, etm: true, handshakes: 1 },
  { name: 'tls10-ecdhe-aes128sha', suite: 0xc013, version: 0x0301, bodyOffset: 0, etm: false, handshakes: 1 },
  { name: 'tls10-ecdhe-aes128sha-etm', suite: 0xc013, version: 0x0301, bodyOffset: 0, etm: true, handshakes: 1 },
  { name: 'tls12-renegotiation', suite: 0xc02f, version: 0x0303, bodyOffset: 8, etm: false, handshakes: 2 },
  { name: 'tls12-renegotiation-refused', suite: 0xc02f, version: 0x0303, bodyOffset: 8, etm: false, handshakes: 1 },
];

for (const ex of SESSIONS) {
  describe(`TLS ${ex.name} (real capture, tshark reference)`, () => {
    const fx = loadDecrypt12(ex.name);
    const walk = walkSession(fx);
    const protectedRecords = walk.records.filter((w) => w.epoch > 0);

    it('negotiated the suite, version and encrypt-then-MAC the lab asked for, and has keys for each handshake', () => {
      assert.equal(walk.handshakes.length, ex.handshakes);
      for (const h of walk.handshakes) {
        assert.equal(h.reason, null);
        assert.equal(h.params!.cipherSuite, ex.suite);
        assert.equal(h.params!.version, ex.version);
        assert.equal(h.params!.encryptThenMac, ex.etm);
        assert.equal(h.suite, cipherSuiteName(ex.suite));
      }
    });
    it('decrypts every protected record, each with the bodyOffset of its cipher', () => {
      assert.ok(protectedRecords.length >= 6, `${protectedRecords.length} protected records`);
      for (const w of protectedRecords) {
        assert.ok(w.result, `${w.from} record in frame ${w.frame}`);
        assert.ok(w.result.ok, `${w.from} record in frame ${w.frame}: ${w.result.ok ? '' : w.result.reason}`);
        assert.equal(w.result.record.bodyOffset, ex.bodyOffset);
        assert.equal(w.result.record.contentType, w.header.contentType);
        // What follows the plaintext: the AEAD tag, or MAC + padding (1 … 256 bytes) for CBC.
        const after = w.body.length - ex.bodyOffset - w.result.record.plaintext.length;
        if (ex.bodyOffset === 8 || ex.suite === 0xcca8) assert.equal(after, 16);
        else assert.ok(after > 20 && after <= 48 + 256, `${after} bytes after the plaintext`);
      }
    });
    for (const side of ['client', 'server'] as const) {
      it(`${side}: every record, decrypted handshake type, Finished verify_data and alert as tshark has them`, () => {
        const ours = walkedLikeTshark(walk, side);
        const ref = tsharkLike(fx.tshark, side);
        assert.deepEqual(ours.records, ref.records);
      });
      it(`${side}: the same application data as tshark, byte for byte`, () => {
        const ours = walkedLikeTshark(walk, side);
        const ref = tsharkLike(fx.tshark, side);
        assert.ok(ref.data.length >= 1);
        assert.deepEqual(ours.data, ref.data);
      });
    }
    it('every Finished carries the verify_data computed from the transcript', () => {
      const done = ex.name.endsWith('-refused') ? 2 : 2 * ex.handshakes;
      assert.equal(walk.finished.length, done);
      for (const f of walk.finished) assert.equal(f.computed, f.sent, `${f.from} Finished of handshake ${f.epoch}`);
      assert.deepEqual(walk.finished.map((f) => f.from), ex.handshakes === 2 ? ['client', 'server', 'client', 'server'] : ['client', 'server']);
    });
    it('a Finished checked with the other side\'s label, a transcript short of one message, or another version\'s PRF does not verify', () => {
      for (const f of walk.finished) {
        const p = walk.handshakes[f.epoch - 1].params!;
        const other = f.from === 'client' ? 'server' : 'client';
        assert.equal(hex(finishedVerifyData(p, f.from, f.transcript)), f.sent);
        assert.notEqual(hex(finishedVerifyData(p, other, f.transcript)), f.sent);
        assert.notEqual(hex(finishedVerifyData(p, f.from, f.transcript.slice(0, -1))), f.sent);
        assert.notEqual(hex(finishedVerifyData({ ...p, version: p.version === 0x0303 ? 0x0301 : 0x0303 }, f.from, f.transcript)), f.sent);
      }
    });
  });
}

describe('renegotiation: two epochs per direction', () => {
  const fx = loadDecrypt12('tls12-renegotiation');
  const walk = walkSession(fx);
  it('the second handshake is read under the first keys and its key log line is the second one', () => {
    const [first, second] = walk.handshakes.map((h) => h.params!);
    assert.notEqual(hex(first.clientRandom), hex(second.clientRandom));
    assert.notEqual(hex(first.masterSecret), hex(second.masterSecret));
    const lines = fx.keyLog.split('\n').filter((l) => l.startsWith('CLIENT_RANDOM'));
    assert.equal(lines[1].split(' ')[1], hex(second.clientRandom));
    const reHello = walk.records.find((w) => w.handshake.includes(1) && w.epoch === 1);
    assert.ok(reHello, 'the renegotiating ClientHello was decrypted under epoch 1');
    assert.equal(reHello.from, 'client');
    const certs = walk.records.filter((w) => w.handshake.includes(11));
    assert.deepEqual(certs.map((w) => w.epoch), [0, 1], 'a cleartext Certificate, then one decrypted from the first epoch');
  });
  it('each direction counts its sequence numbers from 0 again after its CCS; the second CCS is itself encrypted', () => {
    for (const side of ['client', 'server'] as const) {
      const ccs = walk.records.filter((w) => w.from === side && w.header.contentType === 20);
      assert.deepEqual(ccs.map((w) => w.epoch), [0, 1]);
      assert.ok(ccs[1].result?.ok && hex(ccs[1].result.record.plaintext) === '01');
      const epoch2 = walk.records.filter((w) => w.from === side && w.epoch === 2);
      assert.deepEqual(epoch2.map((w) => w.seq), epoch2.map((_, i) => BigInt(i)));
    }
  });
  it('the first epoch\'s keys do not open the second epoch\'s records', () => {
    const k1 = createTls12Decryptors(walk.handshakes[0].params!);
    assert.ok(k1.ok);
    const r = walk.records.find((w) => w.from === 'client' && w.epoch === 2)!;
    const res = k1.client.decrypt(r.header, r.body, r.seq);
    assert.equal(res.ok, false);
    assert.match(res.ok ? '' : res.reason, /AES-128-GCM tag does not verify/);
  });
});

describe('renegotiation refused: encrypted alerts', () => {
  const walk = walkSession(loadDecrypt12('tls12-renegotiation-refused'));
  it('the server answers the encrypted ClientHello with a warning no_renegotiation, the client with a fatal handshake_failure', () => {
    const alerts = walk.records.filter((w) => w.alert.length).map((w) => [w.from, ...w.alert[0]]);
    assert.deepEqual(alerts, [['server', 1, 100], ['client', 2, 40]]);
  });
});

describe('PRF against published vectors', () => {
  it('TLS 1.2 P_SHA256 (IETF TLS list, msg03416; also openssl kdf TLS1-PRF)', () => {
    const out = prf('sha256', unhex('9bbe436ba940f017b17652849a71db35'), 'test label', unhex('a0ba9f936cda311827a6f796ffd5198c'), 100);
    assert.equal(hex(out), 'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66');
  });
  it('TLS 1.2 P_SHA384 (same source)', () => {
    const out = prf('sha384', unhex('b80b733d6ceefcdc71566ea48e5567df'), 'test label', unhex('cd665cf6a8447dd6ff8b27555edb7465'), 148);
    assert.equal(hex(out), '7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f');
  });
  // Go's crypto/tls prf_test.go (vectors from gnutls-cli -d 9): TLS 1.0 master secret and key block (MD5 xor SHA-1, odd split).
  const GO_TLS10 = [
    ['0302cac83ad4b1db3b9ab49ad05957de2a504a634a386fc600889321e1a971f57479466830ac3e6f468e87f5385fa0c5', '4ae66303755184a3917fcb44880605fcc53baa01912b22ed94473fc69cebd558', '4ae663020ec16e6bb5130be918cfcafd4d765979a3136a5d50c593446e4e44db', '3d851bab6e5556e959a16bc36d66cfae32f672bfa9ecdef6096cbb1b23472df1da63dbbd9827606413221d149ed08ceb', '805aaa19b3d2c0a0759a4b6c9959890e08480119', '2d22f9fe519c075c16448305ceee209fc24ad109', 'd50b5771244f850cd8117a9ccafe2cf1', 'e076e33206b30507a85c32855acd0919'],
    ['03023f7527316bc12cbcd69e4b9e8275d62c028f27e65c745cfcddc7ce01bd3570a111378b63848127f1c36e5f9e4890', '4ae66364b5ea56b20ce4e25555aed2d7e67f42788dd03f3fee4adae0459ab106', '4ae66363ab815cbf6a248b87d6b556184e945e9b97fbdf247858b0bdafacfa1c', '7d64be7c80c59b740200b4b9c26d0baaa1c5ae56705acbcf2307fe62beb4728c19392c83f20483801cce022c77645460', '97742ed60a0554ca13f04f97ee193177b971e3b0', '37068751700400e03a8477a5c7eec0813ab9e0dc', '207cddbc600d2a200abac6502053ee5c', 'df3f94f6e1eacc753b815fe16055cd43'],
    ['832d515f1d61eebb2be56ba0ef79879efb9b527504abb386fb4310ed5d0e3b1f220d3bb6b455033a2773e6d8bdf951d278a187482b400d45deb88a5d5a6bb7d6a7a1decc04eb9ef0642876cd4a82d374d3b6ff35f0351dc5d411104de431375355addc39bfb1f6329fb163b0bc298d658338930d07d313cd980a7e3d9196cac1', '4ae663b2ee389c0de147c509d8f18f5052afc4aaf9699efe8cb05ece883d3a5e', '4ae664d503fd4cff50cfc1fb8fc606580f87b0fcdac9554ba0e01d785bdf278e', '1aff2e7a2c4279d0126f57a65a77a8d9d0087cf2733366699bec27eb53d5740705a8574bb1acc2abbe90e44f0dd28d6c', '3c7647c93c1379a31a609542aa44e7f117a70085', '0d73102994be74a575a3ead8532590ca32a526d4', 'ac7581b0b6c10d85bbd905ffbf36c65e', 'ff07edde49682b45466bd2e39464b306'],
  ];
  GO_TLS10.forEach(([pms, cr, sr, ms, cmac, smac, ckey, skey], i) => {
    it(`TLS 1.0 master secret and key block, Go crypto/tls vector ${i}`, () => {
      const seed = Buffer.concat([unhex(cr), unhex(sr)]);
      assert.equal(hex(prf('md5+sha1', unhex(pms), 'master secret', seed, 48)), ms);
      const kb = hex(keyBlock('md5+sha1', unhex(ms), unhex(cr), unhex(sr), 2 * (20 + 16)));
      assert.equal(kb, cmac + smac + ckey + skey);
    });
  });
});

describe('cipher suite table', () => {
  it('holds the AES-GCM, ChaCha20-Poly1305 and AES-CBC suites of every key exchange, each named as the registry names it', () => {
    for (const id of [0x009c, 0x009d, 0x009e, 0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9, 0xccaa, 0x002f, 0x0035, 0x003c, 0x003d, 0xc009, 0xc013, 0xc014, 0xc023, 0xc027, 0xc024, 0xc028, 0x00a8, 0xd001]) {
      const s = TLS12_SUITES.get(id);
      assert.ok(s, `0x${id.toString(16)}`);
      assert.equal(s.name, cipherSuiteName(id));
    }
    assert.equal(TLS12_SUITES.get(0xc028)!.prfHash, 'sha384');
    const c = TLS12_SUITES.get(0xc028)!.cipher;
    assert.equal(c.kind === 'cbc' ? c.mac : c.kind, 'sha384');
    assert.equal(TLS12_SUITES.get(0x009d)!.prfHash, 'sha384');
    assert.equal(TLS12_SUITES.get(0xc013)!.prfHash, 'sha256');
    assert.equal(TLS12_SUITES.get(0xc013)!.tls12Only, false);
  });
  it('leaves out TLS 1.3 suites and the pre-RFC ChaCha20 drafts that share the RFC names', () => {
    for (const id of [0x1301, 0x1302, 0x1303, 0xcc13, 0xcc14, 0xcc15, 0x000a, 0x0005, 0xc09c]) assert.equal(TLS12_SUITES.has(id), false, `0x${id.toString(16)}`);
  });
});

/** Parameters of the lab's ECDHE-RSA-AES128-GCM-SHA256 session, for the refusal tests. */
function gcmParams(): Tls12Params {
  const h = walkSession(loadDecrypt12('tls12-ecdhe-aes128gcm')).handshakes[0];
  return h.params!;
}

describe('what is not decrypted says why', () => {
  const base = gcmParams();
  const reason = (p: Partial<Tls12Params>): string => {
    const k = createTls12Decryptors({ ...base, ...p });
    assert.equal(k.ok, false);
    return k.ok ? '' : k.reason;
  };
  it('names the suite and its cipher', () => {
    assert.match(reason({ cipherSuite: 0x000a }), /^cipher suite 0x000a \(TLS_RSA_WITH_3DES_EDE_CBC_SHA\) is not decrypted: 3DES /);
    assert.match(reason({ cipherSuite: 0x0005 }), /0x0005 \(TLS_RSA_WITH_RC4_128_SHA\) is not decrypted: RC4 /);
    assert.match(reason({ cipherSuite: 0x0002 }), /TLS_RSA_WITH_NULL_SHA\) is not decrypted: the NULL cipher/);
    assert.match(reason({ cipherSuite: 0xc09c }), /TLS_RSA_WITH_AES_128_CCM\) is not decrypted: AES-CCM /);
    assert.match(reason({ cipherSuite: 0x0003 }), /TLS_RSA_EXPORT_WITH_RC4_40_MD5\) is not decrypted: export-grade ciphers are not/);
    assert.match(reason({ cipherSuite: 0x0041 }), /CAMELLIA_128_CBC_SHA\) is not decrypted: Camellia /);
    assert.match(reason({ cipherSuite: 0xcc13 }), /pre-RFC 7905 ChaCha20-Poly1305 draft/);
    assert.match(reason({ cipherSuite: 0x1301 }), /TLS_AES_128_GCM_SHA256\) is not decrypted: it is a TLS 1.3 suite/);
    assert.match(reason({ cipherSuite: 0x00ff }), /signalling value/);
    assert.match(reason({ cipherSuite: 0x0a0a }), /GREASE/);
    assert.match(reason({ cipherSuite: 0xfe00 }), /0xfe00 \(unknown \(0xfe00\)\) is not decrypted: it is not a known cipher suite/);
  });
  it('refuses a TLS 1.2-only suite on an older version (SSL 3.0 too), SSL 2.0, TLS 1.3, and secrets of the wrong size', () => {
    assert.match(reason({ version: 0x0301 }), /0xc02f .* is defined for TLS 1.2 only, but the connection is TLS 1.0/);
    // SSL 3.0 is decrypted (ssl3Decrypt.test.ts), but has no AEAD suites.
    assert.match(reason({ version: 0x0300 }), /0xc02f .* is defined for TLS 1.2 only, but the connection is SSL 3.0/);
    assert.match(reason({ version: 0x0200 }), /^version 0x0200 is not decrypted by the TLS 1.0–1.2 decryptor/);
    assert.match(reason({ version: 0x0304 }), /^TLS 1.3 is not decrypted by the TLS 1.0–1.2 decryptor/);
    assert.match(reason({ masterSecret: new Uint8Array(47) }), /master secret is 47 bytes, not 48/);
    assert.match(reason({ clientRandom: new Uint8Array(0) }), /client random is 0 bytes/);
    assert.match(reason({ serverRandom: new Uint8Array(33) }), /server random is 33 bytes/);
  });
  it('a reason never carries key material', () => {
    const r = reason({ cipherSuite: 0x000a });
    assert.ok(!r.includes(hex(base.masterSecret)) && !r.includes(hex(base.masterSecret).slice(0, 16)));
  });
});

describe('one direction at a time (createTls12Decryptor)', () => {
  const fx = loadDecrypt12('tls12-ecdhe-chacha20');
  const walk = walkSession(fx);
  const p = walk.handshakes[0].params!;
  it('gives each direction the decryptor createTls12Decryptors gives it', () => {
    for (const side of ['client', 'server'] as const) {
      const d = createTls12Decryptor(p, side);
      for (const w of walk.records.filter((r) => r.from === side && r.epoch === 1)) {
        const r = d.decrypt(w.header, w.body, w.seq);
        assert.ok(r.ok && w.result?.ok);
        assert.equal(hex(r.record.plaintext), hex(w.result.record.plaintext));
      }
    }
  });
  it('answers every record with the reason when there are no keys', () => {
    const d = createTls12Decryptor({ ...p, cipherSuite: 0x000a }, 'server');
    const w = walk.records.find((r) => r.from === 'server' && r.epoch === 1)!;
    const r = d.decrypt(w.header, w.body, 0n);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /^cipher suite 0x000a \(TLS_RSA_WITH_3DES_EDE_CBC_SHA\) is not decrypted/);
  });
});

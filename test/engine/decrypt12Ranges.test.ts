import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { keyBlock, prfKind } from '../../server/src/decrypt/tls12/prf';
import { TLS12_SUITES } from '../../server/src/decrypt/cipherSuites';
import { loadDecrypt12, walkSession } from '../helpers/tls12Sessions';

// The "byte ranges stay exact": plaintext byte i of a decrypted record is the
// ciphertext byte at body offset bodyOffset + i, so a field's range in the file is the
// ciphertext bytes it was decrypted from. Checked here without the decryptor: each
// plaintext byte is recomputed from that one ciphertext byte (and the bytes of its own
// block) with the raw cipher — GCM's CTR keystream from counter 2, ChaCha20's from block
// 1, CBC's block decryption xor the block before.

function writeKey(name: string): { key: Uint8Array; iv: Uint8Array } {
  const p = walkSession(loadDecrypt12(name)).handshakes[0].params!;
  const suite = TLS12_SUITES.get(p.cipherSuite)!;
  const c = suite.cipher;
  const mac = c.kind === 'cbc' ? c.macLength : 0;
  const ivLength = c.kind === 'aead' ? c.fixedIvLength : 0;
  const kb = keyBlock(prfKind(p.version, suite.prfHash), p.masterSecret, p.clientRandom, p.serverRandom, 2 * (mac + c.keyLength + ivLength));
  // The client's write key and IV.
  return { key: kb.slice(2 * mac, 2 * mac + c.keyLength), iv: kb.slice(2 * (mac + c.keyLength), 2 * (mac + c.keyLength) + ivLength) };
}

function clientRecords(name: string) {
  return walkSession(loadDecrypt12(name)).records.filter((w) => w.from === 'client' && w.epoch === 1 && w.result?.ok);
}

describe('plaintext byte i sits at body byte bodyOffset + i', () => {
  it('AES-128-GCM: the CTR keystream (nonce = salt + explicit nonce, counter 2) xor body[8 + i]', () => {
    const { key, iv } = writeKey('tls12-ecdhe-aes128gcm');
    const recs = clientRecords('tls12-ecdhe-aes128gcm');
    assert.ok(recs.length >= 3);
    for (const w of recs) {
      const r = w.result!.ok ? w.result!.record : assert.fail();
      const counter = Buffer.concat([iv, w.body.subarray(0, 8), Buffer.from([0, 0, 0, 2])]);
      const ks = createDecipheriv('aes-128-ctr', key, counter).update(Buffer.alloc(r.plaintext.length));
      for (let i = 0; i < r.plaintext.length; i++) assert.equal(r.plaintext[i], ks[i] ^ w.body[r.bodyOffset + i], `byte ${i} of frame ${w.frame}`);
    }
  });
  it('ChaCha20-Poly1305: the ChaCha20 keystream from block 1 (nonce = IV xor seq) xor body[0 + i]', () => {
    const { key, iv } = writeKey('tls12-ecdhe-chacha20');
    for (const w of clientRecords('tls12-ecdhe-chacha20')) {
      const r = w.result!.ok ? w.result!.record : assert.fail();
      const nonce = Buffer.from(iv);
      nonce.writeBigUInt64BE(nonce.readBigUInt64BE(4) ^ w.seq, 4);
      // node's chacha20 IV: 32-bit little-endian block counter, then the 96-bit nonce.
      const ks = createDecipheriv('chacha20', key, Buffer.concat([Buffer.from([1, 0, 0, 0]), nonce])).update(Buffer.alloc(r.plaintext.length));
      for (let i = 0; i < r.plaintext.length; i++) assert.equal(r.plaintext[i], ks[i] ^ w.body[r.bodyOffset + i], `byte ${i} of frame ${w.frame}`);
    }
  });
  for (const name of ['tls12-ecdhe-aes128sha', 'tls10-ecdhe-aes128sha']) {
    it(`${name}: each 16-byte block at bodyOffset + 16k decrypts, alone, to plaintext bytes 16k … 16k + 15`, () => {
      const { key } = writeKey(name);
      for (const w of clientRecords(name)) {
        const r = w.result!.ok ? w.result!.record : assert.fail();
        for (let k = 0; 16 * k < r.plaintext.length; k++) {
          const at = r.bodyOffset + 16 * k;
          // The block before: the explicit IV or the previous block (TLS 1.1+); for TLS 1.0's first block the chained IV, skipped here.
          if (at < 16) continue;
          const d = createDecipheriv('aes-128-ecb', key, null);
          d.setAutoPadding(false);
          const block = d.update(w.body.subarray(at, at + 16));
          const n = Math.min(16, r.plaintext.length - 16 * k);
          for (let i = 0; i < n; i++) assert.equal(r.plaintext[16 * k + i], block[i] ^ w.body[at - 16 + i], `byte ${16 * k + i} of frame ${w.frame}`);
        }
      }
    });
  }
});

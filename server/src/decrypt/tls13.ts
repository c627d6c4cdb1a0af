/**
 * TLS 1.3 record protection (RFC 8446 §5.2-5.3, §7.3): traffic keys from a
 * traffic secret, the per-record nonce, TLSInnerPlaintext. The AEADs are
 * node:crypto's; a record whose tag does not check is reported, never guessed.
 */
import { createDecipheriv, createHmac, type CipherCCMTypes, type CipherGCMTypes, type CipherChaCha20Poly1305Types } from 'node:crypto';
import { hashLength, type Hash, type Tls13Suite } from './cipherSuites';
import { hkdfExpandLabel } from './hkdf';
import type { DecryptResult, RecordDecryptor, RecordHeader } from './recordDecryptor';

const EMPTY = new Uint8Array(0);

export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
}

export function trafficKeys(suite: Tls13Suite, secret: Uint8Array): TrafficKeys {
  return {
    key: hkdfExpandLabel(suite.hash, secret, 'key', EMPTY, suite.keyLength),
    iv: hkdfExpandLabel(suite.hash, secret, 'iv', EMPTY, suite.ivLength),
  };
}

/** RFC 8446 §7.2: application_traffic_secret_N+1 after a KeyUpdate. */
export function nextTrafficSecret(hash: Hash, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, 'traffic upd', EMPTY, hashLength(hash));
}

/** RFC 8446 §4.4.4: verify_data = HMAC(finished_key, Transcript-Hash(...)). */
export function finishedVerifyData(hash: Hash, baseSecret: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  const finishedKey = hkdfExpandLabel(hash, baseSecret, 'finished', EMPTY, hashLength(hash));
  return createHmac(hash, finishedKey).update(transcriptHash).digest();
}

export class Tls13RecordDecryptor implements RecordDecryptor {
  private readonly keys: TrafficKeys;

  constructor(
    private readonly suite: Tls13Suite,
    secret: Uint8Array,
  ) {
    this.keys = trafficKeys(suite, secret);
  }

  decrypt(header: RecordHeader, body: Uint8Array, seq: bigint): DecryptResult {
    const tagLength = this.suite.tagLength;
    if (body.length < tagLength + 1)
      return { ok: false, reason: `record of ${body.length} byte(s) is shorter than its ${tagLength}-byte tag plus a content type` };
    const nonce = new Uint8Array(this.keys.iv);
    // The 64-bit sequence number, left-padded to the IV length, XORed in (§5.3).
    for (let i = 0, s = seq; i < 8; i++, s >>= 8n) nonce[nonce.length - 1 - i] ^= Number(s & 0xffn);
    const aad = Uint8Array.of(header.contentType, header.version >> 8, header.version & 0xff, header.length >> 8, header.length & 0xff);
    const ciphertext = body.subarray(0, body.length - tagLength);
    const tag = body.subarray(body.length - tagLength);
    let inner: Uint8Array;
    try {
      const c = this.suite.cipher;
      if (c === 'aes-128-ccm') {
        const d = createDecipheriv(c as CipherCCMTypes, this.keys.key, nonce, { authTagLength: tagLength });
        d.setAuthTag(tag);
        d.setAAD(aad, { plaintextLength: ciphertext.length });
        inner = d.update(ciphertext);
        d.final();
      } else {
        const d =
          c === 'chacha20-poly1305'
            ? createDecipheriv(c as CipherChaCha20Poly1305Types, this.keys.key, nonce, { authTagLength: tagLength })
            : createDecipheriv(c as CipherGCMTypes, this.keys.key, nonce, { authTagLength: tagLength });
        d.setAuthTag(tag);
        d.setAAD(aad, { plaintextLength: ciphertext.length });
        const head = d.update(ciphertext);
        const tail = d.final();
        inner = tail.length === 0 ? head : Buffer.concat([head, tail]);
      }
    } catch {
      return { ok: false, reason: 'authentication tag does not check (wrong key, or the record was altered)' };
    }
    // TLSInnerPlaintext: content, then the real type, then zero padding.
    let end = inner.length;
    while (end > 0 && inner[end - 1] === 0) end--;
    if (end === 0) return { ok: false, reason: 'decrypted record holds only padding (no content type)' };
    return { ok: true, record: { contentType: inner[end - 1], plaintext: inner.subarray(0, end - 1), bodyOffset: 0 } };
  }
}

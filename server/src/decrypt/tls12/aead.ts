/**
 * TLS 1.2 AEAD records: AES-GCM (RFC 5288: 4-byte salt from the key block +
 * 8-byte explicit nonce at the start of the body) and ChaCha20-Poly1305
 * (RFC 7905: the 12-byte IV xor the sequence number, nothing explicit).
 */
import { createDecipheriv, type CipherGCMTypes } from 'node:crypto';
import type { DecryptResult, RecordDecryptor, RecordHeader } from '../recordDecryptor';
import type { Tls12Cipher } from '../cipherSuites';
import { fail, macHeader, recordProblem } from './recordMac';

type AeadCipher = Extract<Tls12Cipher, { kind: 'aead' }>;

const LABEL: Record<AeadCipher['algorithm'], string> = {
  'aes-128-gcm': 'AES-128-GCM',
  'aes-256-gcm': 'AES-256-GCM',
  'chacha20-poly1305': 'ChaCha20-Poly1305',
};

export class AeadRecordDecryptor implements RecordDecryptor {
  constructor(
    private readonly cipher: AeadCipher,
    private readonly key: Uint8Array,
    private readonly fixedIv: Uint8Array,
  ) {}

  decrypt(header: RecordHeader, body: Uint8Array, seq: bigint): DecryptResult {
    const problem = recordProblem(header, body, seq);
    if (problem) return fail(problem);
    const { explicitNonceLength: explicit, tagLength: tag } = this.cipher;
    const label = LABEL[this.cipher.algorithm];
    if (body.length < explicit + tag) {
      return fail(`record body of ${body.length} bytes is shorter than the ${explicit > 0 ? `${explicit}-byte explicit nonce and ` : ''}${tag}-byte tag of ${label}`);
    }
    const plainLength = body.length - explicit - tag;
    const nonce = new Uint8Array(12);
    nonce.set(this.fixedIv);
    if (explicit > 0) {
      nonce.set(body.subarray(0, explicit), this.fixedIv.length);
    } else {
      // RFC 7905 §2: the 64-bit sequence number, left-padded to 12 bytes, xor the IV.
      const view = new DataView(nonce.buffer);
      view.setBigUint64(4, view.getBigUint64(4) ^ seq);
    }
    try {
      // The algorithm union is wider than CipherGCMTypes; node accepts the options for both.
      const d = createDecipheriv(this.cipher.algorithm as CipherGCMTypes, this.key, nonce, { authTagLength: tag });
      d.setAAD(macHeader(seq, header.contentType, header.version, plainLength), { plaintextLength: plainLength });
      d.setAuthTag(body.subarray(body.length - tag));
      const plaintext = Buffer.concat([d.update(body.subarray(explicit, body.length - tag)), d.final()]);
      return { ok: true, record: { contentType: header.contentType, plaintext, bodyOffset: explicit } };
    } catch {
      return fail(`${label} tag does not verify: wrong key, wrong sequence number (${seq}), or a corrupted record`);
    }
  }
}

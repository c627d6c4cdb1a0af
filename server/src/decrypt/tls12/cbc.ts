/**
 * TLS 1.0–1.2 AES-CBC records with HMAC: MAC-then-encrypt (RFC 5246 §6.2.3.2)
 * and encrypt-then-MAC (RFC 7366). TLS 1.1+ sends each record's IV first in
 * its body; TLS 1.0 has none: the IV of a record is the last ciphertext block
 * of the previous one (the first record's is client/server_write_IV from the
 * key block), so a TLS 1.0 decryptor must see every record of its direction,
 * in order. SSL 3.0 chains IVs like TLS 1.0 but has its own MAC (RFC 6101
 * §5.2.3.1: nested hashes with pads, no version in the input) and padding
 * (shorter than a block, its bytes unspecified).
 */
import { createDecipheriv, createHash, createHmac } from 'node:crypto';
import type { DecryptResult, RecordDecryptor, RecordHeader } from '../recordDecryptor';
import type { Tls12Cipher } from '../cipherSuites';
import { ssl3Pads } from './prf';
import { equalBytes, fail, macHeader, recordProblem } from './recordMac';

type CbcCipher = Extract<Tls12Cipher, { kind: 'cbc' }>;

const MAC_LABEL = { sha1: 'HMAC-SHA1', sha256: 'HMAC-SHA256', sha384: 'HMAC-SHA384' } as const;

export class CbcRecordDecryptor implements RecordDecryptor {
  /** TLS 1.0: the IV of the next record; null once a record broke the chain (its body was not whole blocks). */
  private chainIv: Uint8Array | null;
  private readonly label: string;

  /** `implicitIv`: the key block's write IV for TLS 1.0, undefined for TLS 1.1+ (explicit IVs). */
  constructor(
    private readonly cipher: CbcCipher,
    private readonly key: Uint8Array,
    private readonly macKey: Uint8Array,
    private readonly encryptThenMac: boolean,
    private readonly implicitIv: Uint8Array | undefined,
    private readonly ssl3 = false,
  ) {
    this.chainIv = implicitIv ?? null;
    this.label = `${cipher.algorithm.toUpperCase()} with ${ssl3 ? `the SSL 3.0 ${cipher.mac.toUpperCase()} MAC` : MAC_LABEL[cipher.mac]}${encryptThenMac ? ' (encrypt-then-MAC)' : ''}`;
  }

  /** The record MAC over `content` (RFC 5246 §6.2.3.1, or SSL 3.0's, RFC 6101 §5.2.3.1). */
  private mac(seq: bigint, header: RecordHeader, content: Uint8Array): Uint8Array {
    if (!this.ssl3 || this.cipher.mac === 'sha256' || this.cipher.mac === 'sha384') {
      return createHmac(this.cipher.mac, this.macKey).update(macHeader(seq, header.contentType, header.version, content.length)).update(content).digest();
    }
    const { pad1, pad2 } = ssl3Pads(this.cipher.mac);
    const h = macHeader(seq, header.contentType, 0, content.length);
    // seq_num + type + length: the TLS header without its two version bytes.
    const head = Buffer.concat([h.subarray(0, 9), h.subarray(11)]);
    const inner = createHash(this.cipher.mac).update(this.macKey).update(pad1).update(head).update(content).digest();
    return createHash(this.cipher.mac).update(this.macKey).update(pad2).update(inner).digest();
  }

  decrypt(header: RecordHeader, body: Uint8Array, seq: bigint): DecryptResult {
    const problem = recordProblem(header, body, seq);
    if (problem) return fail(problem);
    const B = this.cipher.blockLength;
    const M = this.cipher.macLength;
    const chained = this.implicitIv !== undefined;
    const explicit = chained ? 0 : B;
    // Encrypt-then-MAC: the MAC follows the ciphertext in clear.
    const encEnd = this.encryptThenMac ? body.length - M : body.length;
    const ctLength = encEnd - explicit;
    // The smallest record: one block, which in MAC-then-encrypt also holds the MAC and a padding byte.
    const minCt = this.encryptThenMac ? B : Math.ceil((M + 1) / B) * B;
    if (ctLength < minCt || ctLength % B !== 0) {
      if (chained) this.chainIv = null;
      const need = `${explicit > 0 ? `a ${explicit}-byte IV, ` : ''}whole ${B}-byte blocks (at least ${minCt} bytes)${this.encryptThenMac ? ` and a ${M}-byte MAC` : ''}`;
      return fail(`record body of ${body.length} bytes does not fit ${this.label}: it needs ${need}`);
    }
    const iv = chained ? this.chainIv : body.subarray(0, B);
    // TLS 1.0: the next record's IV is this record's last ciphertext block, whether or not this one checks out.
    // A copy: the caller may reuse its buffer (and Buffer#slice would not copy).
    if (chained) this.chainIv = Uint8Array.prototype.slice.call(body, encEnd - B, encEnd);
    if (this.encryptThenMac) {
      const mac = this.mac(seq, header, body.subarray(0, encEnd));
      if (!equalBytes(mac, body.subarray(encEnd))) {
        return fail(`bad record MAC (${MAC_LABEL[this.cipher.mac]} over the ciphertext, encrypt-then-MAC): wrong key, wrong sequence number (${seq}), or a corrupted record`);
      }
    }
    if (iv === null) return fail('TLS 1.0 CBC: the record before this one was not whole blocks, so this record\'s IV (the last ciphertext block before it) is unknown');
    let p: Uint8Array;
    try {
      const d = createDecipheriv(this.cipher.algorithm, this.key, iv);
      d.setAutoPadding(false);
      p = Buffer.concat([d.update(body.subarray(explicit, encEnd)), d.final()]);
    } catch (e) {
      // Whole blocks and a key of the right length leave nothing to fail; kept so no input can throw.
      return fail(`${this.label}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const pad = p[p.length - 1];
    const room = this.encryptThenMac ? p.length - 1 : p.length - 1 - M;
    if (pad > room) return fail(`bad padding: a padding length of ${pad} leaves no room for ${this.encryptThenMac ? 'the content' : `the ${M}-byte MAC`} in ${p.length} decrypted bytes (wrong key, or a corrupted record)`);
    if (this.ssl3 && pad >= B) return fail(`bad padding: SSL 3.0 padding of ${pad} bytes is not shorter than the ${B}-byte block (wrong key, or a corrupted record)`);
    // SSL 3.0 leaves the padding bytes' values open: only TLS fixes them.
    for (let i = p.length - 1 - pad; !this.ssl3 && i < p.length - 1; i++) {
      if (p[i] !== pad) return fail(`bad padding: padding byte ${i - (p.length - 1 - pad)} of ${pad} is ${p[i]}, not ${pad} (wrong key, or a corrupted record)`);
    }
    const contentEnd = room - pad;
    const plaintext = p.subarray(0, contentEnd);
    if (!this.encryptThenMac) {
      const mac = this.mac(seq, header, plaintext);
      if (!equalBytes(mac, p.subarray(contentEnd, contentEnd + M))) {
        return fail(`bad record MAC (${this.ssl3 ? `SSL 3.0 ${this.cipher.mac.toUpperCase()} MAC` : MAC_LABEL[this.cipher.mac]} over ${contentEnd} decrypted bytes): wrong key, wrong sequence number (${seq}), or a corrupted record`);
      }
    }
    return { ok: true, record: { contentType: header.contentType, plaintext, bodyOffset: explicit } };
  }
}

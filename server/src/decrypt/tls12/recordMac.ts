/** Pieces every TLS 1.0–1.2 record decryptor shares: the checks on its inputs and the MAC/AAD header. */
import type { DecryptResult, RecordHeader } from '../recordDecryptor';

/** RFC 5246 §6.2.3: TLSCiphertext.length ≤ 2^14 + 2048. */
export const MAX_CIPHERTEXT = 16384 + 2048;
const MAX_SEQ = (1n << 64n) - 1n;

export function fail(reason: string): DecryptResult {
  return { ok: false, reason };
}

/** Why a record cannot be decrypted before any cryptography, or null: a truncated body, an oversized one, a sequence number out of range. */
export function recordProblem(header: RecordHeader, body: Uint8Array, seq: bigint): string | null {
  if (body.length < header.length) return `truncated record: ${body.length} of the ${header.length} bytes its header announces`;
  if (body.length > header.length) return `record body of ${body.length} bytes is longer than the ${header.length} its header announces`;
  if (body.length > MAX_CIPHERTEXT) return `record of ${body.length} bytes is longer than TLS allows (2^14 + 2048)`;
  if (seq < 0n || seq > MAX_SEQ) return `sequence number ${seq} is outside 0 … 2^64 - 1`;
  return null;
}

/**
 * seq_num(8) + type(1) + version(2) + length(2): the start of the HMAC input
 * (RFC 5246 §6.2.3.1) and the AEAD additional data (§6.2.3.3), `length` being
 * the plaintext's (the ciphertext's for encrypt-then-MAC).
 */
export function macHeader(seq: bigint, type: number, version: number, length: number): Uint8Array {
  const out = new Uint8Array(13);
  new DataView(out.buffer).setBigUint64(0, seq);
  out[8] = type;
  out[9] = version >> 8;
  out[10] = version & 0xff;
  out[11] = length >> 8;
  out[12] = length & 0xff;
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/**
 * Removing packet protection (RFC 9001 §5.3, §5.4) with node:crypto's
 * ciphers: AES-ECB or ChaCha20 for the header protection mask, AES-GCM or
 * ChaCha20-Poly1305 for the payload. AEAD keeps plaintext byte i at
 * ciphertext byte i, so decrypted fields keep their place in the capture.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { Buffer } from 'node:buffer';
import type { PacketKeys } from './keys';

export const SAMPLE_LENGTH = 16;
export const TAG_LENGTH = 16;

/** The 5-byte mask of §5.4.3 (AES) or §5.4.4 (ChaCha20) for a 16-byte sample. */
export function headerProtectionMask(keys: PacketKeys, sample: Uint8Array): Buffer {
  if (keys.aead === 'chacha20-poly1305') {
    // node's chacha20 IV is counter (4 bytes, little-endian) then nonce: exactly the sample's layout.
    const c = createCipheriv('chacha20', keys.hp, sample);
    return c.update(Buffer.alloc(5));
  }
  const ecb = createCipheriv(keys.aead === 'aes-128-gcm' ? 'aes-128-ecb' : 'aes-256-ecb', keys.hp, null);
  ecb.setAutoPadding(false);
  return ecb.update(sample).subarray(0, 5);
}

export interface UnprotectedHeader {
  /** First byte with the protected bits restored. */
  firstByte: number;
  packetNumberLength: number;
  /** Truncated packet number as sent. */
  truncatedPacketNumber: number;
  /** The header bytes, first byte and packet number unmasked (the AEAD's associated data). */
  header: Buffer;
}

/**
 * Unmasks the first byte and packet number of the packet at buf[start..],
 * whose packet number starts at pnOffset. Null when the packet is too short
 * to hold a sample (RFC 9001 §5.4.2: 4 bytes after the packet number's start).
 */
export function removeHeaderProtection(keys: PacketKeys, buf: Uint8Array, start: number, pnOffset: number, end: number): UnprotectedHeader | null {
  const sampleOffset = pnOffset + 4;
  if (sampleOffset + SAMPLE_LENGTH > end) return null;
  const mask = headerProtectionMask(keys, buf.subarray(sampleOffset, sampleOffset + SAMPLE_LENGTH));
  const long = (buf[start] & 0x80) !== 0;
  const firstByte = buf[start] ^ (mask[0] & (long ? 0x0f : 0x1f));
  const packetNumberLength = (firstByte & 0x03) + 1;
  const header = Buffer.from(buf.subarray(start, pnOffset + packetNumberLength));
  header[0] = firstByte;
  let pn = 0;
  for (let i = 0; i < packetNumberLength; i++) {
    header[pnOffset - start + i] ^= mask[1 + i];
    pn = pn * 256 + header[pnOffset - start + i];
  }
  return { firstByte, packetNumberLength, truncatedPacketNumber: pn, header };
}

/** RFC 9000 Appendix A.3: the full packet number closest to the next expected one. */
export function decodePacketNumber(largestPn: number, truncatedPn: number, pnLength: number): number {
  const expected = largestPn + 1;
  const win = 2 ** (pnLength * 8);
  const hwin = win / 2;
  const candidate = expected - (expected % win) + truncatedPn;
  if (candidate <= expected - hwin && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + hwin && candidate >= win) return candidate - win;
  return candidate;
}

function nonce(iv: Uint8Array, packetNumber: number): Buffer {
  const n = Buffer.from(iv);
  // The packet number, left-padded to the IV's length, XORed into its last bytes.
  let pn = packetNumber;
  for (let i = n.length - 1; i >= n.length - 8 && pn > 0; i--) {
    n[i] ^= pn % 256;
    pn = Math.floor(pn / 256);
  }
  return n;
}

/** Decrypts and authenticates a payload (ciphertext + 16-byte tag); null when the tag does not match. */
export function decryptPayload(keys: PacketKeys, packetNumber: number, header: Uint8Array, payload: Uint8Array): Buffer | null {
  if (payload.length < TAG_LENGTH) return null;
  const ct = payload.subarray(0, payload.length - TAG_LENGTH);
  const tag = payload.subarray(payload.length - TAG_LENGTH);
  const iv = nonce(keys.iv, packetNumber);
  // Two calls so each gets its typed overload (GCM and ChaCha20-Poly1305 deciphers).
  const d = keys.aead === 'chacha20-poly1305'
    ? createDecipheriv(keys.aead, keys.key, iv, { authTagLength: TAG_LENGTH })
    : createDecipheriv(keys.aead, keys.key, iv, { authTagLength: TAG_LENGTH });
  d.setAAD(header, { plaintextLength: ct.length });
  d.setAuthTag(tag);
  try {
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    return null;
  }
}

/** The inverse, for tests: ciphertext + tag. */
export function encryptPayload(keys: PacketKeys, packetNumber: number, header: Uint8Array, plaintext: Uint8Array): Buffer {
  const iv = nonce(keys.iv, packetNumber);
  const c = keys.aead === 'chacha20-poly1305'
    ? createCipheriv(keys.aead, keys.key, iv, { authTagLength: TAG_LENGTH })
    : createCipheriv(keys.aead, keys.key, iv, { authTagLength: TAG_LENGTH });
  c.setAAD(header, { plaintextLength: plaintext.length });
  const out = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([out, c.getAuthTag()]);
}

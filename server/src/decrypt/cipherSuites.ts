/**
 * Record-protection parameters per cipher suite, by the names node:crypto
 * knows. Two tables kept apart on purpose: TLS13_SUITES (this file's owner,
 * the TLS 1.3 pipeline) and TLS12_SUITES (the TLS 1.2 module), so that
 * branches adding to each merge as a concatenation.
 */

export type Hash = 'sha256' | 'sha384';

export interface Tls13Suite {
  name: string;
  /** node:crypto cipher name. */
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' | 'aes-128-ccm';
  keyLength: number;
  /** The per-record nonce is always 12 bytes in TLS 1.3 (RFC 8446 §5.3). */
  ivLength: 12;
  tagLength: 16 | 8;
  hash: Hash;
}

/** RFC 8446 §B.4 and RFC 8446 §9.1: every suite TLS 1.3 defines. */
export const TLS13_SUITES: ReadonlyMap<number, Tls13Suite> = new Map<number, Tls13Suite>([
  [0x1301, { name: 'TLS_AES_128_GCM_SHA256', cipher: 'aes-128-gcm', keyLength: 16, ivLength: 12, tagLength: 16, hash: 'sha256' }],
  [0x1302, { name: 'TLS_AES_256_GCM_SHA384', cipher: 'aes-256-gcm', keyLength: 32, ivLength: 12, tagLength: 16, hash: 'sha384' }],
  [0x1303, { name: 'TLS_CHACHA20_POLY1305_SHA256', cipher: 'chacha20-poly1305', keyLength: 32, ivLength: 12, tagLength: 16, hash: 'sha256' }],
  [0x1304, { name: 'TLS_AES_128_CCM_SHA256', cipher: 'aes-128-ccm', keyLength: 16, ivLength: 12, tagLength: 16, hash: 'sha256' }],
  [0x1305, { name: 'TLS_AES_128_CCM_8_SHA256', cipher: 'aes-128-ccm', keyLength: 16, ivLength: 12, tagLength: 8, hash: 'sha256' }],
]);

export function hashLength(h: Hash): number {
  return h === 'sha256' ? 32 : 48;
}

// --- TLS 1.2 and earlier: TLS12_SUITES lives below (owned by the tls12 module). ---

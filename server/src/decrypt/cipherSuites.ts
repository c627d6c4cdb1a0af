/**
 * Record-protection parameters per cipher suite, by the names node:crypto
 * knows, one table per protocol generation: TLS13_SUITES (the TLS 1.3
 * pipeline) and TLS12_SUITES (the TLS 1.0–1.2 module, below). Names and ids
 * of the TLS 1.2 suites come from the IANA registry in shared/.
 */
import { allCipherSuites, cipherSuiteInfo } from '../../../shared/tls/registry/cipherSuites';

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

// ---------------------------------------------------------------------------
// TLS 1.0–1.2 (TLS12_SUITES)
// ---------------------------------------------------------------------------

/** HMAC / PRF hash, by its node:crypto name. */
export type Tls12Hash = 'sha1' | 'sha256' | 'sha384';

/** The bulk cipher and MAC of a TLS 1.0–1.2 suite. */
export type Tls12Cipher =
  | {
      kind: 'aead';
      /** node:crypto algorithm. */
      algorithm: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
      keyLength: number;
      /** Bytes of client/server_write_IV from the key block: GCM's 4-byte salt (RFC 5288), ChaCha's 12-byte IV (RFC 7905). */
      fixedIvLength: number;
      /** Nonce bytes sent at the start of each record body: GCM 8, ChaCha 0 (its nonce is the IV xor the sequence number). */
      explicitNonceLength: number;
      tagLength: 16;
    }
  | {
      kind: 'cbc';
      algorithm: 'aes-128-cbc' | 'aes-256-cbc';
      keyLength: number;
      blockLength: 16;
      mac: Tls12Hash;
      macLength: number;
    };

export interface Tls12Suite {
  id: number;
  name: string;
  cipher: Tls12Cipher;
  /** TLS 1.2 PRF hash (RFC 5246 §5: SHA-256 unless the suite says SHA-384); TLS 1.0/1.1 always use MD5+SHA-1. */
  prfHash: 'sha256' | 'sha384';
  /** Defined for TLS 1.2 only (AEAD and SHA-256/384 MAC suites, RFC 5246 §A.5, RFC 5288, RFC 5289, RFC 7905). */
  tls12Only: boolean;
}

const GCM = (bits: 128 | 256): Tls12Cipher => ({
  kind: 'aead', algorithm: bits === 128 ? 'aes-128-gcm' : 'aes-256-gcm', keyLength: bits / 8, fixedIvLength: 4, explicitNonceLength: 8, tagLength: 16,
});
const CBC = (bits: 128 | 256, mac: Tls12Hash): Tls12Cipher => ({
  kind: 'cbc', algorithm: bits === 128 ? 'aes-128-cbc' : 'aes-256-cbc', keyLength: bits / 8, blockLength: 16, mac, macLength: { sha1: 20, sha256: 32, sha384: 48 }[mac],
});

/**
 * Bulk cipher, MAC and PRF by the ending of the registry name ("TLS_<kex>_WITH_<bulk>"):
 * the key exchange (RSA, DHE, ECDHE, PSK, anonymous …) makes no difference to record
 * protection once the master secret is known, so every key exchange of a bulk cipher is
 * covered without listing each suite by hand.
 */
const BULK: ReadonlyArray<[suffix: string, cipher: Tls12Cipher, prfHash: 'sha256' | 'sha384', tls12Only: boolean]> = [
  ['_WITH_AES_128_GCM_SHA256', GCM(128), 'sha256', true],
  ['_WITH_AES_256_GCM_SHA384', GCM(256), 'sha384', true],
  ['_WITH_CHACHA20_POLY1305_SHA256', { kind: 'aead', algorithm: 'chacha20-poly1305', keyLength: 32, fixedIvLength: 12, explicitNonceLength: 0, tagLength: 16 }, 'sha256', true],
  ['_WITH_AES_128_CBC_SHA', CBC(128, 'sha1'), 'sha256', false],
  ['_WITH_AES_256_CBC_SHA', CBC(256, 'sha1'), 'sha256', false],
  ['_WITH_AES_128_CBC_SHA256', CBC(128, 'sha256'), 'sha256', true],
  ['_WITH_AES_256_CBC_SHA256', CBC(256, 'sha256'), 'sha256', true],
  ['_WITH_AES_256_CBC_SHA384', CBC(256, 'sha384'), 'sha384', true],
];

function buildTls12Suites(): Map<number, Tls12Suite> {
  const out = new Map<number, Tls12Suite>();
  for (const [id, name] of allCipherSuites()) {
    // Not IANA: 0xcc13-15 are the pre-RFC 7905 ChaCha20 drafts under the same names, with another nonce and AAD.
    if (!cipherSuiteInfo(id).iana) continue;
    const bulk = BULK.find(([suffix]) => name.endsWith(suffix));
    if (bulk) out.set(id, { id, name, cipher: bulk[1], prfHash: bulk[2], tls12Only: bulk[3] });
  }
  return out;
}

/** TLS 1.0–1.2 suites whose records can be decrypted, by id. */
export const TLS12_SUITES: ReadonlyMap<number, Tls12Suite> = buildTls12Suites();

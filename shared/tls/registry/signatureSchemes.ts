/**
 * TLS SignatureScheme values (TLS 1.3) and TLS 1.2 SignatureAndHashAlgorithm pairs.
 *
 * Source: the IANA "TLS SignatureScheme" registry, checked against Wireshark
 * 4.0.17's `tls.handshake.sig_hash_alg` value strings. Wireshark's Open Quantum
 * Safe experimental code points (0xfe..) are kept and marked. Pairs not in the
 * registry are named from the TLS 1.2 HashAlgorithm / SignatureAlgorithm
 * registries (RFC 5246 §7.4.1.4.1), e.g. 0x0101 → rsa_md5.
 */
import { isGrease } from './grease';

const SCHEMES = new Map<number, string>([
  [0x0201, 'rsa_pkcs1_sha1'],
  [0x0202, 'dsa_sha1'], // reserved for backward compatibility (TLS 1.2 only)
  [0x0203, 'ecdsa_sha1'],
  [0x0301, 'rsa_sha224'],
  [0x0302, 'dsa_sha224'],
  [0x0303, 'ecdsa_sha224'],
  [0x0401, 'rsa_pkcs1_sha256'],
  [0x0402, 'dsa_sha256'],
  [0x0403, 'ecdsa_secp256r1_sha256'],
  [0x0420, 'rsa_pkcs1_sha256_legacy'],
  [0x0501, 'rsa_pkcs1_sha384'],
  [0x0502, 'dsa_sha384'],
  [0x0503, 'ecdsa_secp384r1_sha384'],
  [0x0520, 'rsa_pkcs1_sha384_legacy'],
  [0x0601, 'rsa_pkcs1_sha512'],
  [0x0602, 'dsa_sha512'],
  [0x0603, 'ecdsa_secp521r1_sha512'],
  [0x0620, 'rsa_pkcs1_sha512_legacy'],
  [0x0704, 'eccsi_sha256'],
  [0x0705, 'iso_ibs1'],
  [0x0706, 'iso_ibs2'],
  [0x0707, 'iso_chinese_ibs'],
  [0x0708, 'sm2sig_sm3'],
  [0x0709, 'gostr34102012_256a'],
  [0x070a, 'gostr34102012_256b'],
  [0x070b, 'gostr34102012_256c'],
  [0x070c, 'gostr34102012_256d'],
  [0x070d, 'gostr34102012_512a'],
  [0x070e, 'gostr34102012_512b'],
  [0x070f, 'gostr34102012_512c'],
  [0x0804, 'rsa_pss_rsae_sha256'],
  [0x0805, 'rsa_pss_rsae_sha384'],
  [0x0806, 'rsa_pss_rsae_sha512'],
  [0x0807, 'ed25519'],
  [0x0808, 'ed448'],
  [0x0809, 'rsa_pss_pss_sha256'],
  [0x080a, 'rsa_pss_pss_sha384'],
  [0x080b, 'rsa_pss_pss_sha512'],
  [0x081a, 'ecdsa_brainpoolP256r1tls13_sha256'],
  [0x081b, 'ecdsa_brainpoolP384r1tls13_sha384'],
  [0x081c, 'ecdsa_brainpoolP512r1tls13_sha512'],
  [0x0904, 'mldsa44'],
  [0x0905, 'mldsa65'],
  [0x0906, 'mldsa87'],
  // Open Quantum Safe experimental code points (not IANA), as named by Wireshark.
  [0xfe0b, 'falcon512'],
  [0xfe0c, 'p256_falcon512'],
  [0xfe0d, 'rsa3072_falcon512'],
  [0xfe0e, 'falcon1024'],
  [0xfe0f, 'p521_falcon1024'],
  [0xfea0, 'dilithium2'],
  [0xfea1, 'p256_dilithium2'],
  [0xfea2, 'rsa3072_dilithium2'],
  [0xfea3, 'dilithium3'],
  [0xfea4, 'p384_dilithium3'],
  [0xfea5, 'dilithium5'],
  [0xfea6, 'p521_dilithium5'],
]);

const HASHES = ['none', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', undefined, 'intrinsic'];
const SIGS: Record<number, string> = { 0: 'anonymous', 1: 'rsa', 2: 'dsa', 3: 'ecdsa', 7: 'ed25519', 8: 'ed448', 64: 'gostr34102012_256', 65: 'gostr34102012_512' };

export function signatureSchemeName(n: number): string {
  const name = SCHEMES.get(n);
  if (name !== undefined) return name;
  if (isGrease(n)) return `GREASE (0x${n.toString(16).padStart(4, '0')})`;
  const hash = HASHES[n >> 8];
  const sig = SIGS[n & 0xff];
  if (hash !== undefined && sig !== undefined && (n >> 8) <= 6) return `${sig}_${hash}`;
  return `unknown (0x${n.toString(16).padStart(4, '0')})`;
}

export function isKnownSignatureScheme(n: number): boolean {
  return SCHEMES.has(n);
}

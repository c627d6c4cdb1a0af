/**
 * DTLS-SRTP protection profiles (use_srtp, RFC 5764 §4.1.2). Source: IANA
 * "DTLS-SRTP Protection Profiles" (RFC 5764, RFC 7714, RFC 8723, RFC 8269).
 */
const PROFILES = new Map<number, string>([
  [0x0001, 'SRTP_AES128_CM_HMAC_SHA1_80'],
  [0x0002, 'SRTP_AES128_CM_HMAC_SHA1_32'],
  [0x0005, 'SRTP_NULL_HMAC_SHA1_80'],
  [0x0006, 'SRTP_NULL_HMAC_SHA1_32'],
  [0x0007, 'SRTP_AEAD_AES_128_GCM'],
  [0x0008, 'SRTP_AEAD_AES_256_GCM'],
  [0x0009, 'DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM'],
  [0x000a, 'DOUBLE_AEAD_AES_256_GCM_AEAD_AES_256_GCM'],
  [0x000b, 'SRTP_ARIA_128_CTR_HMAC_SHA1_80'],
  [0x000c, 'SRTP_ARIA_128_CTR_HMAC_SHA1_32'],
  [0x000d, 'SRTP_ARIA_256_CTR_HMAC_SHA1_80'],
  [0x000e, 'SRTP_ARIA_256_CTR_HMAC_SHA1_32'],
  [0x000f, 'SRTP_AEAD_ARIA_128_GCM'],
  [0x0010, 'SRTP_AEAD_ARIA_256_GCM'],
]);

export function srtpProfileName(n: number): string {
  return PROFILES.get(n) ?? `unknown (0x${n.toString(16).padStart(4, '0')})`;
}

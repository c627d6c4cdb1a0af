/**
 * Protocol versions as they appear in record headers, hellos and
 * supported_versions. Source: Wireshark 4.0.17's `tls.handshake.version` value
 * strings (TLS 1.3 drafts, Facebook's experimental ones, DTLS) plus DTLS 1.3
 * (RFC 9147).
 */
import { isGrease } from './grease';

const VERSIONS = new Map<number, string>([
  [0x0002, 'SSL 2.0'],
  [0x0300, 'SSL 3.0'],
  [0x0301, 'TLS 1.0'],
  [0x0302, 'TLS 1.1'],
  [0x0303, 'TLS 1.2'],
  [0x0304, 'TLS 1.3'],
  [0x0101, 'GMTLS'],
  [0x0100, 'DTLS 1.0 (OpenSSL pre 0.9.8f)'],
  [0xfeff, 'DTLS 1.0'],
  [0xfefd, 'DTLS 1.2'],
  [0xfefc, 'DTLS 1.3'],
  [0xfb17, 'TLS 1.3 (Facebook draft 23)'],
  [0xfb1a, 'TLS 1.3 (Facebook draft 26)'],
]);

export const SSL3 = 0x0300;
export const TLS10 = 0x0301;
export const TLS11 = 0x0302;
export const TLS12 = 0x0303;
export const TLS13 = 0x0304;

export function versionName(n: number): string {
  const name = VERSIONS.get(n);
  if (name !== undefined) return name;
  if (n >= 0x7f00 && n <= 0x7fff) return `TLS 1.3 (draft ${n & 0xff})`;
  if (isGrease(n)) return `GREASE (0x${n.toString(16).padStart(4, '0')})`;
  return `unknown (0x${n.toString(16).padStart(4, '0')})`;
}

/** TLS 1.3 or one of its drafts: the handshake after ServerHello is encrypted. */
export function isTls13(n: number): boolean {
  return n === TLS13 || (n >= 0x7f00 && n <= 0x7fff) || n === 0xfb17 || n === 0xfb1a || n === 0xfefc;
}

/**
 * JA4 TLS client fingerprint (FoxIO, BSD-3-Clause), implemented from the
 * published definition (FoxIO-LLC/ja4, technical_details/JA4.md) and checked
 * value for value against the reference outputs in
 * test/fixtures/ja4-reference/.
 *
 *   JA4 = a_b_c
 *   a   = proto + version + (SNI ? 'd' : 'i') + #ciphers + #extensions + ALPN first/last
 *   b   = sha256(sorted cipher hex list)[:12]
 *   c   = sha256(sorted extension hex list without SNI/ALPN + '_' + signature algorithms in wire order)[:12]
 *
 * `_r` shows the lists instead of hashes, `_o` keeps wire order (and then SNI
 * and ALPN stay in the extension list, as the definition says).
 *
 * Only JA4 itself lives here. JA4S and JA4X are under a different licence and
 * are kept apart in ja4plus.ts.
 */
import { createHash } from 'node:crypto';
import type { ClientHello, TlsExtension } from '../tls/types';
import { isGrease } from '../../../shared/tls/registry/grease';
import { memoize } from '../util/memo';

export interface Ja4Fingerprint {
  ja4: string;
  ja4_r: string;
  ja4_o: string;
  ja4_ro: string;
}

/** 't' TLS over TCP, 'q' QUIC, 'd' DTLS. The capture pipeline only produces TCP. */
export type Ja4Transport = 't' | 'q' | 'd';

const EXT_SERVER_NAME = 0x0000;
const EXT_ALPN = 0x0010;

/** First 12 hex digits of SHA-256; twelve zeros for an empty input so that "nothing" is recognisable. */
export const hash12 = memoize((s: string): string => (s === '' ? '000000000000' : createHash('sha256').update(s, 'latin1').digest('hex').slice(0, 12)));

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

export function count2(n: number): string {
  return String(Math.min(n, 99)).padStart(2, '0');
}

const VERSION_CODES: ReadonlyMap<number, string> = new Map([
  [0x0304, '13'],
  [0x0303, '12'],
  [0x0302, '11'],
  [0x0301, '10'],
  [0x0300, 's3'],
  // SSL 2.0 appears as 0x0002 in an SSLv2 CLIENT-HELLO; the reference tools map 0x0200 too.
  [0x0002, 's2'],
  [0x0200, 's2'],
  [0x0100, 's1'],
  [0xfeff, 'd1'],
  [0xfefd, 'd2'],
  [0xfefc, 'd3'],
]);

export function versionCode(v: number): string {
  return VERSION_CODES.get(v) ?? '00';
}

/** The version JA4 reports: highest non-GREASE supported_versions entry, else the legacy field. */
export function ja4Version(ch: ClientHello): number {
  const offered = ch.supportedVersions.filter((v) => !isGrease(v));
  if (offered.length === 0) return ch.legacyVersion;
  // DTLS numbers count down (0xfefc is 1.3), so "highest" is the smallest.
  if (offered.every((v) => v >= 0xfe00)) return Math.min(...offered);
  return Math.max(...offered);
}

function isAlphanumeric(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/**
 * First and last character of an ALPN protocol name; '00' for none. When
 * either end byte is not [0-9A-Za-z] the first and last characters of the
 * name's hex form are used instead (JA4.md, "ALPN Extension Value").
 */
export function alpnChars(protocol: Uint8Array | null | undefined): string {
  if (!protocol || protocol.length === 0) return '00';
  const first = protocol[0];
  const last = protocol[protocol.length - 1];
  if (isAlphanumeric(first) && isAlphanumeric(last)) return String.fromCharCode(first, last);
  const hex = Buffer.from(protocol).toString('hex');
  return hex[0] + hex[hex.length - 1];
}

/**
 * ProtocolNameList from the extension body when the decoder kept its bytes;
 * null when it did not (or they are malformed).
 */
function alpnFromRaw(ext: TlsExtension | undefined): Uint8Array | null {
  if (!ext?.raw) return null;
  const body = Buffer.from(ext.raw, 'hex');
  if (body.length < 3) return null;
  const listLength = body.readUInt16BE(0);
  const nameLength = body[2];
  if (listLength < 1 || 3 + nameLength > body.length) return null;
  return body.subarray(3, 3 + nameLength);
}

/**
 * Bytes of the first ALPN protocol. The wire bytes are preferred because the
 * hex rule is about bytes; otherwise the decoded string is re-encoded as
 * UTF-8, which gives the wire bytes back provided the decoder read the name
 * as UTF-8 and the name was valid UTF-8.
 */
export function firstAlpnBytes(extensions: readonly TlsExtension[], names: readonly string[]): Uint8Array | null {
  const raw = alpnFromRaw(extensions.find((e) => e.type === EXT_ALPN));
  if (raw) return raw;
  return names.length > 0 ? Buffer.from(names[0], 'utf8') : null;
}

export function ja4(ch: ClientHello, transport: Ja4Transport = 't'): Ja4Fingerprint {
  const ciphers = ch.cipherSuites.filter((c) => !isGrease(c));
  const extensions = ch.extensions.map((e) => e.type).filter((t) => !isGrease(t));
  const sigs = ch.signatureAlgorithms.filter((s) => !isGrease(s)).map(hex4).join(',');

  const a = transport
    + versionCode(ja4Version(ch))
    + (extensions.includes(EXT_SERVER_NAME) ? 'd' : 'i')
    + count2(ciphers.length)
    + count2(extensions.length)
    + alpnChars(firstAlpnBytes(ch.extensions, ch.alpn));

  const withSigs = (exts: string): string => (sigs === '' ? exts : `${exts}_${sigs}`);

  // Hex strings are compared as strings: that is the order the reference
  // implementations produce ("sorted in hex order").
  const sortedCiphers = ciphers.map(hex4).sort().join(',');
  const sortedExts = withSigs(extensions.filter((t) => t !== EXT_SERVER_NAME && t !== EXT_ALPN).map(hex4).sort().join(','));
  const wireCiphers = ciphers.map(hex4).join(',');
  const wireExts = withSigs(extensions.map(hex4).join(','));

  return {
    ja4: `${a}_${hash12(sortedCiphers)}_${hash12(sortedExts)}`,
    ja4_r: `${a}_${sortedCiphers}_${sortedExts}`,
    ja4_o: `${a}_${hash12(wireCiphers)}_${hash12(wireExts)}`,
    ja4_ro: `${a}_${wireCiphers}_${wireExts}`,
  };
}

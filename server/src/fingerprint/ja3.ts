/**
 * JA3 / JA3S (Salesforce, BSD-3-Clause): decimal values joined with '-',
 * fields with ',', MD5 of the result. GREASE values (RFC 8701) are dropped
 * from every list, as in the reference implementation and in Wireshark's
 * tls.handshake.ja3 fields, which the unit tests compare against.
 */
import { createHash } from 'node:crypto';
import type { ClientHello, ServerHello } from '../tls/types';
import { isGrease } from '../../../shared/tls/registry/grease';
import { memoize } from '../util/memo';

export interface Ja3Fingerprint {
  /** MD5 hex of ja3Full. */
  ja3: string;
  /** `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`. */
  ja3Full: string;
}

export interface Ja3sFingerprint {
  ja3s: string;
  /** `SSLVersion,Cipher,Extensions`. */
  ja3sFull: string;
}

const md5 = memoize((s: string): string => createHash('md5').update(s, 'latin1').digest('hex'));

function list(values: readonly number[]): string {
  return values.filter((v) => !isGrease(v)).join('-');
}

export function ja3(ch: ClientHello): Ja3Fingerprint {
  // legacyVersion (client_version), not supported_versions: JA3 predates
  // TLS 1.3 and every published JA3 database was built this way.
  const ja3Full = [
    String(ch.legacyVersion),
    list(ch.cipherSuites),
    list(ch.extensions.map((e) => e.type)),
    list(ch.supportedGroups),
    // Point formats are 8-bit, so no GREASE value (0x?a?a) can occur.
    ch.ecPointFormats.join('-'),
  ].join(',');
  return { ja3: md5(ja3Full), ja3Full };
}

export function ja3s(sh: ServerHello): Ja3sFingerprint {
  const ja3sFull = [String(sh.legacyVersion), String(sh.cipherSuite), list(sh.extensions.map((e) => e.type))].join(',');
  return { ja3s: md5(ja3sFull), ja3sFull };
}

/*
 * JA4S and JA4X — part of JA4+, copyright (c) 2023 FoxIO, LLC, patent pending.
 *
 * JA4+ (JA4S, JA4X and the other non-JA4 methods) is licensed under the
 * FoxIO License 1.1, which permits NON-COMMERCIAL use only (personal use,
 * academic research, internal testing and evaluation); hosted or paid use
 * needs a licence from FoxIO. The full terms are in
 * ./LICENSE-FoxIO-1.1.txt (a copy of https://github.com/FoxIO-LLC/ja4/blob/main/LICENSE),
 * and must accompany any copy of this module.
 *
 * For that reason nothing in the tool computes these by default: callers
 * import this module only when the user has opted in (`--ja4plus`), and no
 * other module in fingerprint/ imports it. JA4 itself (BSD-3-Clause) is in
 * ja4.ts.
 *
 * Definitions: FoxIO-LLC/ja4 technical_details/JA4S.md and JA4X.md; values
 * are checked against the reference outputs in test/fixtures/ja4-reference/.
 */
import 'reflect-metadata';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, Name } from '@peculiar/asn1-x509';
import { ObjectIdentifier } from 'asn1js';
import type { ServerHello } from '../tls/types';
import { alpnChars, count2, firstAlpnBytes, hash12, hex4, type Ja4Transport, versionCode } from './ja4';

export interface Ja4sFingerprint {
  ja4s: string;
  ja4s_r: string;
}

export interface Ja4xFingerprint {
  ja4x: string;
  ja4x_r: string;
}

export interface Ja4PlusInput {
  serverHello?: ServerHello | null;
  /** DER of each certificate of the chain, in the order sent. */
  certificates?: readonly Uint8Array[];
  transport?: Ja4Transport;
}

export interface Ja4PlusResult {
  ja4s?: string;
  ja4s_r?: string;
  /** One per certificate, undefined where the DER is not a decodable certificate. */
  ja4x: Array<string | undefined>;
  ja4x_r: Array<string | undefined>;
}

/**
 * JA4S = proto + version + #extensions + ALPN chosen _ cipher _ sha256(extensions in wire order)[:12].
 * Extensions are counted and listed as sent, GREASE included: the reference
 * implementations do so, and a server sending GREASE is itself worth seeing.
 */
export function ja4s(sh: ServerHello, transport: Ja4Transport = 't'): Ja4sFingerprint {
  const exts = sh.extensions.map((e) => hex4(e.type)).join(',');
  const head = transport
    + versionCode(sh.selectedVersion)
    + count2(sh.extensions.length)
    + alpnChars(firstAlpnBytes(sh.extensions, sh.alpn === null ? [] : [sh.alpn]))
    + '_' + hex4(sh.cipherSuite);
  return { ja4s: `${head}_${hash12(exts)}`, ja4s_r: `${head}_${exts}` };
}

const oidHexCache = new Map<string, string>();

/** Hex of the OID's DER content octets (no tag, no length), e.g. 2.5.4.3 → 550403. */
function oidHex(oid: string): string {
  let hex = oidHexCache.get(oid);
  if (hex === undefined) {
    hex = Buffer.from(new ObjectIdentifier({ value: oid }).valueBlock.toBER(false)).toString('hex');
    // Bounded: a hostile capture could carry endless distinct private OIDs.
    if (oidHexCache.size < 4096) oidHexCache.set(oid, hex);
  }
  return hex;
}

/** Every attribute type of every RDN, in encoding order (multi-valued RDNs contribute each attribute). */
function rdnOids(name: Name): string {
  return name.flatMap((rdn) => rdn.map((atv) => oidHex(atv.type))).join(',');
}

/**
 * JA4X = sha256(issuer attribute OIDs)[:12] _ sha256(subject attribute OIDs)[:12] _ sha256(extension OIDs)[:12],
 * each list in the order the certificate encodes it. Undefined when the DER
 * is not a decodable certificate.
 */
export function ja4xDetails(der: Uint8Array): Ja4xFingerprint | undefined {
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate);
  } catch {
    return undefined;
  }
  const tbs = cert.tbsCertificate;
  const parts = [rdnOids(tbs.issuer), rdnOids(tbs.subject), (tbs.extensions ?? []).map((e) => oidHex(e.extnID)).join(',')];
  return { ja4x: parts.map(hash12).join('_'), ja4x_r: parts.join('_') };
}

export function ja4x(der: Uint8Array): string | undefined {
  return ja4xDetails(der)?.ja4x;
}

/** Everything JA4+ that this tool computes, for one connection. */
export function computeJa4Plus(input: Ja4PlusInput): Ja4PlusResult {
  const out: Ja4PlusResult = { ja4x: [], ja4x_r: [] };
  if (input.serverHello) Object.assign(out, ja4s(input.serverHello, input.transport));
  for (const der of input.certificates ?? []) {
    const x = ja4xDetails(der);
    out.ja4x.push(x?.ja4x);
    out.ja4x_r.push(x?.ja4x_r);
  }
  return out;
}

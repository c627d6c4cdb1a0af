/**
 * X.509 certificate summary for the handshake views, decoded with the
 * maintained @peculiar/x509 stack (no ASN.1 of our own: certificates from
 * censorship middleboxes are exactly the malformed input a home-grown parser
 * gets wrong).
 *
 * Strings are returned exactly as the certificate carries them (a CN of
 * `<script>` stays `<script>`); escaping for HTML, Markdown or the terminal is
 * the renderers' job.
 */
import { certificateBytes } from '../util/byteInterner';
import { constants as cryptoConstants, createHash, createPublicKey, verify as verifySignature, KeyObject } from 'node:crypto';
import type { Certificate, GeneralName as AsnGeneralName, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import type * as X509 from '@peculiar/x509';
import { CURVE_NAMES, EXTENSIONS, PUBLIC_KEY_ALGORITHMS, SIGNATURE_ALGORITHMS } from './oids';
import { partialCertificate, type PartialCertificate } from './derWalk';

/*
 * The ASN.1/X.509 stack is loaded with the first certificate, not with this
 * module: setting up its schema classes was a third of the CLI's start-up,
 * all of it before the first byte of a capture was read.
 */
interface X509Stack {
  AsnConvert: typeof import('@peculiar/asn1-schema').AsnConvert;
  Certificate: typeof Certificate;
  SubjectAlternativeName: typeof import('@peculiar/asn1-x509').SubjectAlternativeName;
  id_ce_subjectAltName: string;
  x509: typeof X509;
}
let stack: X509Stack | undefined;

function x509Stack(): X509Stack {
  if (!stack) {
    // @peculiar/asn1-schema's decorators need the Reflect metadata polyfill loaded
    // before any schema class is evaluated.
    require('reflect-metadata');
    const schema = require('@peculiar/asn1-schema') as typeof import('@peculiar/asn1-schema');
    const asn1x509 = require('@peculiar/asn1-x509') as typeof import('@peculiar/asn1-x509');
    stack = {
      AsnConvert: schema.AsnConvert,
      Certificate: asn1x509.Certificate,
      SubjectAlternativeName: asn1x509.SubjectAlternativeName,
      id_ce_subjectAltName: asn1x509.id_ce_subjectAltName,
      x509: require('@peculiar/x509') as typeof X509,
    };
  }
  return stack;
}

export interface CertificatePublicKey {
  /** 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'DSA' | …; the OID when unknown. */
  algorithm: string;
  oid: string;
  /** Modulus / curve / key size in bits; null when the key could not be loaded. */
  bits: number | null;
  /** EC only: NIST name when there is one (P-256), else OpenSSL's (brainpoolP256r1). */
  curve?: string;
}

export interface CertificateSignatureAlgorithm {
  /** OpenSSL's name (sha256WithRSAEncryption, ecdsa-with-SHA384, rsassaPss …), the OID when unknown. */
  name: string;
  oid: string;
  /** RSASSA-PSS only, where the hash is a parameter rather than part of the OID. */
  hash?: string;
  saltLength?: number;
}

export interface CertificateExtension {
  oid: string;
  /** Name from x509/oids.ts; the OID itself when the extension is not listed there. */
  name: string;
  critical: boolean;
}

export interface ParsedCertificate {
  error?: undefined;
  /** 1, 2 or 3 (the encoded value + 1). */
  version: number;
  /** Attribute=value pairs in encoding order (as OpenSSL prints them), RFC 4514 escaping. */
  subject: string;
  issuer: string;
  /** The last CN (the most specific, which is the one name-matching code uses); null when absent. */
  subjectCN: string | null;
  issuerCN: string | null;
  /** Lower-case hex of the INTEGER's content octets. */
  serialNumber: string;
  /** ISO 8601 UTC. */
  notBefore: string;
  notAfter: string;
  lifetimeSeconds: number;
  /** 'DNS:…', 'IP:…', 'email:…', 'URI:…', 'DirName:…', 'RID:…', 'othername:<oid>'. */
  subjectAltNames: string[];
  publicKey: CertificatePublicKey;
  signatureAlgorithm: CertificateSignatureAlgorithm;
  /** Lower-case hex digests of the DER. */
  sha256: string;
  sha1: string;
  /** Issuer and subject names are byte-identical. */
  selfIssued: boolean;
  /** Self-issued and its signature verifies with its own key (or could not be checked, see selfSignatureVerified). */
  selfSigned: boolean;
  /** Result of checking the signature with the certificate's own key; null when it is not self-issued or the algorithm is not supported. */
  selfSignatureVerified: boolean | null;
  extensions: CertificateExtension[];
  /** DER length in bytes. */
  length: number;
  /** Non-fatal oddities met while decoding (undecodable SAN, non-ASCII in an IA5String …). */
  problems: string[];
}

type Absent<T> = { [K in keyof T]?: undefined };

/**
 * The fields of ParsedCertificate are declared absent rather than left out so
 * that code can read `d.subject ?? ''` on either variant without narrowing.
 */
export interface UndecodableCertificate extends Absent<Omit<ParsedCertificate, 'error' | 'sha256' | 'sha1' | 'length'>> {
  /** Why the DER could not be decoded as a certificate. */
  error: string;
  sha256: string;
  sha1: string;
  length: number;
  /** What a bounded walk of the DER could still read (names, validity, key algorithm, SANs counted). */
  partial?: PartialCertificate;
}

/** Narrow with `if (d.error !== undefined)`; a plain truthiness test does not narrow the type. */
export type DecodedCertificate = ParsedCertificate | UndecodableCertificate;

function digest(algorithm: 'sha256' | 'sha1', der: Uint8Array): string {
  return createHash(algorithm).update(der).digest('hex');
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function decodeCertificate(der: Uint8Array): DecodedCertificate {
  return decodeWithDigest(der, digest('sha256', der));
}

function decodeWithDigest(der: Uint8Array, sha256: string): DecodedCertificate {
  const sha1 = digest('sha1', der);
  const length = der.length;
  let asn: Certificate;
  let cert: X509.X509Certificate;
  try {
    if (der.length === 0) throw new Error('empty certificate');
    const { AsnConvert, Certificate, x509 } = x509Stack();
    asn = AsnConvert.parse(der, Certificate);
    // Built from the parsed structure so that this module keeps the ASN.1
    // objects (raw TBS bytes, extension list) without reaching into the
    // library's protected fields.
    cert = new x509.X509Certificate(asn);
  } catch (e) {
    const u: UndecodableCertificate = { error: `not a decodable X.509 certificate: ${message(e)}`, sha256, sha1, length };
    const partial = partialCertificate(der);
    if (partial) u.partial = partial;
    return u;
  }
  try {
    return summarise(asn, cert, sha256, sha1, length);
  } catch (e) {
    // A field the library decodes lazily (dates, names) can still fail here.
    return { error: `malformed X.509 certificate: ${message(e)}`, sha256, sha1, length };
  }
}

function summarise(asn: Certificate, cert: X509.X509Certificate, sha256: string, sha1: string, length: number): ParsedCertificate {
  const problems: string[] = [];
  const tbs = asn.tbsCertificate;
  const notBefore = cert.notBefore;
  const notAfter = cert.notAfter;
  const { key, info: publicKey } = publicKeyInfo(tbs.subjectPublicKeyInfo, problems);
  const signatureAlgorithm = signatureAlgorithmInfo(asn, cert);

  // Names are compared as encoded; the string test first only spares the
  // re-encoding (a tenth of the decode time) for the usual, CA-issued case.
  const selfIssued = cert.subject === cert.issuer
    && Buffer.from(x509Stack().AsnConvert.serialize(tbs.issuer)).equals(Buffer.from(x509Stack().AsnConvert.serialize(tbs.subject)));
  const selfSignatureVerified = selfIssued && key ? verifySelf(asn, key, signatureAlgorithm) : null;

  const extensions: CertificateExtension[] = [];
  const seen = new Set<string>();
  for (const ext of tbs.extensions ?? []) {
    if (seen.has(ext.extnID)) problems.push(`duplicate extension ${ext.extnID}`);
    seen.add(ext.extnID);
    extensions.push({ oid: ext.extnID, name: EXTENSIONS[ext.extnID] ?? ext.extnID, critical: ext.critical });
  }

  return {
    version: tbs.version + 1,
    subject: cert.subject,
    issuer: cert.issuer,
    subjectCN: lastField(cert.subjectName, 'CN'),
    issuerCN: lastField(cert.issuerName, 'CN'),
    serialNumber: cert.serialNumber,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    lifetimeSeconds: Math.round((notAfter.getTime() - notBefore.getTime()) / 1000),
    subjectAltNames: subjectAltNames(asn, problems),
    publicKey,
    signatureAlgorithm,
    sha256,
    sha1,
    selfIssued,
    selfSigned: selfIssued && selfSignatureVerified !== false,
    selfSignatureVerified,
    extensions,
    length,
    problems,
  };
}

function lastField(name: X509.Name, field: string): string | null {
  const values = name.getField(field);
  return values.length ? values[values.length - 1] : null;
}

function curveBits(curve: string): number | null {
  if (curve === 'SM2') return 256;
  const m = /(\d{3})/.exec(curve);
  return m ? Number(m[1]) : null;
}

/** OpenSSL's EVP_PKEY_get_bits() values for the fixed-size key types. */
const FIXED_KEY_BITS: Readonly<Record<string, number>> = { ed25519: 256, ed448: 456, x25519: 253, x448: 448 };

function publicKeyInfo(spki: SubjectPublicKeyInfo, problems: string[]): { key: KeyObject | null; info: CertificatePublicKey } {
  const oid = spki.algorithm.algorithm;
  const info: CertificatePublicKey = { algorithm: PUBLIC_KEY_ALGORITHMS[oid] ?? oid, oid, bits: null };
  let key: KeyObject;
  try {
    // Node (OpenSSL) knows more key types and curves than the WebCrypto-shaped
    // view of @peculiar/x509, and gives sizes without a crypto provider.
    key = createPublicKey({ key: Buffer.from(x509Stack().AsnConvert.serialize(spki)), format: 'der', type: 'spki' });
  } catch (e) {
    problems.push(`public key could not be loaded: ${message(e)}`);
    return { key: null, info };
  }
  const details = key.asymmetricKeyDetails ?? {};
  const type = key.asymmetricKeyType ?? '';
  if (details.modulusLength !== undefined) info.bits = details.modulusLength;
  else if (details.namedCurve !== undefined) {
    info.curve = CURVE_NAMES[details.namedCurve] ?? details.namedCurve;
    info.bits = curveBits(details.namedCurve);
  } else if (type in FIXED_KEY_BITS) info.bits = FIXED_KEY_BITS[type];
  return { key, info };
}

function signatureAlgorithmInfo(asn: Certificate, cert: X509.X509Certificate): CertificateSignatureAlgorithm {
  const oid = asn.signatureAlgorithm.algorithm;
  const info: CertificateSignatureAlgorithm = { name: SIGNATURE_ALGORITHMS[oid] ?? oid, oid };
  if (oid === '1.2.840.113549.1.1.10') {
    try {
      const alg = cert.signatureAlgorithm as { hash?: { name?: string }; saltLength?: number };
      if (alg.hash?.name) info.hash = alg.hash.name;
      if (typeof alg.saltLength === 'number') info.saltLength = alg.saltLength;
    } catch {
      // Unreadable PSS parameters: the name and OID still say what it is.
    }
  }
  return info;
}

/** Node digest names for the hash each signature OID implies. */
const SIGNATURE_HASH: Readonly<Record<string, string | null>> = {
  '1.2.840.113549.1.1.4': 'md5',
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha1',
  '2.16.840.1.101.3.4.3.2': 'sha256',
  '1.3.101.112': null,
  '1.3.101.113': null,
};

/**
 * "Self-signed" in a forensic report must mean the signature checks out: a
 * middlebox that copies a CA's name into its own certificate is self-issued
 * but not self-signed. Null when the algorithm is not one Node can verify.
 */
function verifySelf(asn: Certificate, key: KeyObject, alg: CertificateSignatureAlgorithm): boolean | null {
  const tbs = asn.tbsCertificateRaw;
  if (!tbs) return null;
  const data = Buffer.from(tbs);
  const signature = Buffer.from(asn.signatureValue);
  try {
    if (alg.oid === '1.2.840.113549.1.1.10') {
      if (!alg.hash) return null;
      const hash = alg.hash.toLowerCase().replace('-', '');
      return verifySignature(hash, data, {
        key,
        padding: cryptoConstants.RSA_PKCS1_PSS_PADDING,
        saltLength: alg.saltLength ?? 20,
      }, signature);
    }
    if (!(alg.oid in SIGNATURE_HASH)) return null;
    return verifySignature(SIGNATURE_HASH[alg.oid] ?? null, data, key, signature);
  } catch {
    return null;
  }
}

/**
 * IA5String may only hold ASCII, but certificates made by hand (or by a
 * middlebox) put UTF-8 there; the library hands each byte back as one
 * character. Showing the UTF-8 text is what OpenSSL on a UTF-8 terminal
 * shows, so that is what a researcher will compare against.
 */
function ia5(value: string, what: string, problems: string[]): string {
  if (!/[^\x00-\x7f]/.test(value)) return value;
  problems.push(`${what} contains non-ASCII bytes`);
  if (/[^\x00-\xff]/.test(value)) return value;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

function generalName(gn: AsnGeneralName, problems: string[]): string {
  if (gn.dNSName !== undefined) return `DNS:${ia5(gn.dNSName, 'subjectAltName DNS name', problems)}`;
  if (gn.iPAddress !== undefined) return `IP:${gn.iPAddress}`;
  if (gn.rfc822Name !== undefined) return `email:${ia5(gn.rfc822Name, 'subjectAltName email', problems)}`;
  if (gn.uniformResourceIdentifier !== undefined) return `URI:${ia5(gn.uniformResourceIdentifier, 'subjectAltName URI', problems)}`;
  if (gn.directoryName !== undefined) return `DirName:${new (x509Stack().x509.Name)(x509Stack().AsnConvert.serialize(gn.directoryName)).toString()}`;
  if (gn.registeredID !== undefined) return `RID:${gn.registeredID}`;
  if (gn.otherName !== undefined) return `othername:${gn.otherName.typeId}`;
  if (gn.x400Address !== undefined) return 'X400Name:<unsupported>';
  if (gn.ediPartyName !== undefined) return 'EdiPartyName:<unsupported>';
  return '<empty GeneralName>';
}

function subjectAltNames(asn: Certificate, problems: string[]): string[] {
  const { AsnConvert, SubjectAlternativeName, id_ce_subjectAltName } = x509Stack();
  const out: string[] = [];
  for (const ext of asn.tbsCertificate.extensions ?? []) {
    if (ext.extnID !== id_ce_subjectAltName) continue;
    try {
      for (const gn of AsnConvert.parse(ext.extnValue.buffer, SubjectAlternativeName)) out.push(generalName(gn, problems));
    } catch (e) {
      problems.push(`subjectAltName could not be decoded: ${message(e)}`);
    }
  }
  return out;
}

/**
 * Decoded certificates by SHA-256 of their DER. The same few chains appear in
 * every handshake of a capture, so each distinct certificate is decoded once.
 * Returned objects are shared between callers: treat them as read-only.
 */
export class CertificateCache {
  private readonly entries = new Map<string, DecodedCertificate>();
  /*
   * SHA-256 of each certificate by its shared copy (certificateBytes): a
   * repeat is recognised by the interner (a quick hash and a byte compare, or
   * nothing at all for the copies the TLS decoder made) instead of hashing
   * 1-2 KB again, which cost more than the rest of a connection's report.
   */
  private sha256Of = new WeakMap<Uint8Array, string>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity = 4096) {
    if (!(capacity >= 1)) throw new RangeError('CertificateCache capacity must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  get(der: Uint8Array): DecodedCertificate {
    const stable = certificateBytes.intern(der, 0, der.length);
    let sha256 = this.sha256Of.get(stable);
    if (sha256 === undefined) this.sha256Of.set(stable, (sha256 = digest('sha256', der)));
    const hit = this.entries.get(sha256);
    if (hit) {
      // Map keeps insertion order: re-inserting makes this the most recent.
      this.entries.delete(sha256);
      this.entries.set(sha256, hit);
      this.hits++;
      return hit;
    }
    this.misses++;
    const decoded = decodeWithDigest(der, sha256);
    this.entries.set(sha256, decoded);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return decoded;
  }

  clear(): void {
    this.entries.clear();
    this.sha256Of = new WeakMap();
    this.hits = 0;
    this.misses = 0;
  }
}

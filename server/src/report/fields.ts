/**
 * The handshake tables: which fields of ClientHello, ServerHello, Certificate
 * and ServerKeyExchange a report shows, with names for the numbers. Field paths
 * are the ones suspects and annotations use, so rows can carry their marks.
 */
import type { CertificateReport, ConnectionReport } from '../../../shared/analysis';
import { cipherSuiteName } from '../../../shared/tls/registry/cipherSuites';
import { ecPointFormatName, namedGroupName } from '../../../shared/tls/registry/namedGroups';
import { signatureSchemeName } from '../../../shared/tls/registry/signatureSchemes';
import { versionName } from '../../../shared/tls/registry/versions';
import { hex } from '../../../shared/report/model';

export interface FieldRow {
  /** Path as in suspects and annotations. */
  field: string;
  label: string;
  get(c: ConnectionReport): string | null;
}

export interface FieldGroup {
  /** The handshake message the fields are in. */
  message: string;
  title: string;
  rows: FieldRow[];
  present(c: ConnectionReport): boolean;
}

const MAX_HEX = 96;

/** Long hex (keys, primes) cut for the page; the JSON report has it whole. */
export function shortHex(h: string | null | undefined): string | null {
  if (h === null || h === undefined) return null;
  if (h === '') return '(empty)';
  return h.length > MAX_HEX ? `${h.slice(0, MAX_HEX)}… (${h.length / 2} bytes)` : h;
}

const ver = (n: number | null | undefined) => (n === null || n === undefined ? null : `${versionName(n)} (${hex(n)})`);
const list = (xs: string[]) => (xs.length ? xs.join(', ') : '(none)');

function chRows(): FieldRow[] {
  const ch = (f: (h: NonNullable<ConnectionReport['clientHello']>) => string | null) => (c: ConnectionReport) => (c.clientHello ? f(c.clientHello) : null);
  return [
    { field: 'clientHello.recordVersion', label: 'record version', get: ch((h) => ver(h.recordVersion)) },
    { field: 'clientHello.legacyVersion', label: 'version', get: ch((h) => ver(h.legacyVersion)) },
    { field: 'clientHello.supportedVersions', label: 'supported versions', get: ch((h) => (h.supportedVersions.length ? list(h.supportedVersions.map((v) => versionName(v))) : null)) },
    { field: 'clientHello.serverName', label: 'server name (SNI)', get: ch((h) => h.serverName ?? '(none)') },
    { field: 'clientHello.alpn', label: 'ALPN', get: ch((h) => list(h.alpn)) },
    { field: 'clientHello.cipherSuites', label: 'cipher suites', get: ch((h) => `${h.cipherSuites.length}: ${list(h.cipherSuites.map((s) => `${cipherSuiteName(s)} (${hex(s)})`))}`) },
    { field: 'clientHello.supportedGroups', label: 'supported groups', get: ch((h) => list(h.supportedGroups.map(namedGroupName))) },
    { field: 'clientHello.signatureAlgorithms', label: 'signature algorithms', get: ch((h) => list(h.signatureAlgorithms.map(signatureSchemeName))) },
    { field: 'clientHello.ecPointFormats', label: 'EC point formats', get: ch((h) => (h.ecPointFormats.length ? list(h.ecPointFormats.map(ecPointFormatName)) : null)) },
    { field: 'clientHello.compressionMethods', label: 'compression', get: ch((h) => list(h.compressionMethods.map(String))) },
    { field: 'clientHello.extensions', label: 'extensions (wire order)', get: ch((h) => list(h.extensions.map((e) => `${e.name} (${e.length} B)`))) },
    { field: 'clientHello.random', label: 'random', get: ch((h) => h.random) },
    { field: 'clientHello.sessionId', label: 'session id', get: ch((h) => (h.sessionId ? `${h.sessionId.length / 2} bytes: ${shortHex(h.sessionId)}` : '(empty)')) },
    { field: 'fingerprints.ja3', label: 'JA3', get: (c) => (c.clientHello ? c.fingerprints.ja3 : null) },
    { field: 'fingerprints.ja4', label: 'JA4', get: (c) => (c.clientHello ? c.fingerprints.ja4 : null) },
  ];
}

function shRows(): FieldRow[] {
  const sh = (f: (h: NonNullable<ConnectionReport['serverHello']>) => string | null) => (c: ConnectionReport) => (c.serverHello ? f(c.serverHello) : null);
  return [
    { field: 'serverHello.recordVersion', label: 'record version', get: sh((h) => ver(h.recordVersion)) },
    { field: 'serverHello.legacyVersion', label: 'version', get: sh((h) => ver(h.legacyVersion)) },
    { field: 'serverHello.selectedVersion', label: 'negotiated version', get: sh((h) => ver(h.selectedVersion)) },
    { field: 'serverHello.cipherSuite', label: 'cipher suite', get: sh((h) => `${h.cipherSuiteName} (${hex(h.cipherSuite)})`) },
    { field: 'serverHello.compressionMethod', label: 'compression', get: sh((h) => String(h.compressionMethod)) },
    { field: 'serverHello.alpn', label: 'ALPN', get: sh((h) => h.alpn ?? '(none)') },
    { field: 'serverHello.extensions', label: 'extensions (wire order)', get: sh((h) => list(h.extensions.map((e) => `${e.name} (${e.length} B)`))) },
    { field: 'serverHello.random', label: 'random', get: sh((h) => h.random) },
    { field: 'serverHello.sessionId', label: 'session id', get: sh((h) => (h.sessionId ? `${h.sessionId.length / 2} bytes: ${shortHex(h.sessionId)}` : '(empty)')) },
    { field: 'serverHello.helloRetryRequest', label: 'HelloRetryRequest', get: sh((h) => (h.helloRetryRequest ? 'yes' : null)) },
    { field: 'fingerprints.ja3s', label: 'JA3S', get: (c) => (c.serverHello ? c.fingerprints.ja3s : null) },
  ];
}

function days(s: number | null): string | null {
  return s === null ? null : `${(s / 86400).toFixed(1)} days`;
}

function certRows(i: number): FieldRow[] {
  const ce = (f: (c: CertificateReport) => string | null) => (c: ConnectionReport) => (c.certificates[i] ? f(c.certificates[i]) : null);
  const p = `certificates[${i}]`;
  return [
    { field: `${p}.subject`, label: 'subject', get: ce((c) => c.subject || '(empty)') },
    { field: `${p}.issuer`, label: 'issuer', get: ce((c) => c.issuer || '(empty)') },
    { field: `${p}.subjectAltNames`, label: 'subject alt names', get: ce((c) => list(c.subjectAltNames)) },
    { field: `${p}.notBefore`, label: 'not before', get: ce((c) => c.notBefore) },
    { field: `${p}.notAfter`, label: 'not after', get: ce((c) => c.notAfter) },
    { field: `${p}.lifetimeSeconds`, label: 'lifetime', get: ce((c) => days(c.lifetimeSeconds)) },
    { field: `${p}.serialNumber`, label: 'serial number', get: ce((c) => c.serialNumber) },
    { field: `${p}.publicKey`, label: 'public key', get: ce((c) => (c.publicKey ? `${c.publicKey.algorithm}${c.publicKey.bits ? ` ${c.publicKey.bits} bits` : ''}${c.publicKey.curve ? ` ${c.publicKey.curve}` : ''}` : null)) },
    { field: `${p}.signatureAlgorithm`, label: 'signature algorithm', get: ce((c) => c.signatureAlgorithm) },
    { field: `${p}.selfSigned`, label: 'self-signed', get: ce((c) => (c.selfSigned === null ? null : c.selfSigned ? 'yes' : 'no')) },
    { field: `${p}.sha256`, label: 'SHA-256', get: ce((c) => c.sha256) },
    { field: `${p}.error`, label: 'decoding problem', get: ce((c) => c.error ?? null) },
  ];
}

function skeRows(): FieldRow[] {
  const sk = (f: (h: NonNullable<ConnectionReport['serverKeyExchange']>) => string | null) => (c: ConnectionReport) => (c.serverKeyExchange ? f(c.serverKeyExchange) : null);
  return [
    { field: 'serverKeyExchange.kind', label: 'key exchange', get: sk((k) => k.kind.toUpperCase()) },
    { field: 'serverKeyExchange.namedCurve', label: 'curve', get: sk((k) => (k.namedCurve === undefined ? null : `${k.namedCurveName ?? namedGroupName(k.namedCurve)} (${hex(k.namedCurve)})`)) },
    { field: 'serverKeyExchange.ecPoint', label: 'EC public point', get: sk((k) => shortHex(k.ecPoint)) },
    { field: 'serverKeyExchange.dhPrimeBits', label: 'DH prime size', get: sk((k) => (k.dhPrimeBits === undefined ? null : `${k.dhPrimeBits} bits`)) },
    { field: 'serverKeyExchange.dhPrime', label: 'DH prime p', get: sk((k) => shortHex(k.dhPrime)) },
    { field: 'serverKeyExchange.dhGenerator', label: 'DH generator g', get: sk((k) => shortHex(k.dhGenerator)) },
    { field: 'serverKeyExchange.dhPublicBits', label: 'DH public value size', get: sk((k) => (k.dhPublicBits === undefined ? null : `${k.dhPublicBits} bits`)) },
    { field: 'serverKeyExchange.dhPublic', label: 'DH public value', get: sk((k) => shortHex(k.dhPublic)) },
    { field: 'serverKeyExchange.signatureAlgorithm', label: 'signature algorithm', get: sk((k) => (k.signatureAlgorithm === null || k.signatureAlgorithm === undefined ? null : `${k.signatureAlgorithmName ?? signatureSchemeName(k.signatureAlgorithm)} (${hex(k.signatureAlgorithm)})`)) },
    { field: 'serverKeyExchange.signatureLength', label: 'signature length', get: sk((k) => (k.signatureLength === undefined ? null : `${k.signatureLength} bytes`)) },
  ];
}

export function fieldGroups(conns: Array<ConnectionReport | null>): FieldGroup[] {
  const present = conns.filter((c): c is ConnectionReport => !!c);
  const chain = Math.max(0, ...present.map((c) => c.certificates.length));
  const groups: FieldGroup[] = [
    { message: 'ClientHello', title: 'ClientHello', rows: chRows(), present: (c) => !!c.clientHello },
    { message: 'ServerHello', title: 'ServerHello', rows: shRows(), present: (c) => !!c.serverHello },
  ];
  for (let i = 0; i < chain; i++) {
    groups.push({ message: 'Certificate', title: `Certificate ${i}${i === 0 ? ' (leaf)' : ''}`, rows: certRows(i), present: (c) => !!c.certificates[i] });
  }
  groups.push({ message: 'ServerKeyExchange', title: 'ServerKeyExchange', rows: skeRows(), present: (c) => !!c.serverKeyExchange });
  return groups.filter((g) => present.some((c) => g.present(c)));
}

/** Does a suspect/annotation on `field` belong on this row? (`serverHello.extensions[1]` marks the extensions row.) */
export function fieldMatches(rowField: string, field: string): boolean {
  return field === rowField || field.startsWith(`${rowField}[`) || field.startsWith(`${rowField}.`);
}

/** The message a field path lives in, for hex highlighting. */
export function messageOfField(field: string): string | null {
  if (field.startsWith('clientHello.')) return 'ClientHello';
  if (field.startsWith('serverHello.')) return 'ServerHello';
  if (field.startsWith('certificates[')) return 'Certificate';
  if (field.startsWith('serverKeyExchange.')) return 'ServerKeyExchange';
  return null;
}

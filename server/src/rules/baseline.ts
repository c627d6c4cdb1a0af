/**
 * Field-by-field difference between a blocked handshake and one that works
 * (the baseline): what the blocked connection does differently is where a
 * censor's match can be. Values that differ between any two connections
 * anyway — randoms, session ids, DH public values, timestamps, and the serials
 * and digests of certificates both made up on the spot — are listed with
 * `distinctive: false` so they don't drown the ones that matter.
 *
 * Only fields whose values differ are returned, distinctive ones first, each
 * group in handshake order.
 */
import type { CertificateReport, ConnectionReport, TlsExtension } from '../../../shared/analysis';
import type { BaselineDiffEntry } from '../../../shared/compare';
import { extensionData } from '../../../shared/tlsExtensions';
import { cipherSuiteName } from '../../../shared/tls/registry/cipherSuites';
import { extensionName } from '../../../shared/tls/registry/extensionTypes';
import { isGrease } from '../../../shared/tls/registry/grease';
import { namedGroupName } from '../../../shared/tls/registry/namedGroups';
import { signatureSchemeName } from '../../../shared/tls/registry/signatureSchemes';
import { versionName } from '../../../shared/tls/registry/versions';
import { TOR_CERT_NAME, TOR_SNI_NAME, durationText, hex4, randomLookingName } from './catalogue';
import { identifyDhPrime, normaliseHex, primeDigest } from './dhGroups';

type Value = string | null;

interface Probe {
  field: string;
  blocked: Value;
  baseline: Value;
  distinctive: boolean;
}

/** GREASE values are random per connection by design: compare them as one symbol. */
function codes(xs: readonly number[], name: (n: number) => string): string {
  return xs.map((x) => (isGrease(x) ? 'GREASE' : `${name(x)}`)).join(', ') || 'none';
}

function suite(n: number): string {
  return `${cipherSuiteName(n)} (${hex4(n)})`;
}

function extTypes(exts: readonly TlsExtension[]): string {
  return exts.map((e) => (e.grease || isGrease(e.type) ? 'GREASE' : extensionName(e.type))).join(', ') || 'none';
}

function keyShareGroups(exts: readonly TlsExtension[]): Value {
  const d = extensionData(exts, 51);
  if (!d) return null;
  if (d.shares) return d.shares.map((s) => (isGrease(s.group) ? 'GREASE' : namedGroupName(s.group))).join(', ') || 'none';
  if (typeof d.group === 'number') return namedGroupName(d.group);
  if (typeof d.selectedGroup === 'number') return `retry with ${namedGroupName(d.selectedGroup)}`;
  return 'present';
}

/** A name with Tor-style randomness abstracted, so two random names of the same form compare equal. */
export function nameShape(cn: string | null): string {
  if (cn === null) return '(none)';
  const m = /^www\.[a-z2-7]+\.([a-z]+)$/.exec(cn);
  if (m && (TOR_CERT_NAME.test(cn) || TOR_SNI_NAME.test(cn))) return `www.<random base32>.${m[1]}`;
  return cn;
}

/** A distinguished name with Tor-style random names abstracted. */
function dnShape(dn: string): string {
  return dn.replace(/www\.[a-z2-7]{8,32}\.(net|com)\b/g, 'www.<random base32>.$1');
}

function sessionIdText(hex: string): string {
  return hex ? `${hex.length / 2} bytes: ${hex}` : 'empty';
}

function madeUpCertificate(c: CertificateReport | undefined): boolean {
  return !!c && (randomLookingName(c.subjectCN) || (c.selfSigned === true && randomLookingName(c.issuerCN)));
}

function keyText(c: CertificateReport): Value {
  const k = c.publicKey;
  if (!k) return null;
  return `${k.algorithm}${k.bits ? ` ${k.bits}` : ''}${k.curve ? ` ${k.curve}` : ''}`;
}

function lifetimeClass(s: number | null): string {
  return s === null ? '?' : s < 86400 ? 'under a day' : 'a day or more';
}

function dhPrimeText(hex: string | undefined, bits: number | undefined): Value {
  if (!hex) return null;
  const g = identifyDhPrime(hex);
  return g ? `${g.name}` : `${bits ?? '?'}-bit prime, not a published group (sha256 ${primeDigest(hex).slice(0, 16)}…)`;
}

export function baselineDiff(blocked: ConnectionReport, baseline: ConnectionReport): BaselineDiffEntry[] {
  const probes: Probe[] = [];
  const add = (field: string, b: Value, base: Value, distinctive = true) => probes.push({ field, blocked: b, baseline: base, distinctive });

  // ClientHello
  const ch = blocked.clientHello;
  const chb = baseline.clientHello;
  if (ch || chb) {
    add('clientHello', ch ? 'present' : null, chb ? 'present' : null);
    add('clientHello.legacyVersion', ch ? versionName(ch.legacyVersion) : null, chb ? versionName(chb.legacyVersion) : null);
    add('clientHello.cipherSuites', ch ? codes(ch.cipherSuites, hex4) : null, chb ? codes(chb.cipherSuites, hex4) : null);
    add('clientHello.compressionMethods', ch ? ch.compressionMethods.join(', ') : null, chb ? chb.compressionMethods.join(', ') : null);
    add('clientHello.extensions[*].type', ch ? extTypes(ch.extensions) : null, chb ? extTypes(chb.extensions) : null);
    add('clientHello.supportedGroups', ch ? codes(ch.supportedGroups, namedGroupName) : null, chb ? codes(chb.supportedGroups, namedGroupName) : null);
    add('clientHello.signatureAlgorithms', ch ? codes(ch.signatureAlgorithms, signatureSchemeName) : null, chb ? codes(chb.signatureAlgorithms, signatureSchemeName) : null);
    add('clientHello.supportedVersions', ch ? codes(ch.supportedVersions, versionName) : null, chb ? codes(chb.supportedVersions, versionName) : null);
    add('clientHello.ecPointFormats', ch ? ch.ecPointFormats.join(', ') || 'none' : null, chb ? chb.ecPointFormats.join(', ') || 'none' : null);
    add('clientHello.alpn', ch ? ch.alpn.join(', ') || 'none' : null, chb ? chb.alpn.join(', ') || 'none' : null);
    add('clientHello.extensions[*].data.shares[*].group', ch ? keyShareGroups(ch.extensions) ?? 'none' : null, chb ? keyShareGroups(chb.extensions) ?? 'none' : null);
    // Tor clients send a fresh random name every time: only its form can tell.
    add('clientHello.serverName', ch ? ch.serverName ?? 'none' : null, chb ? chb.serverName ?? 'none' : null,
      !ch || !chb || nameShape(ch.serverName) !== nameShape(chb.serverName) || !TOR_SNI_NAME.test(ch.serverName ?? ''));
    add('clientHello.random', ch?.random ?? null, chb?.random ?? null, false);
    add('clientHello.sessionId', ch ? sessionIdText(ch.sessionId) : null, chb ? sessionIdText(chb.sessionId) : null,
      !ch || !chb || ch.sessionId.length !== chb.sessionId.length);
  }

  // ServerHello
  const sh = blocked.serverHello;
  const shb = baseline.serverHello;
  if (sh || shb) {
    add('serverHello', sh ? 'present' : null, shb ? 'present' : null);
    add('serverHello.legacyVersion', sh ? versionName(sh.legacyVersion) : null, shb ? versionName(shb.legacyVersion) : null);
    add('serverHello.selectedVersion', sh ? versionName(sh.selectedVersion) : null, shb ? versionName(shb.selectedVersion) : null);
    add('serverHello.cipherSuite', sh ? suite(sh.cipherSuite) : null, shb ? suite(shb.cipherSuite) : null);
    add('serverHello.compressionMethod', sh ? String(sh.compressionMethod) : null, shb ? String(shb.compressionMethod) : null);
    add('serverHello.extensions[*].type', sh ? extTypes(sh.extensions) : null, shb ? extTypes(shb.extensions) : null);
    add('serverHello.alpn', sh ? sh.alpn ?? 'none' : null, shb ? shb.alpn ?? 'none' : null);
    add('serverHello.extensions[*].data.group', sh ? keyShareGroups(sh.extensions) ?? 'none' : null, shb ? keyShareGroups(shb.extensions) ?? 'none' : null);
    add('serverHello.random', sh?.random ?? null, shb?.random ?? null, false);
    add('serverHello.sessionId', sh ? sessionIdText(sh.sessionId) : null, shb ? sessionIdText(shb.sessionId) : null,
      !sh || !shb || sh.sessionId.length !== shb.sessionId.length);
  }

  // ServerKeyExchange
  const ske = blocked.serverKeyExchange;
  const skeb = baseline.serverKeyExchange;
  if (ske || skeb) {
    add('serverKeyExchange.kind', ske?.kind ?? null, skeb?.kind ?? null);
    add('serverKeyExchange.dhPrimeBits', ske?.dhPrimeBits !== undefined ? `${ske.dhPrimeBits} bits` : null, skeb?.dhPrimeBits !== undefined ? `${skeb.dhPrimeBits} bits` : null);
    const p = dhPrimeText(ske?.dhPrime, ske?.dhPrimeBits);
    const pb = dhPrimeText(skeb?.dhPrime, skeb?.dhPrimeBits);
    // Two relays that each generated their own prime differ by construction.
    const bothOwnPrimes = !!ske?.dhPrime && !!skeb?.dhPrime && !identifyDhPrime(ske.dhPrime) && !identifyDhPrime(skeb.dhPrime);
    add('serverKeyExchange.dhPrime', p, pb, !bothOwnPrimes);
    add('serverKeyExchange.dhGenerator', ske?.dhGenerator ?? null, skeb?.dhGenerator ?? null);
    add('serverKeyExchange.namedCurve', ske?.namedCurve !== undefined ? ske.namedCurveName ?? namedGroupName(ske.namedCurve) : null,
      skeb?.namedCurve !== undefined ? skeb.namedCurveName ?? namedGroupName(skeb.namedCurve) : null);
    add('serverKeyExchange.signatureAlgorithm', ske?.signatureAlgorithmName ?? null, skeb?.signatureAlgorithmName ?? null);
    add('serverKeyExchange.dhPublic', ske?.dhPublic ?? null, skeb?.dhPublic ?? null, false);
    add('serverKeyExchange.ecPoint', ske?.ecPoint ?? null, skeb?.ecPoint ?? null, false);
  }

  // Certificates
  const certs = blocked.certificates;
  const certsb = baseline.certificates;
  if (certs.length > 0 || certsb.length > 0) {
    add('certificates', `${certs.length} certificate${certs.length === 1 ? '' : 's'}`, `${certsb.length} certificate${certsb.length === 1 ? '' : 's'}`);
    for (let i = 0; i < Math.max(certs.length, certsb.length); i++) {
      const c = certs[i];
      const cb = certsb[i];
      const random = madeUpCertificate(c) && madeUpCertificate(cb);
      const at = `certificates[${i}]`;
      // Two random names differ anyway; a different form (.net vs .com, random vs real) is what counts.
      const sameForm = (a: string | null | undefined, b: string | null | undefined) => !!c && !!cb && nameShape(a ?? null) === nameShape(b ?? null) && a !== b;
      add(`${at}.subjectCN`, c ? c.subjectCN ?? '(no CN)' : null, cb ? cb.subjectCN ?? '(no CN)' : null, !(random && sameForm(c?.subjectCN, cb?.subjectCN)));
      add(`${at}.issuerCN`, c ? c.issuerCN ?? '(no CN)' : null, cb ? cb.issuerCN ?? '(no CN)' : null, !(random && sameForm(c?.issuerCN, cb?.issuerCN)));
      const dnNoise = (a: string | undefined, b: string | undefined) => random && a !== undefined && b !== undefined && dnShape(a) === dnShape(b);
      add(`${at}.subject`, c?.subject ?? null, cb?.subject ?? null, !dnNoise(c?.subject, cb?.subject));
      add(`${at}.issuer`, c?.issuer ?? null, cb?.issuer ?? null, !dnNoise(c?.issuer, cb?.issuer));
      add(`${at}.selfSigned`, c ? String(c.selfSigned) : null, cb ? String(cb.selfSigned) : null);
      // Tor picks its validity period at random; only under-a-day versus longer (Iran, September 2011) is telling then.
      add(`${at}.lifetimeSeconds`, c?.lifetimeSeconds != null ? durationText(c.lifetimeSeconds) : null,
        cb?.lifetimeSeconds != null ? durationText(cb.lifetimeSeconds) : null,
        !random || lifetimeClass(c?.lifetimeSeconds ?? null) !== lifetimeClass(cb?.lifetimeSeconds ?? null));
      add(`${at}.publicKey`, c ? keyText(c) : null, cb ? keyText(cb) : null);
      add(`${at}.signatureAlgorithm`, c?.signatureAlgorithm ?? null, cb?.signatureAlgorithm ?? null);
      add(`${at}.extensions[*].name`, c ? c.extensions.map((e) => e.name).join(', ') || 'none' : null, cb ? cb.extensions.map((e) => e.name).join(', ') || 'none' : null);
      add(`${at}.subjectAltNames`, c ? c.subjectAltNames.join(', ') || 'none' : null, cb ? cb.subjectAltNames.join(', ') || 'none' : null, !random);
      const serialBytes = (x: CertificateReport) => Math.ceil(normaliseHex(x.serialNumber).length / 2);
      add(`${at}.serialNumber`, c ? `${c.serialNumber} (${serialBytes(c)} bytes)` : null, cb ? `${cb.serialNumber} (${serialBytes(cb)} bytes)` : null,
        !random || !c || !cb || serialBytes(c) !== serialBytes(cb));
      add(`${at}.sha256`, c?.sha256 ?? null, cb?.sha256 ?? null, !random);
      add(`${at}.notBefore`, c?.notBefore ?? null, cb?.notBefore ?? null, false);
      add(`${at}.notAfter`, c?.notAfter ?? null, cb?.notAfter ?? null, false);
    }
  }

  // Fingerprints
  const f = blocked.fingerprints;
  const fb = baseline.fingerprints;
  add('fingerprints.ja3', f.ja3, fb.ja3);
  add('fingerprints.ja3s', f.ja3s, fb.ja3s);
  add('fingerprints.ja4', f.ja4, fb.ja4);
  if (f.ja4s !== undefined || fb.ja4s !== undefined) add('fingerprints.ja4s', f.ja4s ?? null, fb.ja4s ?? null);

  const diffs = probes.filter((p) => p.blocked !== p.baseline);
  const entries = diffs.map(({ field, blocked: b, baseline: base, distinctive }) => ({ field, blocked: b, baseline: base, distinctive }));
  return [...entries.filter((e) => e.distinctive), ...entries.filter((e) => !e.distinctive)];
}

/**
 * Built-in suspect-field rules: fields of a handshake that censors are
 * documented to have matched in Tor's TLS (weight 'high'), shape matches
 * against Tor's current handshake ('medium'), and traits that merely make a
 * handshake stand out ('low').
 *
 * Every rule cites its source from shared/notes/censorship-history.md (see
 * references.ts). Two documented blocks have no rule of their own because the
 * signature was never published: Kazakhstan 2012 (something in the
 * ServerHello) and the UAE 2012. Ethiopia's mid-2012 match on the ClientHello
 * of Tor clients older than 0.2.3.17-beta has no rule either: the sources do
 * not give that cipher list, and it is not reconstructed from memory here.
 */
import type { CertificateReport, ConnectionReport } from '../../../shared/analysis';
import type { Suspect } from '../../../shared/compare';
import { extensionData } from '../../../shared/tlsExtensions';
import { cipherSuiteName } from '../../../shared/tls/registry/cipherSuites';
import { isGrease } from '../../../shared/tls/registry/grease';
import { namedGroupName } from '../../../shared/tls/registry/namedGroups';
import { fieldRange, messageOfField } from './fieldPath';
import { OAKLEY_GROUP_2_PRIME, identifyDhPrime, normaliseHex } from './dhGroups';
import { REF } from './references';
import { sameElements } from '../util/sameElements';

export type Weight = Suspect['weight'];

/** One field a rule marks. */
export interface Mark {
  field: string;
  /** Decoded value shown with the mark. */
  value: string;
  /** Overrides the rule's weight for this mark (e.g. one name of two matched). */
  weight?: Weight;
  /** What makes this mark suspect in this connection, said before the rule's general explanation. */
  reason?: string;
  /** Overrides the message derived from the field path (for `messages[i]` fields). */
  message?: string;
}

export interface CatalogueRule {
  /** `catalogue.<where>-<when>-<what>` or `catalogue.<trait>`. */
  id: string;
  title: string;
  /** What the rule looks for and why, in plain words. */
  explanation: string;
  reference: string;
  weight: Weight;
  check(conn: ConnectionReport): Mark[];
}

export function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

export function suiteText(n: number): string {
  return `${cipherSuiteName(n)} (${hex4(n)})`;
}

export function durationText(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 0) return `${s} s (notAfter is before notBefore)`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  const days = s / 86400;
  return days < 730 ? `${Math.round(days)} days` : `${(days / 365.25).toFixed(1)} years`;
}

/**
 * Tor's random certificate names: `www.` + 8–20 base32 characters + `.net`
 * (subject) or `.com` (issuer) today (tortls.c / x509.c); both `.net` in 2011
 * (proposal 179). Either suffix is accepted on either name, since the two
 * eras differ only there.
 */
export const TOR_CERT_NAME = /^www\.[a-z2-7]{8,20}\.(?:net|com)$/;

/**
 * The server name a Tor client sends: same alphabet, but the reference
 * capture's (www.nticptdx7zayqmuqfjd6aq.com) has 22 random characters, so the
 * certificate names' 8–20 bound does not apply to it.
 */
export const TOR_SNI_NAME = /^www\.[a-z2-7]{8,32}\.(?:com|net)$/;

/**
 * Cipher suites of a real Tor client's ClientHello, wire order: Tor 0.4.9.11
 * on OpenSSL 3.0.19, from /work/shared/captures/tor-kz-drop-tls12 (the
 * relay-side capture; the same bytes are in client.pcap). Tor sets this list
 * itself; it is not OpenSSL 3.0's default, which orders AES-256 first and
 * offers DHE and CBC-SHA256 suites.
 */
export const TOR_CLIENT_CIPHER_SUITES: readonly number[] = [
  0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030,
  0xc00a, 0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035, 0x00ff,
];
/** supported_groups of the same ClientHello (P-256, X25519, P-224). */
export const TOR_CLIENT_GROUPS: readonly number[] = [23, 29, 21];

const SHA1_SIGNATURES = new Set(['sha1WithRSAEncryption', 'ecdsa-with-SHA1', 'dsaWithSHA1', 'sha1WithRSA', 'shaWithRSAEncryption']);

const DAY = 86400;
const OAKLEY2 = normaliseHex(OAKLEY_GROUP_2_PRIME);

/** A name that looks machine-made: Tor's shape, or a long label of letters mixed with digits. */
export function randomLookingName(cn: string | null): boolean {
  if (!cn) return false;
  if (TOR_CERT_NAME.test(cn)) return true;
  return cn.split('.').some((label) => {
    if (label.length < 12 || !/^[a-z0-9]+$/i.test(label)) return false;
    const digits = label.replace(/[^0-9]/g, '').length;
    return digits >= 2 && label.length - digits >= 2;
  });
}

/**
 * Tor's link certificate names: subject and issuer are each only a CN, both
 * www.<8–20 base32>.net/.com, the subject .net (the 2011 identity certificate
 * is self-signed: both names the same). A single name of that shape is an ordinary short host name as
 * often as not (www.lilawelt.net): both are required.
 */
export function torLinkNames(c: Pick<CertificateReport, 'subject' | 'issuer' | 'subjectCN' | 'issuerCN'>): boolean {
  const cnOnly = (dn: string, cn: string | null) => cn !== null && dn === `CN=${cn}` && TOR_CERT_NAME.test(cn);
  return cnOnly(c.subject, c.subjectCN) && cnOnly(c.issuer, c.issuerCN) && c.subjectCN!.endsWith('.net');
}

function certLabel(c: CertificateReport): string {
  return c.index === 0 ? 'The leaf certificate' : `Certificate ${c.index} of the chain`;
}

/**
 * A serial number that is the Unix time the certificate starts at, as Tor's
 * 2011 certificates had (proposal 179). Closeness to notBefore is required
 * because many CAs' short random serials fall in the plausible time range.
 */
export function serialAsTimestamp(c: CertificateReport): { seconds: number; delta: number } | null {
  const hex = normaliseHex(c.serialNumber);
  if (hex.length === 0 || hex.length > 10 || c.notBefore === null) return null;
  const seconds = parseInt(hex, 16);
  const notBefore = Date.parse(c.notBefore) / 1000;
  if (!Number.isFinite(notBefore) || seconds < 946684800 || seconds > 4102444800) return null;
  const delta = Math.abs(seconds - notBefore);
  return delta <= DAY ? { seconds, delta } : null;
}

function isoSeconds(t: number): string {
  return new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}

export const CATALOGUE: readonly CatalogueRule[] = [
  {
    id: 'catalogue.ethiopia-2012-dhe-aes256',
    title: 'Ethiopia 2012: ServerHello chose TLS_DHE_RSA_WITH_AES_256_CBC_SHA',
    weight: 'high',
    reference: REF.ethiopia2012,
    explanation:
      'The server chose TLS_DHE_RSA_WITH_AES_256_CBC_SHA (0x0039). From 22 May to about October 2012 Ethiopia\'s DPI ' +
      'dropped Tor handshakes on strings in the ServerHello, Certificate, ServerKeyExchange and ServerHelloDone records; ' +
      'bridges patched to choose TLS_DHE_RSA_WITH_AES_128_CBC_SHA (0x0033) instead of this suite got through. ' +
      '(From mid-July 2012 the ClientHello cipher list of Tor clients older than 0.2.3.17-beta was dropped too.)',
    check(conn) {
      const sh = conn.serverHello;
      if (!sh || sh.cipherSuite !== 0x0039) return [];
      return [{ field: 'serverHello.cipherSuite', value: suiteText(sh.cipherSuite) }];
    },
  },
  {
    id: 'catalogue.iran-2011-oakley-group2',
    title: 'Iran January 2011: the RFC 2409 Oakley group 2 prime',
    weight: 'high',
    reference: REF.iranJan2011,
    explanation:
      'The ServerKeyExchange carries the fixed, well-known 1024-bit prime of RFC 2409 (Oakley group 2). In January 2011 ' +
      'Iran matched a Diffie-Hellman parameter in Tor\'s handshake: relays then sent exactly this prime. Tor later switched ' +
      'to Apache\'s dh1024 prime and then to a random prime per relay (0.2.3.9-alpha).',
    check(conn) {
      const ske = conn.serverKeyExchange;
      if (!ske?.dhPrime || normaliseHex(ske.dhPrime) !== OAKLEY2) return [];
      return [{ field: 'serverKeyExchange.dhPrime', value: 'RFC 2409 Oakley group 2 (1024-bit MODP prime)' }];
    },
  },
  {
    id: 'catalogue.small-dh-prime',
    title: 'Diffie-Hellman prime of 1024 bits or fewer',
    weight: 'low',
    reference: REF.iranJan2011,
    explanation:
      'The Diffie-Hellman prime is 1024 bits or shorter. Current servers use 2048 bits or more, so a prime this small sets ' +
      'the handshake apart; Tor\'s relays sent 1024-bit primes in 2011, when Iran matched one of them.',
    check(conn) {
      const ske = conn.serverKeyExchange;
      if (!ske?.dhPrime) return [];
      const hex = normaliseHex(ske.dhPrime);
      // The Oakley rule already says everything about that prime.
      if (hex === OAKLEY2) return [];
      const bits = ske.dhPrimeBits ?? primeBits(hex);
      if (bits > 1024) return [];
      const group = identifyDhPrime(hex);
      return [{
        field: 'serverKeyExchange.dhPrime',
        value: `${bits}-bit prime${group ? ` (${group.name})` : ''}`,
        // Below 1024 bits is export-grade: rarer still.
        weight: bits < 1024 ? 'medium' : 'low',
        reason: `The prime is only ${bits} bits${bits < 1024 ? ', below 1024: export grade' : ''}.`,
      }];
    },
  },
  {
    id: 'catalogue.well-known-dh-group',
    title: 'Fixed, published Diffie-Hellman group',
    weight: 'low',
    reference: REF.iranJan2011,
    explanation:
      'The Diffie-Hellman prime is a published fixed group, the same bytes on every server that uses it. A fixed prime is ' +
      'the kind of constant Iran matched in Tor\'s handshake in January 2011, after which Tor moved to a random prime per relay. ' +
      'On its own it is common and proves nothing.',
    check(conn) {
      const ske = conn.serverKeyExchange;
      if (!ske?.dhPrime) return [];
      const group = identifyDhPrime(ske.dhPrime);
      if (!group || group.id === 'oakley2') return [];
      return [{
        field: 'serverKeyExchange.dhPrime',
        value: `${group.name}, ${group.bits} bits`,
        reason: `The prime is ${group.name}.`,
      }];
    },
  },
  {
    id: 'catalogue.iran-2011-short-lifetime',
    title: 'Iran September 2011: certificate valid for less than a day',
    weight: 'high',
    reference: REF.iranSep2011,
    explanation:
      'A certificate is valid for less than a day. On 13–14 September 2011 Iran blocked Tor by its certificate lifetime: ' +
      'Tor\'s link certificates were valid for about 2 hours (notAfter − notBefore), unlike ordinary certificates. Tor ' +
      '0.2.2.33 / 0.2.3.4-alpha fixed it the same day by advertising a longer lifetime.',
    check(conn) {
      const marks: Mark[] = [];
      for (const c of conn.certificates) {
        if (c.lifetimeSeconds === null || c.lifetimeSeconds >= DAY) continue;
        const span = durationText(c.lifetimeSeconds);
        marks.push({
          field: `certificates[${c.index}].notAfter`,
          value: `${span} (${c.notBefore ?? '?'} → ${c.notAfter ?? '?'})`,
          reason: `${certLabel(c)} is valid for only ${span}.`,
        });
      }
      return marks;
    },
  },
  {
    id: 'catalogue.tor-random-cert-names',
    title: 'Tor-style random certificate names',
    weight: 'high',
    reference: REF.torCertNames,
    explanation:
      'Both certificate names have the form of Tor\'s random link-certificate names, and nothing else is in them: subject ' +
      'CN=www.<8–20 random base32 characters>.net, issuer CN=www.<…>.com (tor\'s tortls.c ' +
      'crypto_random_hostname(8, 20, "www.", …); in 2011 both ended in .net, proposal 179). One such name alone is not ' +
      'enough: ordinary short host names have that shape too (www.lilawelt.net), but their certificates name a CA as issuer.',
    check(conn) {
      const marks: Mark[] = [];
      for (const c of conn.certificates) {
        const tor = torLinkNames(c);
        if (!tor) continue;
        // Tor's link certificates carry no extensions; a subjectAltName makes the match weaker.
        const weight: Weight = c.subjectAltNames.length === 0 ? 'high' : 'medium';
        const reason =
          `${certLabel(c)} has subject ${c.subjectCN} and issuer ${c.issuerCN}, each a CN alone, both of that form` +
          `${weight === 'high' ? ', and no subjectAltName, as Tor\'s link certificates' : '; it has a subjectAltName, which Tor\'s link certificates do not'}.`;
        marks.push({ field: `certificates[${c.index}].subject`, value: c.subjectCN ?? '', weight, reason });
        marks.push({ field: `certificates[${c.index}].issuer`, value: c.issuerCN ?? '', weight, reason });
      }
      return marks;
    },
  },
  {
    id: 'catalogue.china-2011-tor-client-hello',
    title: 'China 2011–12: Tor client\'s ClientHello cipher list (shape match)',
    weight: 'medium',
    reference: REF.china2011,
    explanation:
      'The ClientHello offers exactly the cipher suites, in the same order, that a real Tor client (0.4.9.11 on OpenSSL ' +
      '3.0.19) sent in the project\'s reference capture. In late 2011 – 2012 the Great Firewall of China recognised Tor by ' +
      'the cipher list of its ClientHello, then actively probed the server. This is a shape match against today\'s Tor ' +
      'list, not the 2011 signature, which the source does not reproduce here.',
    check(conn) {
      const ch = conn.clientHello;
      if (!ch) return [];
      const suites = ch.cipherSuites.filter((s) => !isGrease(s));
      if (!sameElements(suites, TOR_CLIENT_CIPHER_SUITES)) return [];
      const marks: Mark[] = [{ field: 'clientHello.cipherSuites', value: `${suites.length} suites: ${suites.map(hex4).join(', ')}` }];
      const groups = ch.supportedGroups.filter((g) => !isGrease(g));
      if (sameElements(groups, TOR_CLIENT_GROUPS)) {
        marks.push({
          field: 'clientHello.supportedGroups',
          value: groups.map(namedGroupName).join(', '),
          reason: 'The supported groups (secp256r1, x25519, secp224r1 — P-224 is rarely offered today) are those of the same real Tor client too.',
        });
      }
      if (ch.serverName && TOR_SNI_NAME.test(ch.serverName)) {
        marks.push({
          field: 'clientHello.serverName',
          value: ch.serverName,
          reason: `The server name ${ch.serverName} is random base32 between www. and .com, as Tor clients send (the reference capture's is www.nticptdx7zayqmuqfjd6aq.com).`,
        });
      }
      return marks;
    },
  },
  {
    id: 'catalogue.syria-2011-renegotiation',
    title: 'Syria 2011: TLS renegotiation',
    weight: 'medium',
    reference: REF.syria2011,
    explanation:
      'The connection renegotiates TLS. In 2011 Syria\'s censorship killed Tor connections on Tor\'s TLS renegotiation. ' +
      'Renegotiation is rare in ordinary HTTPS, and it shows even when encrypted: handshake records keep coming after the ' +
      'handshake has finished.',
    check(conn) {
      const marks: Mark[] = [];
      // A DTLS HelloVerifyRequest (type 3) asks for a second ClientHello, with the cookie, as an HRR does.
      const helloRetries = conn.messages.filter((m) => m.serverHello?.helloRetryRequest || m.type === 3).length;
      let clientHellos = 0;
      const encrypted = { client: 0, server: 0 };
      const tls12OrOlder = (conn.serverHello?.selectedVersion ?? conn.tls.version ?? 0x0303) <= 0x0303;
      conn.messages.forEach((m, i) => {
        const where = m.packet >= 0 ? ` (packet ${m.packet + 1})` : '';
        if (m.name === 'ClientHello' && ++clientHellos > 1 + helloRetries) {
          marks.push({
            field: `messages[${i}]`, message: 'ClientHello', value: `ClientHello #${clientHellos} in the same connection${where}`,
            reason: `A ClientHello${where} follows an earlier one in the same connection without a HelloRetryRequest asking for it: a renegotiation in clear text.`,
          });
        } else if (m.name === 'HelloRequest') {
          marks.push({
            field: `messages[${i}]`, message: 'HelloRequest', value: `HelloRequest${where}`,
            reason: `The server asks the client to renegotiate (HelloRequest${where}).`,
          });
        } else if (m.type === -1 && tls12OrOlder && ++encrypted[m.from] > 1) {
          // Up to TLS 1.2 each side encrypts exactly one handshake message, its
          // Finished; another one is a renegotiation under the session's keys.
          marks.push({
            field: `messages[${i}]`, message: m.name,
            value: `${m.from === 'client' ? 'client' : 'server'} handshake record #${encrypted[m.from]} after ChangeCipherSpec${where}, ${m.length} bytes`,
            reason:
              `The ${m.from} sends another encrypted handshake record${where} after its Finished. Up to TLS 1.2 that is a ` +
              `renegotiation${m.from === 'client' ? ' (an encrypted ClientHello)' : ' (an encrypted HelloRequest or handshake)'}, and its records stand out even encrypted.`,
          });
        }
      });
      const renegData = conn.clientHello && extensionData(conn.clientHello.extensions, 0xff01);
      if (renegData && typeof renegData.length === 'number' && renegData.length > 0) {
        const i = conn.clientHello!.extensions.findIndex((e) => e.type === 0xff01);
        marks.push({
          field: `clientHello.extensions[${i}]`, value: `renegotiation_info with ${renegData.length} bytes of previous Finished`,
          reason: 'The ClientHello\'s renegotiation_info carries the previous handshake\'s Finished: this hello renegotiates an existing session.',
        });
      }
      return marks;
    },
  },
  {
    id: 'catalogue.self-signed-random-leaf',
    title: 'Self-signed leaf certificate with a random-looking name',
    weight: 'low',
    reference: REF.proposal179,
    explanation:
      'The server\'s own certificate is self-signed and its name looks machine-made rather than a host name someone chose. ' +
      'Tor\'s certificates were self-made with random names (proposal 179); ordinary sites present a CA-issued certificate ' +
      'for their real name.',
    check(conn) {
      const leaf = conn.certificates[0];
      if (!leaf || leaf.selfSigned !== true || !randomLookingName(leaf.subjectCN)) return [];
      return [{ field: 'certificates[0].issuer', value: `self-signed, CN=${leaf.subjectCN}` }];
    },
  },
  {
    id: 'catalogue.timestamp-serial',
    title: 'Certificate serial number is a Unix time',
    weight: 'low',
    reference: REF.proposal179,
    explanation:
      'The certificate\'s serial number, read as a number, is a Unix time within a day of its notBefore. Tor\'s 2011 ' +
      'certificates used the seconds since the epoch as serial (proposal 179); CAs use large random serials.',
    check(conn) {
      const marks: Mark[] = [];
      for (const c of conn.certificates) {
        const t = serialAsTimestamp(c);
        if (!t) continue;
        marks.push({
          field: `certificates[${c.index}].serialNumber`,
          value: `0x${normaliseHex(c.serialNumber)} = ${isoSeconds(t.seconds)} (notBefore ${c.notBefore})`,
          reason:
            `${certLabel(c)} has serial 0x${normaliseHex(c.serialNumber)}, which read as a number is the Unix time ` +
            `${isoSeconds(t.seconds)}, ${t.delta < 60 ? 'the same moment as' : `${durationText(t.delta)} from`} its notBefore.`,
        });
      }
      return marks;
    },
  },
  {
    id: 'catalogue.sha1-signature',
    title: 'Certificate signed with SHA-1',
    weight: 'low',
    reference: REF.proposal179,
    explanation:
      'A certificate is signed with SHA-1. Public CAs stopped issuing SHA-1 certificates years ago, so one stands out; ' +
      'Tor\'s 2011 certificates were sha1WithRSAEncryption (proposal 179).',
    check(conn) {
      return conn.certificates
        .filter((c) => c.signatureAlgorithm !== null && SHA1_SIGNATURES.has(c.signatureAlgorithm))
        .map((c) => ({
          field: `certificates[${c.index}].signatureAlgorithm`,
          value: c.signatureAlgorithm ?? '',
          reason: `${certLabel(c)} is signed with ${c.signatureAlgorithm}.`,
        }));
    },
  },
  {
    id: 'catalogue.serverhello-no-extensions',
    title: 'TLS 1.2 ServerHello without any extension',
    weight: 'low',
    reference: REF.kazakhstan2012,
    explanation:
      'The ServerHello carries no extensions at all although the client offered some. Nearly every current server answers ' +
      'with at least renegotiation_info or extended_master_secret, so an empty list stands out — and the ServerHello is ' +
      'where Kazakhstan\'s 2012 DPI found its (unpublished) match on Tor.',
    check(conn) {
      const sh = conn.serverHello;
      if (!sh || sh.helloRetryRequest || sh.selectedVersion > 0x0303 || sh.extensions.length > 0) return [];
      if (conn.clientHello && conn.clientHello.extensions.length === 0) return [];
      return [{ field: 'serverHello.extensions', value: 'none' }];
    },
  },
  {
    id: 'catalogue.china-2020-esni',
    title: 'China 2020: the ESNI extension',
    weight: 'high',
    reference: REF.china2020Esni,
    explanation:
      'The ClientHello carries the encrypted_server_name extension (ESNI, 0xffce). From 29 July 2020 the Great Firewall ' +
      'dropped every client→server packet of a connection whose ClientHello had it, on any port, without a RST, and kept ' +
      'the (client IP, server IP, server port) triple blocked for 120–180 s: the server never sees the hello.',
    check(conn) {
      const i = conn.clientHello?.extensions.findIndex((e) => e.type === 0xffce) ?? -1;
      return i < 0 ? [] : [{ field: `clientHello.extensions[${i}]`, value: 'encrypted_server_name (ESNI, 0xffce)' }];
    },
  },
  {
    id: 'catalogue.russia-2024-ech-public-name',
    title: 'Russia 2024: SNI cloudflare-ech.com with an ECH extension',
    weight: 'high',
    reference: REF.russia2024Ech,
    explanation:
      'The outer ClientHello names cloudflare-ech.com (Cloudflare\'s ECH public name) and carries encrypted_client_hello ' +
      '(0xfe0d): real ECH to Cloudflare. From 5 November 2024 Russia froze such connections (drop, no RST) on exactly this ' +
      'pair; neither alone was blocked, and GREASE ECH, which keeps the real SNI, passed.',
    check(conn) {
      const ch = conn.clientHello;
      if (!ch || ch.serverName !== 'cloudflare-ech.com') return [];
      const i = ch.extensions.findIndex((e) => e.type === 0xfe0d);
      if (i < 0) return [];
      return [
        { field: 'clientHello.serverName', value: ch.serverName },
        { field: `clientHello.extensions[${i}]`, value: 'encrypted_client_hello (0xfe0d)' },
      ];
    },
  },
];


function primeBits(hex: string): number {
  if (hex.length === 0) return 0;
  return (hex.length - 1) * 4 + parseInt(hex[0], 16).toString(2).length;
}

/** Builds the Suspect for one mark: message, range and texts filled in. */
export function suspectFromMark(conn: ConnectionReport, rule: Pick<CatalogueRule, 'id' | 'weight'>, mark: Mark): Suspect {
  return {
    rule: rule.id,
    field: mark.field,
    message: mark.message ?? messageOfField(mark.field) ?? 'Connection',
    weight: mark.weight ?? rule.weight,
    rank: 0,
    ...(mark.reason ? { reason: mark.reason } : {}),
    range: fieldRange(conn, mark.field),
    value: mark.value,
  };
}

/** Runs every built-in rule; a rule that throws on odd input is skipped rather than losing the others. */
export function runCatalogue(conn: ConnectionReport, rules: readonly CatalogueRule[] = CATALOGUE): Suspect[] {
  const out: Suspect[] = [];
  for (const rule of rules) {
    let marks: Mark[];
    try {
      marks = rule.check(conn);
    } catch {
      continue;
    }
    for (const m of marks) out.push(suspectFromMark(conn, rule, m));
  }
  return out;
}

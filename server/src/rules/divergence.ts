/**
 * Suspects from where a connection was cut: when the two captures show that a
 * TLS message never arrived, the censor's match must lie in the messages
 * around that point. The first message stopped comes first, then the messages
 * that travelled in the same TCP segment (dropped with it, so any of them
 * could have carried the match), then the last messages that did get through
 * (not the trigger on their own, but a censor that keeps state can match on
 * them and act on the reply, as China's did with Tor's ClientHello).
 */
import type { ConnectionReport, MessageReport } from '../../../shared/analysis';
import type { Interference, RuleText, Suspect } from '../../../shared/compare';
import { extensionName } from '../../../shared/tls/registry/extensionTypes';
import { namedGroupName } from '../../../shared/tls/registry/namedGroups';
import { signatureSchemeName } from '../../../shared/tls/registry/signatureSchemes';
import { versionName } from '../../../shared/tls/registry/versions';
import { durationText, hex4, suiteText } from './catalogue';
import { identifyDhPrime } from './dhGroups';
import { fieldRange } from './fieldPath';
import { REF } from './references';

export type Role = 'first-missing' | 'dropped-with-it' | 'last-passed';

const RULE_ID: Record<Role, string> = {
  'first-missing': 'divergence.first-missing',
  'dropped-with-it': 'divergence.dropped-with-it',
  'last-passed': 'divergence.last-passed',
};

interface Candidate {
  field: string;
  /** What the field is, in words: "the cipher suite the server chose". */
  what: string;
  value: string;
  /** The value every current handshake has (null compression, an empty or 32-byte session id): evidence against. */
  ordinary?: boolean;
}

/**
 * Fields censors are documented to have matched (shared/notes/), with who:
 * a field the censor of record looked at outranks one nobody is known to.
 */
export const CENSOR_MATCHED: Readonly<Record<string, string>> = {
  'clientHello.serverName': 'the server name is what most censors match today (China, Russia, Iran, Turkmenistan)',
  'clientHello.cipherSuites': 'censors have matched a client\'s cipher list (China 2011–12 on Tor\'s, Iran 2022 on Go\'s)',
  'clientHello.extensions': 'censors have matched single ClientHello extensions (China 2020: ESNI; Russia 2024: ECH with its public name)',
  'serverHello.cipherSuite': 'Ethiopia matched the suite a server chose in 2012',
  'serverHello.extensions': 'censors have matched a ServerHello\'s extensions (Russia 2021: supported_groups in a DTLS ServerHello) and Kazakhstan 2012 something in the ServerHello',
  'certificates[0].subject': 'censors have matched Tor\'s random certificate names',
  'certificates[0].issuer': 'censors have matched Tor\'s random certificate names',
  'certificates[0].notAfter': 'Iran matched Tor\'s two-hour certificate lifetime in September 2011',
  'serverKeyExchange.dhPrime': 'Iran matched a fixed Diffie-Hellman prime in January 2011',
};

function norm(name: string): string {
  return name.replace(/[\s_-]/g, '').toLowerCase();
}

function list<T>(xs: readonly T[], f: (x: T) => string, max = 40): string {
  const shown = xs.slice(0, max).map(f).join(', ');
  return xs.length > max ? `${shown}, … (${xs.length} in all)` : shown || 'none';
}

/** The distinctive fields of one message, most telling first. */
function candidates(conn: ConnectionReport, m: MessageReport): Candidate[] {
  switch (m.name) {
    case 'ClientHello': {
      const ch = m.clientHello ?? conn.clientHello;
      if (!ch) return [];
      const out: Candidate[] = [
        { field: 'clientHello.cipherSuites', what: `the ${ch.cipherSuites.length} cipher suites offered, in order`, value: list(ch.cipherSuites, hex4) },
      ];
      // Only what the hello carries: no extension, no field to mark.
      const has = (type: number) => ch.extensions.some((e) => e.type === type);
      if (ch.extensions.length > 0) out.push({ field: 'clientHello.extensions', what: 'the extensions, in order', value: list(ch.extensions, (e) => e.name) });
      if (has(10)) out.push({ field: 'clientHello.supportedGroups', what: 'the supported groups', value: list(ch.supportedGroups, namedGroupName) });
      if (has(13)) out.push({ field: 'clientHello.signatureAlgorithms', what: 'the signature algorithms', value: list(ch.signatureAlgorithms, signatureSchemeName) });
      if (ch.serverName !== null) out.push({ field: 'clientHello.serverName', what: 'the server name (SNI)', value: ch.serverName });
      if (ch.alpn.length > 0) out.push({ field: 'clientHello.alpn', what: 'the ALPN protocols', value: ch.alpn.join(', ') });
      if (ch.supportedVersions.length > 0) out.push({ field: 'clientHello.supportedVersions', what: 'the supported versions', value: list(ch.supportedVersions, versionName) });
      return out;
    }
    case 'ServerHello': {
      const sh = m.serverHello ?? conn.serverHello;
      if (!sh) return [];
      const out: Candidate[] = [{ field: 'serverHello.cipherSuite', what: 'the cipher suite the server chose', value: suiteText(sh.cipherSuite) }];
      if (sh.extensions.length > 0) out.push({ field: 'serverHello.extensions', what: 'the extensions, in order', value: list(sh.extensions, (e) => extensionName(e.type)) });
      // selectedVersion is the supported_versions extension's: without it the
      // ServerHello has no such field (its legacy_version says TLS 1.2 on every hello).
      if (sh.extensions.some((e) => e.type === 43)) out.push({ field: 'serverHello.selectedVersion', what: 'the version the server selected', value: versionName(sh.selectedVersion) });
      const idBytes = sh.sessionId.length / 2;
      out.push(
        { field: 'serverHello.compressionMethod', what: 'the compression method', value: sh.compressionMethod === 0 ? 'null (0)' : String(sh.compressionMethod), ordinary: sh.compressionMethod === 0 },
        { field: 'serverHello.sessionId', what: 'the session id length', value: `${idBytes} bytes`, ordinary: idBytes === 0 || idBytes === 32 },
      );
      return out;
    }
    case 'Certificate': {
      if (m.from !== 'server') return [];
      const leaf = m.certificates?.[0] ?? conn.certificates[0];
      if (!leaf) return [];
      const out: Candidate[] = [
        { field: 'certificates[0].subject', what: 'the leaf certificate\'s subject', value: leaf.subject || '(empty)' },
        { field: 'certificates[0].issuer', what: 'the leaf certificate\'s issuer', value: `${leaf.issuer || '(empty)'}${leaf.selfSigned ? ' (self-signed)' : ''}` },
      ];
      if (leaf.lifetimeSeconds !== null) {
        out.push({ field: 'certificates[0].notAfter', what: 'the leaf certificate\'s lifetime', value: `${durationText(leaf.lifetimeSeconds)} (${leaf.notBefore} → ${leaf.notAfter})` });
      }
      if (leaf.publicKey) {
        out.push({ field: 'certificates[0].publicKey', what: 'the leaf certificate\'s key', value: `${leaf.publicKey.algorithm}${leaf.publicKey.bits ? ` ${leaf.publicKey.bits} bits` : ''}${leaf.publicKey.curve ? ` ${leaf.publicKey.curve}` : ''}` });
      }
      if (leaf.signatureAlgorithm) out.push({ field: 'certificates[0].signatureAlgorithm', what: 'the leaf certificate\'s signature algorithm', value: leaf.signatureAlgorithm });
      return out;
    }
    case 'ServerKeyExchange': {
      const ske = m.serverKeyExchange ?? conn.serverKeyExchange;
      if (!ske) return [];
      const out: Candidate[] = [];
      if (ske.dhPrime) {
        const group = identifyDhPrime(ske.dhPrime);
        out.push({ field: 'serverKeyExchange.dhPrime', what: 'the Diffie-Hellman prime', value: `${ske.dhPrimeBits ?? '?'} bits, ${group ? group.name : 'not a published group'}` });
      }
      if (ske.namedCurve !== undefined) out.push({ field: 'serverKeyExchange.namedCurve', what: 'the curve', value: ske.namedCurveName ?? namedGroupName(ske.namedCurve) });
      if (ske.signatureAlgorithm !== undefined && ske.signatureAlgorithm !== null) {
        out.push({ field: 'serverKeyExchange.signatureAlgorithm', what: 'the signature algorithm', value: ske.signatureAlgorithmName ?? hex4(ske.signatureAlgorithm) });
      }
      return out;
    }
    default:
      return [];
  }
}

const DOCUMENTED =
  `Censors documented to have matched the ClientHello: ${REF.china2011}; the ServerHello: ${REF.kazakhstan2012}; ` +
  `${REF.ethiopia2012}; the server's other messages: ${REF.ethiopia2012}`;

/** The general texts of the three divergence rules (the document's `rules`). */
export const DIVERGENCE_RULES: Readonly<Record<string, RuleText>> = {
  'divergence.first-missing': {
    title: 'In the first message that never arrived',
    explanation:
      'The two captures show where the connection was cut, and the censor\'s match must lie in the messages around that ' +
      'point: the first message that never arrived is the first place to look.',
    reference: `Two-vantage comparison of this connection. ${DOCUMENTED}`,
  },
  'divergence.dropped-with-it': {
    title: 'In a message dropped with the first missing one',
    explanation:
      'This message travelled in the same TCP segment as the first message that never arrived and was dropped with it, ' +
      'so the censor\'s match may be in its fields instead.',
    reference: `Two-vantage comparison of this connection. ${DOCUMENTED}`,
  },
  'divergence.last-passed': {
    title: 'In the last message that got through',
    explanation:
      'A message that got through did not trigger the block on its own, but a censor that keeps state can match on it ' +
      'and act on what follows (as China\'s did with Tor\'s ClientHello).',
    reference: `Two-vantage comparison of this connection. ${DOCUMENTED}`,
  },
};

function directionText(i: Interference): string {
  switch (i.direction) {
    case 'relay-to-client': return ' (relay → client)';
    case 'client-to-relay': return ' (client → relay)';
    case 'both': return ' (both ways)';
    default: return '';
  }
}

function packetsOverlap(a: MessageReport, b: MessageReport): boolean {
  return a.packets.some((p) => p >= 0 && b.packets.includes(p));
}

/** Where a message stands relative to the block point, and that in words ("the first message that never arrived (relay → client)"). */
export interface BlockRole {
  role: Role;
  message: MessageReport;
  text: string;
}

/**
 * The messages around the block point: the first one stopped, those dropped
 * with it, the last one each side got through. Empty when the comparison
 * found no interference or could not tell which message was stopped.
 */
export function blockRoles(conn: ConnectionReport, interference: Interference): BlockRole[] {
  const missing = interference.firstMissingTlsMessage;
  if (interference.kind === 'none' || !missing) return [];
  const wanted = norm(missing);
  const senderOf = interference.direction === 'relay-to-client' ? 'server' : interference.direction === 'client-to-relay' ? 'client' : null;
  const k = conn.messages.findIndex((m) => norm(m.name) === wanted && (senderOf === null || m.from === senderOf));
  const dir = directionText(interference);
  const out: BlockRole[] = [];
  if (k >= 0) {
    const stopped = conn.messages[k];
    out.push({ role: 'first-missing', message: stopped, text: `the ${stopped.name}, the first message that never arrived${dir}` });
    for (let j = k + 1; j < conn.messages.length; j++) {
      const m = conn.messages[j];
      if (m.from !== stopped.from || !packetsOverlap(m, stopped)) continue;
      out.push({ role: 'dropped-with-it', message: m, text: `the ${m.name}, dropped in the same TCP segment as the ${stopped.name}${dir}` });
    }
  }
  const before = k >= 0 ? conn.messages.slice(0, k) : conn.messages;
  const after = k >= 0 ? `before the ${conn.messages[k].name} was stopped${dir}` : `before the ${missing} was stopped${dir} (this capture does not hold it; the other end's does)`;
  for (const from of ['client', 'server'] as const) {
    let last: MessageReport | undefined;
    for (const m of before) if (m.from === from && m.type !== -1) last = m;
    if (last) out.push({ role: 'last-passed', message: last, text: `the ${last.name}, the last message from the ${from} that got through ${after}` });
  }
  return out;
}

/** A divergence suspect with what its ranking needs. */
export interface DivergenceFinding {
  suspect: Suspect;
  role: Role;
  /** The value every current handshake has: evidence against it being the match. */
  ordinary: boolean;
}

/**
 * Suspects for the fields around the block point, each with its reason: the
 * message's place, and what censors are known to do with that field.
 */
export function divergenceFindings(conn: ConnectionReport, interference: Interference): DivergenceFinding[] {
  const out: DivergenceFinding[] = [];
  for (const r of blockRoles(conn, interference)) {
    for (const c of candidates(conn, r.message)) {
      const known = CENSOR_MATCHED[c.field];
      const ordinary = c.ordinary ? ' This value is the one every current handshake has, so it tells little.' : '';
      out.push({
        role: r.role,
        ordinary: c.ordinary ?? false,
        suspect: {
          rule: RULE_ID[r.role],
          field: c.field,
          message: r.message.name,
          weight: 'medium',
          rank: 0,
          reason: `${capital(c.what)}, in ${r.text}.${known ? ` ${capital(known)}.` : ''}${ordinary}`,
          range: fieldRange(conn, c.field),
          value: c.value,
        },
      });
    }
  }
  return out;
}

export function divergenceSuspects(conn: ConnectionReport, interference: Interference): Suspect[] {
  return divergenceFindings(conn, interference).map((f) => f.suspect);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

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
import type { Interference, Suspect } from '../../../shared/compare';
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
}

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
        { field: 'clientHello.extensions', what: 'the extensions, in order', value: list(ch.extensions, (e) => e.name) },
        { field: 'clientHello.supportedGroups', what: 'the supported groups', value: list(ch.supportedGroups, namedGroupName) },
        { field: 'clientHello.signatureAlgorithms', what: 'the signature algorithms', value: list(ch.signatureAlgorithms, signatureSchemeName) },
      ];
      out.push({ field: 'clientHello.serverName', what: 'the server name (SNI)', value: ch.serverName ?? 'none' });
      if (ch.alpn.length > 0) out.push({ field: 'clientHello.alpn', what: 'the ALPN protocols', value: ch.alpn.join(', ') });
      if (ch.supportedVersions.length > 0) out.push({ field: 'clientHello.supportedVersions', what: 'the supported versions', value: list(ch.supportedVersions, versionName) });
      return out;
    }
    case 'ServerHello': {
      const sh = m.serverHello ?? conn.serverHello;
      if (!sh) return [];
      return [
        { field: 'serverHello.cipherSuite', what: 'the cipher suite the server chose', value: suiteText(sh.cipherSuite) },
        { field: 'serverHello.extensions', what: 'the extensions, in order', value: list(sh.extensions, (e) => extensionName(e.type)) },
        { field: 'serverHello.selectedVersion', what: 'the version the server selected', value: versionName(sh.selectedVersion) },
        { field: 'serverHello.compressionMethod', what: 'the compression method', value: sh.compressionMethod === 0 ? 'null (0)' : String(sh.compressionMethod) },
        { field: 'serverHello.sessionId', what: 'the session id length', value: `${sh.sessionId.length / 2} bytes` },
      ];
    }
    case 'Certificate': {
      if (m.from !== 'server') return [];
      const leaf = m.certificates?.[0] ?? conn.certificates[0];
      if (!leaf) return [];
      const out: Candidate[] = [
        { field: 'certificates[0].subject', what: 'the leaf certificate\'s subject', value: leaf.subject || '(empty)' },
        { field: 'certificates[0].issuer', what: 'its issuer', value: `${leaf.issuer || '(empty)'}${leaf.selfSigned ? ' (self-signed)' : ''}` },
      ];
      if (leaf.lifetimeSeconds !== null) {
        out.push({ field: 'certificates[0].notAfter', what: 'its lifetime', value: `${durationText(leaf.lifetimeSeconds)} (${leaf.notBefore} → ${leaf.notAfter})` });
      }
      if (leaf.publicKey) {
        out.push({ field: 'certificates[0].publicKey', what: 'its key', value: `${leaf.publicKey.algorithm}${leaf.publicKey.bits ? ` ${leaf.publicKey.bits} bits` : ''}${leaf.publicKey.curve ? ` ${leaf.publicKey.curve}` : ''}` });
      }
      if (leaf.signatureAlgorithm) out.push({ field: 'certificates[0].signatureAlgorithm', what: 'its signature algorithm', value: leaf.signatureAlgorithm });
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

function referenceFor(name: string): string {
  switch (name) {
    case 'ClientHello':
      return `Two-vantage comparison of this connection. Censors documented to have matched the ClientHello: ${REF.china2011}; ${REF.ethiopia2012}`;
    case 'ServerHello':
      return `Two-vantage comparison of this connection. Censors documented to have matched the ServerHello: ${REF.kazakhstan2012}; ${REF.ethiopia2012}`;
    default:
      return `Two-vantage comparison of this connection. Censors documented to have matched the server's ${name}: ${REF.ethiopia2012}`;
  }
}

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

/**
 * Suspects for the fields around the block point. Empty when the comparison
 * found no interference or could not tell which message was stopped.
 */
export function divergenceSuspects(conn: ConnectionReport, interference: Interference): Suspect[] {
  const missing = interference.firstMissingTlsMessage;
  if (interference.kind === 'none' || !missing) return [];
  const wanted = norm(missing);
  const senderOf = interference.direction === 'relay-to-client' ? 'server' : interference.direction === 'client-to-relay' ? 'client' : null;
  const k = conn.messages.findIndex((m) => norm(m.name) === wanted && (senderOf === null || m.from === senderOf));
  const dir = directionText(interference);
  const groups: Array<{ role: Role; message: MessageReport; explain(c: Candidate): string }> = [];

  if (k >= 0) {
    const stopped = conn.messages[k];
    groups.push({
      role: 'first-missing', message: stopped,
      explain: (c) =>
        `The censor's match must lie in the messages around the block point: the ${stopped.name} was the first message ` +
        `that never arrived${dir}, so its fields are the first place to look. Here, ${c.what}: ${c.value}.`,
    });
    for (let j = k + 1; j < conn.messages.length; j++) {
      const m = conn.messages[j];
      if (m.from !== stopped.from || !packetsOverlap(m, stopped)) continue;
      groups.push({
        role: 'dropped-with-it', message: m,
        explain: (c) =>
          `The censor's match must lie in the messages around the block point: the ${m.name} travelled in the same TCP ` +
          `segment as the ${stopped.name}, the first message that never arrived${dir}, and was dropped with it, so the ` +
          `match may be in its fields instead. Here, ${c.what}: ${c.value}.`,
      });
    }
  }

  // The last message each side got through before the block.
  const before = k >= 0 ? conn.messages.slice(0, k) : conn.messages;
  for (const from of ['client', 'server'] as const) {
    let last: MessageReport | undefined;
    for (const m of before) if (m.from === from && m.type !== -1) last = m;
    if (!last) continue;
    const passed = last;
    const stoppedText = k >= 0
      ? `the ${conn.messages[k].name} after it never arrived${dir}`
      : `the ${missing} never arrived${dir}, and this capture does not hold it (the other end's capture does)`;
    groups.push({
      role: 'last-passed', message: passed,
      explain: (c) =>
        `The censor's match must lie in the messages around the block point: the ${passed.name} got through and ` +
        `${stoppedText}. A message that passed did not trigger the block on its own, but a censor that keeps state can ` +
        `match on it and act on what follows. Here, ${c.what}: ${c.value}.`,
    });
  }

  const out: Suspect[] = [];
  for (const g of groups) {
    for (const c of candidates(conn, g.message)) {
      out.push({
        rule: RULE_ID[g.role],
        field: c.field,
        message: g.message.name,
        explanation: g.explain(c),
        reference: referenceFor(g.message.name),
        weight: 'medium',
        range: fieldRange(conn, c.field),
        value: c.value,
      });
    }
  }
  return out;
}

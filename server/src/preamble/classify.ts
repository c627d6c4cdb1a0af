import type { TlsStartedBy } from '../../../shared/analysis';
import type { PreambleSession } from './session';
import type { PreambleUnit } from './types';

export interface PreambleVerdict {
  /** The last preamble before TLS (or the one that failed to lead there). */
  startedBy: TlsStartedBy;
  /** Every preamble in order, e.g. ["proxy-v2", "starttls-smtp"]. */
  chain: TlsStartedBy[];
  /** Why the stream never turned into TLS; null when it did. */
  noTls: string | null;
  /** The client asked for TLS (STARTTLS, SSLRequest) or went through a proxy: worth showing even without TLS. */
  relevant: boolean;
}

/** Which text protocol the lines are, from the server's greeting and the client's commands. */
function textProtocol(units: PreambleUnit[]): TlsStartedBy[] {
  const c = units.filter((u) => u.from === 'client').map((u) => u.text);
  const s = units.filter((u) => u.from === 'server').map((u) => u.text);
  const out: TlsStartedBy[] = [];
  if (c.length > 0 && /^PROXY (?:TCP4|TCP6|UNKNOWN)\b/.test(c[0])) {
    out.push('proxy-v1');
    c.shift();
  }
  if (c.length > 0 && /^CONNECT \S+ HTTP\/1\.[01]$/.test(c[0])) return [...out, 'http-connect'];
  const any = (list: string[], re: RegExp) => list.some((l) => re.test(l));
  if (c.length === 0 && s.length === 0) return out;
  let p: TlsStartedBy | null = null;
  if (any(c, /^<(?:\?xml|stream:stream)/) || any(s, /^<(?:\?xml|stream:stream)/)) p = 'starttls-xmpp';
  else if (any(c, /^AUTH (?:TLS|SSL|TLS-C)$/i)) p = 'starttls-ftp';
  else if (any(c, /^STLS$/i) || /^\+OK\b/.test(s[0] ?? '')) p = 'starttls-pop3';
  else if (any(c, /^\S+ (?:STARTTLS|CAPABILITY)$/i) || /^\* (?:OK|PREAUTH)\b/.test(s[0] ?? '')) p = 'starttls-imap';
  else if (/^"/.test(s[0] ?? '')) p = 'starttls-sieve';
  else if (/^20[01][ -]/.test(s[0] ?? '') || any(c, /^CAPABILITIES$/i)) p = 'starttls-nntp';
  else if (any(c, /^(?:EHLO|HELO|LHLO) /i) || /^220[ -]/.test(s[0] ?? '')) p = 'starttls-smtp';
  else if (any(c, /^(?:STARTTLS|CAP LS|NICK )/i) || any(s, /^:\S+ (?:670|691|NOTICE) /)) p = 'starttls-irc';
  if (p) out.push(p);
  return out;
}

/** What the preamble of a connection was and whether it led to TLS. */
export function judgePreamble(session: PreambleSession, tlsSeen: boolean): PreambleVerdict | null {
  if (!session.seen) return null;
  const chain: TlsStartedBy[] = [];
  let textDone = false;
  for (const k of session.kinds.client.length > 0 ? session.kinds.client : session.kinds.server) {
    if (k === 'text') {
      if (!textDone) chain.push(...textProtocol(session.units));
      textDone = true;
    } else if (k === 'socks4') {
      chain.push(session.units.some((u) => u.text.startsWith('SOCKS4a ')) ? 'socks4a' : 'socks4');
    } else if (k === 'postgres' || k === 'ldap') {
      chain.push(`starttls-${k}`);
    } else {
      chain.push(k);
    }
  }
  if (chain.length === 0) chain.push('unknown');
  const startedBy = chain[chain.length - 1];
  const reached = tlsSeen && (session.tlsStart.client !== null || session.tlsStart.server !== null);
  const asked = session.units.some((u) => u.startTls) || chain.some((k) => !k.startsWith('starttls-') && k !== 'unknown');
  return { startedBy, chain, noTls: reached ? null : whyNoTls(session, startedBy), relevant: reached || asked };
}

function whyNoTls(session: PreambleSession, startedBy: TlsStartedBy): string {
  const units = session.units;
  const ask = units.find((u) => u.startTls);
  // The server's answer to the request for TLS is its first unit after it.
  const answer = ask ? units.find((u) => u.from === 'server' && u.seq > ask.seq) : undefined;
  if (answer?.refusal) return ask && startedBy.startsWith('starttls-') && !answer.refusal.includes('refused') ? `STARTTLS refused: ${answer.refusal}` : answer.refusal;
  const refused = units.find((u) => u.from === 'server' && u.refusal && !startedBy.startsWith('starttls-'));
  if (refused?.refusal) return refused.refusal;
  if (startedBy.startsWith('starttls-') && !ask) return `the client never asked for TLS (no STARTTLS in the ${startedBy.slice(9)} dialogue)`;
  const f = session.failure.client ?? session.failure.server;
  return f ?? 'the stream never turned into TLS';
}

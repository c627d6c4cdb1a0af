/**
 * What the bytes of a preamble (STARTTLS dialogue, SOCKS, HTTP CONNECT,
 * PROXY header) are, for hovers on a text dump: each unit is named as the
 * element it is (a command or response line, a SOCKS request, a PROXY
 * header), and its named elements (the SOCKS target, the CONNECT authority,
 * PROXY addresses) are fields of their own inside it.
 */
import type { ConnectionReport, PreambleUnitReport } from '../../../shared/analysis';

export interface PreambleField {
  from: 'client' | 'server';
  start: number;
  end: number;
  path: string[];
  reportPath: string;
  value: string;
}

/**
 * The element a unit is, read from the words the preamble decoder gave it;
 * `http` says an HTTP CONNECT exchange is under way in the unit's direction
 * (its lines are then the request or status line and headers).
 */
export function unitElement(u: PreambleUnitReport, http: boolean): string {
  const t = u.text;
  const binary = /^(SOCKS5|SOCKS4a?|PROXY v2|LDAP|PostgreSQL)\b/.exec(t);
  if (binary) {
    if (binary[1] === 'PROXY v2') return 'PROXY v2 header';
    // "SOCKS5 greeting: …", "SOCKS5 CONNECT host:port", "LDAP message 1: ExtendedRequest …"
    const what = /^SOCKS\S* (greeting|login|method|reply)/.exec(t)?.[1] ?? (u.from === 'client' ? 'request' : 'response');
    return `${binary[1]} ${what}`;
  }
  if (u.from === 'client' && t.startsWith('PROXY ')) return 'PROXY v1 header';
  if (u.from === 'client' && t.startsWith('CONNECT ')) return 'CONNECT request line';
  if (u.from === 'server' && /^HTTP\/\d\.\d \d{3}\b/.test(t)) return 'CONNECT status line';
  if (http) return u.from === 'client' ? 'request header line' : 'response header line';
  if (t.startsWith('<')) return u.from === 'client' ? 'client XML element' : 'server XML element';
  return u.from === 'client' ? 'command line' : 'response line';
}

/** Every unit of the connection's preamble and every named element in it, with stream offsets. */
export function preambleFields(c: ConnectionReport): PreambleField[] {
  const p = c.preamble;
  if (!p) return [];
  const protocol = p.chain.length > 0 ? p.chain.join(' › ') : p.protocol;
  const out: PreambleField[] = [];
  const http = { client: false, server: false };
  p.units.forEach((u, i) => {
    const element = unitElement(u, http[u.from]);
    if (element === 'CONNECT request line' || element === 'CONNECT status line') http[u.from] = true;
    out.push({ from: u.from, start: u.span[0], end: u.span[1], path: ['Preamble', protocol, element], reportPath: `preamble.units[${i}]`, value: u.text });
    (u.elements ?? []).forEach((e, j) => {
      out.push({ from: u.from, start: e.span[0], end: e.span[1], path: ['Preamble', protocol, element, e.name], reportPath: `preamble.units[${i}].elements[${j}]`, value: e.value });
    });
  });
  return out;
}

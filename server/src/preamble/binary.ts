import type { Direction } from '../tls/types';
import { escapeBytes, ipv4, ipv6, part, type PreambleParser, type Step, type UnitSink } from './parse';
import type { PreamblePart, PreambleTarget } from './types';

/** PostgreSQL SSLRequest / GSSENCRequest: length 8, then 80877103 / 80877104. */
export function isPostgresRequest(b: Uint8Array, p: number): boolean {
  return b[p] === 0 && b[p + 1] === 0 && b[p + 2] === 0 && b[p + 3] === 8 && b[p + 4] === 0x04 && b[p + 5] === 0xd2 && b[p + 6] === 0x16 && (b[p + 7] === 0x2f || b[p + 7] === 0x30);
}

/** PostgreSQL: the client's 8-byte SSLRequest, the server's one-byte answer ('S' go on, 'N' no). */
export class PostgresParser implements PreambleParser {
  constructor(private readonly from: Direction) {}

  step(b: Uint8Array, p: number, len: number, base: number, sink: UnitSink): Step {
    if (this.from === 'client') {
      if (len - p < 8) return { pos: p };
      if (!isPostgresRequest(b, p)) return { pos: p, fail: 'not a PostgreSQL SSLRequest' };
      sink.unit('client', base + p, base + p + 8, b[p + 7] === 0x2f ? 'PostgreSQL SSLRequest' : 'PostgreSQL GSSENCRequest', { startTls: b[p + 7] === 0x2f });
      return { pos: p + 8, done: true };
    }
    const c = b[p];
    if (c !== 0x53 && c !== 0x4e) return { pos: p, fail: `not a PostgreSQL SSLRequest answer (0x${c.toString(16)})` };
    sink.unit('server', base + p, base + p + 1, c === 0x53 ? "PostgreSQL: 'S' (go on with TLS)" : "PostgreSQL: 'N' (no TLS)", c === 0x53 ? undefined : { refusal: "PostgreSQL server refused SSL ('N')" });
    return { pos: p + 1, done: true };
  }
}

const STARTTLS_OID = '1.3.6.1.4.1.1466.20037';
const LDAP_RESULTS: Record<number, string> = { 0: 'success', 1: 'operationsError', 2: 'protocolError', 52: 'unavailable', 53: 'unwillingToPerform' };

/** BER length at p: [value, header bytes] or null when more bytes are needed; a string when unusable. */
function berLength(b: Uint8Array, p: number, len: number): [number, number] | null | string {
  if (p >= len) return null;
  const first = b[p];
  if (first < 0x80) return [first, 1];
  const n = first & 0x7f;
  if (n === 0 || n > 3) return 'BER length form not used by LDAP';
  if (len - p < 1 + n) return null;
  let v = 0;
  for (let i = 1; i <= n; i++) v = v * 256 + b[p + i];
  return [v, 1 + n];
}

/** OID text from BER content bytes, or the bytes as text when the sender put the dotted form in an OCTET STRING (LDAP does). */
function oidText(b: Uint8Array, s: number, e: number): string {
  return escapeBytes(b, s, e, 100);
}

/**
 * LDAP (RFC 4511 §4.14): LDAPMessage SEQUENCE { messageID, protocolOp }; the
 * StartTLS ExtendedRequest [APPLICATION 23] names OID 1.3.6.1.4.1.1466.20037,
 * the ExtendedResponse [APPLICATION 24] starts with its resultCode. Messages
 * are read whole (bounded) and summarised; other operations are listed by tag.
 */
export class LdapParser implements PreambleParser {
  constructor(private readonly from: Direction) {}

  step(b: Uint8Array, pos: number, len: number, base: number, sink: UnitSink): Step {
    const p = pos;
    if (len - p < 2) return { pos: p };
    if (b[p] !== 0x30) return { pos: p, fail: 'not an LDAP message' };
    const l = berLength(b, p + 1, len);
    if (l === null) return { pos: p };
    if (typeof l === 'string') return { pos: p, fail: l };
    const end = p + 1 + l[1] + l[0];
    if (l[0] > 4096) return { pos: p, fail: `LDAP message of ${l[0]} bytes in a StartTLS preamble` };
    if (end > len) return { pos: p };
    // messageID INTEGER
    let q = p + 1 + l[1];
    if (b[q] !== 0x02) return { pos: p, fail: 'LDAP message without a messageID' };
    const il = b[q + 1];
    let id = 0;
    for (let i = 0; i < il && i < 4; i++) id = id * 256 + b[q + 2 + i];
    q += 2 + il;
    const op = b[q];
    const ol = berLength(b, q + 1, end);
    if (ol === null || typeof ol === 'string') return { pos: p, fail: 'LDAP protocolOp length' };
    const cs = q + 1 + ol[1];
    const ce = Math.min(end, cs + ol[0]);
    let text = `LDAP message ${id}: protocolOp [APPLICATION ${op & 0x1f}]`;
    let extra: { refusal?: string; startTls?: boolean } | undefined;
    if (op === 0x77) {
      // requestName [0] LDAPOID (an OCTET STRING holding the dotted text).
      const name = b[cs] === 0x80 ? oidText(b, cs + 2, Math.min(ce, cs + 2 + b[cs + 1])) : '?';
      text = `LDAP message ${id}: ExtendedRequest ${name}${name === STARTTLS_OID ? ' (StartTLS)' : ''}`;
      if (name === STARTTLS_OID) extra = { startTls: true };
    } else if (op === 0x78) {
      const rc = b[cs] === 0x0a && b[cs + 1] >= 1 ? b[cs + 2 + b[cs + 1] - 1] : -1;
      const what = LDAP_RESULTS[rc] ?? `resultCode ${rc}`;
      text = `LDAP message ${id}: ExtendedResponse ${what} (${rc})`;
      if (rc !== 0) extra = { refusal: `LDAP StartTLS refused: ${what} (${rc})` };
    }
    sink.unit(this.from, base + p, base + end, text, extra);
    return { pos: end, done: op === 0x77 || op === 0x78 };
  }
}

const PROXY_V2_SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

export function isProxyV2(b: Uint8Array, p: number): boolean {
  for (let i = 0; i < 12; i++) if (b[p + i] !== PROXY_V2_SIG[i]) return false;
  return true;
}

/** PROXY protocol v2 (haproxy's proxy-protocol.txt §2.2): 16-byte header, addresses, TLVs. */
export class ProxyV2Parser implements PreambleParser {
  step(b: Uint8Array, p: number, len: number, base: number, sink: UnitSink): Step {
    if (len - p < 16) return { pos: p };
    if (!isProxyV2(b, p) || b[p + 12] >> 4 !== 2) return { pos: p, fail: 'not a PROXY v2 header' };
    const n = (b[p + 14] << 8) | b[p + 15];
    if (len - p < 16 + n) return { pos: p };
    const cmd = b[p + 12] & 0x0f;
    const fam = b[p + 13];
    const a = p + 16;
    let text = `PROXY v2 ${cmd === 0 ? 'LOCAL' : 'PROXY'}`;
    let parts: PreamblePart[] | undefined;
    // Addresses, then ports: source and destination of each (4 or 16 bytes, 2 bytes).
    const addressParts = (size: number, src: PreambleTarget, dst: PreambleTarget): PreamblePart[] => [
      part('source address', base + a, base + a + size, src.host), part('destination address', base + a + size, base + a + 2 * size, dst.host),
      part('source port', base + a + 2 * size, base + a + 2 * size + 2, String(src.port)), part('destination port', base + a + 2 * size + 2, base + a + 2 * size + 4, String(dst.port)),
    ];
    if (fam === 0x11 && n >= 12) {
      const src = { host: ipv4(b, a), port: (b[a + 8] << 8) | b[a + 9] };
      const dst = { host: ipv4(b, a + 4), port: (b[a + 10] << 8) | b[a + 11] };
      text += ` TCP4 ${src.host}:${src.port} → ${dst.host}:${dst.port}`;
      parts = addressParts(4, src, dst);
      sink.target(src, 'source');
      sink.target(dst, 'destination');
    } else if (fam === 0x21 && n >= 36) {
      const src = { host: `[${ipv6(b, a)}]`, port: (b[a + 32] << 8) | b[a + 33] };
      const dst = { host: `[${ipv6(b, a + 16)}]`, port: (b[a + 34] << 8) | b[a + 35] };
      text += ` TCP6 ${src.host}:${src.port} → ${dst.host}:${dst.port}`;
      parts = addressParts(16, src, dst);
      sink.target(src, 'source');
      sink.target(dst, 'destination');
    } else {
      text += ` family 0x${fam.toString(16).padStart(2, '0')}`;
    }
    sink.unit('client', base + p, base + p + 16 + n, `${text} (${n}-byte address block)`, parts ? { parts } : undefined);
    return { pos: p + 16 + n, done: true };
  }
}

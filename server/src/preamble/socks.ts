import type { Direction } from '../tls/types';
import { hostText, ipv4, ipv6, part, type PreambleParser, type Step, type UnitSink } from './parse';

const SOCKS5_METHODS: Record<number, string> = { 0: 'no authentication', 1: 'GSSAPI', 2: 'username/password', 0xff: 'no acceptable method' };
const SOCKS5_REPLIES = ['succeeded', 'general SOCKS server failure', 'connection not allowed by ruleset', 'network unreachable', 'host unreachable',
  'connection refused', 'TTL expired', 'command not supported', 'address type not supported'];
const SOCKS4_REPLIES: Record<number, string> = { 0x5a: 'granted', 0x5b: 'rejected or failed', 0x5c: 'rejected: no identd', 0x5d: 'rejected: identd user mismatch' };
const COMMANDS: Record<number, string> = { 1: 'CONNECT', 2: 'BIND', 3: 'UDP ASSOCIATE' };
const method = (m: number) => SOCKS5_METHODS[m] ?? `method 0x${m.toString(16).padStart(2, '0')}`;

/** SOCKS5 address (ATYP, address, port) at p; null when more bytes are needed. */
function socks5Address(b: Uint8Array, p: number, len: number): { host: string; port: number; end: number } | null | string {
  if (len - p < 2) return null;
  const atyp = b[p];
  let q = p + 1, host: string;
  if (atyp === 1) {
    if (len - q < 6) return null;
    host = ipv4(b, q); q += 4;
  } else if (atyp === 4) {
    if (len - q < 18) return null;
    host = `[${ipv6(b, q)}]`; q += 16;
  } else if (atyp === 3) {
    const n = b[q];
    if (len - q < 1 + n + 2) return null;
    host = hostText(b, q + 1, q + 1 + n); q += 1 + n;
  } else {
    return `unknown address type ${atyp}`;
  }
  return { host, port: (b[q] << 8) | b[q + 1], end: q + 2 };
}

/**
 * SOCKS5 (RFC 1928, username/password RFC 1929). Client: greeting, then the
 * sub-negotiation if the server chose one, then the request. Server: method
 * choice, sub-negotiation status, reply. Passwords are never shown.
 */
export class Socks5Parser implements PreambleParser {
  private stage = 0;
  constructor(private readonly from: Direction) {}

  step(b: Uint8Array, pos: number, len: number, base: number, sink: UnitSink): Step {
    let p = pos;
    for (;;) {
      if (p >= len) return { pos: p };
      if (this.from === 'client') {
        if (this.stage === 0) {
          if (len - p < 2) return { pos: p };
          const n = b[p + 1];
          if (b[p] !== 5 || n === 0) return { pos: p, fail: 'not a SOCKS5 greeting' };
          if (len - p < 2 + n) return { pos: p };
          const ms = [...b.subarray(p + 2, p + 2 + n)].map(method).join(', ');
          sink.unit('client', base + p, base + p + 2 + n, `SOCKS5 greeting: methods ${ms}`);
          p += 2 + n; this.stage = 1; continue;
        }
        if (this.stage === 1 && b[p] === 1) {
          // RFC 1929: VER=1, ULEN, UNAME, PLEN, PASSWD.
          if (len - p < 2) return { pos: p };
          const ul = b[p + 1];
          if (len - p < 3 + ul) return { pos: p };
          const pl = b[p + 2 + ul];
          if (len - p < 3 + ul + pl) return { pos: p };
          const user = hostText(b, p + 2, p + 2 + ul);
          sink.unit('client', base + p, base + p + 3 + ul + pl, `SOCKS5 login: user "${user}", password of ${pl} byte(s) (not shown)`, {
            parts: [part('user name', base + p + 2, base + p + 2 + ul, user), part('password', base + p + 3 + ul, base + p + 3 + ul + pl, '(not shown)')],
          });
          p += 3 + ul + pl; this.stage = 2; continue;
        }
        if (this.stage >= 1) {
          if (len - p < 4) return { pos: p };
          if (b[p] !== 5) return { pos: p, fail: 'not a SOCKS5 request' };
          const a = socks5Address(b, p + 3, len);
          if (a === null) return { pos: p };
          if (typeof a === 'string') return { pos: p, fail: a };
          const cmd = COMMANDS[b[p + 1]] ?? `command ${b[p + 1]}`;
          sink.unit('client', base + p, base + a.end, `SOCKS5 ${cmd} ${a.host}:${a.port}`, {
            parts: [part('command', base + p + 1, base + p + 2, cmd), part('SOCKS target', base + p + 3, base + a.end, `${a.host}:${a.port}`)],
          });
          sink.target({ host: a.host, port: a.port }, 'destination');
          return { pos: a.end, done: true };
        }
      } else {
        if (this.stage === 0) {
          if (len - p < 2) return { pos: p };
          if (b[p] !== 5) return { pos: p, fail: 'not a SOCKS5 method choice' };
          const m = b[p + 1];
          sink.unit('server', base + p, base + p + 2, `SOCKS5 method: ${method(m)}`, m === 0xff ? { refusal: 'SOCKS5: no acceptable authentication method' } : undefined);
          p += 2; this.stage = m === 2 ? 1 : 2; continue;
        }
        if (this.stage === 1) {
          if (len - p < 2) return { pos: p };
          const ok = b[p + 1] === 0;
          sink.unit('server', base + p, base + p + 2, `SOCKS5 login ${ok ? 'accepted' : `rejected (status ${b[p + 1]})`}`, ok ? undefined : { refusal: 'SOCKS5 login rejected' });
          p += 2; this.stage = 2; continue;
        }
        if (len - p < 4) return { pos: p };
        if (b[p] !== 5) return { pos: p, fail: 'not a SOCKS5 reply' };
        const a = socks5Address(b, p + 3, len);
        if (a === null) return { pos: p };
        if (typeof a === 'string') return { pos: p, fail: a };
        const rep = b[p + 1];
        const what = SOCKS5_REPLIES[rep] ?? `reply 0x${rep.toString(16)}`;
        const parts = [part('reply', base + p + 1, base + p + 2, what), part('bound address', base + p + 3, base + a.end, `${a.host}:${a.port}`)];
        sink.unit('server', base + p, base + a.end, `SOCKS5 reply: ${what} (bound ${a.host}:${a.port})`, rep === 0 ? { parts } : { refusal: `SOCKS5 refused: ${what} (${rep})`, parts });
        return { pos: a.end, done: true };
      }
    }
  }
}

/** SOCKS4 and 4a: the request (with a host name after the user id in 4a) and the 8-byte reply. */
export class Socks4Parser implements PreambleParser {
  constructor(private readonly from: Direction) {}

  step(b: Uint8Array, p: number, len: number, base: number, sink: UnitSink): Step {
    if (this.from === 'server') {
      if (len - p < 8) return { pos: p };
      const cd = b[p + 1];
      if (b[p] !== 0 || !(cd in SOCKS4_REPLIES)) return { pos: p, fail: 'not a SOCKS4 reply' };
      sink.unit('server', base + p, base + p + 8, `SOCKS4 reply: ${SOCKS4_REPLIES[cd]} (0x${cd.toString(16)})`, cd === 0x5a ? undefined : { refusal: `SOCKS4 refused: ${SOCKS4_REPLIES[cd]} (0x${cd.toString(16)})` });
      return { pos: p + 8, done: true };
    }
    if (len - p < 9) return { pos: p };
    if (b[p] !== 4 || !(b[p + 1] in COMMANDS)) return { pos: p, fail: 'not a SOCKS4 request' };
    const u = b.indexOf(0, p + 8);
    if (u < 0 || u >= len) return len - p > 512 ? { pos: p, fail: 'SOCKS4 user id not terminated' } : { pos: p };
    const port = (b[p + 2] << 8) | b[p + 3];
    // SOCKS4a: address 0.0.0.x (x ≠ 0) means a host name follows the user id.
    const is4a = b[p + 4] === 0 && b[p + 5] === 0 && b[p + 6] === 0 && b[p + 7] !== 0;
    let end = u + 1, host = ipv4(b, p + 4);
    if (is4a) {
      const h = b.indexOf(0, end);
      if (h < 0 || h >= len) return len - p > 512 ? { pos: p, fail: 'SOCKS4a host name not terminated' } : { pos: p };
      host = hostText(b, end, h);
      end = h + 1;
    }
    const user = u > p + 8 ? `, user id "${hostText(b, p + 8, u)}"` : '';
    const parts = [part('command', base + p + 1, base + p + 2, COMMANDS[b[p + 1]]), part('SOCKS target port', base + p + 2, base + p + 4, String(port))];
    // In 4a the address is the marker 0.0.0.x and the target is the host name after the user id.
    if (is4a) parts.push(part('SOCKS4a marker address', base + p + 4, base + p + 8, ipv4(b, p + 4)), part('SOCKS target host', base + u + 1, base + end - 1, host));
    else parts.push(part('SOCKS target address', base + p + 4, base + p + 8, host));
    if (u > p + 8) parts.push(part('user id', base + p + 8, base + u, hostText(b, p + 8, u)));
    sink.unit('client', base + p, base + end, `SOCKS${is4a ? '4a' : '4'} ${COMMANDS[b[p + 1]]} ${host}:${port}${user}`, { parts });
    sink.target({ host, port }, 'destination');
    return { pos: end, done: true };
  }
}

/** True when a SOCKS4 request starts at p (for choosing; needs 9 bytes). */
export function isSocks4aRequest(b: Uint8Array, p: number): boolean {
  return b[p + 4] === 0 && b[p + 5] === 0 && b[p + 6] === 0 && b[p + 7] !== 0;
}

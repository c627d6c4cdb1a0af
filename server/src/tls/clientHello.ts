/**
 * ClientHello (TLS 1.0-1.3 layout, RFC 8446 §4.1.2) and the SSLv2-compatible
 * CLIENT-HELLO (RFC 6101 appendix E.2 / RFC 5246 appendix E.2).
 */
import { Cursor, DecodeStop, MsgCtx, toHex } from './reader';
import { RangeMap, type ClientHello, type Span } from './types';
import { decodeExtensionList, findExt, findExtIndex } from './extensions';
import { EXT } from '../../../shared/tls/registry/extensionTypes';

export function emptyClientHello(recordVersion: number, sslv2: boolean): ClientHello {
  return {
    recordVersion,
    legacyVersion: 0,
    random: '',
    sessionId: '',
    cipherSuites: [],
    compressionMethods: [],
    extensions: [],
    serverName: null,
    alpn: [],
    supportedVersions: [],
    supportedGroups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    sslv2,
    ranges: new RangeMap(),
  };
}

/**
 * Decode the body of a ClientHello message whose 4-byte header starts at
 * message position 0. Malformed input is reported through ctx and leaves the
 * fields decoded so far.
 */
export function decodeClientHello(ctx: MsgCtx, recordVersion: number, recordVersionSpan: Span | null, dtls = false): ClientHello {
  const ch = emptyClientHello(recordVersion, false);
  const r = ch.ranges;
  if (recordVersionSpan) r.set('recordVersion', recordVersionSpan);
  const c = new Cursor(ctx, 4, ctx.buf.length, 'ClientHello');
  try {
    let at = c.pos;
    ch.legacyVersion = c.u16('legacy_version');
    c.ctx.mark(r, 'legacyVersion', at, c.pos);
    const [rs, re] = c.take(32, 'random');
    ch.random = c.hex(rs, re);
    c.ctx.mark(r, 'random', rs, re);
    const sid = c.vec(1, 'session id');
    Cursor.vecRanges(r, 'sessionId', sid, 1);
    ch.sessionId = c.hex(sid.pos, sid.end);
    if (sid.left > 32) ctx.problem('tls.session-id-length', `ClientHello: session id of ${sid.left} bytes (at most 32 allowed)`, sid.pos - 1, sid.end, 'warning');
    if (dtls) {
      // DTLS (RFC 6347 §4.2.1) puts the HelloVerifyRequest's cookie here; DTLS 1.3 keeps the field, empty.
      const cookie = c.vec(1, 'cookie');
      Cursor.vecRanges(r, 'cookie', cookie, 1);
      ch.cookie = c.hex(cookie.pos, cookie.end);
    }
    const cs = c.vec(2, 'cipher suites');
    Cursor.vecRanges(r, 'cipherSuites', cs, 2);
    const n = cs.checkMultiple(2, 'cipher suites');
    for (let i = 0; i < n; i++) {
      at = cs.pos;
      ch.cipherSuites.push(cs.u16('cipher suite'));
      c.ctx.mark(r, `cipherSuites[${i}]`, at, at + 2);
    }
    if (n === 0) ctx.problem('tls.empty-list', 'ClientHello: no cipher suites', cs.pos - 2, cs.end, 'error');
    const cm = c.vec(1, 'compression methods');
    Cursor.vecRanges(r, 'compressionMethods', cm, 1);
    for (let i = 0; cm.left > 0; i++) {
      at = cm.pos;
      ch.compressionMethods.push(cm.u8('compression method'));
      c.ctx.mark(r, `compressionMethods[${i}]`, at, at + 1);
    }
    // Pre-TLS 1.0-era clients may end the hello here.
    if (c.left > 0) {
      const list = c.vec(2, 'extensions');
      Cursor.vecRanges(r, 'extensions', list, 2);
      const starts: number[] = [];
      try {
        decodeExtensionList(list, 'client_hello', r, 'extensions', ch.extensions, starts);
      } finally {
        summarise(ch, starts);
      }
      c.expectEnd();
    }
  } catch (e) {
    if (!(e instanceof DecodeStop)) throw e;
  }
  return ch;
}

/** RangeMap.find(`extensions[${index}].${sub}`, from, to), comparing in place instead of building the key. */
function extensionEntry(r: RangeMap, from: number, to: number, index: string, sub: string): Span | undefined {
  const keys = r.keys;
  const length = 13 + index.length + sub.length;
  // Forward: the extension's own ranges (data, its lists) come first, its
  // per-element ones after; each key is marked once, so the first match is the only one.
  for (let j = from, last = Math.min(to, keys.length); j < last; j++) {
    const k = keys[j];
    if (k.length === length && k.endsWith(sub) && k.startsWith('extensions[') && k.startsWith(index, 11) &&
      k.charCodeAt(11 + index.length) === 0x5d && k.charCodeAt(12 + index.length) === 0x2e) return r.spanAt(j);
  }
  return undefined;
}

/** Copy the extension values every consumer wants onto the hello, with ranges pointing at the extension bodies. */
function summarise(ch: ClientHello, starts: number[]): void {
  const exts = ch.extensions;
  const r = ch.ranges;
  const link = (type: number, key: string, sub: string): number => {
    const i = findExtIndex(exts, type);
    if (i >= 0) {
      const from = starts[i] ?? 0;
      const to = starts[i + 1] ?? r.size;
      // The extension's own entries, all named `extensions[i].…`: matched by
      // what follows the prefix, so no key string is built per lookup.
      const index = String(i);
      const s = extensionEntry(r, from, to, index, sub) ?? extensionEntry(r, from, to, index, 'data');
      if (s) r.set(key, s);
    }
    return i;
  };
  const sni = findExt(exts, EXT.server_name);
  const host = sni?.serverNames?.find((n) => n.type === 0);
  if (host) {
    ch.serverName = host.name;
    link(EXT.server_name, 'serverName', 'serverName');
  }
  const alpn = findExt(exts, EXT.alpn);
  if (alpn?.protocols) {
    ch.alpn = alpn.protocols;
    link(EXT.alpn, 'alpn', 'data');
  }
  const sv = findExt(exts, EXT.supported_versions);
  if (sv?.versions) {
    ch.supportedVersions = sv.versions;
    link(EXT.supported_versions, 'supportedVersions', 'data');
  }
  const sg = findExt(exts, EXT.supported_groups);
  if (sg?.groups) {
    ch.supportedGroups = sg.groups;
    link(EXT.supported_groups, 'supportedGroups', 'groupsList');
  }
  const pf = findExt(exts, EXT.ec_point_formats);
  if (pf?.formats) {
    ch.ecPointFormats = pf.formats;
    link(EXT.ec_point_formats, 'ecPointFormats', 'data');
  }
  const sa = findExt(exts, EXT.signature_algorithms);
  if (sa?.algorithms) {
    ch.signatureAlgorithms = sa.algorithms;
    link(EXT.signature_algorithms, 'signatureAlgorithms', 'algorithmsList');
  }
}

/**
 * SSLv2-compatible CLIENT-HELLO. `ctx.buf` holds the SSLv2 message starting
 * at its msg_type byte (the 2-byte record header is not part of it).
 *   msg_type(1) version(2) cipher_spec_length(2) session_id_length(2)
 *   challenge_length(2) cipher_specs session_id challenge
 */
export function decodeSslv2ClientHello(ctx: MsgCtx, headerSpan: Span): { hello: ClientHello; specs: number[] } {
  const ch = emptyClientHello(0x0002, true);
  const specs: number[] = [];
  ch.sslv2CipherSpecs = specs;
  const r = ch.ranges;
  r.set('recordHeader', headerSpan);
  const c = new Cursor(ctx, 1, ctx.buf.length, 'SSLv2 ClientHello');
  try {
    let at = c.pos;
    ch.legacyVersion = c.u16('version');
    c.ctx.mark(r, 'legacyVersion', at, c.pos);
    const specLen = c.u16('cipher_spec_length');
    const sidLen = c.u16('session_id_length');
    const chalLen = c.u16('challenge_length');
    const csStart = c.pos;
    if (specLen % 3 !== 0) ctx.problem('tls.odd-length', `SSLv2 ClientHello: cipher_spec_length ${specLen} is not a multiple of 3`, csStart - 6, csStart - 4, 'error');
    if (specLen + sidLen + chalLen > c.left) {
      ctx.problem('tls.vector-overrun', `SSLv2 ClientHello: lengths add up to ${specLen + sidLen + chalLen} but ${c.left} byte(s) remain`, csStart - 6, csStart, 'error');
    }
    const csEnd = Math.min(c.end, csStart + specLen);
    c.ctx.mark(r, 'cipherSpecs', csStart, csEnd);
    r.set('cipherSuites', r.get('cipherSpecs')!);
    let j = 0;
    for (let i = 0; csStart + (i + 1) * 3 <= csEnd; i++) {
      at = csStart + i * 3;
      const b = ctx.buf;
      const spec = (b[at] << 16) | (b[at + 1] << 8) | b[at + 2];
      specs.push(spec);
      c.ctx.mark(r, `sslv2CipherSpecs[${i}]`, at, at + 3);
      // Specs with a zero first byte are TLS suites in SSLv2 clothing (RFC 5246 E.2).
      if (b[at] === 0) {
        ch.cipherSuites.push(spec);
        c.ctx.mark(r, `cipherSuites[${j++}]`, at, at + 3);
      }
    }
    c.pos = csEnd;
    const [ss, se] = c.take(sidLen, 'session id');
    ch.sessionId = c.hex(ss, se);
    c.ctx.mark(r, 'sessionId', ss, se);
    if (chalLen < 16 || chalLen > 32) {
      ctx.problem('tls.sslv2-challenge', `SSLv2 ClientHello: challenge of ${chalLen} bytes (16-32 allowed)`, csStart - 2, csStart, 'warning');
    }
    const [cs, ce] = c.take(chalLen, 'challenge');
    ch.random = toHex(ctx.buf, cs, ce);
    c.ctx.mark(r, 'random', cs, ce);
    r.set('challenge', r.get('random')!);
    c.expectEnd();
  } catch (e) {
    if (!(e instanceof DecodeStop)) throw e;
  }
  return { hello: ch, specs };
}

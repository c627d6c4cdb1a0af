/**
 * ServerHello and HelloRetryRequest (same message type; an HRR is recognised
 * by its fixed random, RFC 8446 §4.1.3).
 *
 * TLS 1.3 drafts before 22 (version 0x7f00 | draft in the version field)
 * had no session id echo and no compression method: version, random,
 * cipher_suite, extensions. Wireshark picks the layout by that version, and
 * so does this decoder; read with the TLS 1.2 layout, the cipher suite came
 * from the random and the extensions from nowhere.
 */
import { Cursor, DecodeStop, MsgCtx } from './reader';
import { RangeMap, type ServerHello, type Span } from './types';
import { decodeExtensionList, findExt, findExtIndex } from './extensions';
import { EXT } from '../../../shared/tls/registry/extensionTypes';
import { cipherSuiteName } from '../../../shared/tls/registry/cipherSuites';

/** SHA-256("HelloRetryRequest"). */
export const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';
/** "DOWNGRD" followed by 01 (TLS 1.2 negotiated) or 00 (TLS 1.1 or below). */
const DOWNGRADE_TLS12 = '444f574e47524401';
const DOWNGRADE_TLS11 = '444f574e47524400';

/** The draft number of a TLS 1.3 draft version whose ServerHello has the short layout, else null. */
export function shortLayoutDraft(version: number): number | null {
  const draft = version & 0xff;
  return version >> 8 === 0x7f && draft > 0 && draft < 22 ? draft : null;
}

export function decodeServerHello(ctx: MsgCtx, recordVersion: number, recordVersionSpan: Span | null): ServerHello {
  const sh: ServerHello = {
    recordVersion,
    legacyVersion: 0,
    random: '',
    sessionId: '',
    cipherSuite: 0,
    cipherSuiteName: '',
    compressionMethod: 0,
    extensions: [],
    selectedVersion: 0,
    helloRetryRequest: false,
    alpn: null,
    extendedMasterSecret: false,
    ranges: new RangeMap(),
  };
  const r = sh.ranges;
  if (recordVersionSpan) r.set('recordVersion', recordVersionSpan);
  const c = new Cursor(ctx, 4, ctx.buf.length, 'ServerHello');
  try {
    let at = c.pos;
    sh.legacyVersion = c.u16('legacy_version');
    sh.selectedVersion = sh.legacyVersion;
    c.ctx.mark(r, 'legacyVersion', at, c.pos);
    const [rs, re] = c.take(32, 'random');
    sh.random = c.hex(rs, re);
    c.ctx.mark(r, 'random', rs, re);
    sh.helloRetryRequest = sh.random === HRR_RANDOM;
    const tail = sh.random.slice(48);
    if (tail === DOWNGRADE_TLS12) sh.downgradeSentinel = 'tls12';
    else if (tail === DOWNGRADE_TLS11) sh.downgradeSentinel = 'tls11';
    const draft = shortLayoutDraft(sh.legacyVersion);
    if (draft !== null) sh.tls13Draft = draft;
    else {
      const sid = c.vec(1, 'session id');
      Cursor.vecRanges(r, 'sessionId', sid, 1);
      sh.sessionId = c.hex(sid.pos, sid.end);
      if (sid.left > 32) ctx.problem('tls.session-id-length', `ServerHello: session id of ${sid.left} bytes (at most 32 allowed)`, sid.pos - 1, sid.end, 'warning');
    }
    at = c.pos;
    sh.cipherSuite = c.u16('cipher suite');
    sh.cipherSuiteName = cipherSuiteName(sh.cipherSuite);
    c.ctx.mark(r, 'cipherSuite', at, c.pos);
    if (draft === null) {
      at = c.pos;
      sh.compressionMethod = c.u8('compression method');
      c.ctx.mark(r, 'compressionMethod', at, c.pos);
    }
    if (c.left > 0) {
      const list = c.vec(2, 'extensions');
      Cursor.vecRanges(r, 'extensions', list, 2);
      try {
        decodeExtensionList(list, sh.helloRetryRequest ? 'hello_retry_request' : 'server_hello', r, 'extensions', sh.extensions);
      } finally {
        summarise(sh);
      }
      c.expectEnd();
    }
  } catch (e) {
    if (!(e instanceof DecodeStop)) throw e;
  }
  if (sh.downgradeSentinel && sh.selectedVersion !== 0x0304) {
    // Expected when the client offered no TLS 1.3; a rollback if it did (the analysis layer has both hellos).
    ctx.problem(
      'tls.downgrade-sentinel',
      `ServerHello random ends with the TLS 1.3 downgrade sentinel (${sh.downgradeSentinel === 'tls12' ? 'DOWNGRD\\x01' : 'DOWNGRD\\x00'}): the server supports a newer version than it negotiated`,
      36 - 8,
      36,
      'info',
    );
  }
  return sh;
}

function summarise(sh: ServerHello): void {
  const r = sh.ranges;
  const sv = findExt(sh.extensions, EXT.supported_versions);
  if (sv && typeof sv.selected === 'number') {
    sh.selectedVersion = sv.selected;
    const i = findExtIndex(sh.extensions, EXT.supported_versions);
    const s = r.get(`extensions[${i}].selected`);
    if (s) r.set('selectedVersion', s);
  } else {
    const lv = r.get('legacyVersion');
    if (lv) r.set('selectedVersion', lv);
  }
  const alpn = findExt(sh.extensions, EXT.alpn);
  const protocols = alpn?.protocols;
  if (protocols && protocols.length > 0) {
    sh.alpn = protocols[0];
    const i = findExtIndex(sh.extensions, EXT.alpn);
    const s = r.get(`extensions[${i}].protocols[0]`);
    if (s) r.set('alpn', s);
  }
  const ems = findExtIndex(sh.extensions, EXT.extended_master_secret);
  sh.extendedMasterSecret = ems >= 0;
  const e = r.get(`extensions[${ems}]`);
  if (e) r.set('extendedMasterSecret', e);
}

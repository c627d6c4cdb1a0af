/**
 * Handshake message dispatch, plus the messages small enough not to need a
 * file of their own (their decoded fields go into `details`, with ranges keyed
 * by the same names in the message's `ranges`).
 *
 * details by message:
 *   HelloRequest, ServerHelloDone, EndOfEarlyData  {}
 *   NewSessionTicket      TLS 1.2 {lifetimeHint, ticketLength}; TLS 1.3 {lifetime, ageAdd, nonceLength, ticketLength, extensions}
 *   EncryptedExtensions   {extensions}
 *   CertificateRequest    TLS 1.2 {certificateTypes, signatureAlgorithms?, signatureAlgorithmNames?, certificateAuthorities}
 *                         TLS 1.3 {contextLength, extensions}
 *   CertificateVerify     {signatureAlgorithm, signatureAlgorithmName, signatureLength} (algorithm null before TLS 1.2)
 *   ClientKeyExchange     {kex, publicValueLength?, encryptedPreMasterSecretLength?, pskIdentity?}
 *   Finished              {verifyDataLength}
 *   KeyUpdate             {requestUpdate}
 *   CertificateStatus     {statusType, responseLength}
 *   CompressedCertificate {algorithm, uncompressedLength, compressedLength}
 *   NextProtocol          {protocolLength, paddingLength}
 *   HelloVerifyRequest    {serverVersion, cookieLength, cookie} (DTLS)
 *   anything else         {length}
 */
import { Cursor, DecodeStop, MsgCtx, printable, toHex } from './reader';
import { RangeMap, type Direction, type HandshakeMessage, type MessageDetails, type Span, type TlsExtension } from './types';
import { decodeClientHello } from './clientHello';
import { decodeServerHello } from './serverHello';
import { decodeCertificate } from './certificate';
import { decodeServerKeyExchange } from './serverKeyExchange';
import { decodeExtensionList } from './extensions';
import { HS, handshakeTypeName } from '../../../shared/tls/registry/handshakeTypes';
import { kexOf } from '../../../shared/tls/registry/cipherSuites';
import { signatureSchemeName } from '../../../shared/tls/registry/signatureSchemes';
import { isTls13 } from '../../../shared/tls/registry/versions';

/** What both directions learn from the hellos; shared so the client side can decode ClientKeyExchange. */
export interface ConnectionInfo {
  /** Negotiated version (ServerHello, supported_versions first); null until seen. */
  version: number | null;
  cipherSuite: number | null;
  tls13: boolean;
  /** The server answered in SSL 2.0 (its SERVER-HELLO): the client's next records have SSLv2 headers. */
  sslv2?: boolean;
  /** That SERVER-HELLO had the session: the client sends no CLIENT-MASTER-KEY, only encrypted records. */
  sslv2SessionIdHit?: boolean;
}

export function newConnectionInfo(): ConnectionInfo {
  return { version: null, cipherSuite: null, tls13: false };
}

export interface MessageContext {
  from: Direction;
  record: number;
  recordVersion: number;
  recordVersionSpan: Span | null;
  afterGap: boolean;
  conn: ConnectionInfo;
  /** A DTLS handshake: the ClientHello carries a cookie, HelloVerifyRequest exists. */
  dtls?: boolean;
}

export function decodeHandshakeMessage(ctx: MsgCtx, mc: MessageContext): HandshakeMessage {
  const buf = ctx.buf;
  const type = buf[0];
  const m: HandshakeMessage = {
    type,
    name: handshakeTypeName(type),
    from: mc.from,
    span: ctx.span(0, buf.length),
    length: buf.length - 4,
    record: mc.record,
    ranges: new RangeMap({ type: ctx.span(0, 1), length: ctx.span(1, 4), body: ctx.span(4, buf.length) }),
  };
  if (mc.afterGap) m.afterGap = true;
  try {
    decodeBody(ctx, mc, m);
  } catch (e) {
    // Last line of defence: a decoder bug must not take the stream down.
    if (!(e instanceof DecodeStop)) {
      ctx.problem('tls.decode-exception', `${m.name}: decoder failed (${e instanceof Error ? e.message : String(e)})`, 0, buf.length, 'error');
    }
  }
  return m;
}

function decodeBody(ctx: MsgCtx, mc: MessageContext, m: HandshakeMessage): void {
  const conn = mc.conn;
  switch (m.type) {
    case HS.client_hello:
      m.clientHello = decodeClientHello(ctx, mc.recordVersion, mc.recordVersionSpan, mc.dtls === true);
      return;
    case HS.server_hello: {
      const sh = decodeServerHello(ctx, mc.recordVersion, mc.recordVersionSpan);
      m.serverHello = sh;
      if (sh.helloRetryRequest) {
        m.name = 'HelloRetryRequest';
      } else if (mc.from === 'server') {
        conn.version = sh.selectedVersion;
        conn.cipherSuite = sh.cipherSuite;
        if (isTls13(sh.selectedVersion)) conn.tls13 = true;
      }
      return;
    }
    case HS.certificate:
      decodeCertificate(ctx, conn.version === null ? null : isTls13(conn.version) ? 'tls13' : 'tls12', m);
      return;
    case HS.server_key_exchange:
      m.serverKeyExchange = decodeServerKeyExchange(ctx, conn.cipherSuite, conn.version);
      return;
    default:
      break;
  }
  const d: MessageDetails = {};
  m.details = d;
  const r = m.ranges;
  const c = new Cursor(ctx, 4, ctx.buf.length, m.name);
  const field = (key: 'lifetime' | 'ageAdd' | 'lifetimeHint' | 'signatureAlgorithm' | 'requestUpdate' | 'statusType' | 'algorithm' | 'uncompressedLength' | 'serverVersion', read: () => number): number => {
    const at = c.pos;
    const v = read();
    d[key] = v;
    c.ctx.mark(r, key, at, c.pos);
    return v;
  };
  try {
    switch (m.type) {
      case HS.hello_request:
      case HS.server_hello_done:
      case HS.end_of_early_data:
        c.expectEnd();
        return;
      case HS.new_session_ticket: {
        const tls13 = conn.version !== null ? isTls13(conn.version) : conn.tls13;
        if (tls13) {
          field('lifetime', () => c.u32('ticket lifetime'));
          field('ageAdd', () => c.u32('ticket age add'));
          const nonce = c.vec(1, 'ticket nonce');
          d.nonceLength = nonce.left;
          Cursor.vecRanges(r, 'nonce', nonce, 1);
          const t = c.vec(2, 'ticket');
          d.ticketLength = t.left;
          Cursor.vecRanges(r, 'ticket', t, 2);
          extensionsInto(c, 'new_session_ticket', d, r);
        } else {
          field('lifetimeHint', () => c.u32('ticket lifetime hint'));
          const t = c.vec(2, 'ticket');
          d.ticketLength = t.left;
          Cursor.vecRanges(r, 'ticket', t, 2);
        }
        c.expectEnd();
        return;
      }
      case HS.encrypted_extensions:
        extensionsInto(c, 'encrypted_extensions', d, r);
        c.expectEnd();
        return;
      case HS.certificate_request:
        certificateRequest(c, conn, d, r);
        return;
      case HS.certificate_verify: {
        const hasAlg = conn.version !== null ? conn.version >= 0x0303 : !(c.left >= 2 && ((c.buf[c.pos] << 8) | c.buf[c.pos + 1]) === c.left - 2);
        if (hasAlg) {
          const alg = field('signatureAlgorithm', () => c.u16('signature algorithm'));
          d.signatureAlgorithmName = signatureSchemeName(alg);
        } else {
          d.signatureAlgorithm = null;
          d.signatureAlgorithmName = null;
        }
        const sig = c.vec(2, 'signature');
        d.signatureLength = sig.left;
        Cursor.vecRanges(r, 'signature', sig, 2);
        c.expectEnd();
        return;
      }
      case HS.client_key_exchange:
        clientKeyExchange(c, conn, d, r);
        return;
      case HS.finished:
        d.verifyDataLength = c.left;
        c.ctx.mark(r, 'verifyData', c.pos, c.end);
        c.pos = c.end;
        return;
      case HS.key_update:
        field('requestUpdate', () => c.u8('request_update'));
        c.expectEnd();
        return;
      case HS.certificate_status: {
        field('statusType', () => c.u8('status type'));
        const resp = c.vec(3, 'OCSP response');
        d.responseLength = resp.left;
        Cursor.vecRanges(r, 'response', resp, 3);
        c.expectEnd();
        return;
      }
      case HS.compressed_certificate: {
        field('algorithm', () => c.u16('algorithm'));
        field('uncompressedLength', () => c.u24('uncompressed length'));
        const comp = c.vec(3, 'compressed certificate message');
        d.compressedLength = comp.left;
        Cursor.vecRanges(r, 'compressedCertificate', comp, 3);
        c.expectEnd();
        return;
      }
      case HS.hello_verify_request: {
        // RFC 6347 §4.2.1: the server's stateless cookie, to be echoed in a second ClientHello.
        field('serverVersion', () => c.u16('server version'));
        const cookie = c.vec(1, 'cookie');
        d.cookieLength = cookie.left;
        d.cookie = c.hex(cookie.pos, cookie.end);
        Cursor.vecRanges(r, 'cookie', cookie, 1);
        c.expectEnd();
        return;
      }
      case HS.next_protocol: {
        const p = c.vec(1, 'selected protocol');
        d.protocolLength = p.left;
        d.protocol = printable(c.buf, p.pos, p.end);
        Cursor.vecRanges(r, 'protocol', p, 1);
        d.paddingLength = c.vec(1, 'padding').left;
        c.expectEnd();
        return;
      }
      default:
        d.length = c.left;
        c.pos = c.end;
        return;
    }
  } catch (e) {
    if (!(e instanceof DecodeStop)) throw e;
  }
}

function extensionsInto(c: Cursor, where: 'new_session_ticket' | 'encrypted_extensions' | 'certificate_request', d: MessageDetails, r: HandshakeMessage['ranges']): void {
  const exts: TlsExtension[] = [];
  d.extensions = exts;
  const list = c.vec(2, 'extensions');
  Cursor.vecRanges(r, 'extensions', list, 2);
  decodeExtensionList(list, where, r, 'extensions', exts);
}

function certificateRequest(c: Cursor, conn: ConnectionInfo, d: MessageDetails, r: HandshakeMessage['ranges']): void {
  const tls13 = conn.version !== null ? isTls13(conn.version) : conn.tls13;
  if (tls13) {
    const rc = c.vec(1, 'certificate request context');
    d.contextLength = rc.left;
    d.context = toHex(c.buf, rc.pos, rc.end);
    Cursor.vecRanges(r, 'context', rc, 1);
    extensionsInto(c, 'certificate_request', d, r);
    c.expectEnd();
    return;
  }
  const types = c.vec(1, 'certificate types');
  Cursor.vecRanges(r, 'certificateTypes', types, 1);
  const list: number[] = [];
  d.certificateTypes = list;
  while (types.left > 0) list.push(types.u8('certificate type'));
  // TLS 1.2 inserts supported_signature_algorithms; when the version is unknown, see which layout fits.
  const withAlgs = conn.version !== null ? conn.version >= 0x0303 : fitsWithAlgs(c);
  if (withAlgs) {
    const algs = c.vec(2, 'supported signature algorithms');
    Cursor.vecRanges(r, 'signatureAlgorithms', algs, 2);
    const n = algs.checkMultiple(2, 'supported signature algorithms');
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const at = algs.pos;
      out.push(algs.u16('signature algorithm'));
      c.ctx.mark(r, `signatureAlgorithms[${i}]`, at, at + 2);
    }
    algs.pos = algs.end;
    d.signatureAlgorithms = out;
    d.signatureAlgorithmNames = out.map(signatureSchemeName);
  }
  const cas = c.vec(2, 'certificate authorities');
  Cursor.vecRanges(r, 'certificateAuthorities', cas, 2);
  let n = 0;
  while (cas.left > 0) {
    const dn = cas.vec(2, `distinguished name ${n}`);
    c.ctx.mark(r, `certificateAuthorities[${n}]`, dn.pos, dn.end);
    n++;
  }
  d.certificateAuthorities = n;
  c.expectEnd();
}

function fitsWithAlgs(c: Cursor): boolean {
  const b = c.buf;
  const p = c.pos;
  if (c.left < 4) return false;
  const algLen = (b[p] << 8) | b[p + 1];
  const q = p + 2 + algLen;
  if (q + 2 > c.end) return false;
  return ((b[q] << 8) | b[q + 1]) === c.end - q - 2;
}

function clientKeyExchange(c: Cursor, conn: ConnectionInfo, d: MessageDetails, r: HandshakeMessage['ranges']): void {
  const kex = conn.cipherSuite === null ? 'unknown' : kexOf(conn.cipherSuite);
  d.kex = kex;
  if (kex === 'psk' || kex === 'dhe-psk' || kex === 'ecdhe-psk' || kex === 'rsa-psk') {
    const id = c.vec(2, 'psk identity');
    Cursor.vecRanges(r, 'pskIdentity', id, 2);
    d.pskIdentity = printable(c.buf, id.pos, id.end);
  }
  switch (kex) {
    case 'rsa':
    case 'rsa-export':
    case 'rsa-psk': {
      // SSL 3.0 sends the encrypted premaster secret without a length prefix.
      if (conn.version === 0x0300) {
        d.encryptedPreMasterSecretLength = c.left;
        c.ctx.mark(r, 'encryptedPreMasterSecret', c.pos, c.end);
        c.pos = c.end;
      } else {
        const v = c.vec(2, 'encrypted premaster secret');
        d.encryptedPreMasterSecretLength = v.left;
        Cursor.vecRanges(r, 'encryptedPreMasterSecret', v, 2);
      }
      break;
    }
    case 'dhe':
    case 'dh':
    case 'dhe-psk':
    case 'srp': {
      const v = c.vec(2, kex === 'srp' ? 'srp_A' : 'dh_Yc');
      d.publicValueLength = v.left;
      Cursor.vecRanges(r, 'publicValue', v, 2);
      break;
    }
    case 'ecdhe':
    case 'ecdh':
    case 'ecdhe-psk': {
      const v = c.vec(1, 'ecdh_Yc');
      d.publicValueLength = v.left;
      Cursor.vecRanges(r, 'publicValue', v, 1);
      break;
    }
    case 'psk':
      break;
    default:
      d.length = c.left;
      c.pos = c.end;
      return;
  }
  c.expectEnd();
}

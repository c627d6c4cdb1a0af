/**
 * SSL 2.0 SERVER-HELLO and CLIENT-MASTER-KEY (the SSL 2.0 draft,
 * draft-hickman-netscape-ssl-00 §2.6; Wireshark's packet-tls.c
 * dissect_ssl2_hnd_server_hello / _client_master_key). `ctx.buf` holds the
 * message from its msg_type byte; the 2- or 3-byte record header is not part
 * of it. The CLIENT-HELLO is in clientHello.ts.
 *
 *   SERVER-HELLO       msg_type(1)=4 session_id_hit(1) certificate_type(1) server_version(2)
 *                      certificate_length(2) cipher_specs_length(2) connection_id_length(2)
 *                      certificate cipher_specs connection_id
 *   CLIENT-MASTER-KEY  msg_type(1)=2 cipher_kind(3) clear_key_length(2) encrypted_key_length(2)
 *                      key_arg_length(2) clear_key encrypted_key key_arg
 *
 * The clear key bytes are key material (the export ciphers' 88 known bits):
 * only their length is kept. The key argument is the cipher's IV, sent in
 * the clear and shown by tshark, so it is kept in hex.
 */
import { Cursor, DecodeStop, type MsgCtx } from './reader';
import type { CertificateEntry, MessageDetails, RangeMap } from './types';
import { sslv2CipherSpecName } from '../../../shared/tls/registry/cipherSuites';

export const SSLV2_CLIENT_HELLO = 1;
export const SSLV2_CLIENT_MASTER_KEY = 2;
export const SSLV2_SERVER_HELLO = 4;
/** SSL_X509_CERTIFICATE, the one certificate type of SSL 2.0. */
const X509_CERTIFICATE = 1;

/** The next `n` bytes as a cursor of their own (the caller's moves past them); fails like take() when short. */
function part(c: Cursor, n: number, field: string): Cursor {
  const [s, e] = c.take(n, field);
  return new Cursor(c.ctx, s, e, `${c.what} ${field}`);
}

/** 3-byte cipher specs from `c` until its end, ranges under `key[i]`. */
function cipherSpecs(c: Cursor, r: RangeMap, key: string, what: string): number[] {
  const specs: number[] = [];
  const n = c.checkMultiple(3, what);
  for (let i = 0; i < n; i++) {
    const at = c.pos;
    specs.push((c.u8(what) << 16) | c.u16(what));
    c.ctx.mark(r, `${key}[${i}]`, at, at + 3);
  }
  c.pos = c.end;
  return specs;
}

/** SERVER-HELLO: the fields into `d`, the certificate (when X.509) for the certificate path. */
export function decodeSslv2ServerHello(ctx: MsgCtx, r: RangeMap, d: MessageDetails): CertificateEntry[] {
  const certificates: CertificateEntry[] = [];
  const c = new Cursor(ctx, 1, ctx.buf.length, 'SSLv2 SERVER-HELLO');
  try {
    let at = c.pos;
    d.sessionIdHit = c.u8('session id hit') !== 0;
    c.ctx.mark(r, 'sessionIdHit', at, c.pos);
    at = c.pos;
    d.certificateType = c.u8('certificate type');
    c.ctx.mark(r, 'certificateType', at, c.pos);
    at = c.pos;
    d.serverVersion = c.u16('server version');
    c.ctx.mark(r, 'serverVersion', at, c.pos);
    const lengthsAt = c.pos;
    const certLen = c.u16('certificate length');
    const specLen = c.u16('cipher specs length');
    const cidLen = c.u16('connection id length');
    c.ctx.mark(r, 'certificateLength', lengthsAt, lengthsAt + 2);
    c.ctx.mark(r, 'cipherSpecsLength', lengthsAt + 2, lengthsAt + 4);
    c.ctx.mark(r, 'connectionIdLength', lengthsAt + 4, lengthsAt + 6);
    const cert = part(c, certLen, 'certificate');
    c.ctx.mark(r, 'certificate', cert.pos, cert.end);
    // A session-id hit sends no certificate (length 0); the type then means nothing.
    if (certLen > 0) {
      if (d.certificateType === X509_CERTIFICATE) {
        certificates.push({ der: ctx.buf.slice(cert.pos, cert.end), span: ctx.span(cert.pos, cert.end) });
      } else {
        ctx.problem('tls.sslv2-certificate-type', `SSLv2 SERVER-HELLO: certificate type ${d.certificateType} (only 1, X.509, is defined): ${certLen} byte(s) not decoded`, 2, 3, 'warning');
      }
    }
    const specs = part(c, specLen, 'cipher specs');
    c.ctx.mark(r, 'cipherSpecs', specs.pos, specs.end);
    d.cipherSpecs = cipherSpecs(specs, r, 'cipherSpecs', 'cipher specs');
    d.cipherSpecNames = d.cipherSpecs.map(sslv2CipherSpecName);
    const cid = part(c, cidLen, 'connection id');
    d.connectionId = c.hex(cid.pos, cid.end);
    c.ctx.mark(r, 'connectionId', cid.pos, cid.end);
    if (cidLen < 16 || cidLen > 32) ctx.problem('tls.sslv2-connection-id', `SSLv2 SERVER-HELLO: connection id of ${cidLen} bytes (16-32 allowed)`, lengthsAt + 4, lengthsAt + 6, 'warning');
    c.expectEnd();
  } catch (e) {
    if (!(e instanceof DecodeStop)) throw e;
  }
  return certificates;
}

/** CLIENT-MASTER-KEY: the chosen cipher kind and the key lengths into `d`. */
export function decodeSslv2ClientMasterKey(ctx: MsgCtx, r: RangeMap, d: MessageDetails): void {
  const c = new Cursor(ctx, 1, ctx.buf.length, 'SSLv2 CLIENT-MASTER-KEY');
  try {
    let at = c.pos;
    d.cipherKind = (c.u8('cipher kind') << 16) | c.u16('cipher kind');
    d.cipherKindName = sslv2CipherSpecName(d.cipherKind);
    c.ctx.mark(r, 'cipherKind', at, c.pos);
    at = c.pos;
    const clear = c.u16('clear key length');
    const encrypted = c.u16('encrypted key length');
    const arg = c.u16('key arg length');
    d.clearKeyLength = clear;
    d.encryptedKeyLength = encrypted;
    d.keyArgLength = arg;
    c.ctx.mark(r, 'clearKeyLength', at, at + 2);
    c.ctx.mark(r, 'encryptedKeyLength', at + 2, at + 4);
    c.ctx.mark(r, 'keyArgLength', at + 4, at + 6);
    const ck = part(c, clear, 'clear key');
    c.ctx.mark(r, 'clearKey', ck.pos, ck.end);
    const ek = part(c, encrypted, 'encrypted key');
    c.ctx.mark(r, 'encryptedKey', ek.pos, ek.end);
    const ka = part(c, arg, 'key arg');
    d.keyArg = c.hex(ka.pos, ka.end);
    c.ctx.mark(r, 'keyArg', ka.pos, ka.end);
    c.expectEnd();
  } catch (e) {
    if (!(e instanceof DecodeStop)) throw e;
  }
}

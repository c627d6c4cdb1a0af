/**
 * Certificate message: TLS 1.2 (RFC 5246 §7.4.2: 3-byte list length, 3-byte
 * length per DER certificate) and TLS 1.3 (RFC 8446 §4.4.2: request context,
 * then entries each followed by extensions). Only the DER bytes are extracted;
 * x509/ parses them.
 */
import { Cursor, DecodeStop, MsgCtx, toHex } from './reader';
import type { CertificateEntry, HandshakeMessage } from './types';
import { decodeExtensionList } from './extensions';
import { certificateBytes } from '../util/byteInterner';

export type CertificateLayout = 'tls12' | 'tls13';

/**
 * Which layout the bytes fit. The negotiated version is the normal guide, but
 * a decoder that joined mid-stream, or a client direction decoded before the
 * ServerHello, may not know it; the two layouts are easy to tell apart.
 */
export function detectCertificateLayout(buf: Uint8Array, hint: CertificateLayout | null): CertificateLayout {
  const len = buf.length - 4;
  const fits12 = len >= 3 && ((buf[4] << 16) | (buf[5] << 8) | buf[6]) === len - 3;
  let fits13 = false;
  if (len >= 4) {
    const ctxLen = buf[4];
    const p = 5 + ctxLen;
    fits13 = p + 3 <= buf.length && ((buf[p] << 16) | (buf[p + 1] << 8) | buf[p + 2]) === buf.length - p - 3;
  }
  if (fits12 && !fits13) return 'tls12';
  if (fits13 && !fits12) return 'tls13';
  return hint ?? 'tls12';
}

export function decodeCertificate(ctx: MsgCtx, hint: CertificateLayout | null, m: HandshakeMessage): void {
  const layout = detectCertificateLayout(ctx.buf, hint);
  const r = m.ranges;
  const certs: CertificateEntry[] = [];
  m.certificates = certs;
  const c = new Cursor(ctx, 4, ctx.buf.length, 'Certificate');
  try {
    if (layout === 'tls13') {
      const rc = c.vec(1, 'certificate request context');
      Cursor.vecRanges(r, 'certificateRequestContext', rc, 1);
      m.certificateRequestContext = toHex(ctx.buf, rc.pos, rc.end);
    }
    const list = c.vec(3, 'certificate list');
    Cursor.vecRanges(r, 'certificates', list, 3);
    let i = 0;
    while (list.left > 0) {
      const entryStart = list.pos;
      const der = list.vec(3, `certificate ${i}`);
      if (der.left === 0) ctx.problem('tls.empty-certificate', `Certificate: entry ${i} is empty`, entryStart, der.end, 'error');
      // The message buffer may be a view of the caller's chunk: keep a copy,
      // shared with every other connection that carried the same certificate.
      const entry: CertificateEntry = { der: certificateBytes.intern(ctx.buf, der.pos, der.end), span: c.span(der.pos, der.end) };
      certs.push(entry);
      r.set(`certificates[${i}]`, entry.span);
      c.ctx.mark(r, `certificates[${i}].length`, entryStart, entryStart + 3);
      if (layout === 'tls13') {
        const ext = list.vec(2, `certificate ${i} extensions`);
        c.ctx.mark(r, `certificates[${i}].extensions`, ext.pos, ext.end);
        if (ext.left > 0) {
          entry.extensions = [];
          decodeExtensionList(ext, 'certificate', r, `certificates[${i}].extensions`, entry.extensions);
        }
      }
      i++;
    }
    c.expectEnd();
  } catch (e) {
    if (!(e instanceof DecodeStop)) throw e;
  }
}

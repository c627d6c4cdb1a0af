/**
 * The connection_id extension (RFC 9146) read straight from a reassembled
 * ClientHello / ServerHello body, while the datagrams are still coming: the
 * CID records that follow do not say how long their CID is.
 */
import { hex } from '../quic/connection';

const CONNECTION_ID = 54;

/** Hex of the CID the hello's sender asks to receive; null without the extension (or on malformed bytes). */
export function helloConnectionId(body: Uint8Array, clientHello: boolean): string | null {
  let p = 2 + 32;
  const skip = (lenBytes: number): boolean => {
    if (p + lenBytes > body.length) return false;
    let n = 0;
    for (let i = 0; i < lenBytes; i++) n = (n << 8) | body[p + i];
    p += lenBytes + n;
    return p <= body.length;
  };
  if (!skip(1)) return null; // session id
  if (clientHello) {
    if (!skip(1) || !skip(2) || !skip(1)) return null; // cookie, cipher suites, compression methods
  } else {
    p += 3; // cipher suite, compression method
  }
  if (p + 2 > body.length) return null;
  const end = Math.min(body.length, p + 2 + ((body[p] << 8) | body[p + 1]));
  p += 2;
  while (p + 4 <= end) {
    const type = (body[p] << 8) | body[p + 1];
    const len = (body[p + 2] << 8) | body[p + 3];
    const v = p + 4;
    if (v + len > end) return null;
    if (type === CONNECTION_ID) {
      const n = len > 0 ? body[v] : -1;
      return n > 0 && v + 1 + n <= v + len ? hex(body.subarray(v + 1, v + 1 + n)) : null;
    }
    p = v + len;
  }
  return null;
}

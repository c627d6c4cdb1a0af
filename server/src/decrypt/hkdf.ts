/**
 * RFC 8446 §7.1 HKDF-Expand-Label. Only the Expand half is needed: the key
 * log already holds the traffic secrets, which are outputs of HKDF-Extract
 * chains. node:crypto's hkdfSync always runs Extract first, so Expand is
 * written out with createHmac (RFC 5869 §2.3), nothing else hand-made.
 */
import { createHmac } from 'node:crypto';
import type { Hash } from './cipherSuites';

export function hkdfExpand(hash: Hash, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  let have = 0;
  for (let i = 1; have < length; i++) {
    t = createHmac(hash, prk).update(t).update(info).update(Uint8Array.of(i)).digest();
    const k = Math.min(t.length, length - have);
    out.set(t.subarray(0, k), have);
    have += k;
  }
  return out;
}

export function hkdfExpandLabel(hash: Hash, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const full = new TextEncoder().encode(`tls13 ${label}`);
  const info = new Uint8Array(2 + 1 + full.length + 1 + context.length);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = full.length;
  info.set(full, 3);
  info[3 + full.length] = context.length;
  info.set(context, 4 + full.length);
  return hkdfExpand(hash, secret, info, length);
}

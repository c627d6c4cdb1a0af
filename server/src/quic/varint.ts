/**
 * QUIC variable-length integers (RFC 9000 §16): the two top bits of the first
 * byte give the length (1, 2, 4 or 8 bytes). Values above 2^53 lose precision
 * as numbers; every QUIC length or offset that matters here is far below that.
 */
export interface Varint {
  value: number;
  length: number;
}

/** Reads a varint at buf[off], or null when it runs past `end`. */
export function readVarint(buf: Uint8Array, off: number, end: number = buf.length): Varint | null {
  if (off >= end) return null;
  const first = buf[off];
  const length = 1 << (first >> 6);
  if (off + length > end) return null;
  let value = first & 0x3f;
  for (let i = 1; i < length; i++) value = value * 256 + buf[off + i];
  return { value, length };
}

/** The exact value as decimal text: 8-byte varints can exceed 2^53 (e.g. initial_max_data = 2^62-1). */
export function varintText(buf: Uint8Array, off: number, length: number): string {
  let v = BigInt(buf[off] & 0x3f);
  for (let i = 1; i < length; i++) v = v * 256n + BigInt(buf[off + i]);
  return v.toString();
}

import type { SourceLocation } from './source';

/** Reads `length` bytes at a file offset; null when they are not there. */
export type ByteReader = (offset: number, length: number) => Uint8Array | null;

/** A ByteReader over a capture held in memory. */
export function memoryReader(bytes: Uint8Array): ByteReader {
  return (offset, length) => (offset + length <= bytes.length ? bytes.subarray(offset, offset + length) : null);
}

/**
 * The bytes a field or message occupies in a binary capture, its pieces
 * concatenated. Null when a piece is not a file offset (text dumps) or cannot
 * be read. With `limit`, reading stops once that many bytes are in hand and
 * the result is cut to it.
 */
export function readSourceBytes(read: ByteReader, locs: readonly SourceLocation[], limit = Infinity): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const l of locs) {
    if (l.kind !== 'offset') return null;
    const p = read(l.offset, l.length);
    if (!p || p.length !== l.length) return null;
    parts.push(p);
    total += l.length;
    if (total > limit) break;
  }
  const out = new Uint8Array(Math.min(total, limit));
  let o = 0;
  for (const p of parts) {
    const n = Math.min(p.length, out.length - o);
    out.set(p.subarray(0, n), o);
    o += n;
  }
  return out;
}

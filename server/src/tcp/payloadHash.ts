/**
 * A 32-bit hash of a segment's payload that adds up: the sum (mod 2^32) of a
 * mixed value per byte and stream offset. Two captures of the same bytes at
 * the same stream offsets give the same value however the bytes were cut into
 * packets, so the compare view can check that the fragments (or the smaller
 * segments) one end saw carry exactly the bytes of the one segment the other
 * end sent: the pieces' hashes sum to the whole's. Not cryptographic: it
 * tells accidents and ordinary rewriting apart, not a forger who knows it.
 */
export function payloadHash(bytes: Uint8Array, streamOffset: number): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (sum + mix(streamOffset + i, bytes[i])) | 0;
  return sum >>> 0;
}

/** The hashes of consecutive pieces, combined into the hash of the whole. */
export function addPayloadHashes(hashes: number[]): number {
  let sum = 0;
  for (const h of hashes) sum = (sum + h) | 0;
  return sum >>> 0;
}

function mix(offset: number, byte: number): number {
  let x = Math.imul(offset ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(byte + 1, 0xc2b2ae35);
  x ^= x >>> 15;
  x = Math.imul(x, 0x27d4eb2f);
  return x ^ (x >>> 13);
}

/**
 * QUIC packet spaces in the position index. Each space (Initial, Handshake,
 * 1-RTT) has its own CRYPTO stream starting at offset 0 (RFC 9000 §19.6), so
 * the report's message spans of one direction overlap across spaces. The
 * index keeps one stream per direction by laying the spaces end to end: a
 * space's bytes sit at `base + CRYPTO offset`, and hovers subtract the base.
 */
import { parsePacketHeader } from '../quic/packet';

/** The order spaces are laid out in (0-RTT never carries CRYPTO frames, RFC 9001 §4.1.3, but is named if asked). */
const ORDER = ['Initial', '0-RTT', 'Handshake', '1-RTT'] as const;

/**
 * The type of the QUIC packet holding datagram byte `at` (payload is the UDP
 * payload's [start, end) in `bytes`), read from the long headers; null when
 * the bytes do not parse as QUIC up to there.
 */
export function quicPacketTypeAt(bytes: Uint8Array, start: number, end: number, at: number): string | null {
  let off = start;
  // A datagram holds a handful of coalesced packets; the bound keeps hostile bytes from looping long.
  for (let n = 0; off < end && n < 64; n++) {
    // Short-header packets run to the datagram's end, so the connection ID length does not matter here.
    const h = parsePacketHeader(bytes, off, end, 0);
    if (typeof h === 'string') return null;
    if (at < h.end) return at >= h.start ? h.type : null;
    if (h.end <= off) return null;
    off = h.end;
  }
  return null;
}

/** Where each space of one direction starts in the index's stream, from how far each space's CRYPTO stream reaches. */
export function spaceBases(extents: Map<string, number>): Map<string, number> {
  const bases = new Map<string, number>();
  let next = 0;
  const names = [...ORDER, ...[...extents.keys()].filter((k) => !(ORDER as readonly string[]).includes(k)).sort()];
  for (const name of names) {
    const extent = extents.get(name);
    if (extent === undefined) continue;
    bases.set(name, next);
    next += extent;
  }
  return bases;
}

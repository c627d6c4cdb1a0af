/**
 * CRYPTO frame data put back in stream order (RFC 9000 §19.6): pieces come
 * in any order, split over packets and datagrams, repeated (retransmitted
 * Initials) or overlapping (Chrome's "chaos protection" shuffles them). The
 * first copy of a byte wins, like TCP overlaps here; what is held is capped.
 */
export interface CryptoPiece {
  /** Stream offset of the piece's first byte. */
  offset: number;
  data: Uint8Array;
  /** Where the piece's first byte came from, as a position the caller can shift (e.g. its offset in the packet). */
  origin: number;
  /** Caller's opaque id for the source (e.g. which packet), copied as is to split pieces. */
  tag: number;
}

/** A ClientHello with post-quantum key shares is a few KiB; this leaves room for certificates in Handshake flights. */
export const CRYPTO_LIMIT = 64 * 1024;

export class CryptoReassembler {
  /** Non-overlapping pieces sorted by offset. */
  private readonly pieces: CryptoPiece[] = [];
  private held = 0;
  /** Bytes not kept because they lay past CRYPTO_LIMIT. */
  dropped = 0;
  /** A later copy of bytes already held that differed from the first. */
  conflicts = 0;

  constructor(private readonly limit: number = CRYPTO_LIMIT) {}

  add(offset: number, data: Uint8Array, origin: number, tag = 0): void {
    let start = offset;
    let end = offset + data.length;
    if (end > this.limit) {
      this.dropped += end - Math.max(start, this.limit);
      end = this.limit;
    }
    // Walk the held pieces, inserting only the parts of [start, end) no piece covers.
    let i = 0;
    while (start < end) {
      while (i < this.pieces.length && this.pieces[i].offset + this.pieces[i].data.length <= start) i++;
      const next = this.pieces[i];
      if (next !== undefined && next.offset <= start) {
        const overlapEnd = Math.min(end, next.offset + next.data.length);
        this.checkSame(next, start, overlapEnd, data, offset);
        start = overlapEnd;
        continue;
      }
      const pieceEnd = next === undefined ? end : Math.min(end, next.offset);
      const piece: CryptoPiece = { offset: start, data: data.slice(start - offset, pieceEnd - offset), origin: origin + (start - offset), tag };
      this.pieces.splice(i, 0, piece);
      this.held += pieceEnd - start;
      i++;
      start = pieceEnd;
    }
  }

  /** Whether every byte of [offset, offset + length) is already held: a CRYPTO frame that brings nothing new (a retransmission). */
  covers(offset: number, length: number): boolean {
    let at = offset;
    const end = Math.min(offset + length, this.limit);
    for (const p of this.pieces) {
      if (p.offset + p.data.length <= at) continue;
      if (p.offset > at) return false;
      at = p.offset + p.data.length;
      if (at >= end) return true;
    }
    return at >= end;
  }

  private checkSame(held: CryptoPiece, a: number, b: number, data: Uint8Array, dataOffset: number): void {
    for (let k = a; k < b; k++) {
      if (held.data[k - held.offset] !== data[k - dataOffset]) {
        this.conflicts++;
        return;
      }
    }
  }

  get bytesHeld(): number {
    return this.held;
  }

  /** Length of the gap-free prefix of the stream. */
  contiguousLength(): number {
    let end = 0;
    for (const p of this.pieces) {
      if (p.offset > end) break;
      end = p.offset + p.data.length;
    }
    return end;
  }

  /** The gap-free prefix, and the pieces it was built from (for mapping stream offsets back to their origin). */
  contiguous(): { bytes: Uint8Array; pieces: CryptoPiece[] } {
    const n = this.contiguousLength();
    const bytes = new Uint8Array(n);
    const used: CryptoPiece[] = [];
    for (const p of this.pieces) {
      if (p.offset >= n) break;
      bytes.set(p.data, p.offset);
      used.push(p);
    }
    return { bytes, pieces: used };
  }

  /** Pieces past the first gap, as [offset, end) ranges: what a missing packet left unreadable. */
  gaps(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let end = 0;
    for (const p of this.pieces) {
      if (p.offset > end) out.push([end, p.offset]);
      end = Math.max(end, p.offset + p.data.length);
    }
    return out;
  }
}

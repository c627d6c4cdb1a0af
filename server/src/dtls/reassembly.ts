/**
 * DTLS handshake messages put back together from their fragments (RFC 6347
 * §4.2.3), per direction and message_seq. Fragments may come in any order,
 * overlap, or be retransmitted whole: as with TCP overlaps the first copy of a
 * byte wins, and a later copy with different bytes is reported, not used.
 * Positions are kept in the direction's virtual stream (the concatenation of
 * its datagrams, see connection.ts) so a message maps back to the capture.
 */
import type { FragmentHeader } from './record';

/** A message longer than this is listed but not reassembled (2^24 is what the header allows). */
export const MESSAGE_LIMIT = 1 << 20;

export interface Piece {
  /** Body offset of the piece and its length. */
  offset: number;
  length: number;
  /** Virtual stream position of the piece's first byte. */
  streamPos: number;
}

export interface MessageAssembly {
  type: number;
  length: number;
  messageSeq: number;
  epoch: number;
  /** Virtual stream position of the first fragment's 12-byte header. */
  headerPos: number;
  packet: number;
  /** Body bytes, null when the message was too large to hold. */
  bytes: Uint8Array | null;
  /** Covered body ranges [a, b), sorted, merged. */
  covered: Array<[number, number]>;
  pieces: Piece[];
  fragments: number;
  /** Fragments whose every byte had been seen before. */
  retransmitted: number;
  /** Fragments that carried bytes differing from the first copy. */
  differing: number;
}

export interface FragmentEvent {
  kind: 'mismatch' | 'differs' | 'too-large' | 'over-budget';
  message: string;
}

/** Bytes of handshake messages held across all connections: the caller's memory cap. */
export interface HeldBytes {
  held: number;
  readonly limit: number;
}

export function complete(m: MessageAssembly): boolean {
  if (m.bytes === null) return false;
  return m.length === 0 || (m.covered.length === 1 && m.covered[0][0] === 0 && m.covered[0][1] === m.length);
}

export class HandshakeReassembler {
  readonly messages = new Map<number, MessageAssembly>();
  /** Whether the last fragment added brought bytes not seen before. */
  lastFresh = false;

  constructor(private readonly budget: HeldBytes) {}

  /**
   * Adds one fragment; `streamOf(q)` is the virtual stream position of buffer
   * position q. Returns what went wrong, if anything (the fragment's new
   * bytes are kept regardless).
   */
  add(f: FragmentHeader, buf: Uint8Array, streamOf: (q: number) => number, epoch: number, packet: number): FragmentEvent | null {
    let m = this.messages.get(f.messageSeq);
    if (m === undefined) {
      let bytes: Uint8Array | null = null;
      let event: FragmentEvent | null = null;
      if (f.length > MESSAGE_LIMIT) {
        event = { kind: 'too-large', message: `message_seq ${f.messageSeq}: a message of ${f.length} bytes is listed but not reassembled (limit ${MESSAGE_LIMIT})` };
      } else if (this.budget.held + f.length > this.budget.limit) {
        event = { kind: 'over-budget', message: `message_seq ${f.messageSeq}: not reassembled, the DTLS handshake bytes held reached the memory budget (${this.budget.limit >> 20} MiB)` };
      } else {
        bytes = new Uint8Array(f.length);
        this.budget.held += f.length;
      }
      m = {
        type: f.type, length: f.length, messageSeq: f.messageSeq, epoch, headerPos: streamOf(f.start), packet,
        bytes, covered: [], pieces: [], fragments: 0, retransmitted: 0, differing: 0,
      };
      this.messages.set(f.messageSeq, m);
      this.put(m, f, buf, streamOf);
      this.lastFresh = true;
      return event;
    }
    this.lastFresh = false;
    if (m.type !== f.type || m.length !== f.length) {
      return { kind: 'mismatch', message: `message_seq ${f.messageSeq}: fragment says type ${f.type}, length ${f.length}; the first fragment said type ${m.type}, length ${m.length} (ignored)` };
    }
    const differs = this.put(m, f, buf, streamOf);
    return differs ? { kind: 'differs', message: `message_seq ${f.messageSeq}: a later copy of bytes ${f.fragmentOffset}–${f.fragmentOffset + f.fragmentLength} differs from the first (the first copy is kept)` } : null;
  }

  /** Copies the fragment's new bytes; true when its already-seen bytes differ from the first copy. */
  private put(m: MessageAssembly, f: FragmentHeader, buf: Uint8Array, streamOf: (q: number) => number): boolean {
    m.fragments++;
    const a = f.fragmentOffset;
    const b = a + f.fragmentLength;
    let differs = false;
    let fresh = false;
    // Walk [a, b) against the covered ranges: gaps are new bytes, covered parts are compared.
    let pos = a;
    const seen = m.covered;
    for (let i = 0; i <= seen.length && pos < b; i++) {
      const [ca, cb] = i < seen.length ? seen[i] : [Infinity, Infinity];
      if (pos < ca) {
        const gapEnd = Math.min(b, ca);
        if (m.bytes) m.bytes.set(buf.subarray(f.bodyStart + (pos - a), f.bodyStart + (gapEnd - a)), pos);
        m.pieces.push({ offset: pos, length: gapEnd - pos, streamPos: streamOf(f.bodyStart + (pos - a)) });
        fresh = true;
        pos = gapEnd;
      }
      if (pos < b && pos < cb && pos >= ca) {
        const overEnd = Math.min(b, cb);
        if (m.bytes && !differs) {
          for (let k = pos; k < overEnd; k++) {
            if (m.bytes[k] !== buf[f.bodyStart + (k - a)]) {
              differs = true;
              break;
            }
          }
        }
        pos = overEnd;
      }
    }
    if (fresh) {
      seen.push([a, b]);
      seen.sort((x, y) => x[0] - y[0]);
      const merged: Array<[number, number]> = [];
      for (const r of seen) {
        const last = merged[merged.length - 1];
        if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
        else merged.push([r[0], r[1]]);
      }
      m.covered = merged;
      m.pieces.sort((x, y) => x.offset - y.offset);
    } else if (m.fragments > 1 && !differs) {
      m.retransmitted++;
    }
    if (differs) m.differing++;
    this.lastFresh = fresh;
    return differs;
  }

  /** Gives the held bytes back to the budget (after the report was built). */
  release(): void {
    for (const m of this.messages.values()) {
      if (m.bytes) this.budget.held -= m.length;
      m.bytes = null;
    }
  }
}

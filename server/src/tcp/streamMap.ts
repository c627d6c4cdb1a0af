import type { SourceLocation } from '../capture/source';
import type { TextPositions } from '../capture/packet';
import type { Span } from '../tls/types';

/**
 * One delivered piece of a direction's byte stream and where its bytes sit in
 * the source: contiguous in the file for binary captures, per byte for text.
 */
export interface StreamSegment {
  start: number;
  end: number;
  packet: number;
  /** File offset of the byte at `start`; -1 for text dumps. */
  fileOffset: number;
  text?: TextPositions;
  /** Index into `text` of the byte at `start`. */
  textIndex: number;
}

/**
 * Maps stream offsets of one direction back to the source. Segments arrive in
 * stream order (reassembly delivers in order), so lookups are binary searches.
 */
export class StreamMap {
  readonly segments: StreamSegment[] = [];

  add(seg: StreamSegment): void {
    this.segments.push(seg);
  }

  /** Index of the segment holding stream offset `pos`, or -1. */
  find(pos: number): number {
    const s = this.segments;
    let lo = 0, hi = s.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid].end <= pos) lo = mid + 1;
      else if (s[mid].start > pos) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** Packet index that carried stream offset `pos`, or -1 when it was never delivered. */
  packetAt(pos: number): number {
    const i = this.find(pos);
    return i < 0 ? -1 : this.segments[i].packet;
  }

  /** Packets that carried any byte of the span, in order, without repeats. */
  packetsOf(span: Span): number[] {
    const out: number[] = [];
    let i = this.find(span[0]);
    if (i < 0) return out;
    for (; i < this.segments.length && this.segments[i].start < span[1]; i++) {
      const p = this.segments[i].packet;
      if (out[out.length - 1] !== p) out.push(p);
    }
    return out;
  }

  /**
   * Source locations of a span: one per segment piece for binary captures; for
   * text, one per run of bytes on the same line (a field wrapping over three
   * hex lines becomes three ranges, which is what an editor highlight needs).
   */
  resolve(span: Span): SourceLocation[] {
    const out: SourceLocation[] = [];
    let i = this.find(span[0]);
    if (i < 0) return out;
    for (; i < this.segments.length; i++) {
      const seg = this.segments[i];
      if (seg.start >= span[1]) break;
      const a = Math.max(span[0], seg.start);
      const b = Math.min(span[1], seg.end);
      if (b <= a) continue;
      if (seg.text) {
        pushTextRuns(out, seg.text, seg.textIndex + (a - seg.start), seg.textIndex + (b - seg.start));
      } else {
        const offset = seg.fileOffset + (a - seg.start);
        const last = out[out.length - 1];
        if (last && last.kind === 'offset' && last.offset + last.length === offset) last.length += b - a;
        else out.push({ kind: 'offset', offset, length: b - a });
      }
    }
    return out;
  }
}

function pushTextRuns(out: SourceLocation[], text: TextPositions, from: number, to: number): void {
  let runStart = from;
  for (let k = from + 1; k <= to; k++) {
    if (k === to || text.line[k] !== text.line[runStart]) {
      const line = text.line[runStart];
      // A byte is two hex digits wide: the run ends after the last byte's second digit.
      out.push({ kind: 'text', line, column: text.column[runStart], endLine: line, endColumn: text.column[k - 1] + 2 });
      runStart = k;
    }
  }
}

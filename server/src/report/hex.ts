/**
 * Hex views of handshake messages with fields highlighted.
 *
 * Field locations arrive as SourceLocations (file offsets for binary captures,
 * line/column for text dumps), the bytes as the message alone. A message split
 * over several TCP segments has several pieces in the file, with packet
 * headers between them, so a field's position inside the message is found by
 * walking the message's pieces in order, not by subtracting its first offset.
 * Text dumps give no byte offsets: their views are shown without highlights.
 */
import { memoryReader, readSourceBytes, type ByteReader } from '../capture/sourceBytes';
import type { MessageReport, SourceLocation } from '../../../shared/analysis';
import { html, joinHtml, SafeHtml } from './escape';
import type { Side } from '../../../shared/report/model';

export type Span = [start: number, end: number];

/**
 * Where `locs` lie inside `message`, as [start, end) offsets from the
 * message's first byte (its handshake header). Null when either side is
 * located by line/column (text dumps) and offsets can't be compared.
 */
export function messageRelativeSpans(message: Pick<MessageReport, 'range'>, locs: SourceLocation[]): Span[] | null {
  const pieces: Array<{ offset: number; length: number }> = [];
  for (const r of message.range) {
    if (r.kind !== 'offset') return null;
    pieces.push(r);
  }
  const out: Span[] = [];
  for (const l of locs) {
    if (l.kind !== 'offset') return null;
    let base = 0;
    for (const p of pieces) {
      const lo = Math.max(l.offset, p.offset);
      const hi = Math.min(l.offset + l.length, p.offset + p.length);
      if (hi > lo) out.push([base + lo - p.offset, base + hi - p.offset]);
      base += p.length;
    }
  }
  // Adjacent pieces of one field (split by a segment boundary) read as one span.
  out.sort((a, b) => a[0] - b[0]);
  const merged: Span[] = [];
  for (const s of out) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged;
}

/** True when every piece of `locs` lies within the message's bytes in the file. */
export function locatedIn(message: Pick<MessageReport, 'range'>, locs: SourceLocation[]): boolean {
  if (locs.length === 0) return false;
  return locs.every((l) => l.kind === 'offset' && message.range.some((p) => p.kind === 'offset' && l.offset >= p.offset && l.offset + l.length <= p.offset + p.length));
}

export function isTextLocated(message: Pick<MessageReport, 'range'>): boolean {
  return message.range.some((r) => r.kind === 'text');
}

/**
 * A `hexBytes` callback for binary captures whose (decompressed) bytes are in
 * memory: the message's bytes are its file pieces, concatenated. Returns null
 * for text dumps and when the pieces don't add up to the message (bytes the
 * capture never had, e.g. a snaplen cut).
 */
export function hexBytesFromFiles(files: Partial<Record<Side, Uint8Array | null>>): (side: Side, connection: number, message: MessageReport) => Uint8Array | null {
  const readers: Partial<Record<Side, ByteReader | null>> = {};
  for (const side of Object.keys(files) as Side[]) {
    const f = files[side];
    readers[side] = f ? memoryReader(f) : null;
  }
  return hexBytesFromReaders(readers);
}

/** The same over any way of reading file ranges (the CLI reads them from disk, never the whole file). */
export function hexBytesFromReaders(readers: Partial<Record<Side, ByteReader | null>>): (side: Side, connection: number, message: MessageReport) => Uint8Array | null {
  return (side, _connection, message) => {
    const read = readers[side];
    if (!read || message.range.length === 0) return null;
    const bytes = readSourceBytes(read, message.range);
    return bytes && bytes.length === message.span[1] - message.span[0] ? bytes : null;
  };
}

export interface Highlight {
  span: Span;
  /** Picks the background colour. */
  n: number;
  /** Legend tag shown with it ("1", "✎2"). */
  tag: string;
  /** Tooltip: field and why. */
  title: string;
  /** CSS class, e.g. 'w-high'. */
  cls: string;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A `<pre>` hex dump, 16 bytes a row, message-relative offsets; highlighted bytes in <mark>. */
export function hexView(bytes: Uint8Array, highlights: Highlight[], maxBytes = 4096): { view: SafeHtml; truncated: boolean } {
  const shown = Math.min(bytes.length, maxBytes);
  const owner = new Array<Highlight | null>(shown).fill(null);
  // Where fields overlap the narrower one wins, so a field inside a highlighted
  // certificate stays visible; among equals the earlier (listed first) wins.
  const order = highlights.map((h, i) => ({ h, i })).sort((a, b) => (b.h.span[1] - b.h.span[0]) - (a.h.span[1] - a.h.span[0]) || b.i - a.i);
  for (const { h } of order) {
    for (let i = Math.max(0, h.span[0]); i < Math.min(shown, h.span[1]); i++) owner[i] = h;
  }
  const rows: SafeHtml[] = [];
  for (let row = 0; row < shown; row += 16) {
    const end = Math.min(row + 16, shown);
    const hexCells: SafeHtml[] = [];
    const ascCells: SafeHtml[] = [];
    let i = row;
    while (i < end) {
      const h = owner[i];
      let j = i;
      while (j < end && owner[j] === h) j++;
      let hexText = '';
      let ascText = '';
      for (let k = i; k < j; k++) {
        hexText += HEX[bytes[k]] + (k + 1 < j ? (k - row === 7 ? '  ' : ' ') : '');
        ascText += bytes[k] >= 0x20 && bytes[k] < 0x7f ? String.fromCharCode(bytes[k]) : '.';
      }
      const gap = j < end ? (j - 1 - row === 7 ? '  ' : ' ') : '';
      if (h) {
        hexCells.push(html`<mark class="hl ${h.cls} hl${h.n % 6}" title="${`[${h.tag}] ${h.title}`}">${hexText}</mark>${gap}`);
        ascCells.push(html`<mark class="hl ${h.cls} hl${h.n % 6}">${ascText}</mark>`);
      } else {
        hexCells.push(html`${hexText}${gap}`);
        ascCells.push(html`${ascText}`);
      }
      i = j;
    }
    const pad = ' '.repeat((16 - (end - row)) * 3 + (end - row <= 8 ? 1 : 0));
    rows.push(html`<span class="off">${row.toString(16).padStart(4, '0')}</span>  ${joinHtml(hexCells)}${pad}  <span class="asc">${joinHtml(ascCells)}</span>`);
  }
  return { view: html`<pre class="hex">${joinHtml(rows, '\n')}</pre>`, truncated: shown < bytes.length };
}

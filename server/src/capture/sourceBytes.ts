/**
 * The one place capture bytes are read back after analysis: for the hex views
 * of reports (CLI and language server alike), raw values in dissections and
 * the editor's hex pane (the language server's `handshake/readBytes`).
 *
 * Binary captures are read at the offsets, never whole (they can be
 * gigabytes). A gzip'd capture is addressed by offsets into its decompressed
 * stream, so it is inflated once, within a bound, when the caller allows it.
 * Text dumps locate bytes by line and column: the hex digits inside each
 * range are read back, with the position of each byte's first digit so field
 * ranges can be matched to bytes.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { inflateBound, isGzip } from './gzip';
import { MAX_TEXT_BYTES } from './readCapture';
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

/** Where a capture's bytes are: a file, bytes held in memory (a non-file URI), or the text of an open dump. */
export type ByteOrigin = { path: string } | { data: Uint8Array } | { text: string };

/** Bytes found at some SourceLocations. */
export interface LocatedBytes {
  bytes: Uint8Array;
  /** Text dumps: line and column of each byte's first hex digit. Null for binary captures. */
  positions: Array<[line: number, column: number]> | null;
  /** Fewer bytes than asked for (the file ended, or the limit was reached). */
  truncated: boolean;
}

export interface SourceBytesOptions {
  /**
   * Inflate a gzip'd capture (kept in memory while this is open) so offsets
   * into its decompressed stream can be read. Off: a compressed capture has
   * no readable offsets.
   */
  inflate?: boolean;
}

/** A compressed capture is inflated for byte reads only up to this size: what is held must stay bounded. */
export const MAX_INFLATED_BYTES = 512 * 1024 * 1024;
/** A message is a few KiB; a single piece past this is not worth reading. */
const MAX_PIECE = 1 << 20;

/**
 * An open capture to read bytes from. Opening is cheap (a file descriptor, or
 * nothing); a compressed file is inflated on the first offset read. Close it
 * when done.
 */
export class SourceBytes {
  private fd: number | null = null;
  private inflated: Uint8Array | null | undefined;
  private lines: string[] | null = null;

  constructor(private readonly origin: ByteOrigin, private readonly opts: SourceBytesOptions = {}) {}

  /** Offset reads, or null when the capture has none (compressed and not inflated, or a text dump). */
  reader(): ByteReader | null {
    const o = this.origin;
    if ('text' in o) return null;
    const mem = 'data' in o ? this.memoryOf(o.data) : this.fileBytes(o.path);
    return mem;
  }

  /** Bytes at `locs`, at most `limit` of them; null when they are not plain bytes of this capture. */
  read(locs: readonly SourceLocation[], limit: number): LocatedBytes | null {
    if (locs.length === 0) return null;
    if (locs[0].kind === 'text') return bytesAtTextLocations(this.textLines(), locs, limit);
    const read = this.reader();
    if (!read) return null;
    let wanted = 0;
    for (const l of locs) {
      if (l.kind !== 'offset') return null;
      wanted += l.length;
    }
    const out = new Uint8Array(Math.min(wanted, limit));
    let at = 0;
    for (const l of locs as Array<Extract<SourceLocation, { kind: 'offset' }>>) {
      if (at >= out.length) break;
      const n = Math.min(l.length, out.length - at);
      const p = read(l.offset, n);
      if (!p) break;
      out.set(p, at);
      at += p.length;
      if (p.length < n) break;
    }
    return { bytes: out.subarray(0, at), positions: null, truncated: at < wanted };
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.inflated = undefined;
    this.lines = null;
  }

  private memoryOf(data: Uint8Array): ByteReader | null {
    if (!isGzip(data)) return clampedReader(memoryReader(data), data.length);
    if (!this.opts.inflate) return null;
    this.inflated ??= inflate(data);
    return this.inflated ? clampedReader(memoryReader(this.inflated), this.inflated.length) : null;
  }

  private fileBytes(path: string): ByteReader | null {
    this.fd ??= openSync(path, 'r');
    const fd = this.fd;
    const size = fstatSync(fd).size;
    const magic = new Uint8Array(2);
    if (readSync(fd, magic, 0, 2, 0) === 2 && isGzip(magic)) {
      if (!this.opts.inflate) return null;
      if (this.inflated === undefined) {
        // The compressed file is read whole only when its output could fit the bound anyway.
        this.inflated = size <= MAX_INFLATED_BYTES ? inflate(readFileSync(path)) : null;
      }
      return this.inflated ? clampedReader(memoryReader(this.inflated), this.inflated.length) : null;
    }
    return clampedReader((offset, length) => {
      const out = new Uint8Array(length);
      const n = readSync(fd, out, 0, length, offset);
      return out.subarray(0, n);
    }, size);
  }

  private textLines(): string[] {
    if (this.lines) return this.lines;
    const o = this.origin;
    let text: string;
    if ('text' in o) text = o.text;
    else if ('data' in o) text = new TextDecoder().decode(o.data);
    else {
      this.fd ??= openSync(o.path, 'r');
      // The analysis refused text dumps above this size; there are no locations past it to read.
      if (fstatSync(this.fd).size > MAX_TEXT_BYTES) throw new Error(`${o.path} is larger than ${MAX_TEXT_BYTES} bytes: too large for a text dump`);
      text = readFileSync(this.fd, 'utf8');
    }
    this.lines = text.split(/\r?\n/);
    return this.lines;
  }
}

/** Reads within [0, size): a read that runs past the end returns what is there; one past 1 MiB or outside, null. */
function clampedReader(read: ByteReader, size: number): ByteReader {
  return (offset, length) => {
    if (offset < 0 || length < 0 || offset >= size || length > MAX_PIECE) return null;
    return read(offset, Math.min(length, size - offset));
  };
}

function inflate(data: Uint8Array): Uint8Array | null {
  try {
    // Held whole: capped in size, and in ratio so a small bomb is refused early.
    return gunzipSync(data, { maxOutputLength: inflateBound(data.length, MAX_INFLATED_BYTES) });
  } catch {
    // Past a bound, or corrupt: the analysis reported what it could; the hex views go without.
    return null;
  }
}

const HEX_DIGIT = /[0-9a-fA-F]/;

/** The hex digit pairs inside each line/column range of a text dump, at most `limit` bytes. */
export function bytesAtTextLocations(lines: readonly string[], locs: readonly SourceLocation[], limit: number): LocatedBytes | null {
  const bytes: number[] = [];
  const positions: Array<[number, number]> = [];
  for (const r of locs) {
    if (r.kind !== 'text') return null;
    for (let line = r.line; line <= r.endLine && line < lines.length; line++) {
      const s = lines[line];
      const from = line === r.line ? r.column : 0;
      const to = line === r.endLine ? Math.min(r.endColumn, s.length) : s.length;
      let pending = -1;
      for (let col = from; col < to; col++) {
        if (!HEX_DIGIT.test(s[col])) continue;
        if (pending < 0) {
          pending = col;
          continue;
        }
        if (bytes.length >= limit) return { bytes: Uint8Array.from(bytes), positions, truncated: true };
        bytes.push(parseInt(s[pending] + s[col], 16));
        positions.push([line, pending]);
        pending = -1;
      }
    }
  }
  return { bytes: Uint8Array.from(bytes), positions, truncated: false };
}

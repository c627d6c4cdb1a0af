/**
 * Capture bytes at SourceLocations, for the webviews' hex panes. No vscode
 * import: the unit tests answer the webview's byte requests with these too.
 *
 * Binary captures are read at the offsets (never whole: captures can be
 * gigabytes). A gzip'd capture is addressed by offsets into its decompressed
 * stream, so it is inflated once and kept by the caller. Text dumps locate
 * bytes by line and column: each location's hex digits are read back from the
 * text, with the position of every byte kept so field ranges can be matched.
 */
import { open } from 'node:fs/promises';
import type { SourceLocation } from '../../shared/analysis';
import { MAX_READ_BYTES, type BytesPayload } from '../../shared/webviewProtocol';

function payload(bytes: Uint8Array, positions: BytesPayload['positions'], truncated: boolean): BytesPayload {
  return { data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), positions, truncated };
}

function offsetsOnly(ranges: SourceLocation[]): Array<{ offset: number; length: number }> | null {
  const out: Array<{ offset: number; length: number }> = [];
  for (const r of ranges) {
    if (r.kind !== 'offset') return null;
    out.push(r);
  }
  return out;
}

/** From a (decompressed) capture held in memory. */
export function bytesFromBuffer(file: Uint8Array, ranges: SourceLocation[]): BytesPayload | null {
  const pieces = offsetsOnly(ranges);
  if (!pieces) return null;
  const wanted = pieces.reduce((n, p) => n + p.length, 0);
  const out: number[] = [];
  for (const p of pieces) {
    const end = Math.min(p.offset + p.length, file.length);
    for (let i = p.offset; i < end && out.length < MAX_READ_BYTES; i++) out.push(file[i]);
  }
  const truncated = out.length < wanted;
  return payload(Uint8Array.from(out), null, truncated);
}

/** From an uncompressed capture on disk, reading only the ranges. */
export async function bytesFromFile(path: string, ranges: SourceLocation[]): Promise<BytesPayload | null> {
  const pieces = offsetsOnly(ranges);
  if (!pieces) return null;
  const wanted = pieces.reduce((n, p) => n + p.length, 0);
  const out = Buffer.alloc(Math.min(wanted, MAX_READ_BYTES));
  const fh = await open(path, 'r');
  let at = 0;
  try {
    for (const p of pieces) {
      if (at >= out.length) break;
      const { bytesRead } = await fh.read(out, at, Math.min(p.length, out.length - at), p.offset);
      at += bytesRead;
      if (bytesRead < p.length) break;
    }
  } finally {
    await fh.close();
  }
  return payload(out.subarray(0, at), null, at < wanted);
}

const HEX_DIGIT = /[0-9a-fA-F]/;

/** From a text dump: the hex digit pairs inside each line/column range. */
export function bytesFromText(text: string | string[], ranges: SourceLocation[]): BytesPayload | null {
  const lines = typeof text === 'string' ? text.split(/\r?\n/) : text;
  const bytes: number[] = [];
  const positions: Array<[number, number]> = [];
  for (const r of ranges) {
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
        if (bytes.length >= MAX_READ_BYTES) return payload(Uint8Array.from(bytes), positions, true);
        bytes.push(parseInt(s[pending] + s[col], 16));
        positions.push([line, pending]);
        pending = -1;
      }
    }
  }
  return payload(Uint8Array.from(bytes), positions, false);
}

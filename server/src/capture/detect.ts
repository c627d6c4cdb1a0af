/** What sniffFormat() recognises; 'text' covers every text dump flavour (parsed by ./text). */
export type SniffedFormat = 'gzip' | 'pcap' | 'pcapng' | 'text' | 'unknown';

/** How many leading bytes sniffFormat() looks at for the text test. */
export const SNIFF_BYTES = 4096;

/** Share of non-text bytes tolerated in a text dump (a stray Latin-1 byte in a comment, say). */
const MAX_BINARY_SHARE = 0.02;

function isPcapMagic(b: Uint8Array): boolean {
  const m = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  const r = ((b[3] << 24) | (b[2] << 16) | (b[1] << 8) | b[0]) >>> 0;
  // a1b2cd34 (modified pcap) is claimed too, so the pcap reader can say why it cannot read it.
  for (const magic of [0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34]) if (m === magic || r === magic) return true;
  return false;
}

/**
 * Guesses the format from the first bytes of a (decompressed, for the inner
 * format) file. Needs 12 bytes for pcapng and up to SNIFF_BYTES for text.
 */
export function sniffFormat(firstBytes: Uint8Array): SniffedFormat {
  const b = firstBytes;
  const n = b.length;
  if (n === 0) return 'unknown';
  if (n >= 2 && b[0] === 0x1f && b[1] === 0x8b && (n < 3 || b[2] === 8)) return 'gzip';
  if (n >= 4 && b[0] === 0x0a && b[1] === 0x0d && b[2] === 0x0d && b[3] === 0x0a) {
    // "\n\r\r\n" can open a text file too; the byte-order magic settles it.
    if (n < 12) return 'pcapng';
    const magicBe = ((b[8] << 24) | (b[9] << 16) | (b[10] << 8) | b[11]) >>> 0;
    if (magicBe === 0x1a2b3c4d || magicBe === 0x4d3c2b1a) return 'pcapng';
  }
  if (n >= 4 && isPcapMagic(b)) return 'pcap';
  // UTF-16 with a byte-order mark: what PowerShell's `>` writes.
  if (n >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) return 'text';
  return looksLikeText(b.subarray(0, Math.min(n, SNIFF_BYTES))) ? 'text' : 'unknown';
}

/**
 * Printable ASCII plus tab/CR/LF/FF and well-formed UTF-8. A stray NUL is
 * one more bad byte (a dump with one in its first 4 KiB is still a dump; the
 * parser reports its line); binary formats have far more than the 2% allowed.
 */
export function looksLikeText(b: Uint8Array): boolean {
  const n = b.length;
  if (n === 0) return false;
  let bad = 0;
  let i = 0;
  // A UTF-8 byte-order mark is text.
  if (n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3;
  while (i < n) {
    const c = b[i];
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c) {
      i++;
      continue;
    }
    if (c < 0x80 || c === 0x7f) {
      bad++;
      i++;
      continue;
    }
    const extra = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (extra < 0) {
      bad++;
      i++;
      continue;
    }
    let ok = true;
    let j = 1;
    for (; j <= extra && i + j < n; j++) {
      if ((b[i + j] & 0xc0) !== 0x80) {
        ok = false;
        break;
      }
    }
    // A sequence cut by the end of the sniffed window still counts as text.
    if (!ok) {
      bad++;
      i++;
    } else {
      i += j;
    }
  }
  return bad <= n * MAX_BINARY_SHARE;
}

import { Buffer } from 'node:buffer';

/** FNV-1a over the length and the first and last 64 bytes: enough to tell certificates apart, exact match checked after. */
export function quickHash(buf: Uint8Array, start = 0, end = buf.length): number {
  const n = end - start;
  let h = Math.imul(0x811c9dc5 ^ n, 0x01000193);
  const head = start + Math.min(n, 64);
  for (let i = start; i < head; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  for (let i = Math.max(head, end - 64); i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h >>> 0;
}

interface Interned {
  bytes: Uint8Array;
  /** The same memory as a Buffer, for memcmp. */
  view: Buffer;
}

/**
 * One shared copy of each byte string that repeats across connections: the
 * certificates of a capture are the same few chains in every handshake, and
 * copying each out of the read buffer (1-2 KB, off V8's heap) cost more than
 * decoding the message around it. A repeat is found by a quick hash and then
 * compared byte for byte, so a copy is only ever shared between equal byte
 * strings; a copy this interner handed out is recognised as itself. Shared
 * copies are never written to. Bounded: past `maxBytes` held, it starts afresh.
 */
export class ByteInterner {
  private byHash = new Map<number, Interned[]>();
  private copies = new WeakSet<Uint8Array>();
  private held = 0;

  constructor(private readonly maxBytes = 8 << 20, private readonly maxItem = 64 << 10) {}

  /** buf[start..end) as a stable copy: the one already held when the bytes are equal, else a new one. */
  intern(buf: Uint8Array, start: number, end: number): Uint8Array {
    if (start === 0 && end === buf.length && this.copies.has(buf)) return buf;
    const n = end - start;
    if (n > this.maxItem) return buf.slice(start, end);
    const h = quickHash(buf, start, end);
    const list = this.byHash.get(h);
    if (list) for (const k of list) if (k.bytes.length === n && k.view.compare(buf, start, end) === 0) return k.bytes;
    const bytes = buf.slice(start, end);
    if (this.held + n > this.maxBytes) {
      this.byHash = new Map();
      this.copies = new WeakSet();
      this.held = 0;
    }
    const entry = { bytes, view: Buffer.from(bytes.buffer, bytes.byteOffset, n) };
    const again = this.byHash.get(h);
    if (again) again.push(entry);
    else this.byHash.set(h, [entry]);
    this.copies.add(bytes);
    this.held += n;
    return bytes;
  }
}

/**
 * The certificates' interner, shared by the TLS decoder (which copies each
 * certificate out of the read buffer through it) and the certificate cache
 * (which then recognises those copies without looking at their bytes).
 */
export const certificateBytes = new ByteInterner();

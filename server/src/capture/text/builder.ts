import type { RawPacket, TextPositions } from '../packet';

export const NO_COLUMN = 0xffffffff;

/**
 * Collects one packet's bytes with where each was written. Buffers grow by
 * doubling and are reused across packets; take() copies out exact-length arrays.
 */
export class PacketBuilder {
  length = 0;
  private bytes = new Uint8Array(2048);
  private lines = new Uint32Array(2048);
  private cols = new Uint32Array(2048);
  private ascii = new Uint32Array(2048);
  private anyAscii = false;

  reset(): void {
    this.length = 0;
    this.anyAscii = false;
  }

  push(value: number, line: number, column: number, asciiColumn: number): void {
    if (this.length === this.bytes.length) this.grow();
    const i = this.length++;
    this.bytes[i] = value;
    this.lines[i] = line;
    this.cols[i] = column;
    this.ascii[i] = asciiColumn;
    if (asciiColumn !== NO_COLUMN) this.anyAscii = true;
  }

  /** Sets the ASCII-pane column of byte i (known only once the whole line is read). */
  setAscii(i: number, column: number): void {
    this.ascii[i] = column;
    if (column !== NO_COLUMN) this.anyAscii = true;
  }

  /** Drops bytes from index `n` on (used when a line turns out to carry fewer bytes than it seemed to). */
  truncate(n: number): void {
    if (n < this.length) this.length = n;
  }

  take(): { data: Uint8Array; text: TextPositions } {
    const n = this.length;
    const text: TextPositions = { line: this.lines.slice(0, n), column: this.cols.slice(0, n) };
    if (this.anyAscii) text.asciiColumn = this.ascii.slice(0, n);
    return { data: this.bytes.slice(0, n), text };
  }

  private grow(): void {
    const size = this.bytes.length * 2;
    const b = new Uint8Array(size);
    b.set(this.bytes);
    this.bytes = b;
    const l = new Uint32Array(size);
    l.set(this.lines);
    this.lines = l;
    const c = new Uint32Array(size);
    c.set(this.cols);
    this.cols = c;
    const a = new Uint32Array(size);
    a.set(this.ascii);
    this.ascii = a;
  }
}

/** Fields every text-dump packet shares. */
export function textPacket(
  index: number,
  timestamp: number,
  linkType: number,
  data: Uint8Array,
  origLength: number,
  text: TextPositions,
  headerLine: number | undefined,
): RawPacket {
  const p: RawPacket = { index, timestamp, linkType, data, origLength, fileOffset: -1, text };
  if (headerLine !== undefined) p.headerLine = headerLine;
  return p;
}

/**
 * Records held on disk instead of in memory: values written once, in any
 * order, and read back by the number `add` gave them. A comparison of two
 * big captures holds every connection of both (its packet timeline, hellos,
 * certificates: ~10 kB each) from the analysis until the output is written;
 * in memory that was 1.3 GB for two 200 MB captures, where the run's budget
 * is 512 MiB (issue #16).
 *
 * Values go through V8's serializer (node:v8), not JSON: it keeps what JSON
 * would change (undefined fields, NaN and Infinity, typed arrays) and an
 * object met twice in one value stays one object (a message's hello is the
 * connection's hello), and it is as fast as JSON both ways.
 *
 * The file lives in the system's temporary directory and is removed by
 * `close()`, on exit, and on SIGINT/SIGTERM.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';

const WRITE_BATCH = 1 << 20;

const open = new Set<RecordSpool<unknown>>();
let hooked = false;

/** Removes every spool still open, once, when the process ends in any of the ordinary ways. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => { for (const s of [...open]) s.close(); });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = () => {
      for (const s of [...open]) s.close();
      // The default action (ending the process with the signal's status) unless somebody else handles it.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.once(sig, onSignal);
  }
}

/**
 * How records become bytes: V8's serializer by default; text as UTF-8. Text
 * is handed over as the string itself: it is written straight into the write
 * batch and read back into one reused buffer (decoding copies it), so neither
 * way makes a Buffer per record (hundreds of MB of them on a big comparison,
 * each one external memory the collector has to account for).
 */
export interface SpoolCodec<T> {
  encode(value: T): Uint8Array | string;
  decode(bytes: Buffer): T;
  /** `decode` copies what it keeps, so one read buffer serves every record (V8's deserializer keeps views of it). */
  decodeCopies?: boolean;
}

const V8_CODEC: SpoolCodec<unknown> = { encode: serialize, decode: deserialize };

export const TEXT_CODEC: SpoolCodec<string> = { encode: (s) => s, decode: (b) => b.toString('utf8'), decodeCopies: true };

/** Where a spool's records are in its file: what a writer in another thread hands back (RecordSpool.adopt). */
export interface SpoolRecords {
  starts: Float64Array;
  lengths: Int32Array;
  count: number;
  size: number;
}

export class RecordSpool<T> {
  /** The directory this spool made and removes; null for a writer into another spool's file. */
  private readonly dir: string | null;
  private readonly fd: number;
  /** The file the records are in. */
  readonly path: string;
  /** Where each record starts in the file, and its length. */
  private starts: Float64Array = new Float64Array(1024);
  private lengths: Int32Array = new Int32Array(1024);
  private count = 0;
  private size = 0;
  /** Records not yet written (allocated on the first: a comparison opens several spools, some never used). */
  private pending = Buffer.alloc(0);
  private pendingLength = 0;
  private closed = false;
  /** Records of a codec whose decode copies are read into this one buffer. */
  private readBuffer = Buffer.alloc(0);

  /**
   * `into`: write into the file of a spool made elsewhere (a worker thread
   * fills a spool of the main thread's, which owns the file and removes it).
   */
  constructor(name: string, private readonly codec: SpoolCodec<T> = V8_CODEC as SpoolCodec<T>, into?: string) {
    if (into !== undefined) {
      this.dir = null;
      this.path = into;
      this.fd = openSync(into, 'r+');
      return;
    }
    this.dir = mkdtempSync(join(tmpdir(), 'handshake-inspector-'));
    this.path = join(this.dir, `${name}.spool`);
    this.fd = openSync(this.path, 'w+');
    open.add(this as RecordSpool<unknown>);
    hookExit();
  }

  /** Everything written, on disk, and where each record is (for the spool that owns the file: adopt()). */
  finish(): SpoolRecords {
    this.flush();
    return { starts: this.starts.slice(0, this.count), lengths: this.lengths.slice(0, this.count), count: this.count, size: this.size };
  }

  /** Takes the records another thread wrote into this spool's file (its `finish()`), replacing any. */
  adopt(r: SpoolRecords): void {
    this.starts = r.starts;
    this.lengths = r.lengths;
    this.count = r.count;
    this.size = r.size;
    this.pendingLength = 0;
  }

  get length(): number {
    return this.count;
  }

  /** Bytes the records take on disk. */
  get bytes(): number {
    return this.size;
  }

  add(value: T): number {
    if (this.count === this.starts.length) {
      const starts = new Float64Array(Math.max(1024, this.count * 2));
      starts.set(this.starts);
      this.starts = starts;
      const lengths = new Int32Array(Math.max(1024, this.count * 2));
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    if (this.pending.length === 0) this.pending = Buffer.allocUnsafe(WRITE_BATCH);
    const encoded = this.codec.encode(value);
    const text = typeof encoded === 'string';
    const length = text ? Buffer.byteLength(encoded, 'utf8') : encoded.length;
    this.starts[this.count] = this.size;
    this.lengths[this.count] = length;
    if (this.pendingLength + length > this.pending.length) this.flush();
    const at = this.size;
    if (length >= this.pending.length) this.write(() => (text ? writeSync(this.fd, encoded, at, 'utf8') : writeSync(this.fd, encoded, 0, length, at)));
    else if (text) this.pendingLength += this.pending.write(encoded, this.pendingLength, 'utf8');
    else {
      this.pending.set(encoded, this.pendingLength);
      this.pendingLength += length;
    }
    this.size += length;
    return this.count++;
  }

  get(index: number): T {
    if (!(index >= 0 && index < this.count)) throw new RangeError(`no record ${index} (${this.count} held)`);
    this.flush();
    const length = this.lengths[index];
    let buf: Buffer;
    if (this.codec.decodeCopies) {
      if (this.readBuffer.length < length) this.readBuffer = Buffer.allocUnsafe(Math.max(length, 2 * this.readBuffer.length, 64 << 10));
      buf = this.readBuffer;
    } else buf = Buffer.allocUnsafeSlow(length);
    const at = this.starts[index];
    for (let got = 0; got < length;) {
      const n = readSync(this.fd, buf, got, length - got, at + got);
      if (n === 0) throw new Error(`spool ended inside record ${index}`);
      got += n;
    }
    return this.codec.decode(buf.length === length ? buf : buf.subarray(0, length));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    open.delete(this as RecordSpool<unknown>);
    try {
      closeSync(this.fd);
    } finally {
      if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** A failed write (a full disk, most often) says where the file was and how to put it elsewhere. */
  private write(run: () => void): void {
    try {
      run();
    } catch (e) {
      throw new Error(`could not write working data to ${this.path} (it goes in TMPDIR; point TMPDIR at a disk with room): ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private flush(): void {
    if (this.pendingLength === 0) return;
    const at = this.size - this.pendingLength;
    this.write(() => writeSync(this.fd, this.pending, 0, this.pendingLength, at));
    this.pendingLength = 0;
  }
}

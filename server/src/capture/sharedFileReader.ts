import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FILE_READER_WORKER, FILLED, GO, LENGTH, READY, START_HI, START_LO, STOP, type FileReaderWorkerData, type FileReaderWorkerResult } from './fileReaderSlots';

export interface SharedFileReaderOptions {
  /**
   * Chunks this thread reads itself before handing over; by default as many
   * as it can until the worker is ready. Tests fix it to hand over at a
   * chosen offset.
   */
  readHere?: number;
  /**
   * Bytes to read at most (the size when opened): a file that grows while it
   * is read (a capture still being written) is read to that point, not on
   * for as long as it keeps growing.
   */
  limit?: number;
}

/**
 * Reads a big file on a second thread into the slots of one
 * SharedArrayBuffer, hashing each slot (SHA-256) after reading it, while
 * this thread parses the slots in turn. Hashing 1 GB costs about as much as
 * parsing it; on a two-core machine the two overlap. Reading there too keeps
 * this thread's event loop out of it: an earlier version read here through
 * libuv's thread pool, and on two busy cores the pool's thread was often
 * not scheduled in time, so the parser waited for its own reads.
 *
 * A worker takes ~45 ms to start. Rather than wait, this thread reads the
 * first chunks itself until the worker says it is ready, then hands over at
 * the offset it got to: the worker first fills all its slots from there, then
 * reads the part before it again (from the page cache) to hash the file in
 * order, then hashes the slots it filled, then goes on as usual.
 *
 * The control words both threads share are in fileReaderSlots.ts; the
 * worker is its own entry point (fileReaderWorker.ts, bundled by esbuild next
 * to the bundle that uses it).
 */
export class SharedFileReader {
  private readonly data: SharedArrayBuffer;
  private readonly ctrl: Int32Array;
  private readonly worker: Worker;
  private readonly result: Promise<string>;
  private failed: Error | null = null;
  private seq = 0;
  /** Reading here until the hand-over: the file, its buffer, how far it got, how many chunks. */
  private fd: number;
  private own: Uint8Array | null;
  private ownPosition = 0;
  private ownChunks = 0;

  constructor(path: string, readonly slots: number, readonly slotSize: number, private readonly opts: SharedFileReaderOptions = {}) {
    const script = workerFile();
    // Opened here first, so a file that cannot be opened fails in the caller's thread with its own error.
    this.fd = openSync(path, 'r');
    this.own = new Uint8Array(slotSize);
    this.data = new SharedArrayBuffer(slots * slotSize);
    this.ctrl = new Int32Array(new SharedArrayBuffer((LENGTH + 2 * slots) * 4));
    const workerData: FileReaderWorkerData = { path, data: this.data, ctrl: this.ctrl.buffer as SharedArrayBuffer, slots, slotSize, limit: opts.limit };
    this.worker = new Worker(script, { workerData });
    this.result = new Promise<string>((resolve, reject) => {
      this.worker.once('message', (m: FileReaderWorkerResult) => {
        if ('sha256' in m) resolve(m.sha256);
        else reject(new Error(m.error));
      });
      this.worker.once('error', (e) => {
        this.failed = e;
        reject(e);
      });
      this.worker.once('exit', () => {
        this.failed ??= new Error('the reading thread stopped');
        reject(this.failed);
      });
    });
    this.result.catch(() => undefined);
  }

  /**
   * The next chunk of the file (a view of its slot, valid until release()),
   * or null at the end. Waits with a plain Atomics.wait: the reader is ahead
   * unless the disk is slow, and after a long wait the event loop gets a turn
   * (so an abort or a failed worker is noticed).
   */
  async next(): Promise<{ slot: number; bytes: Uint8Array } | null> {
    if (this.own) {
      const mine = this.opts.readHere;
      if (mine === undefined ? Atomics.load(this.ctrl, READY) === 0 : this.ownChunks < mine) {
        const want = Math.min(this.slotSize, (this.opts.limit ?? Infinity) - this.ownPosition);
        const n = want > 0 ? readSync(this.fd, this.own, 0, want, this.ownPosition) : 0;
        if (n > 0) {
          this.ownPosition += n;
          this.ownChunks++;
          return { slot: -1, bytes: this.own.subarray(0, n) };
        }
      }
      this.handOver();
    }
    const seq = this.seq;
    for (;;) {
      if (Atomics.load(this.ctrl, FILLED) > seq) break;
      if (this.failed) throw this.failed;
      if (Atomics.wait(this.ctrl, FILLED, Atomics.load(this.ctrl, FILLED), 50) === 'timed-out') await new Promise((r) => setImmediate(r));
    }
    const slot = seq % this.slots;
    const length = Atomics.load(this.ctrl, LENGTH + slot);
    if (length < 0) {
      // The worker posts the reason; wait for it.
      await this.result;
      throw new Error('reading failed');
    }
    if (length === 0) return null;
    this.seq++;
    return { slot, bytes: new Uint8Array(this.data, slot * this.slotSize, length) };
  }

  /** The parser is done with a chunk's bytes: the worker may refill its slot. */
  release(slot: number): void {
    if (slot < 0) return;
    const at = LENGTH + this.slots + slot;
    Atomics.add(this.ctrl, at, 1);
    Atomics.notify(this.ctrl, at);
  }

  /** SHA-256 of everything read, once next() returned null. */
  digest(): Promise<string> {
    return this.result;
  }

  cancel(): void {
    this.closeOwn();
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.notify(this.ctrl, GO);
    for (let i = 0; i < this.slots; i++) Atomics.notify(this.ctrl, LENGTH + this.slots + i);
    void this.worker.terminate();
  }

  /** From here on the worker reads: it starts where this thread stopped. */
  private handOver(): void {
    this.closeOwn();
    Atomics.store(this.ctrl, START_HI, Math.floor(this.ownPosition / 4294967296));
    Atomics.store(this.ctrl, START_LO, this.ownPosition % 4294967296 | 0);
    Atomics.store(this.ctrl, GO, 1);
    Atomics.notify(this.ctrl, GO);
  }

  private closeOwn(): void {
    if (!this.own) return;
    this.own = null;
    closeSync(this.fd);
  }
}

/** The worker's file: next to this code, in dist/ (bundles) or out/server/src/capture/ (tsc, tests). */
function workerFile(): string {
  const file = join(__dirname, FILE_READER_WORKER);
  // Say which file is missing, rather than the worker's own error about a module it could not load.
  if (!existsSync(file)) throw new Error(`the file-reading worker is missing: ${file} (run npm run build)`);
  return file;
}

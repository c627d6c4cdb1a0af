import { closeSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

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
 * Protocol (ctrl, an Int32Array on shared memory):
 *   ctrl[FILLED]        chunks read so far (the reader waits on it)
 *   ctrl[STOP]          1: the parser gave up (abort, parse error)
 *   ctrl[READY]         1: the worker runs and waits for GO
 *   ctrl[GO]            1: START_HI/START_LO hold the offset to read from
 *   ctrl[LENGTH + i]    bytes in slot i (0: end of file, -1: read error)
 *   ctrl[RELEASED + i]  times the parser gave slot i back
 * The worker refills slot i only after the parser released its last use and
 * after it hashed what the slot held.
 *
 * The worker's code is inline so the esbuild bundles need no extra file.
 */
const FILLED = 0;
const STOP = 1;
const READY = 2;
const GO = 3;
const START_HI = 4;
const START_LO = 5;
const LENGTH = 6;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
// A lower priority than the parser's: when the two share a core, the parser
// (the critical path) runs first.
try { require('node:os').setPriority(10); } catch {}
const { path, slots, slotSize } = workerData;
const limit = workerData.limit ?? Infinity;
const data = new Uint8Array(workerData.data);
const ctrl = new Int32Array(workerData.ctrl);
const FILLED = 0, STOP = 1, READY = 2, GO = 3, START_HI = 4, START_LO = 5, LENGTH = 6, RELEASED = 6 + slots;
const hash = createHash('sha256');
const lengths = [];
let fd = -1;
let failure = null;
let position = 0;
let seq = 0;
const stopped = () => Atomics.load(ctrl, STOP) !== 0;
// Reads the next chunk into its slot and publishes it; false at the end or on failure.
function fill() {
  const slot = seq % slots;
  let n = 0;
  try {
    const want = Math.min(slotSize, limit - position);
    n = want > 0 ? fs.readSync(fd, data, slot * slotSize, want, position) : 0;
  } catch (e) {
    failure = String(e && e.message || e);
    n = -1;
  }
  lengths[slot] = n;
  Atomics.store(ctrl, LENGTH + slot, n);
  Atomics.store(ctrl, FILLED, ++seq);
  Atomics.notify(ctrl, FILLED);
  if (n > 0) position += n;
  return n > 0;
}
const hashSlot = (slot) => hash.update(data.subarray(slot * slotSize, slot * slotSize + lengths[slot]));
try {
  fd = fs.openSync(path, 'r');
  Atomics.store(ctrl, READY, 1);
  while (Atomics.load(ctrl, GO) === 0 && !stopped()) Atomics.wait(ctrl, GO, 0, 100);
  const start = Atomics.load(ctrl, START_HI) * 4294967296 + (Atomics.load(ctrl, START_LO) >>> 0);
  position = start;
  // Every slot is free at first: fill them all before anything else, so the parser has work at once.
  let more = !stopped();
  while (more && seq < slots) more = fill();
  if (failure === null && !stopped()) {
    // What the parser read itself comes first in the hash.
    const scratch = new Uint8Array(Math.min(slotSize, Math.max(1, start)));
    for (let at = 0; at < start;) {
      const n = fs.readSync(fd, scratch, 0, Math.min(scratch.length, start - at), at);
      if (n <= 0) throw new Error('the file shrank while it was read');
      hash.update(scratch.subarray(0, n));
      at += n;
    }
    for (let i = 0; i < seq; i++) if (lengths[i % slots] > 0) hashSlot(i % slots);
  }
  while (more && failure === null) {
    const slot = seq % slots;
    const uses = Math.floor(seq / slots);
    while (Atomics.load(ctrl, RELEASED + slot) < uses && !stopped()) {
      Atomics.wait(ctrl, RELEASED + slot, Atomics.load(ctrl, RELEASED + slot), 100);
    }
    if (stopped()) break;
    more = fill();
    if (more) hashSlot(slot);
  }
} catch (e) {
  // Whichever chunk the parser waits for, it finds the failure.
  failure = String(e && e.message || e);
  for (let i = 0; i < slots; i++) Atomics.store(ctrl, LENGTH + i, -1);
  Atomics.store(ctrl, FILLED, 0x7fffffff);
  Atomics.notify(ctrl, FILLED);
}
if (fd >= 0) fs.closeSync(fd);
parentPort.postMessage(failure ? { error: failure } : { sha256: hash.digest('hex') });
`;

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
    // Opened here first, so a file that cannot be opened fails in the caller's thread with its own error.
    this.fd = openSync(path, 'r');
    this.own = new Uint8Array(slotSize);
    this.data = new SharedArrayBuffer(slots * slotSize);
    this.ctrl = new Int32Array(new SharedArrayBuffer((LENGTH + 2 * slots) * 4));
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, data: this.data, ctrl: this.ctrl.buffer, slots, slotSize, limit: opts.limit } });
    this.result = new Promise<string>((resolve, reject) => {
      this.worker.once('message', (m: { sha256?: string; error?: string }) => {
        if (m.sha256) resolve(m.sha256);
        else reject(new Error(m.error ?? 'reading failed'));
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

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
 * Protocol (ctrl, an Int32Array on shared memory):
 *   ctrl[FILLED]        chunks read so far (the reader waits on it)
 *   ctrl[LENGTH + i]    bytes in slot i (0: end of file, -1: read error)
 *   ctrl[RELEASED + i]  times the parser gave slot i back
 *   ctrl[STOP]          1: the parser gave up (abort, parse error)
 * The worker refills slot i only after the parser released its last use.
 *
 * The worker's code is inline so the esbuild bundles need no extra file.
 */
const FILLED = 0;
const STOP = 1;
const LENGTH = 2;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
// A lower priority than the parser's: when the two share a core, the parser
// (the critical path) runs first.
try { require('node:os').setPriority(10); } catch {}
const { path, slots, slotSize } = workerData;
const data = new Uint8Array(workerData.data);
const ctrl = new Int32Array(workerData.ctrl);
const FILLED = 0, STOP = 1, LENGTH = 2, RELEASED = 2 + slots;
const hash = createHash('sha256');
let fd = -1;
let failure = null;
try {
  fd = fs.openSync(path, 'r');
  let position = 0;
  for (let seq = 0; ; seq++) {
    const slot = seq % slots;
    const uses = Math.floor(seq / slots);
    while (Atomics.load(ctrl, RELEASED + slot) < uses && Atomics.load(ctrl, STOP) === 0) {
      Atomics.wait(ctrl, RELEASED + slot, Atomics.load(ctrl, RELEASED + slot), 100);
    }
    if (Atomics.load(ctrl, STOP) !== 0) break;
    let n = 0;
    try {
      n = fs.readSync(fd, data, slot * slotSize, slotSize, position);
    } catch (e) {
      failure = String(e && e.message || e);
      n = -1;
    }
    Atomics.store(ctrl, LENGTH + slot, n);
    Atomics.store(ctrl, FILLED, seq + 1);
    Atomics.notify(ctrl, FILLED);
    if (n <= 0) break;
    position += n;
    hash.update(data.subarray(slot * slotSize, slot * slotSize + n));
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

export class SharedFileReader {
  private readonly data: SharedArrayBuffer;
  private readonly ctrl: Int32Array;
  private readonly worker: Worker;
  private readonly result: Promise<string>;
  private failed: Error | null = null;
  private seq = 0;

  constructor(path: string, readonly slots: number, readonly slotSize: number) {
    this.data = new SharedArrayBuffer(slots * slotSize);
    this.ctrl = new Int32Array(new SharedArrayBuffer((LENGTH + 2 * slots) * 4));
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, data: this.data, ctrl: this.ctrl.buffer, slots, slotSize } });
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

  /** The parser is done with a slot's bytes: the worker may refill it. */
  release(slot: number): void {
    const at = LENGTH + this.slots + slot;
    Atomics.add(this.ctrl, at, 1);
    Atomics.notify(this.ctrl, at);
  }

  /** SHA-256 of everything read, once next() returned null. */
  digest(): Promise<string> {
    return this.result;
  }

  cancel(): void {
    Atomics.store(this.ctrl, STOP, 1);
    for (let i = 0; i < this.slots; i++) Atomics.notify(this.ctrl, LENGTH + this.slots + i);
    void this.worker.terminate();
  }
}

import { Worker } from 'node:worker_threads';

/**
 * SHA-256 of a big file, computed on another thread from the very buffers the
 * parser reads into. Hashing 1 GB costs about as much as parsing it; on a
 * two-core machine the two overlap. Reading the file a second time for the
 * hash (as a first version did) put three busy threads on two cores, and the
 * parser then sat waiting for its own reads.
 *
 * The reader fills slots of one SharedArrayBuffer in turn, hands each to the
 * worker (`submit`) and parses it meanwhile; a slot is refilled only once the
 * worker has hashed it (`acquire`). Each slot has a counter of how often it
 * was hashed, so the reader knows without a message round trip.
 *
 * The worker's code is inline so the esbuild bundles need no extra file.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
// A lower priority than the parser's: when the two share a core, the parser
// (the critical path) runs first and hashing takes the slack.
try { require('node:os').setPriority(10); } catch {}
const hash = createHash('sha256');
const data = new Uint8Array(workerData.data);
const ctrl = new Int32Array(workerData.ctrl);
const { slots, slotSize } = workerData;
// ctrl[0]: chunks submitted; ctrl[1 + i]: times slot i was hashed;
// ctrl[1 + slots + i]: length of what slot i holds now (-1: the end).
for (let seq = 0; ; seq++) {
  while (Atomics.load(ctrl, 0) <= seq) Atomics.wait(ctrl, 0, seq);
  const slot = seq % slots;
  const length = Atomics.load(ctrl, 1 + slots + slot);
  if (length < 0) break;
  hash.update(data.subarray(slot * slotSize, slot * slotSize + length));
  Atomics.add(ctrl, 1 + slot, 1);
  Atomics.notify(ctrl, 1 + slot);
}
parentPort.postMessage({ sha256: hash.digest('hex') });
`;

export class SharedChunkHasher {
  private readonly data: SharedArrayBuffer;
  /** Layout in WORKER_SOURCE. */
  private readonly ctrl: Int32Array;
  /** Times each slot was submitted; it is free when the worker's count caught up. */
  private readonly submitted: number[];
  private sequence = 0;
  private next = 0;
  private failed: Error | null = null;
  private readonly worker: Worker;
  private readonly result: Promise<string>;

  constructor(readonly slots: number, readonly slotSize: number) {
    this.data = new SharedArrayBuffer(slots * slotSize);
    this.ctrl = new Int32Array(new SharedArrayBuffer((1 + 2 * slots) * 4));
    this.submitted = new Array<number>(slots).fill(0);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { data: this.data, ctrl: this.ctrl.buffer, slots, slotSize } });
    this.result = new Promise<string>((resolve, reject) => {
      this.worker.once('message', (m: { sha256?: string }) => {
        void this.worker.terminate();
        if (m.sha256) resolve(m.sha256);
        else reject(new Error('hashing failed'));
      });
      this.worker.once('error', (e) => {
        this.failed = e;
        reject(e);
      });
      this.worker.once('exit', () => {
        this.failed ??= new Error('the hashing thread stopped');
        reject(this.failed);
      });
    });
    this.result.catch(() => undefined);
  }

  /** The bytes of a slot, to read into. */
  slot(i: number): Uint8Array {
    return new Uint8Array(this.data, i * this.slotSize, this.slotSize);
  }

  /**
   * Resolves when slot i may be overwritten (the worker has hashed what it
   * last held). Hashing runs faster than parsing, so this rarely waits, and
   * then for well under a millisecond: a plain Atomics.wait does it. (The
   * asynchronous Atomics.waitAsync was tried: its wake-ups reach Node's event
   * loop late, and under load the reader idled for seconds.) After a long
   * wait the event loop gets a turn, so a failed worker is noticed.
   */
  async acquire(i: number): Promise<void> {
    for (;;) {
      if (this.failed) throw this.failed;
      const seen = Atomics.load(this.ctrl, 1 + i);
      if (seen >= this.submitted[i]) return;
      if (Atomics.wait(this.ctrl, 1 + i, seen, 50) === 'timed-out') await new Promise((r) => setImmediate(r));
    }
  }

  /** Hash the first `length` bytes of slot i next. Slots must be submitted in turn (0, 1, …, 0, 1, …). */
  submit(i: number, length: number): void {
    if (i !== this.next) throw new Error(`slot ${i} submitted out of turn (expected ${this.next})`);
    this.next = (i + 1) % this.slots;
    this.submitted[i]++;
    this.post(i, length);
  }

  digest(): Promise<string> {
    this.post(this.next, -1);
    return this.result;
  }

  private post(i: number, length: number): void {
    Atomics.store(this.ctrl, 1 + this.slots + i, length);
    Atomics.store(this.ctrl, 0, ++this.sequence);
    Atomics.notify(this.ctrl, 0);
  }

  cancel(): void {
    // Let a worker that waits for the next chunk see the end, then stop it.
    this.post(this.next, -1);
    void this.worker.terminate();
  }
}

/**
 * The reading thread of SharedFileReader (sharedFileReader.ts says why and
 * how): reads the file into the shared slots, hashing each slot after it,
 * from the offset the parser handed over at. Bundled on its own
 * (dist/fileReaderWorker.js) so it loads none of the engine.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { FILLED, GO, LENGTH, READY, START_HI, START_LO, STOP, type FileReaderWorkerData, type FileReaderWorkerResult } from './fileReaderSlots';

function run({ path, slots, slotSize, data: dataBuffer, ctrl: ctrlBuffer, limit = Infinity }: FileReaderWorkerData): FileReaderWorkerResult {
  // A lower priority than the parser's: when the two share a core, the parser
  // (the critical path) runs first.
  try {
    setPriority(10);
  } catch {
    // Not allowed here (some containers): same priority then.
  }
  const data = new Uint8Array(dataBuffer);
  const ctrl = new Int32Array(ctrlBuffer);
  const RELEASED = LENGTH + slots;
  const hash = createHash('sha256');
  const lengths: number[] = [];
  let fd = -1;
  let failure: string | null = null;
  let position = 0;
  let seq = 0;
  const stopped = (): boolean => Atomics.load(ctrl, STOP) !== 0;
  // Reads the next chunk into its slot and publishes it; false at the end or on failure.
  const fill = (): boolean => {
    const slot = seq % slots;
    let n = 0;
    try {
      const want = Math.min(slotSize, limit - position);
      n = want > 0 ? readSync(fd, data, slot * slotSize, want, position) : 0;
    } catch (e) {
      failure = messageOf(e);
      n = -1;
    }
    lengths[slot] = n;
    Atomics.store(ctrl, LENGTH + slot, n);
    Atomics.store(ctrl, FILLED, ++seq);
    Atomics.notify(ctrl, FILLED);
    if (n > 0) position += n;
    return n > 0;
  };
  const hashSlot = (slot: number): void => {
    hash.update(data.subarray(slot * slotSize, slot * slotSize + (lengths[slot] ?? 0)));
  };
  try {
    fd = openSync(path, 'r');
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
        const n = readSync(fd, scratch, 0, Math.min(scratch.length, start - at), at);
        if (n <= 0) throw new Error('the file shrank while it was read');
        hash.update(scratch.subarray(0, n));
        at += n;
      }
      for (let i = 0; i < seq; i++) if ((lengths[i % slots] ?? 0) > 0) hashSlot(i % slots);
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
    failure = messageOf(e);
    for (let i = 0; i < slots; i++) Atomics.store(ctrl, LENGTH + i, -1);
    Atomics.store(ctrl, FILLED, 0x7fffffff);
    Atomics.notify(ctrl, FILLED);
  }
  if (fd >= 0) closeSync(fd);
  return failure !== null ? { error: failure } : { sha256: hash.digest('hex') };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// Only as a worker: tsc also compiles this file for the tests, where nothing loads it but the reader.
if (parentPort) parentPort.postMessage(run(workerData as FileReaderWorkerData));

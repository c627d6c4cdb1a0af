/**
 * The control words SharedFileReader (this thread) and fileReaderWorker (the
 * reading thread) share, as indices into one Int32Array on shared memory:
 *   ctrl[FILLED]        chunks read so far (the reader waits on it)
 *   ctrl[STOP]          1: the parser gave up (abort, parse error)
 *   ctrl[READY]         1: the worker runs and waits for GO
 *   ctrl[GO]            1: START_HI/START_LO hold the offset to read from
 *   ctrl[LENGTH + i]    bytes in slot i (0: end of file, -1: read error)
 *   ctrl[RELEASED + i]  times the parser gave slot i back (RELEASED = LENGTH + slots)
 * The worker refills slot i only after the parser released its last use and
 * after it hashed what the slot held.
 */
export const FILLED = 0;
export const STOP = 1;
export const READY = 2;
export const GO = 3;
export const START_HI = 4;
export const START_LO = 5;
export const LENGTH = 6;

/** What the worker is started with (workerData). */
export interface FileReaderWorkerData {
  path: string;
  data: SharedArrayBuffer;
  ctrl: SharedArrayBuffer;
  slots: number;
  slotSize: number;
  /** Bytes to read at most (the file's size when the run began); undefined: to the end. */
  limit?: number;
}

/** The worker's one message, when it is done: the file's SHA-256 or why reading failed. */
export type FileReaderWorkerResult = { sha256: string } | { error: string };

/** The bundle's file name next to the code that starts it (dist/ in the bundles, out/…/capture/ under tsc). */
export const FILE_READER_WORKER = 'fileReaderWorker.js';

import { Worker } from 'node:worker_threads';

/**
 * SHA-256 of a file computed on another thread, which reads the file itself:
 * hashing a 1 GB capture costs about as much as parsing it, and on a machine
 * with two cores the two can overlap instead of adding up. The worker's code
 * is inline so the esbuild bundles need no extra file.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const hash = createHash('sha256');
const s = fs.createReadStream(workerData.path, { highWaterMark: 1 << 20 });
s.on('data', (c) => hash.update(c));
s.on('error', (e) => parentPort.postMessage({ error: String(e && e.message || e) }));
s.on('end', () => parentPort.postMessage({ sha256: hash.digest('hex') }));
`;

export function hashFileInWorker(path: string): { promise: Promise<string>; cancel(): void } {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path } });
  const promise = new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { sha256?: string; error?: string }) => {
      void worker.terminate();
      if (m.sha256) resolve(m.sha256);
      else reject(new Error(m.error ?? 'hashing failed'));
    });
    worker.once('error', reject);
  });
  return { promise, cancel: () => void worker.terminate() };
}

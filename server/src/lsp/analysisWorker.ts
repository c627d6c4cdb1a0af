/**
 * Worker thread for text-dump analysis: a 10 MB dump takes a second or more
 * to parse and decode, and the server must keep answering hovers, completions
 * of other documents and cancellations meanwhile. A stale job is cancelled by
 * terminating the worker, which stops it mid-parse at no cost to the server.
 */
import { parentPort } from 'worker_threads';
import { parseUserRules } from '../rules/userRules';
import { buildTextModel, type TextModel } from './textModel';

export interface WorkerJob {
  id: number;
  uri: string;
  version: number;
  text: string;
  ja4plus: boolean;
  rules: { text: string; path: string } | null;
  keyLogFiles?: string[];
}

export type WorkerReply = { id: number; model: TextModel } | { id: number; error: string };

/** Buffers of the model's typed arrays, each once, so posting moves rather than copies them. */
export function transferables(model: TextModel): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView) => {
    if (a.buffer instanceof ArrayBuffer) seen.add(a.buffer);
  };
  const ix = model.index;
  [ix.lineLength, ix.bytes, ix.byteLine, ix.byteColumn, ix.byteAscii, ix.lineFirstByte, ix.lineByteCount, ix.linePacket, model.tokens].forEach(add);
  for (const s of ix.streams) [s.segStart, s.segEnd, s.segByte, s.fieldAt, s.tokenAt].forEach(add);
  return [...seen];
}

export function runJob(job: WorkerJob): WorkerReply {
  try {
    const userRules = job.rules ? parseUserRules(job.rules.text, job.rules.path).rules : undefined;
    return { id: job.id, model: buildTextModel(job.uri, job.version, job.text, { ja4plus: job.ja4plus, userRules, keyLogFiles: job.keyLogFiles }) };
  } catch (e) {
    return { id: job.id, error: e instanceof Error ? e.message : String(e) };
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (job: WorkerJob) => {
    const reply = runJob(job);
    port.postMessage(reply, 'model' in reply ? transferables(reply.model) : []);
  });
}

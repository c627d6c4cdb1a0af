/**
 * Worker thread for text-dump analysis: a 10 MB dump takes a second or more
 * to parse and decode, and the server must keep answering hovers and other
 * documents meanwhile. The worker keeps its own copy of each open dump's text
 * and applies the editor's incremental edits to it, so the server's main
 * thread never copies or parses a whole document after opening it: per edit
 * it only forwards the change (a few bytes) and, when the debounce ends, asks
 * for an analysis of a version.
 *
 * A run is cancelled cooperatively: the main thread writes the run's id into
 * a shared word, and the build checks it per packet and per phase (the worker
 * is busy in one synchronous run, so a message could not reach it). The worker
 * stays up with its texts; the edits that arrived meanwhile are applied next.
 */
import { parentPort, workerData } from 'worker_threads';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { LineDocument } from './lineDocument';
import { parseUserRules } from '../rules/userRules';
import { buildTextModel, type TextModel } from './textModel';

export type WorkerMessage =
  | { kind: 'open'; uri: string; version: number; text: string }
  | { kind: 'edit'; uri: string; version: number; changes: TextDocumentContentChangeEvent[] }
  | { kind: 'close'; uri: string }
  | { kind: 'analyze'; id: number; uri: string; version: number; ja4plus: boolean; rules: { text: string; path: string } | null; keyLogFiles?: string[] };

export type WorkerReply =
  | { id: number; model: TextModel }
  | { id: number; error: string }
  | { id: number; cancelled: true };

/** Slot 0 of the shared cancel word holds the id of the run to abandon. */
export const CANCEL_SLOT = 0;

class Cancelled extends Error {}

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

/**
 * The texts of the open dumps and the analysis of one of them. Runs in the
 * worker, or on the main thread when there is no worker bundle (unbundled
 * sources), where a run cannot be interrupted but is still abandoned.
 */
export class AnalysisService {
  private readonly texts = new Map<string, LineDocument>();

  constructor(private readonly cancel: Int32Array) {}

  /** Applies one message; an `analyze` returns its reply. */
  handle(msg: WorkerMessage): WorkerReply | null {
    switch (msg.kind) {
      case 'open':
        this.texts.set(msg.uri, LineDocument.create(msg.uri, 'capture-text', msg.version, msg.text));
        return null;
      case 'edit': {
        const doc = this.texts.get(msg.uri);
        if (doc) LineDocument.update(doc, msg.changes, msg.version);
        return null;
      }
      case 'close':
        this.texts.delete(msg.uri);
        return null;
      case 'analyze':
        return this.analyze(msg);
    }
  }

  private analyze(job: Extract<WorkerMessage, { kind: 'analyze' }>): WorkerReply {
    const doc = this.texts.get(job.uri);
    // Messages arrive in order, so the text is at the job's version unless the job was overtaken.
    if (!doc || doc.version !== job.version) return { id: job.id, cancelled: true };
    const check = () => {
      if (Atomics.load(this.cancel, CANCEL_SLOT) === job.id) throw new Cancelled();
    };
    try {
      check();
      const userRules = job.rules ? parseUserRules(job.rules.text, job.rules.path).rules : undefined;
      return { id: job.id, model: buildTextModel(job.uri, job.version, doc.getText(), { ja4plus: job.ja4plus, userRules, check, keyLogFiles: job.keyLogFiles }) };
    } catch (e) {
      if (e instanceof Cancelled) return { id: job.id, cancelled: true };
      return { id: job.id, error: e instanceof Error ? e.message : String(e) };
    }
  }
}

if (parentPort) {
  const port = parentPort;
  const service = new AnalysisService(new Int32Array((workerData as { cancel: SharedArrayBuffer }).cancel));
  port.on('message', (msg: WorkerMessage) => {
    const reply = service.handle(msg);
    if (reply) port.postMessage(reply, 'model' in reply ? transferables(reply.model) : []);
  });
}

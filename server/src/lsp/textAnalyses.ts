/**
 * Keeps one analysis per open text dump current while the user types, without
 * ever parsing on the server's main thread. The analysis worker holds its own
 * copy of each dump's text: it gets the whole text once when the dump opens
 * and then only the editor's incremental changes, which it applies itself.
 * Per edit the main thread forwards the change, flags the document's running
 * analysis (if any) as cancelled, and restarts the debounce; when the edits
 * pause it asks the worker for an analysis of the current version.
 *
 * Requests that need positions of the current text (tokens, symbols) wait for
 * its analysis; hovers do not: they are answered from the last complete
 * analysis with positions carried through the edits since (`snapshot`).
 */
import { existsSync } from 'fs';
import { join } from 'path';
import { Worker } from 'worker_threads';
import type { CancellationToken } from 'vscode-languageserver';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { AnalysisService, CANCEL_SLOT, type WorkerMessage, type WorkerReply } from './analysisWorker';
import { EditLog } from './editLog';
import type { TextModel } from './textModel';

export const DEBOUNCE_MS = 250;

export interface AnalysisOptions {
  ja4plus: boolean;
  rules: { text: string; path: string } | null;
  /** Key log files (absolute paths) for decryption, from the keyLogFiles setting. */
  keyLogFiles?: string[];
}

interface DocState {
  version: number;
  /** When the edit that made this version arrived (for the edit → results time). */
  changedAt: number;
  timer: NodeJS.Timeout | null;
  /** The last complete analysis (of `model.version`, maybe older than `version`). */
  model: TextModel | null;
  /** Changes since `model.version` (or since opening, before the first model). */
  edits: EditLog;
  error: string | null;
  /** Id of the run in flight for this document, or null. */
  running: number | null;
  waiters: Array<() => void>;
}

export interface AnalysisEvents {
  analyzed(model: TextModel | null, uri: string, version: number, milliseconds: number, error: string | null): void;
}

/** The last complete analysis of a document and how to carry positions from the current text to it. */
export interface AnalysisSnapshot {
  model: TextModel;
  /** The text has changed since the model was made. */
  stale: boolean;
  edits: EditLog;
}

export class TextAnalyses {
  private readonly docs = new Map<string, DocState>();
  private worker: Worker | null = null;
  /** Same-thread fallback when there is no worker bundle. */
  private local: AnalysisService | null = null;
  private readonly cancelWord = new Int32Array(new SharedArrayBuffer(4));
  private busy: { id: number; uri: string; version: number } | null = null;
  private readonly queue: string[] = [];
  private nextId = 1;
  private workerStarts = 0;
  private readonly workerFile: string | null;

  /**
   * `textOf` gives a document's current full text: sent when the dump opens
   * and again if the worker has to be restarted.
   */
  constructor(
    private readonly events: AnalysisEvents,
    private readonly options: () => Promise<AnalysisOptions>,
    private readonly textOf: (uri: string) => string | null,
    workerDir = __dirname,
  ) {
    const file = join(workerDir, 'analysisWorker.js');
    this.workerFile = existsSync(file) ? file : null;
  }

  open(uri: string, version: number, text: string): void {
    if (this.docs.has(uri)) this.close(uri);
    this.docs.set(uri, { version, changedAt: performance.now(), timer: null, model: null, edits: new EditLog(), error: null, running: null, waiters: [] });
    this.post({ kind: 'open', uri, version, text });
    this.schedule(uri, 0);
  }

  /** The editor's changes that made `version` (incremental, or a whole new text). */
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void {
    const s = this.docs.get(uri);
    if (!s) return;
    s.version = version;
    s.changedAt = performance.now();
    s.error = null;
    s.edits.add(version, changes);
    this.post({ kind: 'edit', uri, version, changes });
    this.schedule(uri, DEBOUNCE_MS);
  }

  close(uri: string): void {
    const s = this.docs.get(uri);
    if (!s) return;
    if (s.timer) clearTimeout(s.timer);
    this.docs.delete(uri);
    this.dequeue(uri);
    this.post({ kind: 'close', uri });
    for (const w of s.waiters) w();
  }

  /** Re-run every open document (settings changed). */
  refreshAll(): void {
    for (const uri of this.docs.keys()) this.schedule(uri, 0);
  }

  has(uri: string): boolean {
    return this.docs.has(uri);
  }

  /** The model of the document's current version, once ready (null if closed, failed or cancelled). */
  async current(uri: string, token?: CancellationToken): Promise<TextModel | null> {
    for (;;) {
      const s = this.docs.get(uri);
      if (!s) return null;
      if (s.model && s.model.version === s.version) return s.model;
      if (s.error !== null && s.timer === null && s.running === null) return null;
      if (token?.isCancellationRequested) return null;
      await new Promise<void>((resolve) => {
        s.waiters.push(resolve);
        token?.onCancellationRequested(() => resolve());
      });
    }
  }

  /** The last complete analysis, at once, stale or not (null before the first one). */
  snapshot(uri: string): AnalysisSnapshot | null {
    const s = this.docs.get(uri);
    if (!s?.model) return null;
    return { model: s.model, stale: s.model.version !== s.version, edits: s.edits };
  }

  /** Whether an analysis of the document is pending or running. */
  analysing(uri: string): boolean {
    const s = this.docs.get(uri);
    return !!s && (s.timer !== null || s.running !== null || this.queue.includes(uri));
  }

  dispose(): void {
    for (const uri of [...this.docs.keys()]) this.close(uri);
    void this.worker?.terminate();
    this.worker = null;
  }

  private schedule(uri: string, delay: number): void {
    const s = this.docs.get(uri);
    if (!s) return;
    if (s.timer) clearTimeout(s.timer);
    // The run in flight (if any) analyses text that is gone: it stops at its next check.
    this.dequeue(uri);
    s.timer = setTimeout(() => {
      s.timer = null;
      if (!this.queue.includes(uri)) this.queue.push(uri);
      this.pump();
    }, delay);
  }

  private dequeue(uri: string): void {
    const i = this.queue.indexOf(uri);
    if (i >= 0) this.queue.splice(i, 1);
    if (this.busy?.uri === uri) Atomics.store(this.cancelWord, CANCEL_SLOT, this.busy.id);
  }

  private pump(): void {
    if (this.busy || this.queue.length === 0) return;
    const uri = this.queue.shift() as string;
    const s = this.docs.get(uri);
    if (!s) return this.pump();
    const id = this.nextId++;
    const version = s.version;
    this.busy = { id, uri, version };
    s.running = id;
    void this.options().then((opts) => {
      if (this.busy?.id !== id) return;
      // Overtaken while the options were read: the job is cancelled before it starts.
      if (this.docs.get(uri)?.version !== version) Atomics.store(this.cancelWord, CANCEL_SLOT, id);
      this.post({ kind: 'analyze', id, uri, version, ja4plus: opts.ja4plus, rules: opts.rules, keyLogFiles: opts.keyLogFiles });
    });
  }

  private post(msg: WorkerMessage): void {
    if (this.workerFile) {
      const resynced = !this.worker && this.workerStarts > 0;
      const w = this.ensureWorker();
      // A restarted worker was just given every document's current text, this change included.
      if (!(resynced && (msg.kind === 'edit' || msg.kind === 'open'))) w.postMessage(msg);
      return;
    }
    // No worker bundle (running from unbundled sources): the same service here, after letting pending messages through.
    this.local ??= new AnalysisService(this.cancelWord);
    const local = this.local;
    if (msg.kind !== 'analyze') {
      local.handle(msg);
      return;
    }
    setImmediate(() => {
      const reply = local.handle(msg);
      if (reply) this.finished(reply);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerFile as string, { workerData: { cancel: this.cancelWord.buffer } });
    w.on('message', (reply: WorkerReply) => {
      if (w === this.worker) this.finished(reply);
    });
    w.on('error', (err) => {
      if (w !== this.worker) return;
      this.worker = null;
      const busy = this.busy;
      if (busy) this.finished({ id: busy.id, error: `analysis worker failed: ${err.message}` });
    });
    w.on('exit', (code) => {
      if (w !== this.worker) return;
      this.worker = null;
      const busy = this.busy;
      if (busy) this.finished({ id: busy.id, error: `analysis worker exited (code ${code})` });
    });
    const restarted = this.workerStarts++ > 0;
    this.worker = w;
    // A new worker after a failure knows no texts: give it the current ones.
    if (restarted) {
      for (const [uri, s] of this.docs) {
        const text = this.textOf(uri);
        if (text !== null) w.postMessage({ kind: 'open', uri, version: s.version, text } satisfies WorkerMessage);
      }
    }
    return w;
  }

  private finished(reply: WorkerReply): void {
    const busy = this.busy;
    if (!busy || busy.id !== reply.id) return;
    this.busy = null;
    const s = this.docs.get(busy.uri);
    if (s && s.running === reply.id) {
      s.running = null;
      const ms = Math.round(performance.now() - s.changedAt);
      if ('model' in reply) {
        // Even when edits came since, this is the newest complete analysis: hovers use it until the next.
        s.model = reply.model;
        s.edits.rebase(reply.model.version);
        s.error = null;
        this.events.analyzed(reply.model, busy.uri, reply.model.version, ms, null);
      } else if ('error' in reply) {
        s.error = reply.error;
        this.events.analyzed(null, busy.uri, busy.version, ms, reply.error);
      }
      const waiters = s.waiters.splice(0);
      for (const w of waiters) w();
    }
    this.pump();
  }
}

/**
 * Keeps one analysis per open text dump current while the user types:
 * edits are debounced, a run for an older version is cancelled as soon as the
 * document changes (the worker running it is terminated), and requests for a
 * document wait for the run of its current version instead of answering from
 * positions that no longer match the text.
 */
import { existsSync } from 'fs';
import { join } from 'path';
import { Worker } from 'worker_threads';
import type { CancellationToken } from 'vscode-languageserver';
import { runJob, type WorkerJob, type WorkerReply } from './analysisWorker';
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
  text: string;
  /** When the edit that made this version arrived (for the edit → results time). */
  changedAt: number;
  timer: NodeJS.Timeout | null;
  model: TextModel | null;
  error: string | null;
  running: number | null;
  waiters: Array<() => void>;
}

export interface AnalysisEvents {
  analyzed(model: TextModel | null, uri: string, version: number, milliseconds: number, error: string | null): void;
}

export class TextAnalyses {
  private readonly docs = new Map<string, DocState>();
  private worker: Worker | null = null;
  private busy: { id: number; uri: string; version: number } | null = null;
  private readonly queue: string[] = [];
  private nextId = 1;
  private readonly workerFile: string | null;

  constructor(private readonly events: AnalysisEvents, private readonly options: () => Promise<AnalysisOptions>, workerDir = __dirname) {
    const file = join(workerDir, 'analysisWorker.js');
    this.workerFile = existsSync(file) ? file : null;
  }

  open(uri: string, version: number, text: string): void {
    this.update(uri, version, text, 0);
  }

  change(uri: string, version: number, text: string): void {
    this.update(uri, version, text, DEBOUNCE_MS);
  }

  close(uri: string): void {
    const s = this.docs.get(uri);
    if (!s) return;
    if (s.timer) clearTimeout(s.timer);
    this.docs.delete(uri);
    this.cancelRunning(uri);
    for (const w of s.waiters) w();
  }

  /** Re-run every open document (settings changed). */
  refreshAll(): void {
    for (const [uri, s] of this.docs) this.update(uri, s.version, s.text, 0);
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

  /** The newest model, even if the text has changed since (for requests that tolerate staleness). */
  latest(uri: string): TextModel | null {
    return this.docs.get(uri)?.model ?? null;
  }

  dispose(): void {
    for (const uri of [...this.docs.keys()]) this.close(uri);
    void this.worker?.terminate();
    this.worker = null;
  }

  private update(uri: string, version: number, text: string, delay: number): void {
    let s = this.docs.get(uri);
    if (!s) {
      s = { version, text, changedAt: performance.now(), timer: null, model: null, error: null, running: null, waiters: [] };
      this.docs.set(uri, s);
    } else {
      s.version = version;
      s.text = text;
      s.changedAt = performance.now();
      s.error = null;
    }
    if (s.timer) clearTimeout(s.timer);
    // The run in flight (if any) analyses text that is gone: stop it now rather than after it finishes.
    this.cancelRunning(uri);
    const state = s;
    state.timer = setTimeout(() => {
      state.timer = null;
      this.enqueue(uri);
    }, delay);
  }

  private cancelRunning(uri: string): void {
    const i = this.queue.indexOf(uri);
    if (i >= 0) this.queue.splice(i, 1);
    if (this.busy?.uri === uri) {
      const s = this.docs.get(uri);
      if (s) s.running = null;
      this.busy = null;
      void this.worker?.terminate();
      this.worker = null;
      setImmediate(() => this.pump());
    }
  }

  private enqueue(uri: string): void {
    if (!this.queue.includes(uri)) this.queue.push(uri);
    this.pump();
  }

  private pump(): void {
    if (this.busy || this.queue.length === 0) return;
    const uri = this.queue.shift() as string;
    const s = this.docs.get(uri);
    if (!s) return this.pump();
    const id = this.nextId++;
    this.busy = { id, uri, version: s.version };
    s.running = id;
    void this.options().then((opts) => {
      if (this.busy?.id !== id) return;
      const job: WorkerJob = { id, uri, version: s.version, text: s.text, ja4plus: opts.ja4plus, rules: opts.rules, keyLogFiles: opts.keyLogFiles };
      if (this.workerFile) {
        this.ensureWorker().postMessage(job);
      } else {
        // No worker bundle (running from unbundled sources): analyse here, after letting pending messages through.
        setImmediate(() => {
          if (this.busy?.id === id) this.finished(runJob(job));
        });
      }
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerFile as string);
    w.on('message', (reply: WorkerReply) => {
      if (w === this.worker) this.finished(reply);
    });
    w.on('error', (err) => {
      if (w !== this.worker) return;
      this.worker = null;
      if (this.busy) this.finished({ id: this.busy.id, error: `analysis worker failed: ${err.message}` });
    });
    w.on('exit', () => {
      if (w === this.worker) this.worker = null;
    });
    this.worker = w;
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
        if (reply.model.version === s.version) {
          s.model = reply.model;
          s.error = null;
        }
        this.events.analyzed(reply.model, busy.uri, reply.model.version, ms, null);
      } else {
        s.error = reply.error;
        this.events.analyzed(null, busy.uri, busy.version, ms, reply.error);
      }
      const waiters = s.waiters.splice(0);
      for (const w of waiters) w();
    }
    this.pump();
  }
}

/**
 * The Handshake Inspector language server. Runs in its own process (started by
 * the VS Code extension over IPC, or by any editor with `--stdio`), does all
 * parsing and analysis, and answers:
 *  - for text dumps (language `capture-text`): diagnostics, hovers, semantic
 *    tokens, document symbols, folding ranges and code lenses, re-analysed on
 *    edit (debounced, stale runs cancelled, heavy work in a worker thread);
 *  - for the `handshake-dissection:` virtual documents: hovers and symbols;
 *  - the custom requests of shared/protocol.ts (analyse, compare, export,
 *    dissection, notes, bytes) for any capture, binary ones read by path as
 *    a stream. Comparing, reports, notes and bytes are the application
 *    service's (app/inspector.ts), the same the CLI uses; this adds the
 *    editor's side: URIs, open documents, a cache of analyses, progress.
 */
import { readFile, stat, writeFile } from 'fs/promises';
import { fileURLToPath, pathToFileURL } from 'url';
import { isAbsolute, join } from 'path';
import {
  CancellationTokenSource, createConnection, DiagnosticSeverity, ErrorCodes, ProposedFeatures, ResponseError, TextDocuments, TextDocumentSyncKind,
  type CancellationToken, type Connection, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { MarkupKind, type Hover } from 'vscode-languageserver-types';
import type { AnalysisReport, ConnectionReport, PacketReport, SourceLocation } from '../../../shared/analysis';
import type { CompareReport, Suspect } from '../../../shared/compare';
import {
  AnalyzeFileRequest, AnnotateRequest, CAPTURE_TEXT_LANGUAGE, CaptureRowsRequest, CompareRequest, ConnectionDetailRequest, ConnectionFoundNotification, ConnectionRowsNotification, ConnectionTimelineRequest, defaultSettings, DISSECTION_LANGUAGE, DISSECTION_SCHEME,
  DissectionRequest, DocumentAnalyzedNotification, ExportReportRequest, isReportFormat, MAX_READ_BYTES, NotesRequest, REPORT_FORMATS, ReadBytesRequest, WorkDoneProgressType,
  type CaptureSource, type CompareParams, type ServerSettings,
} from '../../../shared/protocol';
import { analyzeData, analyzeFile, isTlsView, type AnalyzeOptions } from '../analysis/analyzeCapture';
import { tlsView } from './tlsView';
import type { CaptureRef } from '../app/captureRef';
import { Inspector, messageBytes } from '../app/inspector';
import { readSourceBytes } from '../capture/sourceBytes';
import { compareReports } from '../compare/compareCaptures';
import { parseUserRules, USER_RULES_FILE, type UserRule } from '../rules/userRules';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { SIDECAR_SUFFIXES } from '../decrypt/keyLogFiles';
import { renderDissection, type Dissection } from './dissection';
import { documentHover } from './documentHover';
import { LineDocument } from './lineDocument';
import { renderFieldHover, suspectNote } from './hover';
import { paramsError } from './requestParams';
import { TextAnalyses, type AnalysisOptions } from './textAnalyses';
import { TOKEN_LEGEND } from './tokenTypes';
import { reportWithoutTimelines, StreamedConnections, withoutTimeline } from './timelines';
import { connectionRow, type ConnectionRow } from '../../../shared/connectionRow';

class ServerState {
  /**
   * Open documents. The editor's changes to a text dump are also handed to its
   * analysis as they are (the worker applies them to its own copy of the text).
   */
  readonly documents = new TextDocuments<LineDocument>({
    create: LineDocument.create,
    update: (doc, changes, version) => {
      const next = LineDocument.update(doc, changes, version);
      if (this.isCaptureText(next)) this.texts.change(next.uri, version, changes);
      return next;
    },
  });
  readonly texts: TextAnalyses;
  private settings: ServerSettings = defaultSettings;
  private workspaceRoots: string[] = [];
  private configurable = false;
  private readonly reports = new Map<string, { key: string; report: Promise<AnalysisReport>; settled?: boolean }>();
  /**
   * The capture editor's list decodes, by URI, until the full analysis of the
   * same file is in. They keep no packet timelines: holding those for every
   * connection made the full decode ~3x the CLI's time (allocation and
   * garbage collection), and the list needs none of them. The full analysis
   * (timelines, verdicts) is made after, when first asked for.
   */
  private readonly lists = new Map<string, { key: string; report: Promise<AnalysisReport> }>();
  /** The full analyses in flight: a connection's timeline is answered as soon as its decode has found it, not at the end. */
  private readonly fullLive = new StreamedConnections();
  private readonly dissections = new Map<string, Dissection>();
  readonly inspector = new Inspector((ref, opts) => this.analyse(ref, opts));

  constructor(readonly connection: Connection) {
    this.texts = new TextAnalyses({
      analyzed: (model, uri, version, milliseconds, error) => {
        if (model && this.documents.get(uri)?.version === model.version) {
          void connection.sendDiagnostics({ uri, version, diagnostics: model.diagnostics });
          void connection.languages.semanticTokens.refresh().catch(() => undefined);
          void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
        } else if (error) {
          void connection.sendDiagnostics({ uri, diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message: `Analysis failed: ${error}`, severity: 1, source: TOOL_NAME }] });
        }
        void connection.sendNotification(DocumentAnalyzedNotification.type, {
          uri, version, milliseconds, connections: model?.report.connections.length ?? 0, packets: model?.report.input.packets ?? 0, ...(error ? { error } : {}),
        });
      },
    }, () => this.analysisOptions(), (uri) => this.documents.get(uri)?.getText() ?? null);
  }

  initialize(params: InitializeParams): InitializeResult {
    this.configurable = !!params.capabilities.workspace?.configuration;
    this.workspaceRoots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    const init = params.initializationOptions as Partial<ServerSettings> | undefined;
    if (init) this.settings = { ...defaultSettings, ...init };
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        documentSymbolProvider: { label: 'Handshakes' },
        foldingRangeProvider: true,
        codeLensProvider: { resolveProvider: false },
        semanticTokensProvider: { legend: TOKEN_LEGEND, full: true, range: false },
      },
      serverInfo: { name: TOOL_NAME, version: TOOL_VERSION },
    };
  }

  async reloadSettings(): Promise<void> {
    if (this.configurable) {
      const s = (await this.connection.workspace.getConfiguration('handshakeInspector').catch(() => null)) as Partial<ServerSettings> | null;
      if (s) this.settings = { ...defaultSettings, ...s };
    }
  }

  private async rulesText(): Promise<{ text: string; path: string } | null> {
    const candidates: string[] = [];
    if (this.settings.rulesFile) {
      const f = this.settings.rulesFile;
      if (isAbsolute(f)) candidates.push(f);
      else for (const r of this.workspaceRoots) candidates.push(join(r, f));
    } else {
      for (const r of this.workspaceRoots) candidates.push(join(r, USER_RULES_FILE));
    }
    for (const path of candidates) {
      try {
        return { text: await readFile(path, 'utf8'), path };
      } catch {
        // Not there: the next candidate, or no user rules.
      }
    }
    return null;
  }

  private async analysisOptions(): Promise<AnalysisOptions> {
    return { ja4plus: this.settings.ja4plus, rules: await this.rulesText(), keyLogFiles: this.keyLogFiles() };
  }

  /** The keyLogFiles setting as absolute paths (relative ones against the first workspace folder); settings arrive as anything. */
  private keyLogFiles(): string[] {
    const v = this.settings.keyLogFiles as unknown;
    if (!Array.isArray(v)) return [];
    const root = this.workspaceRoots[0];
    return v.filter((f): f is string => typeof f === 'string' && f !== '').map((f) => (isAbsolute(f) || root === undefined ? f : join(root, f)));
  }

  /** What the keys of an analysis depend on (key log files and a sidecar, by modification time): part of the cache key. */
  private async keyStamp(capturePath: string): Promise<string> {
    const files = [...this.keyLogFiles(), ...SIDECAR_SUFFIXES.map((s) => capturePath + s)];
    const stamps = await Promise.all(files.map((f) => stat(f).then((s) => `${s.size}:${s.mtimeMs}`, () => '-')));
    return files.map((f, i) => `${f}=${stamps[i]}`).join('|');
  }

  /** Rules files whose problems are shown, so a fixed file gets its diagnostics cleared. */
  private readonly rulesWithProblems = new Set<string>();

  async userRules(): Promise<UserRule[] | undefined> {
    const r = await this.rulesText();
    if (!r) {
      for (const uri of this.rulesWithProblems) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      this.rulesWithProblems.clear();
      return undefined;
    }
    const parsed = parseUserRules(r.text, r.path);
    // Mistakes in the user's rules file show in the Problems panel at the offending value.
    const uri = pathToFileURL(r.path).toString();
    void this.connection.sendDiagnostics({
      uri,
      diagnostics: parsed.errors.map((e) => ({
        severity: DiagnosticSeverity.Error, source: TOOL_NAME, message: e.message,
        range: { start: { line: e.line, character: e.column }, end: { line: e.endLine, character: e.endColumn } },
      })),
    });
    if (parsed.errors.length > 0) this.rulesWithProblems.add(uri);
    else this.rulesWithProblems.delete(uri);
    return parsed.rules;
  }

  isCaptureText(doc: TextDocument | undefined): boolean {
    return !!doc && doc.languageId === CAPTURE_TEXT_LANGUAGE;
  }

  // ---- captures by URI --------------------------------------------------------------------------

  /** The capture the editor named: a file the server reads, else the bytes the editor sent. */
  refOf(source: CaptureSource): CaptureRef {
    if (source.bytes) return { name: source.uri, key: source.uri, origin: { data: Buffer.from(source.bytes, 'base64') } };
    const path = uriToPath(source.uri);
    if (!path) throw new Error(`cannot read ${source.uri}: not a file URI and no bytes were sent`);
    return { name: path, key: source.uri, origin: { path } };
  }

  /**
   * Analysis of a capture, shared between requests: an open text dump's
   * current model, else a cached run keyed by size and mtime, else a new run.
   * Files are always analysed with every TCP connection (what a comparison
   * needs, as in the CLI) and the TLS-only view is taken from that, so the
   * capture editor's list and its verdicts cost one read of the file.
   */
  async analyse(ref: CaptureRef, opts: AnalyzeOptions): Promise<AnalysisReport> {
    const uri = ref.key ?? ref.name;
    if (this.texts.has(uri)) {
      const model = await this.texts.current(uri, tokenOf(opts.signal));
      if (model) {
        for (const c of model.report.connections) opts.onConnection?.(c);
        return model.report;
      }
    }
    const o = ref.origin;
    if (!('path' in o)) return analyzeData('data' in o ? o.data : new TextEncoder().encode(o.text), ref.name, { ...opts, packets: true });
    const tlsOnly = opts.tlsOnly ?? true;
    const keep = tlsOnly ? isTlsView : () => true;
    const view = async (run: Promise<AnalysisReport>) => {
      const r = await run;
      return tlsOnly ? tlsView(r) : r;
    };
    const key = await this.cacheKey(o.path, opts.ja4plus ?? false);
    const cached = this.reports.get(uri);
    if (cached && cached.key === key) {
      const r = await view(cached.report);
      for (const c of r.connections) opts.onConnection?.(c);
      return r;
    }
    const onConnection = opts.onConnection;
    const live = this.fullLive.begin(uri);
    const run = analyzeFile(o.path, { ...opts, packets: true, tlsOnly: false, onConnection: (c) => {
      live.add(c);
      if (onConnection && keep(c)) onConnection(c);
    } });
    void run.catch(() => undefined).finally(() => this.fullLive.end(uri, live));
    const entry: { key: string; report: Promise<AnalysisReport>; settled?: boolean } = { key, report: run };
    this.reports.set(uri, entry);
    // A cancelled or failed run must not be served to the next request.
    run.then(() => {
      entry.settled = true;
      // The list's decode of the same file is no longer needed: this one has everything it had.
      if (this.lists.get(uri)?.key === key) this.lists.delete(uri);
    }, () => this.reports.delete(uri));
    if (this.reports.size > 8) this.reports.delete(this.reports.keys().next().value as string);
    return view(run);
  }

  /** What an analysis of a file depends on: its size and time, the JA4+ setting and the key files. */
  private async cacheKey(path: string, ja4plus: boolean): Promise<string> {
    const st = await stat(path);
    return `${st.size}/${st.mtimeMs}/${ja4plus}/${await this.keyStamp(path)}`;
  }

  /**
   * The capture editor's list: a capture file decoded without packet
   * timelines (as the CLI's `analyze`), unless its full analysis is cached or
   * running; text dumps and sent bytes get the full analysis (they are small).
   */
  async listReport(source: CaptureSource, opts: { token?: CancellationToken; progress?: Progress; onConnection?: (c: ConnectionReport) => void }): Promise<AnalysisReport> {
    const ref = this.refOf(source);
    const uri = ref.key ?? ref.name;
    const o = ref.origin;
    if (this.texts.has(uri) || !('path' in o)) return this.report(source, opts);
    const key = await this.cacheKey(o.path, this.settings.ja4plus);
    if (this.reports.get(uri)?.key === key) return this.report(source, opts);
    const onConnection = opts.onConnection;
    const run = analyzeFile(o.path, {
      packets: false, tlsOnly: false, ja4plus: this.settings.ja4plus, signal: signalOf(opts.token), onConnection: onConnection && ((c) => { if (isTlsView(c)) onConnection(c); }),
      onProgress: progressOf(opts.progress), maxMemoryMB: this.settings.maxMemoryMegabytes, backpressure: yieldToMessages, keyLogFiles: this.keyLogFiles(),
    }).then(tlsView);
    this.lists.set(uri, { key, report: run });
    run.catch(() => this.lists.delete(uri));
    if (this.lists.size > 8) this.lists.delete(this.lists.keys().next().value as string);
    return run;
  }

  /**
   * One connection in full: from the full analysis when it is in (with its
   * timeline), else from the list's decode (without; the editor then asks
   * again with `timeline`), else from a full analysis made now.
   */
  async connectionDetail(source: CaptureSource, id: number, token: CancellationToken, timeline: boolean): Promise<ConnectionReport | null> {
    const ref = this.refOf(source);
    const uri = ref.key ?? ref.name;
    const list = this.lists.get(uri);
    // The full analysis is made after the list's decode, not beside it; one in flight answers once it has found the connection.
    if (timeline) {
      await list?.report.catch(() => undefined);
      const full = this.report(source, { token });
      const found = await this.fullLive.waitFor(uri, id, full.catch(() => undefined));
      if (found) return found;
      return (await full).connections.find((c) => c.id === id) ?? null;
    }
    const report = !timeline && list && !this.reports.get(uri)?.settled ? await list.report : await this.report(source, { token });
    return report.connections.find((c) => c.id === id) ?? null;
  }

  /** A connection's timeline, from the full analysis (made after any list decode of the file in flight, not beside it). */
  async connectionTimeline(source: CaptureSource, id: number, token: CancellationToken): Promise<PacketReport[] | null> {
    const ref = this.refOf(source);
    await this.lists.get(ref.key ?? ref.name)?.report.catch(() => undefined);
    const report = await this.report(source, { token });
    return report.connections.find((c) => c.id === id)?.packets ?? null;
  }

  /** One capture as the capture editor shows it (TLS connections), with the server's settings. */
  report(source: CaptureSource, opts: { token?: CancellationToken; progress?: Progress; onConnection?: (c: ConnectionReport) => void }): Promise<AnalysisReport> {
    return this.analyse(this.refOf(source), {
      packets: true, ja4plus: this.settings.ja4plus, signal: signalOf(opts.token), onConnection: opts.onConnection,
      onProgress: progressOf(opts.progress), maxMemoryMB: this.settings.maxMemoryMegabytes, backpressure: yieldToMessages,
      keyLogFiles: this.keyLogFiles(),
    });
  }

  async compare(params: CompareParams, token: CancellationToken, progress?: Progress): Promise<{ report: CompareReport; client: CaptureRef; relay: CaptureRef | null }> {
    const client = this.refOf(params.client);
    const relay = params.relay ? this.refOf(params.relay) : null;
    const b = params.baseline;
    const baseline = b === undefined ? undefined : /^\d+$/.test(b) ? Number(b) : { name: b, source: this.refOf({ uri: b }) };
    const onProgress = { client: progressOf(progress?.scaled(0, relay ? 50 : 100)), relay: progressOf(progress?.scaled(50, 100)) };
    const report = await this.inspector.compare(client, relay, {
      baseline, ja4plus: this.settings.ja4plus, userRules: await this.userRules(), signal: signalOf(token), maxMemoryMB: this.settings.maxMemoryMegabytes,
      keyLogFiles: this.keyLogFiles(),
      onProgress: (side, read, total) => onProgress[side]?.(read, total),
    });
    return { report, client, relay };
  }

  async dissection(source: CaptureSource, token: CancellationToken, progress?: Progress): Promise<Dissection> {
    const report = await this.report(source, { token, progress });
    const bytes = messageBytes(this.refOf(source), report);
    const reader = bytes?.reader();
    // Dissection lines show at most 4 KiB of a field's bytes.
    const read = reader ? (locs: SourceLocation[]) => readSourceBytes(reader, locs, 4096) : undefined;
    const single = compareReports(report, null, { userRules: await this.userRules() });
    const suspects = new Map<number, Suspect[]>((single.singleVantage ?? []).map((v) => [v.connection, v.suspects]));
    let d: Dissection;
    try {
      d = renderDissection(report, { read, suspects, rules: single.rules });
    } finally {
      bytes?.close();
    }
    this.dissections.set(d.text, d);
    // A handful of dissections open at once is plenty; drop the oldest.
    if (this.dissections.size > 16) this.dissections.delete(this.dissections.keys().next().value as string);
    return d;
  }

  dissectionOf(doc: TextDocument): Dissection | null {
    return this.dissections.get(doc.getText()) ?? null;
  }

  dissectionHover(doc: TextDocument, line: number): Hover | null {
    const d = this.dissectionOf(doc);
    const info = d?.lines[line];
    if (!info) return null;
    const rows: Array<[string, string]> = [];
    if (info.streamOffset >= 0) rows.push(['stream offset', `${info.streamOffset} (${info.from === 'client' ? 'client → server' : 'server → client'})`]);
    if (info.packet >= 0) rows.push(['packet', `#${info.packet + 1}`]);
    rows.push(['connection', String(info.connection)]);
    const notes = info.suspects.map((s) => suspectNote(d!.rules, s));
    return { contents: { kind: MarkupKind.Markdown, value: renderFieldHover({ path: info.path, value: info.value, raw: info.raw, rows, notes }) } };
  }
}

/**
 * Awaited between a capture's chunks: a chunk read ahead by the reader thread
 * resolves at once, so without a turn of the event loop the connection never
 * reads the editor's $/cancelRequest until the whole file is decoded (Cancel
 * took effect 400-600 ms late on a 120 MB capture, i.e. at its end).
 */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function signalOf(token: CancellationToken | undefined): AbortSignal | undefined {
  if (!token) return undefined;
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

function tokenOf(signal: AbortSignal | undefined): CancellationToken | undefined {
  if (!signal) return undefined;
  const source = new CancellationTokenSource();
  if (signal.aborted) source.cancel();
  else signal.addEventListener('abort', () => source.cancel(), { once: true });
  return source.token;
}

function progressOf(progress: Progress | undefined): ((read: number, total: number) => void) | undefined {
  return progress && ((read, total) => progress.report(total > 0 ? Math.min(100, Math.round((read / total) * 100)) : undefined, `${(read / 1048576).toFixed(1)} MiB read`));
}

export function uriToPath(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

/** Work-done progress on a client-chosen token, in percent; sub-ranges for multi-step requests. */
class Progress {
  private last = -1;
  constructor(private readonly connection: Connection, private readonly token: string | number, private readonly from = 0, private readonly to = 100) {}

  static begin(connection: Connection, token: string | number | undefined, title: string): Progress | undefined {
    if (token === undefined) return undefined;
    void connection.sendProgress(WorkDoneProgressType, token, { kind: 'begin', title, cancellable: true, percentage: 0 });
    return new Progress(connection, token);
  }

  scaled(from: number, to: number): Progress {
    return new Progress(this.connection, this.token, this.from + ((this.to - this.from) * from) / 100, this.from + ((this.to - this.from) * to) / 100);
  }

  report(percentage: number | undefined, message?: string): void {
    const p = percentage === undefined ? undefined : Math.round(this.from + ((this.to - this.from) * percentage) / 100);
    if (p !== undefined && p === this.last) return;
    if (p !== undefined) this.last = p;
    void this.connection.sendProgress(WorkDoneProgressType, this.token, { kind: 'report', percentage: p, message });
  }

  end(message?: string): void {
    void this.connection.sendProgress(WorkDoneProgressType, this.token, { kind: 'end', message });
  }
}

async function withProgress<T>(connection: Connection, token: string | number | undefined, title: string, run: (p: Progress | undefined) => Promise<T>): Promise<T> {
  const p = Progress.begin(connection, token, title);
  try {
    return await run(p);
  } finally {
    p?.end();
  }
}

/** A request handler that first checks its params' shape (requestParams.ts): a mistake is InvalidParams naming the field. */
function checked<P, R>(method: string, handler: (params: P, token: CancellationToken) => R): (params: P, token: CancellationToken) => R | ResponseError<void> {
  return (params, token) => paramsError(method, params) ?? handler(params, token);
}

/** How often a decode in flight sends the rows it found (the editor relays each batch to its webview in one post). */
const ROWS_BATCH_MS = 100;

let running: Connection | null = null;

/**
 * Starts the server on the transport named in process.argv (`--stdio`,
 * `--node-ipc`, `--socket=N`), or on a given connection (tests). Idempotent:
 * the CLI's bundle both auto-starts (below) and calls it.
 */
export function startServer(given?: Connection): Connection {
  if (running && !given) return running;
  const connection = given ?? createConnection(ProposedFeatures.all);
  if (!given) running = connection;
  const state = new ServerState(connection);
  const streamed = new StreamedConnections();
  const { documents, texts } = state;

  connection.onInitialize((params) => state.initialize(params));
  connection.onInitialized(() => {
    void state.reloadSettings().then(() => { void state.userRules(); texts.refreshAll(); });
  });
  connection.onDidChangeConfiguration(() => {
    void state.reloadSettings().then(() => { void state.userRules(); texts.refreshAll(); });
  });
  // The rules file changed on disk: check it again (its problems go to the Problems panel) and re-run open dumps with it.
  connection.onDidChangeWatchedFiles(() => {
    void state.userRules().then(() => texts.refreshAll());
  });
  connection.onShutdown(() => {
    texts.dispose();
    state.inspector.dispose();
  });

  documents.onDidOpen((e) => {
    if (state.isCaptureText(e.document)) texts.open(e.document.uri, e.document.version, e.document.getText());
  });
  documents.onDidClose((e) => {
    if (texts.has(e.document.uri)) {
      texts.close(e.document.uri);
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    }
  });

  const isDissection = (uri: string) => uri.startsWith(`${DISSECTION_SCHEME}:`);

  connection.onHover((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    if (isDissection(doc.uri) || doc.languageId === DISSECTION_LANGUAGE) return state.dissectionHover(doc, params.position.line);
    if (!state.isCaptureText(doc)) return null;
    // Never waits for an analysis: the last complete one, or the packet's own lines.
    return documentHover(texts, doc, params.position);
  });

  connection.languages.semanticTokens.on(async (params, token) => {
    const model = state.isCaptureText(documents.get(params.textDocument.uri)) ? await texts.current(params.textDocument.uri, token) : null;
    return { data: model ? Array.from(model.tokens) : [] };
  });

  connection.onDocumentSymbol(async (params, token) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    if (isDissection(doc.uri) || doc.languageId === DISSECTION_LANGUAGE) return state.dissectionOf(doc)?.symbols ?? [];
    const model = state.isCaptureText(doc) ? await texts.current(doc.uri, token) : null;
    return model?.symbols ?? [];
  });

  connection.onFoldingRanges(async (params, token) => {
    const model = state.isCaptureText(documents.get(params.textDocument.uri)) ? await texts.current(params.textDocument.uri, token) : null;
    return model?.folding ?? [];
  });

  connection.onCodeLens(async (params, token) => {
    const model = state.isCaptureText(documents.get(params.textDocument.uri)) ? await texts.current(params.textDocument.uri, token) : null;
    return model?.lenses ?? [];
  });

  connection.onRequest(AnalyzeFileRequest.type, checked(AnalyzeFileRequest.method, (params, token) => withProgress(connection, params.workDoneToken, 'Decoding handshakes', async (progress) => {
    const timelines = params.packets !== false;
    const live = timelines ? null : streamed.begin(params.uri);
    const onConnection = params.streamId ? (c: AnalysisReport['connections'][number]) => {
      live?.add(c);
      void connection.sendNotification(ConnectionFoundNotification.type, { streamId: params.streamId as string, connection: timelines ? c : withoutTimeline(c) });
    } : undefined;
    try {
      const report = await state.report(params, { token, progress, onConnection });
      return timelines ? report : reportWithoutTimelines(report);
    } finally {
      if (live) streamed.end(params.uri, live);
    }
  })));

  connection.onRequest(CaptureRowsRequest.type, checked(CaptureRowsRequest.method, (params, token) => withProgress(connection, params.workDoneToken, 'Decoding handshakes', async (progress) => {
    const live = streamed.begin(params.uri);
    // Rows go out in batches: the first at once (the first row should not wait), then one notification per ROWS_BATCH_MS.
    let batch: ConnectionRow[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let first = true;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (batch.length) void connection.sendNotification(ConnectionRowsNotification.type, { streamId: params.streamId, rows: batch });
      batch = [];
    };
    const onConnection = (c: ConnectionReport) => {
      live.add(c);
      batch.push(connectionRow(c));
      if (!timer) timer = setTimeout(flush, first ? 0 : ROWS_BATCH_MS);
      first = false;
    };
    try {
      const report = await state.listReport(params, { token, progress, onConnection });
      return { input: report.input, diagnostics: report.diagnostics, rows: report.connections.filter((c) => !live.connections.has(c.id)).map(connectionRow) };
    } finally {
      // Also when cancelled: what was decoded before the stop is listed.
      flush();
      streamed.end(params.uri, live);
    }
  })));

  connection.onRequest(ConnectionDetailRequest.type, checked(ConnectionDetailRequest.method, async (params, token) => {
    const live = params.timeline ? undefined : streamed.connection(params.uri, params.connection);
    if (live) return { connection: live };
    return { connection: await state.connectionDetail(params, params.connection, token, params.timeline ?? false) };
  }));

  connection.onRequest(ConnectionTimelineRequest.type, checked(ConnectionTimelineRequest.method, async (params, token) => {
    const live = streamed.timeline(params.uri, params.connection);
    if (live) return { packets: live };
    return { packets: await state.connectionTimeline(params, params.connection, token) };
  }));

  connection.onRequest(CompareRequest.type, checked(CompareRequest.method, (params, token) => withProgress(connection, params.workDoneToken, 'Comparing captures', async (progress) => {
    const { report } = await state.compare(params, token, progress);
    if (params.connections === false) return { ...report, client: { ...report.client, connections: [] }, relay: report.relay && { ...report.relay, connections: [] } };
    if (params.packets !== false) return report;
    return { ...report, client: reportWithoutTimelines(report.client), relay: report.relay && reportWithoutTimelines(report.relay) };
  })));

  connection.onRequest(ExportReportRequest.type, checked(ExportReportRequest.method, (params, token) => {
    // Checked before any work: a format this server does not write is the caller's mistake, not a JSON report.
    if (!isReportFormat(params.format)) {
      return new ResponseError(ErrorCodes.InvalidParams, `unknown report format ${JSON.stringify(params.format)}: expected ${REPORT_FORMATS.join(', ')}`);
    }
    return withProgress(connection, params.workDoneToken, 'Writing report', async (progress) => {
      const { report, client, relay } = await state.compare(params, token, progress);
      const { text, problems } = await state.inspector.report(report, { client, relay }, params.format);
      const warnings = problems.map((p) => p.message);
      const target = params.target ? uriToPath(params.target) : null;
      if (target) {
        await writeFile(target, text);
        return { target: params.target, bytes: Buffer.byteLength(text), problems: warnings };
      }
      return { text, bytes: Buffer.byteLength(text), problems: warnings };
    });
  }));

  connection.onRequest(DissectionRequest.type, checked(DissectionRequest.method, (params, token) => withProgress(connection, params.workDoneToken, 'Dissecting', async (progress) => {
    const d = await state.dissection(params, token, progress);
    return { text: d.text, languageId: DISSECTION_LANGUAGE };
  })));

  connection.onRequest(AnnotateRequest.type, checked(AnnotateRequest.method, async (params) => {
    if (!uriToPath(params.uri)) throw new Error('annotations are kept next to the capture file: only file: URIs can be annotated');
    const r = await state.inspector.annotate(state.refOf({ uri: params.uri }), { target: params.target, text: params.text, author: params.author });
    return r.ok ? { ok: true, path: r.path, notes: r.notes.length } : { ok: false, path: r.path, notes: 0, errors: r.errors.map((e) => e.message) };
  }));

  connection.onRequest(NotesRequest.type, checked(NotesRequest.method, async (params) => {
    if (!uriToPath(params.uri)) return { notes: [], problems: [], path: null };
    const r = await state.inspector.notes(state.refOf({ uri: params.uri }));
    return { notes: r.notes, problems: r.problems.map((p) => p.message), path: r.sidecar };
  }));

  connection.onRequest(ReadBytesRequest.type, checked(ReadBytesRequest.method, async (params) => {
    // An open text dump is read as the editor has it (maybe unsaved): the text its locations were found in.
    const doc = documents.get(params.uri);
    let ref: CaptureRef;
    let stamp: string | null = null;
    if (doc && state.isCaptureText(doc)) {
      ref = { name: params.uri, key: params.uri, origin: { text: doc.getText() } };
    } else {
      ref = state.refOf(params);
      if ('path' in ref.origin) {
        const st = await stat(ref.origin.path);
        stamp = `${st.size}/${st.mtimeMs}`;
      }
    }
    const r = state.inspector.readBytes(ref, params.ranges, MAX_READ_BYTES, stamp);
    return r && { data: Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength).toString('base64'), positions: r.positions, truncated: r.truncated };
  }));

  documents.listen(connection);
  connection.listen();
  return connection;
}

// Bundled as dist/server.js and run directly (the extension's IPC transport, or `node dist/server.js --stdio`).
if (require.main === module) startServer();

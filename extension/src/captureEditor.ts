/**
 * Read-only custom editor for captures (pcap, pcapng, gzip'd; text dumps via
 * "Open Timeline"): the webview's connection list, timeline, handshake tree
 * and hex pane. The server reads and decodes the file; the editor streams
 * connections into the webview as they are decoded, answers its byte
 * requests and passes notes to the server.
 */
import * as vscode from 'vscode';
import { assertNever } from '../../shared/assertNever';
import { CaptureRowsRequest, CompareRequest, ConnectionDetailRequest, ConnectionRowsNotification, ConnectionTimelineRequest } from '../../shared/protocol';
import type { ConnectionRow } from '../../shared/connectionRow';
import type { FromWebview, ToWebview } from '../../shared/webviewProtocol';
import { compareWith, exportReport, openDissection } from './actions';
import { captureProblems } from '../../shared/captureContents';
import { captureSource, messageOf, requestWithProgress, settings } from './client';
import type { Ctx } from './ctx';
import { addNote, answerBytes, loadNotes, webviewHtml, webviewOptions } from './webviewHost';

export const CAPTURE_EDITOR_VIEW_TYPE = 'handshakeInspector.capture';

class CaptureDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {
    // Nothing held: the server owns the analysis.
  }
}

/** An open editor's webview, and whether it has said it is ready for messages. */
interface View {
  panel: vscode.WebviewPanel;
  ready: boolean;
}

export class CaptureEditorProvider implements vscode.CustomReadonlyEditorProvider<CaptureDocument> {
  private readonly views = new Map<string, Set<View>>();
  /** A connection to show in the next editor of that capture to become ready (Open Timeline on a capture not open yet). */
  private readonly pendingSelect = new Map<string, number>();

  /**
   * A binary capture's decoding problems in the Problems panel (a text dump
   * gets its own from the language server, located by line). Kept while an
   * editor of the capture is open.
   */
  private readonly problems = vscode.languages.createDiagnosticCollection('handshakeInspector.capture');

  constructor(private readonly ctx: Ctx) {
    ctx.push(this.problems);
  }

  private showProblems(uri: vscode.Uri, report: { diagnostics: Parameters<typeof captureProblems>[0]; connections: Parameters<typeof captureProblems>[1] }): void {
    // A binary file has no lines: every problem sits at its start, the message says the connection, packet and offset.
    const start = new vscode.Range(0, 0, 0, 0);
    this.problems.set(uri, captureProblems(report.diagnostics, report.connections).map((p) => {
      const d = new vscode.Diagnostic(start, p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = 'Handshake Inspector';
      d.code = p.code;
      return d;
    }));
  }

  openCustomDocument(uri: vscode.Uri): CaptureDocument {
    return new CaptureDocument(uri);
  }

  /**
   * Highlight a connection in the editors of a capture (code lens "Open
   * Timeline"). An editor whose webview is not ready yet gets it when it
   * says so; the webview itself waits for the connection to be decoded.
   */
  select(uri: vscode.Uri, connection: number): void {
    const ready = [...(this.views.get(uri.toString()) ?? [])].filter((v) => v.ready);
    for (const v of ready) void v.panel.webview.postMessage({ type: 'select', connection } satisfies ToWebview);
    if (ready.length === 0) this.pendingSelect.set(uri.toString(), connection);
  }

  async resolveCustomEditor(document: CaptureDocument, panel: vscode.WebviewPanel, token: vscode.CancellationToken): Promise<void> {
    const key = document.uri.toString();
    const view: View = { panel, ready: false };
    const set = this.views.get(key) ?? new Set();
    set.add(view);
    this.views.set(key, set);
    const extensionUri = this.ctx.extCtx.extensionUri;
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = webviewHtml(extensionUri, panel.webview, document.uri.path.split('/').pop() ?? 'Capture');
    // A hidden webview loses its page; when shown again it reloads and says 'ready'
    // again, so everything sent so far is kept and replayed.
    const sent: ToWebview[] = [];
    // `live`: what the webview gets now when it differs from what a reloaded one gets (the final list, without what was streamed).
    const post = (m: ToWebview, live: ToWebview = m) => {
      if (m.type === 'rows' && m.done) sent.splice(0, sent.length, ...sent.filter((x) => x.type !== 'rows' && x.type !== 'progress'));
      if (m.type !== 'progress' && m.type !== 'select') sent.push(m);
      void panel.webview.postMessage(live);
    };
    const client = this.ctx.client;
    const postNotes = async () => post({ type: 'notes', ...(await loadNotes(this.ctx.extCtx, client, document.uri, 'client')) });
    const cancel = new vscode.CancellationTokenSource();
    let started = false;
    const subs: vscode.Disposable[] = [
      cancel,
      token.onCancellationRequested(() => cancel.cancel()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('handshakeInspector.timeDisplay')) post({ type: 'settings', timeDisplay: settings().timeDisplay });
      }),
    ];
    subs.push(panel.onDidDispose(() => {
      cancel.cancel();
      subs.forEach((s) => s.dispose());
      set.delete(view);
      if (set.size === 0) {
        this.views.delete(key);
        this.problems.delete(document.uri);
      }
    }));
    subs.push(panel.webview.onDidReceiveMessage(async (msg: FromWebview) => {
      switch (msg.type) {
        case 'ready': {
          view.ready = true;
          const first = !started;
          if (first) {
            started = true;
            post({ type: 'init', mode: 'capture', fileName: document.uri.path.split('/').pop() ?? document.uri.toString(), uri: key, timeDisplay: settings().timeDisplay, ja4plus: settings().ja4plus });
            void postNotes();
          } else {
            for (const m of sent) void panel.webview.postMessage(m);
          }
          // Open Timeline's connection: the webview shows it once it is decoded.
          const pending = this.pendingSelect.get(key);
          if (pending !== undefined) {
            this.pendingSelect.delete(key);
            post({ type: 'select', connection: pending });
          }
          if (first) await this.analyze(document.uri, post, cancel.token);
          return;
        }
        case 'cancel':
          cancel.cancel();
          return;
        case 'detail': {
          const { connection } = await client.sendRequest(ConnectionDetailRequest.type, { ...(await captureSource(document.uri)), connection: msg.connection, timeline: msg.timeline }, cancel.token)
            .catch(() => ({ connection: null }));
          void panel.webview.postMessage({ type: 'detail', connection: msg.connection, report: connection } satisfies ToWebview);
          return;
        }
        case 'timeline': {
          const { packets } = await client.sendRequest(ConnectionTimelineRequest.type, { ...(await captureSource(document.uri)), connection: msg.connection }, cancel.token)
            .catch(() => ({ packets: null }));
          void panel.webview.postMessage({ type: 'timeline', connection: msg.connection, packets } satisfies ToWebview);
          return;
        }
        case 'openDissection':
          return openDissection(document.uri);
        case 'select':
          // "Reveal in Text Dissection" on a connection: the dissection, at that connection.
          return openDissection(document.uri, msg.connection);
        case 'compareWith':
          return compareWith(this.ctx, document.uri);
        case 'exportReport':
          return exportReport(this.ctx, document.uri, undefined, msg.format);
        case 'readBytes':
          return answerBytes(client, document.uri, msg.requestId, msg.ranges, post);
        case 'annotate':
          if (await addNote(this.ctx.extCtx, client, document.uri, msg.target, msg.text, post)) await postNotes();
          return;
        case 'baseline':
          // Only the compare view offers a baseline (it diffs a pair's handshake); one capture has no pair to diff.
          void vscode.window.showInformationMessage('A baseline applies to a comparison: use Compare With… and pick it in the compare view.');
          return;
        default:
          return assertNever(msg, 'message from the capture editor webview');
      }
    }));
  }

  private async analyze(uri: vscode.Uri, post: (m: ToWebview, live?: ToWebview) => void, token: vscode.CancellationToken): Promise<void> {
    const limit = vscode.workspace.getConfiguration('handshakeInspector').get<number>('confirmAboveMegabytes', 200);
    try {
      const size = (await vscode.workspace.fs.stat(uri)).size;
      if (limit > 0 && size > limit * 1024 * 1024) {
        const go = await vscode.window.showWarningMessage(
          `${uri.path.split('/').pop()} is ${(size / 1048576).toFixed(0)} MB. Decode every handshake in it?`, { modal: true }, 'Decode');
        if (go !== 'Decode') {
          post({ type: 'error', message: 'Not decoded: the file is larger than handshakeInspector.confirmAboveMegabytes.' });
          return;
        }
      }
    } catch {
      // Stat failed (virtual file system): let the server report what it can read.
    }
    // Only now, after any question above, does the webview show progress and its Cancel.
    post({ type: 'progress', percentage: 0 });
    const client = this.ctx.client;
    const streamId = `${uri.toString()}#${Date.now()}`;
    // The server sends rows only (the full connection is asked for when shown), in batches: each batch is one post.
    const streamed: ConnectionRow[] = [];
    const sub = client.onNotification(ConnectionRowsNotification.type, (p) => {
      if (p.streamId !== streamId) return;
      streamed.push(...p.rows);
      post({ type: 'rows', rows: p.rows, done: false });
    });
    try {
      const source = await captureSource(uri);
      let pct = 0;
      const progress = {
        report: (v: { message?: string; increment?: number }) => {
          pct = Math.min(100, pct + (v.increment ?? 0));
          post({ type: 'progress', percentage: Math.round(pct), message: v.message });
        },
      };
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Decoding handshakes' }, () =>
        requestWithProgress(client, CaptureRowsRequest.type, { ...source, streamId }, progress, token));
      const rows = [...streamed, ...result.rows];
      const last = { type: 'rows', done: true, input: result.input, diagnostics: result.diagnostics } as const;
      // A reloaded webview gets the whole list; the live one only what the stream did not carry.
      post({ ...last, rows }, { ...last, streamed: true, rows: result.rows });
      // A text dump's problems reach the Problems panel from the language server, at their lines.
      if (result.input.format === 'pcap' || result.input.format === 'pcapng') this.showProblems(uri, { diagnostics: result.diagnostics, connections: rows });
      // One-vantage verdicts and suspect fields; the server reuses the analysis it just made.
      const single = await client.sendRequest(CompareRequest.type, { client: source, relay: null, packets: false, connections: false }, token);
      post({ type: 'verdicts', verdicts: (single.singleVantage ?? []).map((v) => ({ connection: v.connection, interference: v.interference, suspects: v.suspects })), rules: single.rules });
    } catch (e) {
      // Cancelled: the connections streamed so far stay, and the webview says the rest was not read.
      post(token.isCancellationRequested ? { type: 'cancelled' } : { type: 'error', message: messageOf(e) });
    } finally {
      sub.dispose();
    }
  }
}

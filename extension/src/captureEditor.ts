/**
 * Read-only custom editor for captures (pcap, pcapng, gzip'd; text dumps via
 * "Open Timeline"): the webview's connection list, timeline, handshake tree
 * and hex pane. The server reads and decodes the file; the editor streams
 * connections into the webview as they are decoded, answers its byte
 * requests and passes notes to the server.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { AnalyzeFileRequest, CompareRequest, ConnectionFoundNotification } from '../../shared/protocol';
import type { FromWebview, ToWebview } from '../../shared/webviewProtocol';
import { captureSource, requestWithProgress, settings } from './client';
import { addNote, answerBytes, loadNotes, webviewHtml, webviewOptions } from './webviewHost';

export const CAPTURE_EDITOR_VIEW_TYPE = 'handshakeInspector.capture';

class CaptureDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {
    // Nothing held: the server owns the analysis.
  }
}

export interface EditorCommands {
  openDissection(uri: vscode.Uri): Promise<void>;
  compareWith(uri: vscode.Uri): Promise<void>;
  exportReport(uri: vscode.Uri, format?: 'html' | 'md' | 'json'): Promise<void>;
}

export class CaptureEditorProvider implements vscode.CustomReadonlyEditorProvider<CaptureDocument> {
  private readonly panels = new Map<string, Set<vscode.WebviewPanel>>();

  constructor(private readonly context: vscode.ExtensionContext, private readonly client: LanguageClient, private readonly commands: EditorCommands) {}

  openCustomDocument(uri: vscode.Uri): CaptureDocument {
    return new CaptureDocument(uri);
  }

  /** Highlight a connection in the open editors of a capture (code lens "Open Timeline"). */
  select(uri: vscode.Uri, connection: number): void {
    for (const p of this.panels.get(uri.toString()) ?? []) void p.webview.postMessage({ type: 'select', connection } satisfies ToWebview);
  }

  async resolveCustomEditor(document: CaptureDocument, panel: vscode.WebviewPanel, token: vscode.CancellationToken): Promise<void> {
    const key = document.uri.toString();
    const set = this.panels.get(key) ?? new Set();
    set.add(panel);
    this.panels.set(key, set);
    panel.webview.options = webviewOptions(this.context.extensionUri);
    panel.webview.html = webviewHtml(this.context.extensionUri, panel.webview, document.uri.path.split('/').pop() ?? 'Capture');
    // A hidden webview loses its page; when shown again it reloads and says 'ready'
    // again, so everything sent so far is kept and replayed.
    const sent: ToWebview[] = [];
    const post = (m: ToWebview) => {
      if (m.type === 'connections' && m.done) sent.splice(0, sent.length, ...sent.filter((x) => x.type !== 'connections' && x.type !== 'progress'));
      if (m.type !== 'progress' && m.type !== 'select') sent.push(m);
      void panel.webview.postMessage(m);
    };
    const postNotes = async () => post({ type: 'notes', ...(await loadNotes(this.client, document.uri, 'client')) });
    const cancel = new vscode.CancellationTokenSource();
    token.onCancellationRequested(() => cancel.cancel());
    let started = false;
    const subs: vscode.Disposable[] = [];
    subs.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('handshakeInspector.timeDisplay')) post({ type: 'settings', timeDisplay: settings().timeDisplay });
    }));
    panel.onDidDispose(() => {
      cancel.cancel();
      cancel.dispose();
      subs.forEach((s) => s.dispose());
      set.delete(panel);
    });
    subs.push(panel.webview.onDidReceiveMessage(async (msg: FromWebview) => {
      switch (msg.type) {
        case 'ready':
          if (started) {
            for (const m of sent) void panel.webview.postMessage(m);
            return;
          }
          started = true;
          post({ type: 'init', mode: 'capture', fileName: document.uri.path.split('/').pop() ?? document.uri.toString(), uri: key, timeDisplay: settings().timeDisplay, ja4plus: settings().ja4plus });
          void postNotes();
          await this.analyze(document.uri, post, cancel.token);
          return;
        case 'cancel':
          cancel.cancel();
          return;
        case 'openDissection':
          return this.commands.openDissection(document.uri);
        case 'compareWith':
          return this.commands.compareWith(document.uri);
        case 'exportReport':
          return this.commands.exportReport(document.uri, msg.format);
        case 'select':
          return this.commands.openDissection(document.uri);
        case 'readBytes':
          return answerBytes(this.client, document.uri, msg.requestId, msg.ranges, post);
        case 'annotate':
          if (await addNote(this.client, document.uri, msg.target, msg.text, post)) await postNotes();
          return;
      }
    }));
  }

  private async analyze(uri: vscode.Uri, post: (m: ToWebview) => void, token: vscode.CancellationToken): Promise<void> {
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
    const streamId = `${uri.toString()}#${Date.now()}`;
    const sub = this.client.onNotification(ConnectionFoundNotification.type, (p) => {
      if (p.streamId === streamId) post({ type: 'connections', connections: [p.connection], done: false });
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
      const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Decoding handshakes' }, () =>
        requestWithProgress(this.client, AnalyzeFileRequest.type, { ...source, streamId, packets: true }, progress, token));
      post({ type: 'connections', connections: report.connections, done: true, input: report.input, diagnostics: report.diagnostics });
      // One-vantage verdicts and suspect fields; the server reuses the analysis it just made.
      const single = await this.client.sendRequest(CompareRequest.type, { client: source, relay: null }, token);
      post({ type: 'verdicts', verdicts: (single.singleVantage ?? []).map((v) => ({ connection: v.connection, interference: v.interference, suspects: v.suspects })) });
    } catch (e) {
      post({ type: 'error', message: token.isCancellationRequested ? 'Cancelled.' : e instanceof Error ? e.message : String(e) });
    } finally {
      sub.dispose();
    }
  }
}

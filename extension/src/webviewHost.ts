/**
 * What the capture editor and the compare panel share: the webview page (CSP
 * with a nonce, only dist/ reachable), capture bytes for the hex panes, and
 * the notes sidecar. Notes are written by the language server
 * (AnnotateRequest); reading the sidecar back is one small file read here.
 */
import * as vscode from 'vscode';
import { gunzipSync } from 'node:zlib';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { SourceLocation } from '../../shared/analysis';
import { AnnotateRequest } from '../../shared/protocol';
import type { BytesPayload, CaptureSide, NoteTarget, ToWebview, WebviewNote } from '../../shared/webviewProtocol';
import { parseAnnotationsText } from '../../server/src/report/annotations';
import { bytesFromBuffer, bytesFromFile, bytesFromText } from './captureBytes';

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  return { enableScripts: true, localResourceRoots: [dist] };
}

export function webviewHtml(extensionUri: vscode.Uri, webview: vscode.Webview, title: string): string {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css'));
  const codicons = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css'));
  const n = nonce();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${n}'`,
  ].join('; ');
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  // The codicon link's id is how @vscode-elements components find the icon font.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${codicons}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${style}">
<title>${esc(title)}</title>
</head>
<body>
<main id="app"></main>
<script nonce="${n}" src="${script}"></script>
</body>
</html>`;
}

/** Reads bytes of one capture for the hex pane; keeps an inflated .gz so each hover doesn't inflate again. */
export class CaptureReader {
  private inflated: Promise<Uint8Array> | null = null;

  constructor(readonly uri: vscode.Uri) {}

  async read(ranges: SourceLocation[]): Promise<BytesPayload | null> {
    if (ranges.length === 0) return null;
    if (ranges[0].kind === 'text') {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.uri.toString());
      const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(this.uri));
      return bytesFromText(text, ranges);
    }
    if (/\.gz$/i.test(this.uri.path)) {
      this.inflated ??= Promise.resolve(vscode.workspace.fs.readFile(this.uri)).then((b) => new Uint8Array(gunzipSync(b)));
      return bytesFromBuffer(await this.inflated, ranges);
    }
    if (this.uri.scheme === 'file') return bytesFromFile(this.uri.fsPath, ranges);
    return bytesFromBuffer(await vscode.workspace.fs.readFile(this.uri), ranges);
  }
}

export async function answerBytes(reader: CaptureReader | undefined, requestId: number, ranges: SourceLocation[], post: (m: ToWebview) => void): Promise<void> {
  try {
    post({ type: 'bytes', requestId, bytes: reader ? await reader.read(ranges) : null });
  } catch (e) {
    post({ type: 'bytes', requestId, bytes: null, error: e instanceof Error ? e.message : String(e) });
  }
}

function sidecarUri(capture: vscode.Uri): vscode.Uri {
  return capture.with({ path: `${capture.path}.annotations.json` });
}

/** The capture's notes, or none when it has no sidecar. Problems are the sidecar's errors, to show, not to throw. */
export async function loadNotes(capture: vscode.Uri, side: CaptureSide): Promise<{ notes: WebviewNote[]; problems: string[] }> {
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(sidecarUri(capture)));
  } catch {
    return { notes: [], problems: [] };
  }
  const parsed = parseAnnotationsText(text, vscode.workspace.asRelativePath(sidecarUri(capture)));
  return {
    notes: parsed.notes.map((n) => ({ id: n.id, side, target: n.target, text: n.text, author: n.author, created: n.created })),
    problems: parsed.errors.map((e) => e.message),
  };
}

/** Adds a note through the language server, then reports the outcome to the webview. */
export async function addNote(client: LanguageClient, capture: vscode.Uri, target: NoteTarget, text: string, post: (m: ToWebview) => void): Promise<boolean> {
  try {
    const r = await client.sendRequest(AnnotateRequest.type, { uri: capture.toString(), target, text });
    const message = r.ok ? `Note saved to ${vscode.workspace.asRelativePath(r.path)}.` : `The note was not saved: ${(r.errors ?? []).join('; ')}`;
    post({ type: 'annotated', ok: r.ok, message });
    if (!r.ok) void vscode.window.showErrorMessage(message);
    return r.ok;
  } catch (e) {
    const message = `The note was not saved: ${e instanceof Error ? e.message : String(e)}`;
    post({ type: 'annotated', ok: false, message });
    void vscode.window.showErrorMessage(message);
    return false;
  }
}

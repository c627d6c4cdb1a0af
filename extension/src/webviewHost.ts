/**
 * What the capture editor and the compare panel share: the webview page (CSP
 * with a nonce, only dist/ reachable), capture bytes for the hex panes, and
 * the notes. The language server is the only reader of captures and
 * sidecars: bytes (handshake/readBytes) and notes (handshake/notes) are asked
 * of it, never parsed or inflated here.
 */
import { isAbsolute, relative } from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { SourceLocation } from '../../shared/analysis';
import { AnnotateRequest, NotesRequest, ReadBytesRequest } from '../../shared/protocol';
import type { BytesPayload, CaptureSide, NoteTarget, ToWebview, WebviewNote } from '../../shared/webviewProtocol';
import { captureSource } from './client';

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

/** Capture bytes for a webview's hex pane, asked of the language server (which reads, inflates and keeps what it needs). */
export async function readCaptureBytes(client: LanguageClient, capture: vscode.Uri, ranges: SourceLocation[]): Promise<BytesPayload | null> {
  if (ranges.length === 0) return null;
  const r = await client.sendRequest(ReadBytesRequest.type, { ...(await captureSource(capture)), ranges });
  // JSON-RPC carries base64; the webview gets the bytes themselves (structured clone, no re-encoding).
  return r && { bytes: new Uint8Array(Buffer.from(r.data, 'base64')), positions: r.positions, truncated: r.truncated };
}

export async function answerBytes(client: LanguageClient, capture: vscode.Uri | undefined, requestId: number, ranges: SourceLocation[], post: (m: ToWebview) => void): Promise<void> {
  try {
    post({ type: 'bytes', requestId, bytes: capture ? await readCaptureBytes(client, capture, ranges) : null });
  } catch (e) {
    post({ type: 'bytes', requestId, bytes: null, error: e instanceof Error ? e.message : String(e) });
  }
}

/** A notes file's path as the user should read it: workspace-relative, or said to be in the extension's storage (the bundled sample's copy). */
export function notesPlace(extCtx: vscode.ExtensionContext, path: string): string {
  const inStorage = relative(extCtx.globalStorageUri.fsPath, path);
  if (inStorage && !inStorage.startsWith('..') && !isAbsolute(inStorage)) return `the extension's storage (${path})`;
  return vscode.workspace.asRelativePath(path);
}

/**
 * The capture's notes (none when it has no sidecar) and where they are kept.
 * Problems are the sidecar's errors, to show, not to throw.
 */
export async function loadNotes(extCtx: vscode.ExtensionContext, client: LanguageClient, capture: vscode.Uri, side: CaptureSide): Promise<{ notes: WebviewNote[]; problems: string[]; savedTo: Partial<Record<CaptureSide, string>> }> {
  try {
    const r = await client.sendRequest(NotesRequest.type, { uri: capture.toString() });
    return { notes: r.notes.map((n) => ({ ...n, side })), problems: r.problems, savedTo: r.path ? { [side]: notesPlace(extCtx, r.path) } : {} };
  } catch (e) {
    return { notes: [], problems: [`The notes could not be read: ${e instanceof Error ? e.message : String(e)}`], savedTo: {} };
  }
}

/** Adds a note through the language server, then reports the outcome to the webview. */
export async function addNote(extCtx: vscode.ExtensionContext, client: LanguageClient, capture: vscode.Uri, target: NoteTarget, text: string, post: (m: ToWebview) => void): Promise<boolean> {
  try {
    const r = await client.sendRequest(AnnotateRequest.type, { uri: capture.toString(), target, text });
    const message = r.ok ? `Note saved to ${notesPlace(extCtx, r.path)}.` : `The note was not saved: ${(r.errors ?? []).join('; ')}`;
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

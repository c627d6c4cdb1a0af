/**
 * Handshake Inspector for VS Code. Deliberately thin: the language server
 * (dist/server.js, its own process) parses and analyses everything; this
 * registers the language, the capture editor, the dissection documents and
 * the commands (commands.ts, one factory each, over the Ctx), and moves URIs
 * and results between VS Code and the server.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DISSECTION_SCHEME } from '../../shared/protocol';
import { CAPTURE_EDITOR_VIEW_TYPE, CaptureEditorProvider } from './captureEditor';
import { createClient } from './client';
import { COMMAND_FACTORIES } from './commands';
import { Ctx } from './ctx';
import { DissectionProvider } from './dissectionProvider';
import { registerStatusItem } from './statusItem';

export { Commands } from './commands';

let client: LanguageClient | undefined;

export interface HandshakeInspectorApi {
  client: LanguageClient;
}

export async function activate(context: vscode.ExtensionContext): Promise<HandshakeInspectorApi> {
  const lc = createClient(context);
  client = lc;
  const ctx = new Ctx(context, lc);
  ctx.editor = new CaptureEditorProvider(ctx);
  ctx.push(
    lc,
    vscode.workspace.registerTextDocumentContentProvider(DISSECTION_SCHEME, new DissectionProvider(lc)),
    vscode.window.registerCustomEditorProvider(CAPTURE_EDITOR_VIEW_TYPE, ctx.editor, { supportsMultipleEditorsPerDocument: true, webviewOptions: { retainContextWhenHidden: false } }),
  );
  for (const [name, factory] of Object.entries(COMMAND_FACTORIES)) ctx.registerCommand(name, factory);
  registerStatusItem(ctx);
  await lc.start();
  return { client: lc };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

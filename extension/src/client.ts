/**
 * The language client: starts dist/server.js in its own process over IPC and
 * wraps the custom requests with VS Code progress and cancellation. Nothing
 * here parses captures; it only moves URIs (or, for non-file URIs, bytes).
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { RequestType } from 'vscode-jsonrpc';
import { CAPTURE_TEXT_LANGUAGE, DISSECTION_SCHEME, WorkDoneProgressType, type CaptureSource, type ServerSettings } from '../../shared/protocol';

export function settings(): ServerSettings {
  const c = vscode.workspace.getConfiguration('handshakeInspector');
  return {
    rulesFile: c.get<string>('rulesFile', ''),
    ja4plus: c.get<boolean>('ja4plus', false),
    timeDisplay: c.get<ServerSettings['timeDisplay']>('timeDisplay', 'relative'),
    maxMemoryMegabytes: c.get<number>('maxMemoryMegabytes', 512),
    keyLogFiles: c.get<string[]>('keyLogFiles', []),
  };
}

/**
 * A 64 MiB nursery from the start, as the CLI's launcher gives itself
 * (bin/handshake-inspector.js): decoding state of the open connections then
 * dies young instead of being copied by every collection.
 */
const SERVER_V8_FLAGS = ['--min-semi-space-size=64', '--max-semi-space-size=64'];

export function createClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: SERVER_V8_FLAGS } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_V8_FLAGS, '--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: CAPTURE_TEXT_LANGUAGE }, { scheme: DISSECTION_SCHEME }],
    initializationOptions: settings(),
    synchronize: {
      configurationSection: 'handshakeInspector',
      // The user's suspect-field rules: edits re-check them and re-run open dumps.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/.handshake-inspector/rules.json'),
    },
    outputChannelName: 'Handshake Inspector',
  };
  // The id matches the settings prefix, so `handshakeInspector.trace.server` traces the protocol.
  return new LanguageClient('handshakeInspector', 'Handshake Inspector', serverOptions, clientOptions);
}

/** What the server needs to read a capture: its URI, plus the bytes when the server can't open it itself. */
export async function captureSource(uri: vscode.Uri): Promise<CaptureSource> {
  if (uri.scheme === 'file') return { uri: uri.toString() };
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const bytes = open ? new TextEncoder().encode(open.getText()) : await vscode.workspace.fs.readFile(uri);
  return { uri: uri.toString(), bytes: Buffer.from(bytes).toString('base64') };
}

let tokens = 0;

/**
 * Sends a request with a work-done token and mirrors the server's percentages
 * into `progress`; `token` cancels the request on the server.
 */
export async function requestWithProgress<P extends object, R>(
  client: LanguageClient, type: RequestType<P, R, void>, params: P,
  progress: vscode.Progress<{ message?: string; increment?: number }> | null, token: vscode.CancellationToken,
): Promise<R> {
  const workDoneToken = `hi-${Date.now()}-${++tokens}`;
  let last = 0;
  const sub = client.onProgress(WorkDoneProgressType, workDoneToken, (v) => {
    if (!progress || v.kind === 'end') return;
    const pct = v.percentage ?? last;
    progress.report({ message: v.message, increment: Math.max(0, pct - last) });
    last = Math.max(last, pct);
  });
  try {
    // The generic spread is not assignable to RequestParam<P> for the type checker; it is P plus the token.
    return await client.sendRequest(type, { ...params, workDoneToken } as P as never, token);
  } finally {
    sub.dispose();
  }
}

/** Runs a request under a cancellable notification progress. */
export function withNotificationProgress<P extends object, R>(client: LanguageClient, title: string, type: RequestType<P, R, void>, params: P): Thenable<R> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => requestWithProgress(client, type, params, progress, token));
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

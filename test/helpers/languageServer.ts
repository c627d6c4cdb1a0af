// The real language server (dist/server.js) as an editor starts it: a child
// process spoken to over stdio. Shared by the LSP test suites.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { DocumentAnalyzedNotification } from '../../shared/protocol';

export const SERVER = resolve(__dirname, '..', '..', '..', 'dist', 'server.js');

/** Starts the server; the caller adds its handlers, then calls conn.listen(). */
export function startLanguageServer(): { proc: ChildProcess; conn: MessageConnection } {
  const proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  // Server → client refresh requests: acknowledge like an editor would.
  conn.onRequest('workspace/semanticTokens/refresh', () => null);
  conn.onRequest('workspace/codeLens/refresh', () => null);
  return { proc, conn };
}

/**
 * A started and initialised server with no workspace, enough for the custom
 * requests. A missing bundle fails the caller's `before` (not a skip).
 */
export async function startInitialisedServer(): Promise<{ proc: ChildProcess; conn: MessageConnection }> {
  assert.ok(existsSync(SERVER), 'dist/server.js is missing: run npm run build');
  const started = startLanguageServer();
  started.conn.listen();
  await started.conn.sendRequest('initialize', { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} });
  await started.conn.sendNotification('initialized', {});
  return started;
}

/**
 * A started server (Markdown hovers, `settings` as initializationOptions) with one Capture Text document open,
 * once its analysis is done. A missing bundle fails the caller's `before` (not a skip).
 */
export async function startWithDocument(uri: string, text: string, settings?: object): Promise<{ proc: ChildProcess; conn: MessageConnection }> {
  assert.ok(existsSync(SERVER), 'dist/server.js is missing: run npm run build');
  const started = startLanguageServer();
  const analyzed = new Set<string>();
  started.conn.onNotification(DocumentAnalyzedNotification.type, (p) => { analyzed.add(p.uri); });
  started.conn.listen();
  await started.conn.sendRequest('initialize', {
    processId: process.pid, rootUri: null, workspaceFolders: null, initializationOptions: settings,
    capabilities: { textDocument: { hover: { contentFormat: ['markdown'] } } },
  });
  await started.conn.sendNotification('initialized', {});
  await started.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'capture-text', version: 1, text } });
  for (let waited = 0; !analyzed.has(uri); waited += 50) {
    if (waited > 20000) throw new Error(`timed out waiting for the analysis of ${uri}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return started;
}

export async function stopLanguageServer(proc: ChildProcess, conn: MessageConnection): Promise<void> {
  try {
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
  } catch {
    // Already gone.
  }
  conn.dispose();
  proc.kill();
}

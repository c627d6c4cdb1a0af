// The real language server (dist/server.js) as an editor starts it: a child
// process spoken to over stdio. Shared by the LSP test suites.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export const SERVER = resolve(__dirname, '..', '..', '..', '..', 'dist', 'server.js');

/** Starts the server; the caller adds its handlers, then calls conn.listen(). */
export function startLanguageServer(): { proc: ChildProcess; conn: MessageConnection } {
  const proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  // Server → client refresh requests: acknowledge like an editor would.
  conn.onRequest('workspace/semanticTokens/refresh', () => null);
  conn.onRequest('workspace/codeLens/refresh', () => null);
  return { proc, conn };
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

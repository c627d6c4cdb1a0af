// The user's rules file in a workspace: its mistakes reach the Problems panel
// at the offending value, and go away when the file is fixed.
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { SERVER, startLanguageServer, stopLanguageServer } from '../helpers/languageServer';
import { skipUnlessCi } from '../helpers/prerequisites';


describe('rules file diagnostics (dist/server.js)', { skip: skipUnlessCi(existsSync(SERVER) ? null : 'dist/server.js is missing: run npm run build') }, () => {
  let proc: ChildProcess;
  let conn: MessageConnection;
  const published: PublishDiagnosticsParams[] = [];
  const workspace = mkdtempSync(join(tmpdir(), 'hi-rules-ws-'));
  const rulesPath = join(workspace, '.handshake-inspector', 'rules.json');
  const rulesUri = pathToFileURL(rulesPath).toString();

  async function next(check: (p: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams> {
    const end = Date.now() + 15000;
    for (;;) {
      const hit = published.find(check);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no matching diagnostics; got ${JSON.stringify(published)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  before(async () => {
    mkdirSync(join(workspace, '.handshake-inspector'));
    writeFileSync(rulesPath, [
      '{ "rules": [',
      '  { "id": "ok", "field": "serverHello.cipherSuite", "match": { "in": ["0x0039"] }, "explanation": "e", "reference": "r", "weight": "medium" },',
      '  { "id": "bad", "field": "serverHello.cipherSuite", "match": { "lessThan": "many" }, "explanation": "e", "reference": "r", "weight": "huge" }',
      '] }',
    ].join('\n'));
    ({ proc, conn } = startLanguageServer());
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => { published.push(p); });
    conn.onRequest('workspace/configuration', () => [{}]);
    conn.listen();
    await conn.sendRequest('initialize', {
      processId: process.pid, rootUri: pathToFileURL(workspace).toString(),
      workspaceFolders: [{ uri: pathToFileURL(workspace).toString(), name: 'ws' }], capabilities: {},
    });
    await conn.sendNotification('initialized', {});
  });

  after(() => stopLanguageServer(proc, conn));

  it('reports each mistake at its line', async () => {
    const p = await next((x) => x.uri === rulesUri && x.diagnostics.length > 0);
    assert.ok(p.diagnostics.every((d) => d.range.start.line === 2), JSON.stringify(p.diagnostics));
    assert.ok(p.diagnostics.some((d) => /weight/i.test(String(d.message))));
  });

  it('clears them once the file is fixed', async () => {
    published.length = 0;
    writeFileSync(rulesPath, '{ "rules": [ { "id": "ok", "field": "serverHello.cipherSuite", "match": { "in": ["0x0039"] }, "explanation": "e", "reference": "r", "weight": "medium" } ] }');
    await conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: rulesUri, type: 2 }] });
    const p = await next((x) => x.uri === rulesUri);
    assert.deepEqual(p.diagnostics, []);
  });
});

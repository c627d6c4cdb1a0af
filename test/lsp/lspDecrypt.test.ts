// The language server with the handshakeInspector.keyLogFiles setting (issue #14):
// a TLS 1.3 text dump and its pcap decrypted, hovers on the ciphertext bytes of a
// decrypted field say what the field is and that it was decrypted, and never
// show a key.
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { Hover, MarkupContent } from 'vscode-languageserver-types';
import { SERVER, startLanguageServer, stopLanguageServer } from '../helpers/languageServer';
import { skipUnlessCi } from '../helpers/prerequisites';
import { AnalyzeFileRequest, DissectionRequest, DocumentAnalyzedNotification, type DocumentAnalyzedParams } from '../../shared/protocol';
import { ROOT } from '../helpers/paths';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { parseKeyLog } from '../../server/src/decrypt/keyLog';

const DIR = join(ROOT, 'test', 'fixtures', 'decrypt');
const DUMP = join(DIR, 'tls13-aes128gcm.XX.txt');
const PCAP = join(DIR, 'tls13-aes128gcm.pcap');
const KEYLOG_RELATIVE = 'test/fixtures/decrypt/tls13-aes128gcm.keylog';

function hoverText(h: Hover | null): string {
  if (!h) return '';
  const c = h.contents as MarkupContent | string;
  return typeof c === 'string' ? c : c.value;
}

describe(
  'language server: decryption with the keyLogFiles setting',
  { skip: skipUnlessCi(existsSync(SERVER) ? null : 'dist/server.js is missing: run npm run build') },
  () => {
    let proc: ChildProcess;
    let conn: MessageConnection;
    const analyzed: DocumentAnalyzedParams[] = [];
    const uri = pathToFileURL(DUMP).toString();
    const secrets = parseKeyLog(readFileSync(join(ROOT, KEYLOG_RELATIVE))).lines.flatMap((l) => {
      const b = Buffer.from(l.secret);
      return [b.toString('hex'), b.toString('hex').toUpperCase(), b.toString('base64').replace(/=+$/, '')];
    });
    const noSecrets = (what: string, text: string) => {
      for (const s of secrets) assert.ok(!text.includes(s), `${what} contains a secret`);
    };

    before(async () => {
      ({ proc, conn } = startLanguageServer());
      conn.onNotification(DocumentAnalyzedNotification.type, (p) => {
        analyzed.push(p);
      });
      conn.listen();
      await conn.sendRequest('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(ROOT).toString(),
        workspaceFolders: [{ uri: pathToFileURL(ROOT).toString(), name: 'main' }],
        capabilities: { textDocument: { hover: { contentFormat: ['markdown'] } } },
        initializationOptions: { keyLogFiles: [KEYLOG_RELATIVE] },
      });
      await conn.sendNotification('initialized', {});
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'capture-text', version: 1, text: readFileSync(DUMP, 'utf8') } });
      const end = Date.now() + 20000;
      while (!analyzed.some((a) => a.uri === uri) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      assert.ok(
        analyzed.some((a) => a.uri === uri && !a.error),
        'the dump was analysed',
      );
    });

    after(() => stopLanguageServer(proc, conn));

    it('hovers a byte of the decrypted certificate: its field, and that it was decrypted with a key log', async () => {
      const engine = await analyzeFile(DUMP, { keyLogFiles: [join(ROOT, KEYLOG_RELATIVE)] });
      const cert = engine.connections[0].certificates[0];
      const loc = cert.range[0];
      assert.equal(loc.kind, 'text');
      if (loc.kind !== 'text') return;
      const hover = (await conn.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position: { line: loc.line, character: loc.column },
      })) as Hover | null;
      const text = hoverText(hover);
      assert.match(text, /Certificate/, text);
      assert.match(text, /\| decrypted \| with a key log/, text);
      noSecrets('the hover', text);
    });

    it('a hover on a cleartext ServerHello field does not say decrypted', async () => {
      const engine = await analyzeFile(DUMP, { keyLogFiles: [join(ROOT, KEYLOG_RELATIVE)] });
      const loc = engine.connections[0].serverHello!.ranges!.cipherSuite[0];
      if (loc.kind !== 'text') throw new Error('text location expected');
      const text = hoverText(
        (await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: loc.line, character: loc.column } })) as Hover | null,
      );
      assert.match(text, /cipher suite/);
      assert.doesNotMatch(text, /decrypted/);
    });

    it('the pcap as the capture editor gets it: decrypted messages marked, no secret in the whole report or the dissection', async () => {
      const report = await conn.sendRequest(AnalyzeFileRequest.type, { uri: pathToFileURL(PCAP).toString(), streamId: 'd1' });
      const c = report.connections[0];
      assert.equal(c.tls.decryption?.keySource, 'keylog');
      assert.ok(c.messages.some((m) => m.name === 'Certificate' && m.decrypted));
      noSecrets('the analyzeFile report', JSON.stringify(report));
      const dissection = await conn.sendRequest(DissectionRequest.type, { uri: pathToFileURL(PCAP).toString() });
      const dtext = JSON.stringify(dissection);
      assert.match(dtext, /EncryptedExtensions \(server → client[^)]*\) \[decrypted\]/);
      noSecrets('the dissection', dtext);
    });
  },
);

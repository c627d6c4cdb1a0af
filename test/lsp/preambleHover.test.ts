// Hovers on the bytes of a preamble (SOCKS, HTTP CONNECT, STARTTLS, PROXY v2)
// in `tcpdump -XX` dumps of the real preamble captures (lab/preambles/dumps.sh),
// asked of the real language server (dist/server.js) over stdio. Positions are
// found by reading the dump's hex independently of the engine.
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { Hover, MarkupContent } from 'vscode-languageserver-types';
import { DocumentAnalyzedNotification, type DocumentAnalyzedParams } from '../../shared/protocol';
import { startInitialisedServer, stopLanguageServer } from '../helpers/languageServer';
import { findDumpBytes, type DumpByte } from '../helpers/dumpPositions';
import { ROOT } from '../helpers/paths';

const DIR = join(ROOT, 'test', 'fixtures', 'preambles');
const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];

describe('hovers on preamble bytes in text dumps (dist/server.js)', () => {
  let proc: ChildProcess;
  let conn: MessageConnection;
  const analyzed: DocumentAnalyzedParams[] = [];

  before(async () => {
    ({ proc, conn } = await startInitialisedServer());
    conn.onNotification(DocumentAnalyzedNotification.type, (p) => {
      analyzed.push(p);
    });
  });
  after(() => stopLanguageServer(proc, conn));

  /** Opens the dump, waits for its analysis, hovers at the byte. */
  async function hoverAt(name: string, at: (text: string) => DumpByte): Promise<string> {
    const file = join(DIR, `${name}.tcpdump-XX.txt`);
    const uri = pathToFileURL(file).toString();
    const text = readFileSync(file, 'utf8');
    if (!analyzed.some((a) => a.uri === uri)) {
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'capture-text', version: 1, text } });
      const end = Date.now() + 20000;
      while (!analyzed.some((a) => a.uri === uri)) {
        if (Date.now() > end) throw new Error(`no analysis of ${name}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const b = at(text);
    const h = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: b.line, character: b.column } }) as Hover | null;
    const c = h?.contents as MarkupContent | undefined;
    // Markdown escapes ("http\-connect") undone, so the expectations read as the hover shows.
    return (c?.value ?? '').replace(/\\(.)/g, '$1');
  }

  it('SOCKS5: the request\'s target host names the SOCKS target and its value; the greeting is named as such', async () => {
    // The request: VER 5, CMD 1, RSV 0, ATYP 3 (name), length 9, "localhost", port 4443.
    const target = await hoverAt('socks5', (t) => findDumpBytes(t, [5, 1, 0, 3, 9, ...ascii('localhost')])[6]);
    assert.match(target, /Preamble › socks5 › SOCKS5 request › SOCKS target/);
    assert.match(target, /`localhost:4443`/);
    assert.match(target, /stream offset/);
    const command = await hoverAt('socks5', (t) => findDumpBytes(t, [5, 1, 0, 3, 9, ...ascii('localhost')])[1]);
    assert.match(command, /SOCKS5 request › command/);
    assert.match(command, /`CONNECT`/);
    const greeting = await hoverAt('socks5', (t) => findDumpBytes(t, [5, 2, 0, 1])[0]);
    assert.match(greeting, /Preamble › socks5 › SOCKS5 greeting\*\*/);
    assert.match(greeting, /methods no authentication, GSSAPI/);
  });

  it('HTTP CONNECT: the authority, the request line and a header line', async () => {
    const authority = await hoverAt('http-connect', (t) => findDumpBytes(t, ascii('CONNECT localhost:4443'))[10]);
    assert.match(authority, /CONNECT request line › CONNECT authority/);
    assert.match(authority, /`localhost:4443`/);
    const method = await hoverAt('http-connect', (t) => findDumpBytes(t, ascii('CONNECT localhost:4443'))[0]);
    assert.match(method, /http-connect › CONNECT request line\*\*/);
    const header = await hoverAt('http-connect', (t) => findDumpBytes(t, ascii('User-Agent: curl'))[3]);
    assert.match(header, /request header line/);
    const status = await hoverAt('http-connect', (t) => findDumpBytes(t, ascii('HTTP/1.0 200'))[0]);
    assert.match(status, /CONNECT status line/);
  });

  it('STARTTLS SMTP: the server greeting is a response line, EHLO and STARTTLS are command lines', async () => {
    const greeting = await hoverAt('starttls-smtp', (t) => findDumpBytes(t, ascii('220 mx.example.test'))[4]);
    assert.match(greeting, /Preamble › starttls-smtp › response line/);
    assert.match(greeting, /`220 mx\.example\.test ESMTP lab`/);
    const ehlo = await hoverAt('starttls-smtp', (t) => findDumpBytes(t, ascii('EHLO '))[1]);
    assert.match(ehlo, /starttls-smtp › command line/);
    // The first "STARTTLS\r\n" is the server's "250-STARTTLS" capability, the second the client's command.
    const capability = await hoverAt('starttls-smtp', (t) => findDumpBytes(t, ascii('STARTTLS\r\n'), 0)[2]);
    assert.match(capability, /starttls-smtp › response line/);
    const starttls = await hoverAt('starttls-smtp', (t) => findDumpBytes(t, ascii('STARTTLS\r\n'), 1)[2]);
    assert.match(starttls, /starttls-smtp › command line/);
    assert.match(starttls, /`STARTTLS`/);
  });

  it('PROXY v2: the source address of the header\'s address block', async () => {
    // Signature, version/command 0x21, family 0x11 (TCP over IPv4), length 12, then source 127.0.0.1.
    const src = await hoverAt('proxy-v2', (t) => findDumpBytes(t, [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c, 127, 0, 0, 1])[17]);
    assert.match(src, /PROXY v2 header › source address/);
    assert.match(src, /`127\.0\.0\.1`/);
  });
});

// The real language server (dist/server.js, as the extension and `lsp --stdio`
// run it) spoken to over stdio: hovers, diagnostics, symbols, semantic tokens
// and the custom requests on the real tor-kz capture pair.
import { strict as assert } from 'node:assert';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { SERVER, startLanguageServer, stopLanguageServer } from '../helpers/languageServer';
import { commandMissing, skipUnlessCi } from '../helpers/prerequisites';
import type { DocumentSymbol, Hover, MarkupContent, SemanticTokens } from 'vscode-languageserver-types';
import {
  AnalyzeFileRequest, CaptureRowsRequest, CompareRequest, ConnectionDetailRequest, ConnectionFoundNotification, ConnectionRowsNotification, ConnectionTimelineRequest, DissectionRequest,
  DocumentAnalyzedNotification, type ConnectionFoundParams, type DocumentAnalyzedParams,
} from '../../shared/protocol';
import { connectionRow, type ConnectionRow } from '../../shared/connectionRow';
import { ROOT } from '../helpers/paths';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';

const TORKZ = join(ROOT, 'test', 'fixtures', 'tor-kz');
const RELAY_DUMP = join(TORKZ, 'relay.tcpdump-X.txt');

/**
 * The relay's ServerHello cipher suite in this capture, as tshark reports it:
 * `tshark -r test/fixtures/tor-kz/relay.pcap -Y tls.handshake.type==2 -T fields -e tls.handshake.ciphersuite` → 0xc030.
 * Re-checked against tshark below when it is installed.
 */
const EXPECTED_CIPHER = 0xc030;
const EXPECTED_CIPHER_NAME = 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384';

interface DumpByte { value: number; line: number; column: number }

/**
 * A deliberately independent reading of `tcpdump -X` text (not the engine's
 * parser): packets as lists of bytes with the line and column each was written at.
 */
function readTcpdumpX(text: string): DumpByte[][] {
  const packets: DumpByte[][] = [];
  let current: DumpByte[] | null = null;
  text.split('\n').forEach((line, lineNo) => {
    const m = /^(\s+0x[0-9a-f]{4}:\s+)((?:[0-9a-f]{2,4} ?)+)/.exec(line);
    if (!m) {
      if (/^\S/.test(line)) {
        current = [];
        packets.push(current);
      }
      return;
    }
    let col = m[1].length;
    for (const group of m[2].split(' ')) {
      for (let i = 0; i + 1 < group.length; i += 2) current?.push({ value: parseInt(group.slice(i, i + 2), 16), line: lineNo, column: col + i });
      col += group.length + 1;
    }
  });
  return packets;
}

/** Position of the ServerHello's cipher suite bytes: after record header (5), handshake header (4), version (2), random (32), session id. */
function findServerHelloCipher(text: string): { first: DumpByte; second: DumpByte } {
  for (const p of readTcpdumpX(text)) {
    // IPv4 (no link header in these dumps) → TCP header length → payload.
    if (p.length < 40) continue;
    const ihl = (p[0].value & 0x0f) * 4;
    const payload = ihl + (p[ihl + 12].value >> 4) * 4;
    const b = (i: number) => p[payload + i]?.value;
    if (b(0) === 0x16 && b(1) === 0x03 && b(5) === 0x02) {
      const sidLen = b(5 + 4 + 2 + 32) as number;
      const at = payload + 5 + 4 + 2 + 32 + 1 + sidLen;
      return { first: p[at], second: p[at + 1] };
    }
  }
  throw new Error('no ServerHello in the dump');
}

function hoverText(h: Hover | null): string {
  if (!h) return '';
  const c = h.contents as MarkupContent | string;
  return typeof c === 'string' ? c : c.value;
}

describe('language server over stdio (dist/server.js)', { skip: skipUnlessCi(existsSync(SERVER) ? null : 'dist/server.js is missing: run npm run build') }, () => {
  let proc: ChildProcess;
  let conn: MessageConnection;
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  const analyzed: DocumentAnalyzedParams[] = [];
  const waiters: Array<() => void> = [];
  const relayUri = pathToFileURL(RELAY_DUMP).toString();
  const relayText = existsSync(RELAY_DUMP) ? readFileSync(RELAY_DUMP, 'utf8') : '';

  async function waitFor<T>(what: string, check: () => T | undefined, ms = 20000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  before(async () => {
    ({ proc, conn } = startLanguageServer());
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      diagnostics.set(p.uri, p);
      waiters.splice(0).forEach((w) => w());
    });
    conn.onNotification(DocumentAnalyzedNotification.type, (p) => {
      analyzed.push(p);
      waiters.splice(0).forEach((w) => w());
    });
    conn.listen();
    const init = await conn.sendRequest('initialize', {
      processId: process.pid, rootUri: pathToFileURL(ROOT).toString(), workspaceFolders: [{ uri: pathToFileURL(ROOT).toString(), name: 'main' }],
      capabilities: { textDocument: { hover: { contentFormat: ['markdown'] }, documentSymbol: { hierarchicalDocumentSymbolSupport: true } } },
    }) as { capabilities: { semanticTokensProvider: { legend: { tokenTypes: string[] } } } };
    assert.ok(init.capabilities.semanticTokensProvider.legend.tokenTypes.includes('enumMember'));
    await conn.sendNotification('initialized', {});
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: relayUri, languageId: 'capture-text', version: 1, text: relayText } });
    await waitFor('the first analysis', () => analyzed.find((a) => a.uri === relayUri && a.version === 1));
  });

  after(() => stopLanguageServer(proc, conn));

  it('agrees with tshark about the relay ServerHello cipher suite', { skip: skipUnlessCi(commandMissing('tshark', ['-v'])) }, () => {
    const out = spawnSync('tshark', ['-r', join(TORKZ, 'relay.pcap'), '-Y', 'tls.handshake.type==2', '-T', 'fields', '-e', 'tls.handshake.ciphersuite'], { encoding: 'utf8' });
    assert.equal(parseInt(out.stdout.trim().split('\n')[0], 16), EXPECTED_CIPHER);
  });

  it('hovers a ServerHello cipher-suite byte with its field path, value, raw bytes, stream offset and packet', async () => {
    const { first, second } = findServerHelloCipher(relayText);
    assert.equal((first.value << 8) | second.value, EXPECTED_CIPHER, 'the test reader found the cipher bytes');
    const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri: relayUri }, position: { line: second.line, character: second.column + 1 } }) as Hover | null;
    const text = hoverText(hover);
    assert.match(text, /TLS › Handshake › ServerHello › cipher suite/);
    assert.ok(text.includes(EXPECTED_CIPHER_NAME), text);
    assert.ok(text.includes('0xc030'), text);
    assert.match(text, /raw bytes \| `c0 30`/);
    assert.match(text, /stream offset \| \d+/);
    assert.match(text, /packet \| #\d+/);
    assert.deepEqual(hover?.range?.start, { line: first.line, character: first.column });
  });

  it('hovers the same byte in the ASCII pane', async () => {
    const { first } = findServerHelloCipher(relayText);
    const line = relayText.split('\n')[first.line];
    // The ASCII pane starts two spaces after the hex; its n-th character is the line's n-th byte.
    const hexCols = readTcpdumpX(`header\n${line}`).flat().map((b) => b.column);
    const nth = hexCols.indexOf(first.column);
    const asciiStart = line.length - hexCols.length;
    const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri: relayUri }, position: { line: first.line, character: asciiStart + nth } }) as Hover | null;
    assert.match(hoverText(hover), /cipher suite/);
  });

  it('names IP and TCP header bytes outside TLS', async () => {
    const firstHex = relayText.split('\n').findIndex((l) => /^\s+0x0000:/.test(l));
    const line = relayText.split('\n')[firstHex];
    // Byte 8 of the IPv4 header is the TTL: column of the 5th group.
    const col = line.indexOf(':') + 3 + 4 * 5;
    const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri: relayUri }, position: { line: firstHex, character: col } }) as Hover | null;
    assert.match(hoverText(hover), /IPv4 › Time to Live/);
  });

  it('reports a garbage line as a diagnostic at that line, after a debounced re-analysis', async () => {
    const lines = relayText.split('\n');
    const at = lines.findIndex((l, i) => i > 10 && /^\s+0x0010:/.test(l));
    const garbage = '\t0x0020:  zz!! this is not hex at all';
    const text = [...lines.slice(0, at + 1), garbage, ...lines.slice(at + 1)].join('\n');
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri: relayUri, version: 2 }, contentChanges: [{ text }] });
    await waitFor('diagnostics of version 2', () => (diagnostics.get(relayUri)?.version === 2 ? true : undefined));
    const d = diagnostics.get(relayUri)?.diagnostics ?? [];
    assert.ok(d.some((x) => x.range.start.line === at + 1), JSON.stringify(d.map((x) => [x.range.start.line, x.message]), null, 1));
    // Back to the original text for the remaining tests.
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri: relayUri, version: 3 }, contentChanges: [{ text: relayText }] });
    await waitFor('analysis of version 3', () => analyzed.find((a) => a.uri === relayUri && a.version === 3));
  });

  it('cancels stale runs: a burst of edits ends in one analysis of the last version', async () => {
    const before = analyzed.length;
    for (let v = 4; v <= 8; v++) {
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri: relayUri, version: v }, contentChanges: [{ text: relayText + '\n'.repeat(v) }] });
    }
    await waitFor('analysis of version 8', () => analyzed.find((a) => a.uri === relayUri && a.version === 8));
    const runs = analyzed.slice(before).filter((a) => a.uri === relayUri);
    assert.deepEqual(runs.map((r) => r.version), [8]);
  });

  it('lists the connection, its packets and the ServerHello as document symbols', async () => {
    const symbols = await conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri: relayUri } }) as DocumentSymbol[];
    assert.equal(symbols.length, 1);
    assert.match(symbols[0].name, /^Connection \d+: 10\.66\.1\.2:\d+ → 10\.66\.2\.2:443$/);
    const messages = (symbols[0].children ?? []).flatMap((p) => p.children ?? []).map((m) => m.name);
    assert.ok(messages.includes('ClientHello'), messages.join());
    assert.ok(messages.includes('ServerHello'), messages.join());
  });

  it('returns decodable semantic tokens that mark the cipher suite as an enum member', async () => {
    const legend = ['comment', 'namespace', 'class', 'parameter', 'keyword', 'type', 'number', 'enumMember', 'enum', 'string', 'function', 'regexp', 'property', 'label'];
    const tokens = await conn.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri: relayUri } }) as SemanticTokens;
    assert.ok(tokens.data.length > 0 && tokens.data.length % 5 === 0);
    let line = 0, char = 0;
    const decoded: Array<{ line: number; start: number; length: number; type: string }> = [];
    for (let i = 0; i < tokens.data.length; i += 5) {
      const [dl, ds, len, type] = tokens.data.slice(i, i + 4);
      line += dl;
      char = dl === 0 ? char + ds : ds;
      assert.ok(len > 0 && type < legend.length);
      decoded.push({ line, start: char, length: len, type: legend[type] });
    }
    const { first } = findServerHelloCipher(relayText);
    const at = decoded.find((t) => t.line === first.line && t.start <= first.column && first.column < t.start + t.length);
    assert.equal(at?.type, 'enumMember');
    assert.ok(decoded.some((t) => t.type === 'comment'), 'header lines are comments');
    assert.ok(decoded.some((t) => t.type === 'keyword'), 'record headers are keywords');
  });

  it('answers handshake/analyzeFile for the binary pcap with streamed connections', async () => {
    const seen: number[] = [];
    const sub = conn.onNotification(ConnectionFoundNotification.type, (p) => {
      if (p.streamId === 't1') seen.push(p.connection.id);
    });
    const report = await conn.sendRequest(AnalyzeFileRequest.type, { uri: pathToFileURL(join(TORKZ, 'relay.pcap')).toString(), streamId: 't1' });
    sub.dispose();
    assert.equal(report.connections.length, 1);
    assert.equal(report.connections[0].serverHello?.cipherSuite, EXPECTED_CIPHER);
    assert.deepEqual(seen, [report.connections[0].id]);
  });

  it('streams and answers connections without timelines when asked, and gives one connection\'s timeline on demand', async () => {
    const uri = pathToFileURL(join(TORKZ, 'relay.pcap')).toString();
    const full = await conn.sendRequest(AnalyzeFileRequest.type, { uri, packets: true });
    const streamed: ConnectionFoundParams[] = [];
    const sub = conn.onNotification(ConnectionFoundNotification.type, (p) => {
      if (p.streamId === 't-slim') streamed.push(p);
    });
    const slim = await conn.sendRequest(AnalyzeFileRequest.type, { uri, streamId: 't-slim', packets: false });
    sub.dispose();
    const id = full.connections[0].id;
    assert.ok((full.connections[0].packets?.length ?? 0) > 0, 'the full report has a timeline');
    assert.equal(streamed.length, 1);
    assert.equal(streamed[0].connection.packets, undefined, 'streamed without its timeline');
    assert.equal(slim.connections[0].packets, undefined, 'answered without its timeline');
    assert.equal(slim.connections[0].serverHello?.cipherSuite, EXPECTED_CIPHER, 'everything else is there');
    const t = await conn.sendRequest(ConnectionTimelineRequest.type, { uri, connection: id });
    assert.deepEqual(t.packets, full.connections[0].packets);
    assert.equal((await conn.sendRequest(ConnectionTimelineRequest.type, { uri, connection: id + 1000 })).packets, null);
    const verdicts = await conn.sendRequest(CompareRequest.type, { client: { uri }, relay: null, packets: false });
    assert.equal(verdicts.client.connections[0].packets, undefined);
    assert.equal(verdicts.singleVantage?.length, 1);
  });

  it('streams a capture\'s rows (the list\'s columns only), and gives a connection in full, then with its timeline, on demand', async () => {
    // A copy: a capture this server has not analysed yet, so the list comes from its own decode (without timelines).
    const dir = mkdtempSync(join(tmpdir(), 'hi-rows-'));
    const file = join(dir, 'multi.pcapng');
    copyFileSync(join(ROOT, 'test', 'fixtures', 'handshakes', 'multi.pcapng'), file);
    const uri = pathToFileURL(file).toString();
    const full = await analyzeFile(file, { packets: true });
    assert.ok(full.connections.length >= 3);
    const rows: ConnectionRow[] = [];
    let batches = 0;
    const sub = conn.onNotification(ConnectionRowsNotification.type, (p) => {
      if (p.streamId !== 't-rows') return;
      batches++;
      rows.push(...p.rows);
    });
    const r = await conn.sendRequest(CaptureRowsRequest.type, { uri, streamId: 't-rows' });
    sub.dispose();
    assert.ok(batches >= 1 && batches <= rows.length, `${batches} batches`);
    assert.deepEqual(r.rows, [], 'every row came in the stream');
    assert.deepEqual(r.input, JSON.parse(JSON.stringify(full.input)));
    assert.deepEqual(rows.map((x) => x.id).sort((a, b) => a - b), full.connections.map((c) => c.id).sort((a, b) => a - b));
    for (const c of full.connections) {
      const row = rows.find((x) => x.id === c.id);
      assert.deepEqual(row, JSON.parse(JSON.stringify(connectionRow(c))));
      // What a row says, read from the full connection independently of connectionRow.
      assert.equal(row?.serverName, c.clientHello?.serverName ?? null);
      assert.equal(row?.versionName, c.tls.versionName);
      assert.equal(JSON.stringify(row).includes('"messages"'), false, 'no messages in a row');
    }
    const last = full.connections[full.connections.length - 1];
    const { packets, ...rest } = last;
    const quick = await conn.sendRequest(ConnectionDetailRequest.type, { uri, connection: last.id });
    assert.deepEqual(quick.connection, JSON.parse(JSON.stringify(rest)), 'from the list\'s decode: the connection in full but its timeline');
    const detail = await conn.sendRequest(ConnectionDetailRequest.type, { uri, connection: last.id, timeline: true });
    assert.deepEqual(detail.connection, JSON.parse(JSON.stringify(last)), 'with timeline: the full analysis\' connection');
    assert.ok((detail.connection?.packets?.length ?? 0) > 0 && packets?.length === detail.connection?.packets?.length);
    assert.equal((await conn.sendRequest(ConnectionDetailRequest.type, { uri, connection: 1_000_000 })).connection, null);
    assert.equal((await conn.sendRequest(ConnectionDetailRequest.type, { uri, connection: 1_000_000, timeline: true })).connection, null);
    const verdicts = await conn.sendRequest(CompareRequest.type, { client: { uri }, relay: null, connections: false });
    assert.deepEqual(verdicts.client.connections, [], 'the verdicts come without the connections the editor already lists');
    assert.equal(verdicts.singleVantage?.length, full.connections.length);
    rmSync(dir, { recursive: true, force: true });
  });

  it('compares the client and relay captures', async () => {
    const r = await conn.sendRequest(CompareRequest.type, { client: { uri: pathToFileURL(join(TORKZ, 'client.pcap')).toString() }, relay: { uri: pathToFileURL(join(TORKZ, 'relay.pcap')).toString() } });
    assert.equal(r.pairs.length, 1);
    assert.equal(r.pairs[0].interference.kind, 'drop');
  });

  it('hovers the TLS bytes of a dump on either side of an IP fragment boundary', async () => {
    const dumpPath = join(ROOT, 'test', 'fixtures', 'tunnels', 'fragments.tcpdump-XX.txt');
    const uri = pathToFileURL(dumpPath).toString();
    const text = readFileSync(dumpPath, 'utf8');
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'capture-text', version: 1, text } });
    await waitFor('the fragments dump analysis', () => analyzed.find((a) => a.uri === uri));
    // The independent reader's view: the second fragment is the 7th packet (tcpdump prints it as ip-proto-6),
    // and its IP payload starts right after its 20-byte IPv4 header.
    const packets = readTcpdumpX(text);
    const second = packets[6];
    assert.equal(second[14 + 9].value, 6, 'IP protocol TCP');
    assert.ok(((second[14 + 6].value << 8) | second[14 + 7].value) & 0x1fff, 'a fragment offset');
    // ServerHelloDone (0e 00 00 00) is the last four bytes of the second fragment.
    const done = second.slice(-4);
    assert.deepEqual(done.map((b) => b.value), [0x0e, 0, 0, 0]);
    const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: done[0].line, character: done[0].column } }) as Hover | null;
    assert.match(hoverText(hover), /ServerHelloDone/);
    assert.match(hoverText(hover), /packet \| #7/);
    // The first payload byte of the second fragment continues the ServerKeyExchange begun in the first.
    const first = second[14 + 20];
    const cont = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: first.line, character: first.column } }) as Hover | null;
    assert.match(hoverText(cont), /ServerKeyExchange/);
  });

  it('renders the text dissection of a pcap, with hovers on its lines', async () => {
    const pcapUri = pathToFileURL(join(TORKZ, 'relay.pcap')).toString();
    const d = await conn.sendRequest(DissectionRequest.type, { uri: pcapUri });
    assert.match(d.text, /ServerHello \(server → client/);
    const lines = d.text.split('\n');
    const line = lines.findIndex((l) => /^\s+cipher suite: /.test(l));
    assert.ok(line > 0, d.text.slice(0, 2000));
    assert.ok(lines[line].includes(EXPECTED_CIPHER_NAME));
    const uri = `handshake-dissection:/relay.pcap.dissection.txt?${encodeURIComponent(pcapUri)}`;
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'handshake-dissection', version: 1, text: d.text } });
    const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character: 12 } }) as Hover | null;
    assert.match(hoverText(hover), /ServerHello › cipher suite/);
    assert.match(hoverText(hover), /raw bytes \| `c0 30`/);
  });

  it('hovers the DTLS bytes of a tcpdump -XX dump: the cookie of the HelloVerifyRequest and a Certificate fragment', async () => {
    const dumpPath = join(ROOT, 'test', 'fixtures', 'dtls', 'openssl-dtls12.XX.txt');
    const uri = pathToFileURL(dumpPath).toString();
    const text = readFileSync(dumpPath, 'utf8');
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'capture-text', version: 1, text } });
    await waitFor('the DTLS dump analysis', () => analyzed.find((a) => a.uri === uri));
    const packets = readTcpdumpX(text);
    // Packet 2 is the HelloVerifyRequest: Ethernet 14, IPv4 20, UDP 8, record header 13, then the message.
    const hvr = packets[1];
    const hvrType = hvr[14 + 20 + 8 + 13];
    assert.equal(hvrType.value, 3, 'HelloVerifyRequest type');
    const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: hvrType.line, character: hvrType.column } }) as Hover | null;
    assert.match(hoverText(hover), /HelloVerifyRequest/);
    assert.match(hoverText(hover), /packet \| #2/);
    // Packet 3, the second ClientHello: handshake header 12, version 2, random 32, session id length 1 (0), cookie length 1.
    const cookieByte = packets[2][14 + 20 + 8 + 13 + 12 + 2 + 32 + 1 + 1];
    const cookie = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: cookieByte.line, character: cookieByte.column } }) as Hover | null;
    assert.match(hoverText(cookie), /ClientHello › cookie/);
    assert.match(hoverText(cookie), /packet \| #3/);
    // Packet 6 carries only a middle fragment of the server's Certificate.
    const mid = packets[5][14 + 20 + 8 + 13 + 12 + 40];
    const frag = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: mid.line, character: mid.column } }) as Hover | null;
    assert.match(hoverText(frag), /Certificate/);
    assert.match(hoverText(frag), /packet \| #6/);
  });
});

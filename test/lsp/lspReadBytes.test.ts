// handshake/readBytes through the real language server (dist/server.js over
// stdio): the bytes the editor's hex panes get, now that the server is their
// only reader. Checked against the capture file itself, read independently.
import { strict as assert } from 'node:assert';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { MessageReport } from '../../shared/analysis';
import { AnalyzeFileRequest, MAX_READ_BYTES, ReadBytesRequest } from '../../shared/protocol';
import { startInitialisedServer, stopLanguageServer } from '../helpers/languageServer';
import { ROOT } from '../helpers/paths';

const TORKZ = join(ROOT, 'test', 'fixtures', 'tor-kz');

describe('handshake/readBytes', () => {
  let proc: ChildProcess;
  let conn: MessageConnection;
  let dir: string;
  const uri = (p: string) => pathToFileURL(p).toString();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hi-readbytes-'));
    ({ proc, conn } = await startInitialisedServer());
  });

  after(async () => {
    if (conn) await stopLanguageServer(proc, conn);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function serverHello(path: string): Promise<MessageReport> {
    const r = await conn.sendRequest(AnalyzeFileRequest.type, { uri: uri(path) });
    const m = r.connections.flatMap((c) => c.messages).find((x) => x.type === 2);
    assert.ok(m, `${path} has a ServerHello`);
    return m;
  }

  async function read(path: string, ranges: MessageReport['range']) {
    const r = await conn.sendRequest(ReadBytesRequest.type, { uri: uri(path), ranges });
    return r && { ...r, bytes: Buffer.from(r.data, 'base64') };
  }

  it('answers with the file\'s bytes at the message\'s offsets', async () => {
    const pcap = join(dir, 'relay.pcap');
    copyFileSync(join(TORKZ, 'relay.pcap'), pcap);
    const m = await serverHello(pcap);
    const r = await read(pcap, m.range);
    const file = readFileSync(pcap);
    const expected = Buffer.concat(m.range.map((x) => (x.kind === 'offset' ? file.subarray(x.offset, x.offset + x.length) : Buffer.alloc(0))));
    assert.deepEqual(r?.bytes, expected);
    assert.equal(r?.bytes[0], 2);
    assert.equal(r?.positions, null);
    assert.equal(r?.truncated, false);
  });

  it('inflates a gzip\'d capture itself (the extension no longer does)', async () => {
    const gz = join(dir, 'relay.pcap.gz');
    writeFileSync(gz, execFileSync('gzip', ['-c', join(TORKZ, 'relay.pcap')]));
    const m = await serverHello(gz);
    const plain = await read(join(TORKZ, 'relay.pcap'), m.range);
    assert.deepEqual((await read(gz, m.range))?.bytes, plain?.bytes);
  });

  it('reads a text dump by line and column, from the open document when there is one', async () => {
    const txt = join(dir, 'relay.tcpdump-X.txt');
    copyFileSync(join(TORKZ, 'relay.tcpdump-X.txt'), txt);
    const m = await serverHello(txt);
    const fromFile = await read(txt, m.range);
    assert.ok(fromFile?.positions && fromFile.positions.length === fromFile.bytes.length);
    assert.deepEqual(fromFile.bytes, (await read(join(TORKZ, 'relay.pcap'), (await serverHello(join(TORKZ, 'relay.pcap'))).range))?.bytes);
    // The editor's unsaved text wins over the file: change the first byte's digits there.
    const [line, column] = fromFile.positions[0];
    const lines = readFileSync(txt, 'utf8').split('\n');
    lines[line] = `${lines[line].slice(0, column)}ff${lines[line].slice(column + 2)}`;
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(txt), languageId: 'capture-text', version: 1, text: lines.join('\n') } });
    const fromDoc = await read(txt, m.range);
    assert.equal(fromDoc?.bytes[0], 0xff);
    assert.deepEqual(fromDoc?.bytes.subarray(1), fromFile.bytes.subarray(1));
  });

  it('reads a file again once it changed, and never more than MAX_READ_BYTES', async () => {
    const pcap = join(dir, 'changing.pcap');
    copyFileSync(join(TORKZ, 'relay.pcap'), pcap);
    const first = await read(pcap, [{ kind: 'offset', offset: 0, length: 4 }]);
    assert.deepEqual(first?.bytes, readFileSync(pcap).subarray(0, 4));
    copyFileSync(join(TORKZ, 'client.pcap'), pcap);
    const big = readFileSync(pcap);
    // A later mtime and another size: the cached descriptor must not be read.
    const second = await read(pcap, [{ kind: 'offset', offset: big.length - 4, length: 4 }]);
    assert.deepEqual(second?.bytes, big.subarray(big.length - 4));
    const capped = await read(pcap, [{ kind: 'offset', offset: 0, length: 1 << 20 }]);
    assert.equal(capped?.bytes.length, Math.min(MAX_READ_BYTES, big.length));
    assert.equal(capped?.truncated, true);
  });
});

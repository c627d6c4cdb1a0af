// handshake/analyzeFile with `bytes` (a URI the server cannot open) holding
// gzip, through the real language server (dist/server.js over stdio): the
// bytes are inflated as a bounded stream by zlib's thread pool, so a bomb is
// stopped by the ratio check with a located warning, and requests sent after
// it are answered while it is still being read (issue #16: it was inflated
// synchronously on the main thread, ~8.5 s frozen and ~2.1 GB).
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { AnalyzeFileRequest } from '../../shared/protocol';
import { pcapGlobalHeader } from '../helpers/captureFixtures';
import { startInitialisedServer, stopLanguageServer } from '../helpers/languageServer';
import { ROOT } from '../helpers/paths';

const TORKZ = join(ROOT, 'test', 'fixtures', 'tor-kz');

describe('handshake/analyzeFile with gzip bytes', () => {
  let proc: ChildProcess;
  let conn: MessageConnection;

  before(async () => {
    ({ proc, conn } = await startInitialisedServer());
  });

  after(async () => {
    if (conn) await stopLanguageServer(proc, conn);
  });

  it('analyses gzip bytes like the file they came from', async () => {
    const pcap = join(TORKZ, 'relay.pcap');
    const fromFile = await conn.sendRequest(AnalyzeFileRequest.type, { uri: pathToFileURL(pcap).toString() });
    const fromBytes = await conn.sendRequest(AnalyzeFileRequest.type, { uri: 'untitled:relay.pcap.gz', bytes: gzipSync(readFileSync(pcap)).toString('base64') });
    assert.equal(fromBytes.input.compressed, true);
    assert.equal(fromBytes.input.packets, fromFile.input.packets);
    assert.deepEqual(fromBytes.connections.map((c) => c.serverHello?.cipherSuite), fromFile.connections.map((c) => c.serverHello?.cipherSuite));
    assert.ok(fromBytes.connections.length > 0);
  });

  it('a bomb (256 KB inflating to 256 MiB): stopped by the ratio check with a located warning; a later request is answered first', async () => {
    const bomb = gzipSync(Buffer.concat([pcapGlobalHeader(262144, 1), Buffer.alloc(256 << 20)]), { level: 9 });
    const order: string[] = [];
    const big = conn.sendRequest(AnalyzeFileRequest.type, { uri: 'untitled:bomb.pcap.gz', bytes: bomb.toString('base64') }).then((r) => {
      order.push('bomb');
      return r;
    });
    const small = conn.sendRequest(AnalyzeFileRequest.type, { uri: pathToFileURL(join(TORKZ, 'client.pcap')).toString() }).then((r) => {
      order.push('small');
      return r;
    });
    const [r, s] = await Promise.all([big, small]);
    // Inflated off the main thread, in steps: the request sent second did not wait for the first.
    assert.deepEqual(order, ['small', 'bomb']);
    assert.ok(s.connections.length > 0);
    const stop = r.diagnostics.find((d) => d.code === 'gzip.limit');
    assert.ok(stop, JSON.stringify(r.diagnostics));
    assert.match(stop.message, /inflates more than 250 times/);
    assert.equal(stop.location?.kind, 'offset');
    assert.ok(r.input.packets > 0 && r.input.packets < (256 << 20) / 16, `${r.input.packets} packets`);
  });
});

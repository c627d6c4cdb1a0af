// Wrong-typed params of every custom request are answered with InvalidParams
// naming the field, by the real server over stdio, which keeps answering.
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { RequestType } from 'vscode-jsonrpc';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import * as protocol from '../../shared/protocol';
import { PARAMS } from '../../server/src/lsp/requestParams';
import { startInitialisedServer, stopLanguageServer } from '../helpers/languageServer';
import { ROOT } from '../helpers/paths';

const INVALID_PARAMS = -32602;
const pcap = pathToFileURL(join(ROOT, 'test', 'fixtures', 'tor-kz', 'relay.pcap')).toString();

/** Each case: a method, params with one mistake, and the field the error must name. */
const CASES: Array<[string, unknown, string]> = [
  ['handshake/analyzeFile', { uri: 42 }, 'uri: expected a string, got 42'],
  ['handshake/analyzeFile', { uri: pcap, packets: 'yes' }, 'packets: expected true or false'],
  ['handshake/analyzeFile', { uri: pcap, bytes: 'not base64!' }, 'bytes: expected base64 text'],
  ['handshake/analyzeFile', [pcap], 'params: expected an object, got an array'],
  ['handshake/compare', { client: { uri: pcap }, relay: { uri: ['x'] } }, 'relay.uri: expected a string, got an array'],
  ['handshake/compare', { relay: null }, 'client: missing'],
  ['handshake/compare', { client: { uri: pcap }, relay: null, baseline: 3 }, 'baseline: expected a string, got 3'],
  ['handshake/compare', { client: { uri: pcap }, relay: null, packets: 0 }, 'packets: expected true or false'],
  ['handshake/connectionTimeline', { uri: pcap, connection: '0' }, 'connection: expected'],
  ['handshake/captureRows', { uri: pcap }, 'streamId: missing'],
  ['handshake/compare', { client: { uri: pcap }, relay: null, connections: 'no' }, 'connections: expected true or false'],
  ['handshake/connectionDetail', { uri: pcap, connection: -1 }, 'connection: expected a whole number'],
  ['handshake/exportReport', { client: { uri: pcap }, relay: null, format: 7 }, 'format: expected a string, got 7'],
  ['handshake/exportReport', { client: { uri: pcap }, relay: null, format: 'html', target: {} }, 'target: expected a string, got an object'],
  ['handshake/dissection', { uri: pcap, workDoneToken: {} }, 'workDoneToken: expected a string or a number'],
  ['handshake/annotate', { uri: pcap, text: 'n', target: { kind: 'packet', packet: -1 } }, 'target.packet: expected a whole number'],
  ['handshake/annotate', { uri: pcap, text: 'n', target: { kind: 'frame' } }, 'target.kind: expected "packet" or "field" or "connection", got "frame"'],
  ['handshake/notes', { uri: null }, 'uri: expected a string, got null'],
  ['handshake/readBytes', { uri: pcap, ranges: [{ kind: 'offset', offset: 0, length: 4 }, { kind: 'text', line: 1 }] }, 'ranges[1].column: missing'],
  ['handshake/readBytes', { uri: pcap, ranges: 'all' }, 'ranges: expected an array'],
];

describe('custom request params are checked', () => {
  let proc: ChildProcess;
  let conn: MessageConnection;
  before(async () => {
    ({ proc, conn } = await startInitialisedServer());
  });
  after(() => stopLanguageServer(proc, conn));

  it('has a check for every custom request of shared/protocol.ts, and a case for each here', () => {
    const methods = Object.values(protocol).flatMap((ns) => (typeof ns === 'object' && ns && 'type' in ns && ns.type instanceof RequestType ? [(ns as { method: string }).method] : []));
    assert.ok(methods.length >= 7, methods.join());
    assert.deepEqual([...methods].sort(), Object.keys(PARAMS).sort());
    assert.deepEqual([...new Set(CASES.map((c) => c[0]))].sort(), [...methods].sort());
  });

  for (const [method, params, field] of CASES) {
    it(`${method} ${JSON.stringify(params).replace(pcap, 'relay.pcap')} → InvalidParams naming ${field.split(':')[0]}`, async () => {
      await assert.rejects(conn.sendRequest(method, params), (e: { code: number; message: string }) => {
        assert.equal(e.code, INVALID_PARAMS, e.message);
        assert.ok(e.message.includes(field), e.message);
        return true;
      });
    });
  }

  it('still rejects an unknown report format, and still answers a valid request afterwards', async () => {
    await assert.rejects(conn.sendRequest(protocol.ExportReportRequest.method, { client: { uri: pcap }, relay: null, format: 'pdf' }), (e: { code: number; message: string }) => {
      assert.equal(e.code, INVALID_PARAMS);
      assert.match(e.message, /unknown report format "pdf": expected html, md, json/);
      return true;
    });
    const r = await conn.sendRequest(protocol.AnalyzeFileRequest.type, { uri: pcap });
    assert.equal(r.connections.length, 1);
  });
});

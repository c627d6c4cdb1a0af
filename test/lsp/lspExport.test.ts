// One report, whichever way it is asked for: the CLI's `report` and the real
// language server's `handshake/exportReport` (dist/server.js over stdio, as
// VS Code's Export Report sends it) on the same pair with the same notes on
// both captures give the same JSON and the same HTML. The editor's export used
// to load only the client's notes and never check a sidecar's SHA-256.
import { strict as assert } from 'node:assert';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { AnnotateRequest, ExportReportRequest, NotesRequest, type ReportFormat } from '../../shared/protocol';
import { startInitialisedServer, stopLanguageServer } from '../helpers/languageServer';
import { ROOT } from '../helpers/paths';

const CLI = join(ROOT, 'bin', 'handshake-inspector.js');
const TORKZ = join(ROOT, 'test', 'fixtures', 'tor-kz');

/** The one line that differs between two runs: when the report was generated. */
function withoutTime(text: string): string {
  // Markdown escapes the punctuation.
  return text.replace(/\d{4}\\?-\d\d\\?-\d\dT\d\d\\?:\d\d\\?:\d\d\\?\.\d{3}Z/g, '<time>');
}

function cliReport(client: string, relay: string, format: ReportFormat, out: string, cwd?: string): { stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'report', client, relay, '--format', format, '--out', out], { encoding: 'utf8', cwd });
  assert.equal(r.status, 0, r.stderr);
  return { stderr: r.stderr };
}

describe('CLI report and language-server export agree', () => {
  let proc: ChildProcess;
  let conn: MessageConnection;
  let dir: string;
  let client: string;
  let relay: string;
  const uri = (p: string) => pathToFileURL(p).toString();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hi-export-'));
    client = join(dir, 'client.pcap');
    relay = join(dir, 'relay.pcap');
    copyFileSync(join(TORKZ, 'client.pcap'), client);
    copyFileSync(join(TORKZ, 'relay.pcap'), relay);
    ({ proc, conn } = await startInitialisedServer());
    // Notes as the compare view adds them: one on each capture, through the server.
    const a = await conn.sendRequest(AnnotateRequest.type, { uri: uri(client), target: { kind: 'connection', connection: 1 }, text: 'client side: <script>alert(1)</script> the bridge never answers' });
    const b = await conn.sendRequest(AnnotateRequest.type, { uri: uri(relay), target: { kind: 'packet', packet: 3 }, text: 'relay side: ServerHello sent here' });
    assert.ok(a.ok && b.ok);
  });

  after(async () => {
    if (conn) await stopLanguageServer(proc, conn);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const format of ['json', 'html', 'md'] as const) {
    it(`gives the same ${format} report with both captures' notes`, async () => {
      // The CLI given relative paths, the server absolute ones: both name the captures by file name.
      cliReport('client.pcap', 'relay.pcap', format, join(dir, `cli.${format}`), dir);
      const target = join(dir, `lsp.${format}`);
      const r = await conn.sendRequest(ExportReportRequest.type, { client: { uri: uri(client) }, relay: { uri: uri(relay) }, format, target: uri(target) });
      assert.equal(r.target, uri(target));
      const fromCli = readFileSync(join(dir, `cli.${format}`), 'utf8');
      const fromServer = readFileSync(target, 'utf8');
      assert.equal(r.bytes, Buffer.byteLength(fromServer));
      for (const text of [fromCli, fromServer]) {
        assert.ok(text.includes('ServerHello sent here'), 'the relay note is in the report');
        assert.ok(text.includes('the bridge never answers'), 'the client note is in the report');
        assert.ok(!text.includes(dir), 'the captures\' directory is not in the report');
      }
      assert.equal(withoutTime(fromServer), withoutTime(fromCli));
      if (format === 'json') {
        const notes = (JSON.parse(fromServer) as { annotations: Array<{ side: string }> }).annotations;
        assert.deepEqual(notes.map((n) => n.side).sort(), ['client', 'relay']);
      }
      if (format === 'html') assert.ok(!fromServer.includes('<script>alert(1)'), 'a note is escaped');
    });
  }

  it('returns the text when there is no target, the same as the file it writes', async () => {
    const r = await conn.sendRequest(ExportReportRequest.type, { client: { uri: uri(client) }, relay: { uri: uri(relay) }, format: 'json' });
    assert.equal(r.target, undefined);
    assert.equal(withoutTime(r.text ?? ''), withoutTime(readFileSync(join(dir, 'lsp.json'), 'utf8')));
  });

  it('checks each sidecar against its capture: both warn alike when the relay capture changed since its notes', async () => {
    const sidecar = `${relay}.annotations.json`;
    const original = readFileSync(sidecar, 'utf8');
    try {
      const stale = JSON.parse(original) as { capture: { sha256: string } };
      stale.capture.sha256 = '00'.repeat(32);
      writeFileSync(sidecar, JSON.stringify(stale, null, 2));
      const { stderr } = cliReport(client, relay, 'json', join(dir, 'stale.json'));
      const r = await conn.sendRequest(ExportReportRequest.type, { client: { uri: uri(client) }, relay: { uri: uri(relay) }, format: 'json' });
      const warned = (r.problems ?? []).filter((p) => p.includes('was written for a capture with SHA-256'));
      assert.equal(warned.length, 1, JSON.stringify(r.problems));
      assert.ok(warned[0].includes(relay));
      assert.ok(stderr.includes(`annotations: ${warned[0]}`), stderr);
    } finally {
      writeFileSync(sidecar, original);
    }
  });

  it('refuses an unknown format instead of writing JSON', async () => {
    await assert.rejects(
      conn.sendRequest(ExportReportRequest.type, { client: { uri: uri(client) }, relay: null, format: 'pdf' as ReportFormat }),
      (e: { code?: number; message?: string }) => e.code === -32602 && /unknown report format "pdf"/.test(e.message ?? ''),
    );
  });

  it('lists a capture\'s notes for the editor, as the sidecar holds them', async () => {
    const r = await conn.sendRequest(NotesRequest.type, { uri: uri(relay) });
    const stored = JSON.parse(readFileSync(`${relay}.annotations.json`, 'utf8')) as { notes: unknown[] };
    assert.deepEqual(r.notes, stored.notes);
    assert.deepEqual(r.problems, []);
    // Where they are kept, for the editor to say (the install folder of a sample is not the place: the extension copies it).
    assert.equal(r.path, `${relay}.annotations.json`);
    assert.deepEqual(await conn.sendRequest(NotesRequest.type, { uri: 'untitled:Untitled-1' }), { notes: [], problems: [], path: null });
  });
});

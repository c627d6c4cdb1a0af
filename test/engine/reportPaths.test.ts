// Reports name the captures (and key logs) by file name, not by where they sit on the machine that made the report:
// `report` in every format, through the CLI as a user runs it; `--full-paths` keeps the paths as given.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompareReport } from '../../shared/compare';
import { ROOT } from '../helpers/paths';

const CLI = join(ROOT, 'bin', 'handshake-inspector.js');
const TORKZ = join(ROOT, 'test', 'fixtures', 'tor-kz');

describe('report: capture paths', () => {
  let dir = '';
  let captures = '';
  /** A key log that is not there: its diagnostic names it. */
  let keylog = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hi-paths-'));
    captures = join(dir, 'fieldwork', 'site-7');
    mkdirSync(captures, { recursive: true });
    for (const f of ['client.pcap', 'relay.pcap']) copyFileSync(join(TORKZ, f), join(captures, f));
    keylog = join(dir, 'secrets', 'session.keys');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function report(format: string, extra: string[] = []): string {
    const out = join(dir, `report-${format}${extra.length ? '-full' : ''}`);
    const r = spawnSync(process.execPath, [CLI, 'report', join(captures, 'client.pcap'), join(captures, 'relay.pcap'), '--keylog', keylog, '--format', format, '--out', out, ...extra], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(out, 'utf8');
  }

  for (const format of ['html', 'md', 'json']) {
    it(`${format}: file names and SHA-256, no directory`, () => {
      const text = report(format);
      assert.ok(!text.includes(dir), `no path under ${dir}`);
      assert.ok(!text.includes('fieldwork') && !text.includes('secrets'), 'no directory name');
      for (const f of ['client.pcap', 'relay.pcap']) assert.ok(text.includes(format === 'md' ? f.replace('.', '\\.') : f), f);
      // Markdown lists no diagnostics; HTML and JSON name the key log that could not be read.
      if (format !== 'md') assert.ok(text.includes('session.keys'), 'the key log is named');
    });
  }

  it('json: the inputs and the embedded comparison agree', () => {
    const j = JSON.parse(report('json')) as { inputs: Array<{ path: string; sha256: string }>; report: CompareReport };
    assert.deepEqual(j.inputs.map((i) => i.path), ['client.pcap', 'relay.pcap']);
    assert.equal(j.report.client.input.path, 'client.pcap');
    assert.equal(j.report.relay!.input.path, 'relay.pcap');
    assert.match(j.inputs[0].sha256, /^[0-9a-f]{64}$/);
    const keyDiag = j.report.client.diagnostics.find((d) => d.code === 'keylog.unreadable');
    assert.ok(keyDiag, 'the missing key log is reported');
    assert.match(keyDiag.message, /^session\.keys: cannot be read/);
  });

  it('--full-paths writes the paths as given', () => {
    const j = JSON.parse(report('json', ['--full-paths'])) as { inputs: Array<{ path: string }>; report: CompareReport };
    assert.deepEqual(j.inputs.map((i) => i.path), [join(captures, 'client.pcap'), join(captures, 'relay.pcap')]);
    assert.ok(j.report.client.diagnostics.some((d) => d.message.startsWith(`${keylog}: `)));
    assert.ok(report('html', ['--full-paths']).includes(join(captures, 'relay.pcap')));
  });
});

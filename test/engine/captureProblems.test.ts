/**
 * A binary capture's decoding problems as the Problems panel gets them
 * (shared/captureContents.ts): the same warnings the CLI prints for a real
 * capture with bytes missing, each located by connection, packet and file
 * offset, and bounded in number.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { formatConnectionText } from '../../server/src/output/textSummary';
import { captureProblems, MAX_CAPTURE_PROBLEMS } from '../../shared/captureContents';
import type { ReportDiagnostic } from '../../shared/analysis';
import { ROOT } from '../helpers/paths';

const V6 = join(ROOT, 'test', 'fixtures', 'text', 'v6.pcap');

describe('capture problems for the Problems panel', () => {
  it('lists every warning of a capture with missing bytes, located, with the words the CLI prints', async () => {
    const r = await analyzeFile(V6, { packets: true });
    const cli = r.connections.map((c) => formatConnectionText(c, { color: false })).join('');
    const printed = [...cli.matchAll(/^ {4}warning: (.*) \(offset (\d+)\)$|^ {4}warning: (.*)$/gm)];
    assert.ok(printed.length >= 2, cli);
    const problems = captureProblems(r.diagnostics, r.connections);
    // The CLI prints the first ten per connection; the Problems panel has them all.
    const all = [...r.diagnostics, ...r.connections.flatMap((c) => c.diagnostics)].filter((d) => d.severity !== 'info');
    assert.equal(problems.length, all.length);
    assert.ok(problems.length >= printed.length);
    assert.ok(problems.every((p) => p.severity === 'warning'));
    for (const m of printed) {
      const text = m[1] ?? m[3];
      const hit = problems.find((p) => p.message.startsWith(`${text} (`));
      assert.ok(hit, `${text} is in the Problems panel`);
      assert.match(hit.message, /\(connection #0(, packet #\d+)?(, file offset \d+)?\)$/);
      if (m[2]) assert.ok(hit.message.includes(`file offset ${m[2]}`), hit.message);
    }
  });

  it('keeps info notes out and stops at its bound', () => {
    const d = (severity: ReportDiagnostic['severity'], i: number): ReportDiagnostic => ({ severity, code: 'x', message: `m${i}`, location: null });
    const many = Array.from({ length: 2 * MAX_CAPTURE_PROBLEMS + 100 }, (_, i) => d(i % 2 ? 'error' : 'info', i));
    const out = captureProblems(many, [{ id: 3, diagnostics: [d('error', -1)] }]);
    assert.equal(out.length, MAX_CAPTURE_PROBLEMS);
    assert.ok(out.every((p) => p.severity === 'error'));
    assert.deepEqual(captureProblems([d('info', 1)], []), []);
  });
});

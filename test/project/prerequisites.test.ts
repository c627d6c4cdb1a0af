// A missing prerequisite skips outside CI and fails under CI=true: a small
// test file using the helper, run by node --test in a child both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HELPER = join(__dirname, '..', 'helpers', 'prerequisites.js');

function runProbe(ci: boolean): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hi-prereq-'));
  try {
    const file = join(dir, 'probe.test.js');
    writeFileSync(
      file,
      [
        `const { test } = require('node:test');`,
        `const { skipUnlessCi } = require(${JSON.stringify(HELPER)});`,
        `test('needs a tool', { skip: skipUnlessCi('frobnicator not installed') }, () => { throw new Error('ran without its tool'); });`,
        `test('needs nothing', { skip: skipUnlessCi(null) }, () => {});`,
      ].join('\n'),
    );
    const env = { ...process.env };
    delete env.CI;
    // Set by the runner for its own children; left in, the child would not run the file as a test file of its own.
    delete env.NODE_TEST_CONTEXT;
    if (ci) env.CI = 'true';
    const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], { env, encoding: 'utf8' });
    return { status: r.status, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('outside CI a missing prerequisite skips, saying why', () => {
  const r = runProbe(false);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /ok \d+ - needs a tool # SKIP frobnicator not installed/);
  assert.match(r.out, /# skipped 1/);
});

test('under CI=true a missing prerequisite fails and nothing skips', () => {
  const r = runProbe(true);
  assert.notEqual(r.status, 0, r.out);
  assert.match(r.out, /not ok \d+ - prerequisite: frobnicator not installed/);
  assert.match(r.out, /# skipped 0/);
});

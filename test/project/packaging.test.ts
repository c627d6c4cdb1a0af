// What the npm package (CLI users) and the .vsix ship: both come from
// package.json "files" (vsce refuses a .vscodeignore next to it). Everything
// the bundles load at run time is in, no test fixture, source or source map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILE_READER_WORKER } from '../../server/src/capture/fileReaderSlots';
import { ROOT } from '../helpers/paths';
import { skipUnlessCi } from '../helpers/prerequisites';

const built = skipUnlessCi(existsSync(join(ROOT, 'dist', 'cli.js')) ? null : 'dist/ is missing: run npm run build');

/** What the bundles load by file name at run time, next to themselves. */
const RUNTIME = [
  'bin/handshake-inspector.js',
  'dist/cli.js',
  'dist/server.js',
  'dist/extension.js',
  'dist/webview.js',
  'dist/webview.css',
  'dist/analysisWorker.js',
  `dist/${FILE_READER_WORKER}`,
  'dist/codicons/codicon.css',
  'dist/codicons/codicon.ttf',
  'dist/rules.schema.json',
  'dist/contract.schema.json',
  'samples/tor-kz-drop/client.pcap',
  'samples/tor-kz-drop/relay.pcap',
  'media/icon.png',
  'server/src/fingerprint/LICENSE-FoxIO-1.1.txt',
  'LICENSE',
  'README.md',
  'package.json',
];

interface WalkthroughStep {
  id: string;
  media: { image?: string | Record<string, string>; altText?: string; markdown?: string; svg?: string };
}
const walkthroughs = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { walkthroughs: Array<{ steps: WalkthroughStep[] }> } }).contributes.walkthroughs;

/** Every file a walkthrough step shows: VS Code draws an empty media pane for one that is missing. */
function walkthroughMedia(step: WalkthroughStep): string[] {
  const { image, markdown, svg } = step.media;
  return [...(typeof image === 'string' ? [image] : Object.values(image ?? {})), ...(markdown ? [markdown] : []), ...(svg ? [svg] : [])];
}

test('every walkthrough step has a picture for each theme kind, with alt text, and the file exists', () => {
  const steps = walkthroughs.flatMap((w) => w.steps);
  assert.ok(steps.length >= 4);
  for (const step of steps) {
    assert.ok(step.media.image && typeof step.media.image === 'object', `${step.id}: an image per theme`);
    assert.deepEqual(Object.keys(step.media.image).sort(), ['dark', 'hc', 'hcLight', 'light'], step.id);
    assert.ok((step.media.altText ?? '').length > 20, `${step.id}: alt text`);
    for (const f of walkthroughMedia(step)) {
      assert.ok(existsSync(join(ROOT, f)), `${step.id}: ${f} is missing`);
      // A PNG, not a placeholder: its signature and a picture's worth of bytes.
      const bytes = readFileSync(join(ROOT, f));
      assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', f);
      assert.ok(bytes.length > 10000, `${f}: ${bytes.length} bytes`);
    }
  }
});

function checkList(files: string[]): void {
  for (const f of RUNTIME) assert.ok(files.includes(f), `${f} is not shipped`);
  for (const f of walkthroughs.flatMap((w) => w.steps.flatMap(walkthroughMedia))) assert.ok(files.includes(f), `walkthrough media ${f} is not shipped`);
  const unwanted = files.filter(
    (f) =>
      /^(test|lab|scripts|out|node_modules|\.ci|\.vscode)\/|\.(ts|map|v8cache)$|^dist\/bench\.js/.test(f) || (f.startsWith('server/') && !f.endsWith('.txt')),
  );
  assert.deepEqual(unwanted, []);
}

test('npm pack ships the CLI and what it loads, and no fixtures or sources', { skip: built }, () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [pack] = JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>;
  assert.ok(pack);
  checkList(pack.files.map((f) => f.path));
});

test('the .vsix holds the same files (vsce ls)', { skip: built }, () => {
  assert.ok(!existsSync(join(ROOT, '.vscodeignore')), 'vsce fails when a .vscodeignore and package.json "files" are both present');
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  checkList(r.stdout.split('\n').filter(Boolean));
});

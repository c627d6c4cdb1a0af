// Bundles every entry point with esbuild. `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'linked' };
const entries = [
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20' },
  { entryPoints: ['server/src/lsp/server.ts'], outfile: 'dist/server.js', platform: 'node', format: 'cjs', target: 'node20' },
  // The language server analyses text dumps in a worker thread (kept apart so edits never wait on a big parse).
  { entryPoints: ['server/src/lsp/analysisWorker.ts'], outfile: 'dist/analysisWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
  // Big captures are read and hashed on a second thread (capture/sharedFileReader.ts finds it next to its bundle).
  { entryPoints: ['server/src/capture/fileReaderWorker.ts'], outfile: 'dist/fileReaderWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
  // compare analyses the relay's capture on a second thread (compare/streamedCompare.ts finds it next to the CLI).
  { entryPoints: ['server/src/compare/compareAnalysisWorker.ts'], outfile: 'dist/compareAnalysisWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
  { entryPoints: ['extension/src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { entryPoints: ['scripts/bench.ts'], outfile: 'dist/bench.js', platform: 'node', format: 'cjs', target: 'node20' },
  { entryPoints: ['webview/src/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
].filter((e) => existsSync(e.entryPoints[0]));

// The webview loads the codicon font from dist/ (its localResourceRoots), so the .vsix needs no node_modules.
mkdirSync('dist/codicons', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);
// VS Code validates and completes .handshake-inspector/rules.json against this (package.json jsonValidation).
copyFileSync('server/src/rules/rules.schema.json', 'dist/rules.schema.json');
// The --json contract's schema (generated from shared/ by scripts/contract-schema.mjs), shipped for consumers to validate against.
copyFileSync('shared/contract.schema.json', 'dist/contract.schema.json');

if (watch) {
  for (const e of entries) await (await esbuild.context({ ...common, ...e })).watch();
} else {
  // Each file is written aside and renamed into place: `vsce package` rebuilds (vscode:prepublish)
  // while other tests may be loading dist/ (the end-to-end test packages the extension).
  const results = await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e, write: false })));
  for (const file of results.flatMap((r) => r.outputFiles)) {
    mkdirSync(dirname(file.path), { recursive: true });
    const aside = `${file.path}.${process.pid}.tmp`;
    writeFileSync(aside, file.contents);
    renameSync(aside, file.path);
  }
  // One run of the CLI leaves V8's code cache for the next (bin/handshake-inspector.js
  // says why). Through the bin itself, so its launcher flags apply; where a
  // shebang can't run (Windows) the first real run makes the cache instead.
  const sample = 'test/fixtures/handshakes/tls12-chain.pcap';
  if (existsSync(sample)) spawnSync('bin/handshake-inspector.js', ['analyze', sample], { stdio: 'ignore' });
}

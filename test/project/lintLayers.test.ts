/**
 * The layer rules of eslint.config.mjs, run through ESLint's API: each rule
 * rejects a deliberate violation (written as if it were a file of that layer,
 * never saved to disk), accepts the imports the layer may have, and the real
 * tree passes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { ROOT } from '../helpers/paths';

const eslint = new ESLint({ cwd: ROOT });

/** The layers/imports messages ESLint gives for `code` as the file `file` (relative to the repo). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${file}` });
  assert.ok(result, `no result for ${file}`);
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${file} did not parse`);
  return result.messages.filter((m) => m.ruleId === 'layers/imports').map((m) => m.message);
}

async function rejects(file: string, code: string, why: RegExp): Promise<void> {
  const errors = await layerErrors(file, code);
  assert.equal(errors.length, 1, `${file}: expected one layer error for ${JSON.stringify(code)}, got ${JSON.stringify(errors)}`);
  assert.match(errors[0]!, why);
}

async function accepts(file: string, code: string): Promise<void> {
  assert.deepEqual(await layerErrors(file, code), [], `${file}: ${code}`);
}

test('an engine file importing vscode fails lint, also as a type import, a require or an import()', async () => {
  await rejects('server/src/analysis/layerProbe.ts', `import * as vscode from 'vscode';\nexport const v = vscode;`, /engine .* must not import vscode/);
  await rejects('server/src/tls/layerProbe.ts', `import type { Uri } from 'vscode';\nexport type U = Uri;`, /must not import vscode/);
  await rejects('server/src/capture/layerProbe.ts', `export const v = require('vscode');`, /must not import vscode/);
  await rejects('server/src/report/layerProbe.ts', `export const v = () => import('vscode-languageclient/node');`, /must not import vscode-languageclient/);
});

test('an engine file importing the language server, the CLI, the extension or the webview fails lint, at any depth', async () => {
  await rejects('server/src/tls/layerProbe.ts', `import { hover } from '../lsp/hover';`, /must not import server\/src\/lsp\//);
  await rejects('server/src/tls/registry/layerProbe.ts', `export { hover } from '../../lsp/hover';`, /must not import server\/src\/lsp\//);
  await rejects('server/src/compare/layerProbe.ts', `import { main } from '../cli/main';`, /must not import server\/src\/cli\//);
  await rejects(
    'server/src/rules/layerProbe.ts',
    `import { createClient } from '../../../extension/src/client';`,
    /may import only from server\/src\/, shared\//,
  );
  await rejects('server/src/output/layerProbe.ts', `export * from '../../../webview/src/format';`, /may import only from/);
  await accepts(
    'server/src/analysis/layerProbe.ts',
    `import { RangeMap } from '../tls/types';\nimport type { AnalysisReport } from '../../../shared/analysis';\nimport { readFileSync } from 'node:fs';`,
  );
});

test('the language server may import the engine but not vscode', async () => {
  await rejects('server/src/lsp/layerProbe.ts', `import * as vscode from 'vscode';`, /language server .* must not import vscode/);
  await accepts('server/src/lsp/layerProbe.ts', `import { createConnection } from 'vscode-languageserver/node';\nimport { RangeMap } from '../tls/types';`);
});

test('the extension never imports server/src/ or the webview', async () => {
  await rejects(
    'extension/src/layerProbe.ts',
    `import { renderHtml } from '../../server/src/report/html';`,
    /extension\/ may import only from extension\/src\/, shared\//,
  );
  await rejects('extension/src/layerProbe.ts', `import { h } from '../../webview/src/dom';`, /may import only from/);
  await accepts(
    'extension/src/layerProbe.ts',
    `import * as vscode from 'vscode';\nimport { CompareRequest } from '../../shared/protocol';\nimport { open } from 'node:fs/promises';`,
  );
});

test('the webview imports only shared/, its own files and npm packages: no engine, no Node, no vscode', async () => {
  await rejects(
    'webview/src/layerProbe.ts',
    `import { decodeClientHello } from '../../server/src/tls/clientHello';`,
    /webview\/ may import only from webview\/src\/, shared\//,
  );
  await rejects('webview/src/layerProbe.ts', `import { readFileSync } from 'node:fs';`, /webview\/ must not import Node's built-in modules/);
  await rejects('webview/src/layerProbe.ts', `import { Buffer } from 'buffer';`, /built-in modules/);
  await rejects('webview/src/layerProbe.ts', `import * as vscode from 'vscode';`, /must not import vscode/);
  await accepts(
    'webview/src/layerProbe.ts',
    `import '@vscode-elements/elements';\nimport type { CompareReport } from '../../shared/compare';\nimport { h } from './dom';`,
  );
});

test('shared/ imports nothing of ours and no Node module', async () => {
  await rejects('shared/layerProbe.ts', `import type { ClientHello } from '../server/src/tls/types';`, /shared\/ may import only from shared\//);
  await rejects('shared/layerProbe.ts', `import type { FromWebview } from '../webview/src/api';`, /shared\/ may import only from shared\//);
  await rejects('shared/layerProbe.ts', `import { createHash } from 'node:crypto';`, /shared\/ must not import Node's built-in modules/);
  await rejects('shared/layerProbe.ts', `import * as fs from 'fs';`, /built-in modules/);
  await accepts('shared/layerProbe.ts', `import type { CompareReport } from './compare';\nimport { RequestType } from 'vscode-jsonrpc';`);
});

test('no file keeps an exemption: the imports the layers once had are refused everywhere', async () => {
  await rejects('webview/src/fields.ts', `import { versionName } from '../../server/src/tls/registry/versions';`, /may import only from/);
  await rejects('webview/src/fields.ts', `import { renderHtml } from '../../server/src/report/html';`, /may import only from/);
  await rejects('webview/src/notes.ts', `import { versionName } from '../../server/src/tls/registry/versions';`, /may import only from/);
  await rejects('shared/analysis.ts', `import { decodeClientHello } from '../server/src/tls/clientHello';`, /may import only from shared\//);
  await rejects('extension/src/webviewHost.ts', `import { loadAnnotations } from '../../server/src/report/annotations';`, /may import only from extension\/src\/, shared\//);
});

test('the real tree passes lint', async () => {
  const results = await eslint.lintFiles(['.']);
  assert.ok(results.length > 100, `only ${results.length} files linted: is the config finding the tree?`);
  const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line}: ${m.message}`));
  assert.deepEqual(problems, []);
});

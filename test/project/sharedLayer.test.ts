// shared/ is the contract both sides agree on and the webview bundles: it must
// stand on its own (nothing of ours outside shared/, nothing from node:).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const SHARED = join(__dirname, '..', '..', '..', 'shared');

/** Module specifiers of import/export declarations, import() and require() calls and import types. */
function importsIn(text: string): string[] {
  const sf = ts.createSourceFile('probe.ts', text, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
    else if (ts.isCallExpression(n) && n.arguments.length === 1 && ts.isStringLiteral(n.arguments[0]) &&
      (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require'))) out.push(n.arguments[0].text);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) out.push(n.argument.literal.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

test('shared/ imports only shared/ and browser-safe packages', () => {
  // Every file below shared/, subfolders (fields/, report/, tls/registry/) included.
  const files = (readdirSync(SHARED, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  assert.ok(files.includes('analysis.ts') && files.includes('compare.ts') && files.includes('tlsExtensions.ts'));
  assert.ok(files.some((f) => f.includes('/')), 'no file in a subfolder of shared/ was checked');
  for (const f of files) {
    for (const spec of importsIn(readFileSync(join(SHARED, f), 'utf8'))) {
      assert.ok(!spec.startsWith('node:') && !['fs', 'path', 'os', 'crypto', 'zlib', 'worker_threads', 'vscode'].includes(spec), `shared/${f} imports ${spec}`);
      if (spec.startsWith('.')) {
        const target = relative(SHARED, resolve(SHARED, dirname(f), spec));
        assert.ok(!target.startsWith('..') && !isAbsolute(target), `shared/${f} imports ${spec}, outside shared/`);
      }
    }
  }
});

test('the check sees every form of import', () => {
  const src = "import type { X } from '../server/src/tls/types';\nexport { Y } from './compare';\nconst y = require('node:fs');\n" +
    "type Z = import('../webview/src/api').Z;\nconst w = import('vscode');\n";
  assert.deepEqual(importsIn(src), ['../server/src/tls/types', './compare', 'node:fs', '../webview/src/api', 'vscode']);
});

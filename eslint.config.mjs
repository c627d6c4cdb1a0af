// ESLint 9 flat config. Its job is the layering (issue #11): which folder may
// import which, checked on every file, so the seams stay where README's
// "Development" section says they are. tsc's noUnusedLocals/Parameters and
// strict mode do the rest of the checking; formatting is prettier's.
import tseslint from 'typescript-eslint';
import layers from './scripts/eslintLayers.mjs';

const UI_HOSTS = ['vscode', 'vscode-languageclient', 'vscode-languageserver', 'vscode-languageserver-protocol', 'vscode-jsonrpc'];

/** One layer: its files and the options of layers/imports for them. */
const layer = (files, options, ignores = []) => ({ files, ignores, rules: { 'layers/imports': ['error', options] } });

// shared/: types and protocols both sides agree on; browser-safe, imports nothing of ours.
const shared = { layer: 'shared/', allowed: ['shared'], node: false };
// The engine decodes and compares captures; it knows nothing of editors, the LSP or the CLI.
const engine = {
  // package.json: the tool's version (server/src/version.ts).
  layer: 'the engine (server/src)',
  allowed: ['server/src', 'shared', 'package.json'],
  denied: ['server/src/lsp', 'server/src/cli'],
  deniedPackages: UI_HOSTS,
};
// The language server runs under Node, outside VS Code: no `vscode`.
const lsp = {
  layer: 'the language server (server/src/lsp)',
  allowed: ['server/src', 'shared'],
  denied: ['server/src/cli'],
  deniedPackages: ['vscode', 'vscode-languageclient'],
};
const cli = { layer: 'the CLI (server/src/cli)', allowed: ['server/src', 'shared'], deniedPackages: ['vscode', 'vscode-languageclient'] };
// The extension reaches the engine only through shared/ and the language server.
const extension = { layer: 'extension/', allowed: ['extension/src', 'shared'], deniedPackages: ['vscode-languageserver'] };
// The webview runs in the browser and talks to the extension by postMessage.
const webview = { layer: 'webview/', allowed: ['webview/src', 'shared'], node: false, deniedPackages: UI_HOSTS };

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '.bench/**', 'test/fixtures/**', 'samples/**', 'media/**', '**/*.d.ts'] },
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { layers },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  layer(['shared/**/*.ts'], shared),
  layer(['server/src/**/*.ts'], engine, ['server/src/lsp/**', 'server/src/cli/**']),
  layer(['server/src/lsp/**/*.ts'], lsp),
  layer(['server/src/cli/**/*.ts'], cli),
  layer(['extension/src/**/*.ts'], extension),
  layer(['webview/src/**/*.ts'], webview),

  // ---------------------------------------------------------------------------
);

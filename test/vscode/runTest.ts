// Runs test/vscode/suite in a real VS Code (Electron) with the extension
// loaded from the repository. @vscode/test-electron downloads VS Code on first
// use, so this needs a machine that can reach update.code.visualstudio.com;
// where that is not possible the same behaviours are checked in code-server
// by test/e2e/codeServer.test.ts.
//
//   npm run test:vscode
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: join(__dirname, 'suite', 'index'),
      launchArgs: [join(root, 'samples', 'tor-kz-drop'), '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      version: process.env.HI_VSCODE_VERSION ?? 'stable',
    });
  } catch (err) {
    console.error(`VS Code integration tests failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

void main();

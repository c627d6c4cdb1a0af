// The test runner VS Code loads (extensionTestsPath): runs the suite's cases
// in order with node:assert and reports like node's test runner. No mocha:
// the project has no dependency on it, and a dozen sequential cases need none.
import { cases } from './extension.vscode';

export async function run(): Promise<void> {
  let passed = 0;
  const failed: string[] = [];
  for (const [name, fn] of cases) {
    const t0 = Date.now();
    try {
      await fn();
      passed++;
      console.log(`✔ ${name} (${Date.now() - t0} ms)`);
    } catch (err) {
      failed.push(name);
      console.error(`✖ ${name}\n${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }
  console.log(`${passed} passed, ${failed.length} failed`);
  if (failed.length > 0) throw new Error(`${failed.length} VS Code integration test(s) failed: ${failed.join('; ')}`);
}

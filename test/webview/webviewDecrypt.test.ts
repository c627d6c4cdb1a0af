/**
 * Decrypted TLS 1.3 in the capture webview (issue #14): the connection list
 * badges a decrypted connection, the tree marks each decrypted message and
 * alert, and selecting one shows its bytes (the ciphertext, at the positions
 * the plaintext fields have). Rendered in a dark and a light theme.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import type { AnalysisReport } from '../../shared/analysis';
import { clone, launch, openView, RESULTS, ROOT, skipReason } from '../helpers/webviewHarness';
import { DARK, LIGHT } from '../helpers/webviewThemes';
import { skipUnlessCi } from '../helpers/prerequisites';

const skip = skipUnlessCi(skipReason());
const DIR = join(ROOT, 'test', 'fixtures', 'decrypt');
const PCAP = join(DIR, 'tls13-keyupdate.pcap');

describe('capture webview: decrypted connections', { skip }, () => {
  let browser: Browser;
  let report: AnalysisReport;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    [browser, report] = await Promise.all([launch(), analyzeFile(PCAP, { packets: true, keyLogFiles: [join(DIR, 'tls13-keyupdate.keylog')] })]);
  });
  after(async () => {
    await browser?.close();
  });

  for (const theme of [DARK, LIGHT]) {
    it(`${theme.kind}: a 'decrypted' badge on the connection and on each decrypted message; their bytes open in the hex pane`, async () => {
      const view = await openView(browser, { theme, files: { client: PCAP } });
      const { page } = view;
      await view.send({ type: 'init', mode: 'capture', fileName: 'tls13-keyupdate.pcap', uri: `file://${PCAP}`, timeDisplay: 'relative', ja4plus: false });
      await view.send({ type: 'connections', connections: clone(report.connections), done: true, input: report.input, diagnostics: report.diagnostics });
      await view.send({ type: 'verdicts', verdicts: [], rules: {} });
      await page.locator('.list-row .badge.decrypted').first().waitFor();
      assert.equal(await page.locator('.list-row .badge.decrypted').first().innerText(), 'decrypted');
      await page.locator('.list-row').first().click();
      const decryptedRows = page.locator('.tree-row.top', { has: page.locator('.badge.decrypted') });
      await decryptedRows.first().waitFor();
      const c = report.connections[0];
      const expected = c.messages.filter((m) => m.decrypted).length + c.alerts.filter((a) => a.decrypted).length;
      assert.equal(await decryptedRows.count(), expected);
      // The cleartext hellos carry no badge.
      const hello = page.locator('.tree-row.top', { hasText: 'ServerHello' }).first();
      assert.equal(await hello.locator('.badge.decrypted').count(), 0);
      const cert = page.locator('.tree-row.top[aria-label^="Certificate (decrypted)"]').first();
      assert.match((await cert.getAttribute('aria-label')) ?? '', /^Certificate \(decrypted\)/);
      await cert.click();
      await page.locator('.hex-header', { hasText: 'Certificate (server → client) · decrypted, ciphertext shown' }).waitFor();
      // The header is drawn before the capture's bytes arrive from the host: wait for them, not for a fixed time.
      await page.locator('.hex-scroll .hex-bytes .b').nth(100).waitFor();
      assert.ok((await page.locator('.hex-scroll .hex-bytes .b').count()) > 100);
      assert.deepEqual(view.errors, []);
      assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
      await page.screenshot({ path: join(RESULTS, `webview-decrypted-${theme.kind}.png`) });
      await page.close();
    });
  }
});

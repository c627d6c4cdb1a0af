/**
 * The capture view's field tree in headless Chromium, dark and light: its
 * rows carry the field registry's labels and values (the same words as the
 * reports' tables), including the ServerHello's extended master secret.
 * Screenshots of the tree go to test-results/ to be looked at.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { fieldGroups } from '../../server/src/report/fields';
import type { AnalysisReport } from '../../shared/analysis';
import { clone, launch, openView, RESULTS, ROOT, skipReason } from '../helpers/webviewHarness';
import { DARK, LIGHT, type Theme } from '../helpers/webviewThemes';

const skip = skipReason();
const CHAIN = join(ROOT, 'test', 'fixtures', 'handshakes', 'tls12-chain.pcap');

describe('webview field tree', { skip: skip ?? false }, () => {
  let browser: Browser;
  let chain: AnalysisReport;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    [browser, chain] = await Promise.all([launch(), analyzeFile(CHAIN, { packets: true })]);
  });
  after(async () => {
    await browser?.close();
  });

  for (const [name, theme] of [['dark', DARK], ['light', LIGHT]] as Array<[string, Theme]>) {
    it(`names ServerHello fields as the report does (${name})`, async () => {
      const view = await openView(browser, { theme, files: { client: CHAIN }, viewport: { width: 1400, height: 1000 } });
      const { page } = view;
      await view.send({ type: 'init', mode: 'capture', fileName: 'tls12-chain.pcap', uri: `file://${CHAIN}`, timeDisplay: 'relative', ja4plus: false });
      await view.send({ type: 'connections', connections: clone(chain.connections), done: true, input: chain.input, diagnostics: chain.diagnostics });
      await view.send({ type: 'verdicts', verdicts: [], rules: {} });
      await page.locator('[role=option].list-row').first().waitFor();
      await page.locator('[role=treeitem]', { hasText: 'ServerHello' }).first().click();
      await page.keyboard.press('ArrowRight');
      const c = chain.connections[0];
      const rows = fieldGroups([c]).find((g) => g.message === 'ServerHello')!.rows;
      for (const field of ['serverHello.cipherSuite', 'serverHello.legacyVersion', 'serverHello.extendedMasterSecret', 'serverHello.compressionMethod']) {
        const row = rows.find((r) => r.field === field)!;
        const item = page.locator(`[role=treeitem][aria-label="${row.label}: ${row.get(c)}"]`);
        await item.first().waitFor({ timeout: 5000 });
        assert.equal(await item.count(), 1, `${field}: one tree row "${row.label}: ${row.get(c)}"`);
      }
      assert.equal(rows.find((r) => r.field === 'serverHello.extendedMasterSecret')!.get(c), 'yes');
      await page.locator('[role=treeitem][aria-label="extended master secret: yes"]').click();
      // The field's bytes are the extension's: type 0x0017, length 0.
      await page.locator('.hex-scroll .b.sel').first().waitFor();
      assert.deepEqual(await page.locator('.hex-scroll .hex-bytes .b.sel').allTextContents(), ['00', '17', '00', '00']);
      await page.locator('.tree').first().screenshot({ path: join(RESULTS, `webview-fields-${name}.png`) });
      assert.deepEqual(view.errors, []);
      await page.close();
    });
  }
});

/**
 * A ClientHello split over TLS records and TCP segments (the real
 * test/fixtures/handshakes/clienthello-fragmented.pcap: 5 records in 2
 * segments, tshark's count) in the capture webview's hex pane: the layout is
 * said under the title, the bytes where a record or segment begins are
 * marked, and hovering a byte names its segment and record. Screenshots in a
 * dark and a light theme (test-results/webview-hello-layout-*.png).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import type { AnalysisReport } from '../../shared/analysis';
import { clone, launch, openView, RESULTS, ROOT, skipReason } from '../helpers/webviewHarness';
import { DARK, LIGHT, type Theme } from '../helpers/webviewThemes';
import { skipUnlessCi } from '../helpers/prerequisites';

const skip = skipUnlessCi(skipReason());
const FRAGMENTED = join(ROOT, 'test', 'fixtures', 'handshakes', 'clienthello-fragmented.pcap');

describe('ClientHello layout in the hex pane', { skip }, () => {
  let browser: Browser;
  let report: AnalysisReport;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    [browser, report] = await Promise.all([launch(), analyzeFile(FRAGMENTED, { packets: true })]);
  });
  after(async () => {
    await browser?.close();
  });

  for (const theme of [DARK, LIGHT] as Theme[]) {
    it(`shows where the hello's records and segments begin (${theme.name})`, async () => {
      const layout = report.connections[0].messages[0].layout!;
      const view = await openView(browser, { theme, files: { client: FRAGMENTED } });
      const { page } = view;
      await view.send({ type: 'init', mode: 'capture', fileName: 'clienthello-fragmented.pcap', uri: `file://${FRAGMENTED}`, timeDisplay: 'relative', ja4plus: false });
      await view.send({ type: 'connections', connections: clone(report.connections), done: true, input: report.input, diagnostics: report.diagnostics });
      await page.locator('[role=treeitem]', { hasText: 'ClientHello' }).first().click();
      const line = page.locator('.hex-layout');
      await line.waitFor();
      assert.match(await line.innerText(), /^Split: 5 TLS records · 2 TCP segments \(packets #4, #6\)\s*segment starts\s*record starts$/);
      assert.equal(layout.segments.map((g) => g.packet + 1).join(), '4,6');
      assert.match((await line.getAttribute('class')) ?? '', /split/);
      await page.locator('.hex-scroll .hex-bytes .b').first().waitFor();
      // Records 2-5 begin inside the message (their headers are among its bytes); so does the second segment.
      const base = report.connections[0].messages[0].span[0];
      const recordStarts = layout.records.slice(1).map((r) => String(r.span[0] - base));
      const segmentStarts = layout.segments.slice(1).map((g) => String(g.span[0] - base));
      const marked = async (cls: string) => page.locator(`.hex-scroll .hex-bytes .b.${cls}`).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.i!));
      // The pane draws only the rows in view: scroll through all of it, collecting.
      const seen = { rec: new Set<string>(), seg: new Set<string>() };
      const scroller = page.locator('.hex-scroll');
      for (let top = 0; top < 20000; top += 200) {
        await scroller.evaluate((el, t) => { el.scrollTop = t; }, top);
        await page.waitForTimeout(30);
        for (const i of await marked('rec-start')) seen.rec.add(i);
        for (const i of await marked('seg-start')) seen.seg.add(i);
        if (await scroller.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight)) break;
      }
      assert.deepEqual([...seen.rec].sort(), [...recordStarts].sort());
      assert.deepEqual([...seen.seg].sort(), [...segmentStarts].sort());
      // Hovering the first byte of the second segment names it.
      await scroller.evaluate((el) => { el.scrollTop = 0; });
      const at = Number(segmentStarts[0]);
      await scroller.evaluate((el, row) => { el.scrollTop = row * 20 - 40; }, Math.floor(at / 16));
      const cell = page.locator(`#hx-${at}`);
      await cell.waitFor();
      await cell.hover();
      assert.match(await page.locator('#hover-tip').innerText(), /TCP segment 2 of 2 \(packet #6\)/);
      // For the screenshot: the rows around the first record boundary, the tooltip of the byte there.
      const first = Number(recordStarts[0]);
      await scroller.evaluate((el, row) => { el.scrollTop = row * 20 - 60; }, Math.floor(first / 16));
      await page.locator(`#hx-${first}`).hover();
      await page.locator('#hover-tip').waitFor();
      assert.match(await page.locator('#hover-tip').innerText(), /TLS record 2 of 5/);
      await page.screenshot({ path: join(RESULTS, `webview-hello-layout-${theme.name}.png`) });
      assert.deepEqual(view.errors, []);
      await page.close();
    });
  }
});

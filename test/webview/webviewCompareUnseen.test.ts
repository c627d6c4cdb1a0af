/**
 * The compare view in headless Chromium, fed the engine's real comparison of lab/dtls/censor.sh's pair with the
 * relay capture cut before the client's connection (test/helpers/coverageFixtures.ts): the client connection the
 * relay's capture did not cover is listed with compare's reason (CompareReport.uncovered, issue #12), as text
 * whatever the capture put in it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import type { CompareReport } from '../../shared/compare';
import { CENSOR_TSPU, relayCutBefore } from '../helpers/coverageFixtures';
import { HOSTILE } from '../helpers/reportFixtures';
import { launch, openView, RESULTS, skipReason, type View } from '../helpers/webviewHarness';
import { DARK, LIGHT, type Theme } from '../helpers/webviewThemes';
import { skipUnlessCi } from '../helpers/prerequisites';

const skip = skipUnlessCi(skipReason());
const CLIENT = join(CENSOR_TSPU, 'client.pcap');

describe('compare webview: a client connection the relay capture did not cover', { skip }, () => {
  let browser: Browser;
  let report: CompareReport;
  let relay = '';
  let remove = (): void => undefined;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    const client = await analyzeFile(CLIENT);
    ({ path: relay, remove } = relayCutBefore(client.connections[0].startTime));
    [browser, report] = await Promise.all([launch(), compareCaptures(CLIENT, relay)]);
    assert.equal(report.uncovered?.length, 1, 'compare finds the uncovered connection');
  });
  after(async () => {
    await browser?.close();
    remove();
  });

  async function open(theme: Theme, r: CompareReport): Promise<View> {
    const v = await openView(browser, { theme, files: { client: CLIENT, relay }, viewport: { width: 1100, height: 700 } });
    await v.send({ type: 'init', mode: 'compare', fileName: 'client.pcap ⇄ relay-early.pcap', uri: 'file:///client.pcap', timeDisplay: 'relative', ja4plus: false });
    await v.send({ type: 'compare', report: r, clientName: 'client.pcap', relayName: 'relay-early.pcap', baseline: null });
    await v.page.locator('.unseen-box li').first().waitFor();
    return v;
  }

  for (const theme of [DARK, LIGHT]) {
    it(`lists it with compare's reason (${theme.kind})`, async () => {
      const v = await open(theme, report);
      const { page } = v;
      const [u] = report.uncovered!;
      const c = report.client.connections.find((x) => x.id === u.client)!;
      assert.match(await page.locator('.unseen summary').innerText(), /1 connection without a pair, and why/);
      const title = await page.locator('.unseen-box li .unseen-title').innerText();
      assert.ok(title.startsWith(`client #${u.client} ${c.client.address}:${c.client.port} → ${c.server.address}:${c.server.port}`), title);
      assert.match(title, /not covered by the relay capture$/);
      assert.equal(await page.locator('.unseen-box li .unseen-why').innerText(), u.evidence[0]);
      // No pair: the banner says so, the reason is right under it.
      assert.match(await page.locator('.banner').first().innerText(), /No connection appears in both captures/);
      assert.deepEqual(v.errors, []);
      await page.screenshot({ path: join(RESULTS, `webview-compare-uncovered-${theme.kind}.png`) });
      await page.close();
    });
  }

  it('shows hostile evidence and server names as text', async () => {
    const r = structuredClone(report);
    r.uncovered![0].evidence = [`${HOSTILE.subject} ${HOSTILE.sni}`];
    for (const c of r.client.connections) c.tls.serverName = HOSTILE.sni;
    const v = await open(DARK, r);
    const { page } = v;
    assert.equal(await page.locator('.unseen-box li .unseen-why').innerText(), r.uncovered![0].evidence[0]);
    assert.ok((await page.locator('.unseen-box li .unseen-title').innerText()).includes(`(${HOSTILE.sni})`));
    assert.equal(await page.locator('.unseen-box script, .unseen-box img').count(), 0);
    assert.deepEqual(v.errors, []);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), [], 'no CSP violations');
    await page.close();
  });
});

/**
 * The capture editor's webview never stays "decoding" and never says nothing:
 * a capture with no TLS over TCP ends in a state that says what it holds (in
 * the CLI summary's words), the Cancel button is one element for the whole
 * decode (it used to be rebuilt under the pointer), a cancelled decode keeps
 * what it found, and nothing shows progress before the decode has begun.
 * Headless Chromium, fed real analyses of real captures.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { formatAnalysisTail } from '../../server/src/output/textSummary';
import { tlsView } from '../../server/src/lsp/tlsView';
import type { AnalysisReport } from '../../shared/analysis';
import { clone, launch, openView, RESULTS, ROOT, skipReason, type View } from '../helpers/webviewHarness';
import { DARK, LIGHT, type Theme } from '../helpers/webviewThemes';
import { skipUnlessCi } from '../helpers/prerequisites';

const skip = skipUnlessCi(skipReason());
const NO_TLS = join(ROOT, 'test', 'fixtures', 'no-tls');
const SMTP = join(NO_TLS, 'smtp-plain.pcap');
const DTLS = join(ROOT, 'test', 'fixtures', 'dtls', 'openssl-dtls12.pcap');
const RELAY_ICMP = join(ROOT, 'test', 'fixtures', 'dtls', 'censor-tspu', 'relay.pcap');
const MULTI = join(ROOT, 'test', 'fixtures', 'handshakes', 'multi.pcapng');
// A real capture with bytes missing: its one connection has decoding warnings.
const V6 = join(ROOT, 'test', 'fixtures', 'text', 'v6.pcap');

/** What the language server sends the capture editor: every connection read, the TLS-only view taken. */
async function editorReport(path: string): Promise<AnalysisReport> {
  return tlsView(await analyzeFile(path, { packets: true, tlsOnly: false }));
}

describe('capture webview states', { skip }, () => {
  let browser: Browser;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  async function decoded(theme: Theme, file: string, report: AnalysisReport): Promise<View> {
    const view = await openView(browser, { theme, files: { client: file }, viewport: { width: 1000, height: 700 } });
    await view.send({ type: 'init', mode: 'capture', fileName: file.split('/').pop()!, uri: `file://${file}`, timeDisplay: 'relative', ja4plus: false });
    await view.send({ type: 'progress', percentage: 0 });
    await view.send({ type: 'connections', connections: clone(report.connections), done: true, input: report.input, diagnostics: report.diagnostics });
    return view;
  }

  /** The CLI text summary's counts line for this report (the wording the editor must share). */
  const cliCounts = (r: AnalysisReport) => formatAnalysisTail(r, 0, { color: false }).split('\n')[2].trim();

  for (const theme of [DARK, LIGHT]) {
    it(`says what a plaintext SMTP capture holds and why nothing was decoded (${theme.kind})`, async () => {
      const report = await editorReport(SMTP);
      assert.equal(report.connections.length, 0);
      const view = await decoded(theme, SMTP, report);
      const { page } = view;
      const title = page.locator('.banner-title', { hasText: 'No TLS connection in this capture.' });
      await title.waitFor();
      const bannerText = await page.locator('.banner').innerText();
      assert.ok(bannerText.includes(cliCounts(report)), `${bannerText} has the CLI's "${cliCounts(report)}"`);
      // Why, in the preamble decoder's words: an SMTP dialogue in which the client never asked for STARTTLS.
      assert.match(bannerText, /starttls-smtp: the client never asked for TLS \(no STARTTLS in the smtp dialogue\)/);
      assert.doesNotMatch(await page.locator('body').innerText(), /Decoding|Opening the capture|yet\./);
      assert.equal(await page.locator('.list-pane .empty-note').innerText(), 'No TLS connection in this capture.');
      assert.equal(await page.locator('#cancel-decode').isVisible(), false);
      // Said once, in the banner, not again as file notes.
      assert.equal(await page.locator('.file-problems').count(), 0);
      await page.screenshot({ path: join(RESULTS, `webview-no-tls-smtp-${theme.kind}.png`) });
      assert.deepEqual(view.errors, []);
      await page.close();
    });
  }

  it('says a capture of nothing it decodes (ICMP only: the DTLS censor lab\'s relay side) holds packets that are not decoded', async () => {
    const report = await editorReport(RELAY_ICMP);
    assert.ok((report.input.skipped.ICMP ?? 0) > 0 && report.input.tcpPackets === 0 && report.connections.length === 0);
    const view = await decoded(DARK, RELAY_ICMP, report);
    const { page } = view;
    await page.locator('.banner-title', { hasText: 'No TLS connection in this capture.' }).waitFor();
    const bannerText = await page.locator('.banner').innerText();
    assert.ok(bannerText.includes(`not TCP: ${report.input.skipped.ICMP} ICMP`), bannerText);
    assert.ok(bannerText.includes(cliCounts(report)), bannerText);
    assert.deepEqual(view.errors, []);
    await page.close();
  });

  for (const theme of [DARK, LIGHT]) {
    it(`lists the DTLS connections of a UDP-only capture, marked as such, and never says it is still decoding (${theme.kind})`, async () => {
      const report = await editorReport(DTLS);
      assert.equal(report.input.tcpPackets, 0);
      assert.equal(report.connections.length, 1);
      const view = await decoded(theme, DTLS, report);
      const { page } = view;
      const row = page.locator('.list-pane [role="option"]').first();
      await row.waitFor();
      const rowText = await row.innerText();
      assert.match(rowText, /DTLS 1\.2/);
      assert.match(rowText, /DTLS\/UDP/);
      assert.doesNotMatch(await page.locator('body').innerText(), /Decoding|Opening the capture|yet\./);
      assert.equal(await page.locator('#cancel-decode').isVisible(), false);
      // The filter knows the transport.
      await page.locator('input[type="search"], .list-filter input').first().fill('udp');
      assert.equal(await page.locator('.list-pane [role="option"]').count(), 1);
      await page.locator('input[type="search"], .list-filter input').first().fill('quic');
      await page.locator('.list-pane .empty-note', { hasText: 'No connection matches the filter.' }).waitFor();
      await page.locator('input[type="search"], .list-filter input').first().fill('');
      await page.screenshot({ path: join(RESULTS, `webview-dtls-${theme.kind}.png`) });
      assert.deepEqual(view.errors, []);
      await page.close();
    });
  }

  it('shows no progress and no Cancel while the decode has not begun (the size question is open)', async () => {
    const view = await openView(browser, { theme: DARK, files: { client: MULTI } });
    const { page } = view;
    await view.send({ type: 'init', mode: 'capture', fileName: 'multi.pcapng', uri: `file://${MULTI}`, timeDisplay: 'relative', ja4plus: false });
    await page.locator('.banner-title', { hasText: 'Opening the capture…' }).waitFor();
    assert.equal(await page.locator('#cancel-decode').isVisible(), false);
    assert.equal(await page.locator('vscode-progress-bar').isVisible(), false);
    await view.send({ type: 'progress', percentage: 0 });
    await page.locator('#cancel-decode').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#cancel-decode').count(), 1);
    await page.close();
  });

  it('keeps one Cancel button through progress updates, and a cancelled decode keeps what it found', async () => {
    const multi = await analyzeFile(MULTI, { packets: true });
    assert.ok(multi.connections.length >= 2);
    const view = await openView(browser, { theme: DARK, files: { client: MULTI } });
    const { page } = view;
    await view.send({ type: 'init', mode: 'capture', fileName: 'multi.pcapng', uri: `file://${MULTI}`, timeDisplay: 'relative', ja4plus: false });
    await view.send({ type: 'progress', percentage: 10 });
    await view.send({ type: 'connections', connections: clone(multi.connections.slice(0, 1)), done: false });
    await page.locator('[role=option].list-row').first().waitFor();
    const cancel = await page.locator('#cancel-decode').elementHandle();
    assert.ok(cancel);
    for (let p = 11; p <= 40; p++) await view.send({ type: 'progress', percentage: p });
    await page.locator('.progress-text', { hasText: '40 %' }).waitFor();
    // The element found before the updates is the one on the page: a click on it is a click on Cancel.
    assert.equal(await cancel.evaluate((e) => e.isConnected), true);
    const since = view.posted.length;
    await cancel.click();
    assert.deepEqual(await view.waitFor('cancel', since), { type: 'cancel' });
    await view.send({ type: 'cancelled' });
    await page.locator('#cancelled').waitFor();
    assert.match(await page.locator('#cancelled').innerText(), /Cancelled after 1 connection: what was decoded before the stop is shown/);
    assert.equal(await page.locator('[role=option].list-row').count(), 1);
    assert.equal(await page.locator('#cancel-decode').isVisible(), false);
    await page.screenshot({ path: join(RESULTS, 'webview-cancelled-dark.png') });
    assert.deepEqual(view.errors, []);
    await page.close();
  });

  for (const theme of [DARK, LIGHT]) {
    it(`shows a connection's decoding problems: a badge in the list, a list in the detail, a count for the capture (${theme.kind})`, async () => {
      const report = await editorReport(V6);
      const expected = report.connections[0].diagnostics.filter((d) => d.severity !== 'info');
      assert.ok(expected.length >= 2);
      const view = await decoded(theme, V6, report);
      const { page } = view;
      const badge = page.locator('.list-row .badge.diag-warning');
      await badge.waitFor();
      assert.equal(await badge.innerText(), `${expected.length} problems`);
      assert.match((await page.locator('.list-row').first().getAttribute('aria-label')) ?? '', new RegExp(`, ${expected.length} decoding problems$`));
      const items = page.locator('.conn-problems li');
      await items.first().waitFor();
      assert.equal(await items.count(), expected.length);
      assert.deepEqual(await items.allInnerTexts(), expected.map((d) => `warning: ${d.message}${d.packet !== undefined ? ` (packet #${d.packet + 1})` : ''}`));
      assert.match(await page.locator('.header-summary').innerText(), new RegExp(`· ${expected.length} decoding problems$`));
      await page.screenshot({ path: join(RESULTS, `webview-problems-${theme.kind}.png`) });
      assert.deepEqual(view.errors, []);
      await page.close();
    });
  }
});

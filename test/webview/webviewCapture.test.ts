/**
 * The capture editor's webview in headless Chromium, fed real analyses of the
 * fixtures: streaming, filtering, hex bytes of a text dump, notes, hostile
 * strings, and a 100,000-packet timeline.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import type { AnalysisReport } from '../../shared/analysis';
import type { CompareReport } from '../../shared/compare';
import type { ConnectionVerdict } from '../../shared/webviewProtocol';
import { connectionRow } from '../../shared/connectionRow';
import { bigConnection, clone, launch, openView, RESULTS, ROOT, skipReason, type View } from '../helpers/webviewHarness';
import { DARK, HIGH_CONTRAST, LIGHT, type Theme } from '../helpers/webviewThemes';
import { skipUnlessCi } from '../helpers/prerequisites';

const skip = skipUnlessCi(skipReason());
const RELAY = join(ROOT, 'test', 'fixtures', 'tor-kz', 'relay.pcap');
const RELAY_TEXT = join(ROOT, 'test', 'fixtures', 'tor-kz', 'relay.tcpdump-X.txt');
const TWO = join(ROOT, 'test', 'fixtures', 'two-vantage');

describe('capture webview', { skip }, () => {
  let browser: Browser;
  let relay: AnalysisReport;
  let single: CompareReport;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    [browser, relay, single] = await Promise.all([launch(), analyzeFile(RELAY, { packets: true }), compareCaptures(RELAY, null)]);
  });
  after(async () => {
    await browser?.close();
  });

  const verdicts = (r: CompareReport): ConnectionVerdict[] => (r.singleVantage ?? []).map((v) => ({ connection: v.connection, interference: v.interference, suspects: v.suspects }));

  async function open(theme: Theme, report: AnalysisReport, v: ConnectionVerdict[], file = RELAY): Promise<View> {
    const view = await openView(browser, { theme, files: { client: file } });
    await view.send({ type: 'init', mode: 'capture', fileName: file.split('/').pop()!, uri: `file://${file}`, timeDisplay: 'relative', ja4plus: false });
    await view.send({ type: 'connections', connections: clone(report.connections), done: true, input: report.input, diagnostics: report.diagnostics });
    await view.send({ type: 'verdicts', verdicts: v, rules: single.rules });
    await view.page.locator('[role=option].list-row').first().waitFor();
    return view;
  }

  it('lists connections as they stream in, then shows the timeline, tree and hex of the chosen one', async () => {
    const view = await openView(browser, { theme: DARK, files: { client: RELAY } });
    const { page } = view;
    await view.send({ type: 'init', mode: 'capture', fileName: 'relay.pcap', uri: 'file:///relay.pcap', timeDisplay: 'relative', ja4plus: false });
    await view.send({ type: 'progress', percentage: 40 });
    await view.send({ type: 'connections', connections: clone(relay.connections), done: false });
    // Shown while the rest is still being read.
    await page.locator('[role=option].list-row').first().waitFor();
    assert.match(await page.locator('.status-line').innerText(), /Decoding… 40 %/);
    await page.locator('g.arrow').first().waitFor();
    await view.send({ type: 'connections', connections: clone(relay.connections), done: true, input: relay.input, diagnostics: relay.diagnostics });
    await view.send({ type: 'verdicts', verdicts: verdicts(single), rules: single.rules });
    await page.locator('.list-row .badge.verdict-undetermined, .list-row .badge.verdict-drop, .list-row .badge.verdict-none').first().waitFor();
    const row = await page.locator('.list-row').first().getAttribute('aria-label');
    assert.match(row ?? '', /Connection 0, 10\.66\.1\.2:\d+ to 10\.66\.2\.2:443, server name www\.nticptdx7zayqmuqfjd6aq\.com/);
    // Retransmitted ServerHello: one arrow ×10, an anomaly for n.
    await page.locator('.ladder-scroll').focus();
    await page.keyboard.press('n');
    // The jump lands on the next frame; a loaded machine can take a moment.
    // Read without waiting: a virtualised ladder may have dropped the previous row from the page.
    const label = () => page.evaluate(() => {
      const id = document.querySelector('.ladder-scroll')?.getAttribute('aria-activedescendant');
      return (id && document.getElementById(id)?.getAttribute('aria-label')) || '';
    });
    const wanted = /^ServerHello, Certificate, ServerKeyExchange, ServerHelloDone from the server: .*sent 10 times/;
    for (let i = 0; i < 50 && !wanted.test(await label()); i++) await page.waitForTimeout(100);
    assert.match(await label(), wanted);
    // Enter opens that message in the hex pane.
    await page.keyboard.press('Enter');
    await page.locator('.hex-header', { hasText: 'ServerHello' }).waitFor();
    await page.locator('.hex-scroll .hex-bytes .b').nth(56).waitFor();
    assert.ok((await page.locator('.hex-scroll .hex-bytes .b').count()) >= 57);
    assert.deepEqual(view.errors, []);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
    await page.screenshot({ path: join(RESULTS, 'webview-capture-dark.png') });
    await page.close();
  });

  it('gets connections without timelines, keeps the streamed ones at the end, and asks for the shown one\'s timeline', async () => {
    const view = await openView(browser, { theme: DARK, files: { client: RELAY } });
    const { page } = view;
    const slim = clone(relay.connections).map((c) => ({ ...c, packets: undefined }));
    await view.send({ type: 'init', mode: 'capture', fileName: 'relay.pcap', uri: 'file:///relay.pcap', timeDisplay: 'relative', ja4plus: false });
    await view.send({ type: 'progress', percentage: 40 });
    await view.send({ type: 'connections', connections: slim, done: false });
    const asked = await view.waitFor('timeline');
    assert.deepEqual(asked, { type: 'timeline', connection: relay.connections[0].id });
    await page.locator('.ladder-scroll text.empty-text', { hasText: 'Loading the packet timeline…' }).waitFor();
    // The last message carries only what the stream did not: the streamed connection stays listed.
    await view.send({ type: 'connections', connections: [], done: true, streamed: true, input: relay.input, diagnostics: relay.diagnostics });
    await view.send({ type: 'timeline', connection: relay.connections[0].id, packets: clone(relay.connections[0].packets ?? []) });
    await page.locator('g.arrow').first().waitFor();
    assert.equal(await page.locator('[role=option].list-row').count(), relay.connections.length);
    assert.equal(await page.locator('g.arrow').count() > 0, true);
    assert.equal(view.posted.filter((m) => m.type === 'timeline').length, 1, 'asked for once');
    assert.deepEqual(view.errors, []);
    await page.close();
  });

  it('lists rows only, asks for the shown connection in full once, and draws it when it comes', async () => {
    const file = join(ROOT, 'test', 'fixtures', 'handshakes', 'multi.pcapng');
    const multi = await analyzeFile(file, { packets: true });
    const view = await openView(browser, { theme: DARK, files: { client: file } });
    const { page } = view;
    await view.send({ type: 'init', mode: 'capture', fileName: 'multi.pcapng', uri: `file://${file}`, timeDisplay: 'relative', ja4plus: false });
    await view.send({ type: 'progress', percentage: 10 });
    const rows = multi.connections.map(connectionRow);
    await view.send({ type: 'rows', rows: rows.slice(0, 1), done: false });
    const first = multi.connections[0];
    assert.deepEqual(await view.waitFor('detail'), { type: 'detail', connection: first.id });
    await page.locator('.ladder-scroll text.empty-text', { hasText: 'Loading the connection…' }).waitFor();
    await view.send({ type: 'rows', rows: rows.slice(1), done: true, streamed: true, input: multi.input, diagnostics: multi.diagnostics });
    await page.locator(`#conn-${multi.connections[multi.connections.length - 1].id}`).waitFor();
    assert.equal(await page.locator('[role=option].list-row').count(), multi.connections.length);
    // The server's list decode answers at once without the timeline: the tree is drawn, the timeline asked for with the full analysis.
    await view.send({ type: 'detail', connection: first.id, report: { ...clone(first), packets: undefined } });
    await page.locator('[role=treeitem]', { hasText: 'ClientHello' }).first().waitFor();
    await page.locator('.ladder-scroll text.empty-text', { hasText: 'Loading the packet timeline…' }).waitFor();
    assert.deepEqual(view.posted.filter((m) => m.type === 'detail').at(-1), { type: 'detail', connection: first.id, timeline: true });
    await view.send({ type: 'detail', connection: first.id, report: clone(first) });
    await page.locator('g.arrow').first().waitFor();
    assert.equal(view.posted.filter((m) => m.type === 'detail').length, 2, 'asked for once, then once with its timeline');
    assert.equal(view.posted.filter((m) => m.type === 'timeline').length, 0, 'the connection in full carries its timeline');
    // Another connection: asked for when chosen; one the server no longer has is said so, not loading for ever.
    const other = multi.connections[1];
    await page.locator(`#conn-${other.id}`).click();
    assert.deepEqual(view.posted.filter((m) => m.type === 'detail').at(-1), { type: 'detail', connection: other.id });
    await view.send({ type: 'detail', connection: other.id, report: null });
    await page.locator('.ladder-scroll text.empty-text', { hasText: 'The server no longer has this connection' }).waitFor();
    assert.deepEqual(view.errors, []);
    await page.close();
  });

  it('filters by address, port, SNI, JA4, verdict and suspect', async () => {
    const a = await analyzeFile(join(TWO, 'openssl-pass', 'client.pcap'), { packets: true });
    const b = await analyzeFile(join(TWO, 'tor-drop-serverhello', 'client.pcap'), { packets: true });
    const merged: AnalysisReport = { ...a, connections: [...a.connections, ...b.connections.map((c) => ({ ...c, id: c.id + 100 }))] };
    const single2 = await compareCaptures(join(TWO, 'tor-drop-serverhello', 'client.pcap'), null);
    const v = verdicts(single2).map((x) => ({ ...x, connection: x.connection + 100 }));
    const view = await open(LIGHT, merged, v, join(TWO, 'openssl-pass', 'client.pcap'));
    const { page } = view;
    const total = merged.connections.length;
    assert.ok(total >= 2);
    const filter = page.locator('.list-filter input');
    const count = async () => page.locator('.list-row').count();
    const tor = b.connections[0];
    await filter.fill(tor.tls.serverName ?? tor.server.address);
    assert.equal(await count(), b.connections.length);
    await filter.fill(String(a.connections[0].client.port));
    assert.equal(await count(), 1);
    await filter.fill(a.connections[0].fingerprints.ja4 ?? 'none');
    assert.ok((await count()) >= 1);
    await filter.fill('suspect');
    assert.ok((await count()) >= 1);
    await filter.fill('no-such-thing');
    assert.equal(await count(), 0);
    assert.match(await page.locator('.list-scroll').innerText(), /No connection matches the filter/);
    await filter.fill('');
    assert.equal(await count(), total);
    // Keyboard: ↓ from the filter into the list, roving tabindex, ↓ selects the next one.
    await filter.press('ArrowDown');
    assert.equal(await page.locator('.list-row[tabindex="0"]').count(), 1);
    await page.keyboard.press('End');
    const lastId = String(merged.connections[merged.connections.length - 1].id);
    await page.locator(`.list-row[aria-selected=true][data-key="${lastId}"]`).waitFor({ timeout: 5000 });
    assert.equal(await page.locator('.list-row[aria-selected=true]').getAttribute('data-key'), lastId);
    await page.screenshot({ path: join(RESULTS, 'webview-capture-light.png') });
    await page.close();
  });

  it('reads hex bytes of a text dump by line and column', async () => {
    const text = await analyzeFile(RELAY_TEXT, { packets: true });
    const sv = await compareCaptures(RELAY_TEXT, null);
    const view = await open(DARK, text, verdicts(sv), RELAY_TEXT);
    const { page } = view;
    const sh = page.locator('[role=treeitem]', { hasText: 'ServerHello' }).first();
    await sh.click();
    const cipher = page.locator('[role=treeitem][aria-label^="cipher suite: TLS_ECDHE"]');
    await cipher.click();
    await page.locator('.hex-scroll .b.sel').first().waitFor();
    assert.deepEqual(await page.locator('.hex-scroll .hex-bytes .b.sel').allTextContents(), ['c0', '30']);
    await page.locator('.hex-scroll .hex-bytes .b.sel').first().hover();
    assert.match(await page.locator('#hover-tip').innerText(), /line 65, column 11/);
    await page.close();
  });

  it('adds a note to a field and shows the notes it is sent (high contrast)', async () => {
    const view = await open(HIGH_CONTRAST, relay, verdicts(single));
    const { page } = view;
    const cipher = page.locator('[role=treeitem][aria-label^="cipher suite: TLS_ECDHE"]');
    await cipher.waitFor();
    await cipher.click();
    await page.keyboard.press('a');
    const dialog = page.locator('dialog.note-dialog');
    await dialog.waitFor();
    await page.keyboard.type('Cipher seen in the 2012 Kazakhstan block');
    const since = view.posted.length;
    await page.keyboard.press('Control+Enter');
    const msg = await view.waitFor('annotate', since);
    assert.deepEqual(msg, { type: 'annotate', side: 'client', target: { kind: 'field', connection: 0, field: 'serverHello.cipherSuite' }, text: 'Cipher seen in the 2012 Kazakhstan block' });
    await view.send({ type: 'notes', problems: [], savedTo: { client: "the extension's storage (/g/samples/relay.pcap.annotations.json)" }, notes: [{ id: 'n1', side: 'client', target: { kind: 'field', connection: 0, field: 'serverHello.cipherSuite' }, text: 'Cipher seen in the 2012 Kazakhstan block', created: '2025-01-01T00:00:00Z' },
      { id: 'n2', side: 'client', target: { kind: 'packet', packet: 5 }, text: 'the blocked segment', created: '2025-01-01T00:00:00Z' }] });
    await page.locator('[role=treeitem] .tree-notes').first().waitFor();
    assert.match((await cipher.getAttribute('aria-label')) ?? '', /1 note/);
    // The notes tab says where the notes are kept.
    assert.equal(await page.locator('.notes-where').first().textContent(), "Notes saved to the extension's storage (/g/samples/relay.pcap.annotations.json)");
    await page.locator('vscode-tab-header', { hasText: /^Notes/ }).first().click();
    await page.locator('.notes-where').first().waitFor();
    await page.locator('.tab-body', { has: page.locator('.notes-where') }).first().screenshot({ path: join(RESULTS, 'webview-capture-notes-tab.png') });
    await page.locator('.ladder-scroll').focus();
    await page.keyboard.press('n');
    assert.match(await page.locator('g.arrow.selected .note-mark').textContent() ?? '', /✎1/);
    const since2 = view.posted.length;
    await page.locator('#export-report').click();
    assert.deepEqual(await view.waitFor('exportReport', since2), { type: 'exportReport' });
    await page.screenshot({ path: join(RESULTS, 'webview-capture-hc.png') });
    await page.close();
  });

  it('shows hostile SNI and certificate strings as text, creating no elements', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const evil2 = '"><script>alert(2)</script><svg onload=alert(3)>';
    const r = clone(relay);
    const c = r.connections[0];
    c.tls.serverName = evil;
    c.clientHello!.serverName = evil;
    (c.clientHello!.extensions[0].data as { serverNames: Array<{ name: string }> }).serverNames[0].name = evil;
    c.certificates[0].subject = `CN=${evil2}`;
    c.certificates[0].subjectCN = evil2;
    for (const m of c.messages) if (m.certificates) m.certificates[0] = c.certificates[0];
    const v = verdicts(single).map((x) => ({ ...x, suspects: x.suspects.map((s) => ({ ...s, reason: `${s.reason ?? ''} ${evil}`, value: evil2 })) }));
    const evilRules = Object.fromEntries(Object.entries(single.rules).map(([k, t]) => [k, { ...t, explanation: `${t.explanation} ${evil}`, reference: evil }]));
    const view = await openView(browser, { theme: DARK, files: { client: RELAY } });
    const { page } = view;
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const before = await page.evaluate(() => document.querySelectorAll('img, script, iframe, object, embed, svg:not(.ladder-svg)').length);
    await view.send({ type: 'init', mode: 'capture', fileName: `${evil}.pcap`, uri: 'file:///x.pcap', timeDisplay: 'relative', ja4plus: false });
    await view.send({ type: 'connections', connections: r.connections, done: true, input: r.input, diagnostics: [{ severity: 'warning', code: 'x', message: evil, location: null }] });
    await view.send({ type: 'verdicts', verdicts: v, rules: evilRules });
    await page.locator('.list-row').first().waitFor();
    await page.locator('[role=treeitem]', { hasText: 'certificate 0' }).first().waitFor();
    // Open the certificate so its subject row is drawn.
    await page.locator('[role=treeitem]', { hasText: 'certificate 0' }).first().click();
    await page.keyboard.press('ArrowRight');
    const body = await page.locator('body').innerText();
    assert.ok(body.includes(evil), 'the SNI is shown as text');
    assert.ok(body.includes(evil2), 'the certificate subject is shown as text');
    assert.ok((await page.locator('.list-title').first().innerText()).includes(evil));
    const after = await page.evaluate(() => document.querySelectorAll('img, script, iframe, object, embed, svg:not(.ladder-svg)').length);
    assert.equal(after, before, 'no element made from capture data');
    assert.equal(await page.title(), `${evil}.pcap`);
    await page.waitForTimeout(100);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(view.errors, []);
    await page.close();
  });

  it('draws a 100,000-packet timeline and scrolls and zooms it', async () => {
    const conn = bigConnection(relay.connections[0], 100_000);
    const view = await openView(browser, { theme: DARK, files: { client: RELAY } });
    const { page } = view;
    await view.send({ type: 'init', mode: 'capture', fileName: 'big.pcap', uri: 'file:///big.pcap', timeDisplay: 'relative', ja4plus: false });
    await view.send({ type: 'connections', connections: [conn], done: true, input: relay.input, diagnostics: [] });
    await page.locator('g.arrow').first().waitFor({ timeout: 20000 });
    assert.match(await page.locator('.ladder-status').innerText(), /^100000 arrows/);
    const scroller = page.locator('.ladder-scroll');
    const height = await scroller.evaluate((e) => e.scrollHeight);
    assert.ok(height > 1_000_000, `scroll height ${height}`);
    for (const frac of [0.25, 0.5, 0.999]) {
      await scroller.evaluate((e, f) => { e.scrollTop = e.scrollHeight * f; }, frac);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const drawn = await page.locator('g.arrow').count();
      // Long RTO pauses are cut but still take a row each: a view holds a few arrows there, dozens in the handshakes.
      assert.ok(drawn >= 1 && drawn < 200, `drew ${drawn} arrows at ${frac}`);
    }
    await scroller.focus();
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.ok((await page.locator('g.arrow').count()) >= 1);
    await page.close();
  });
  it('shows the connection Open Timeline asks for once it is decoded, not before (no timer)', async () => {
    const file = join(ROOT, 'test', 'fixtures', 'handshakes', 'multi.pcapng');
    const multi = await analyzeFile(file, { packets: true });
    assert.ok(multi.connections.length >= 3);
    const wanted = multi.connections[multi.connections.length - 1].id;
    const view = await openView(browser, { theme: DARK, files: { client: file } });
    const { page } = view;
    await view.send({ type: 'init', mode: 'capture', fileName: 'multi.pcapng', uri: `file://${file}`, timeDisplay: 'relative', ja4plus: false });
    // Asked for before any connection is here (the extension sends it as soon as the webview is ready).
    await view.send({ type: 'select', connection: wanted });
    await view.send({ type: 'connections', connections: clone(multi.connections.slice(0, 1)), done: false });
    await page.locator('[role=option].list-row').first().waitFor();
    // The asked-for connection is not decoded yet: at most the first one is shown, as always.
    assert.doesNotMatch((await page.locator('[role=option][aria-selected=true]').first().getAttribute('aria-label', { timeout: 1000 }).catch(() => '')) ?? '', new RegExp(`^Connection ${wanted},`));
    await view.send({ type: 'connections', connections: clone(multi.connections), done: true, input: multi.input, diagnostics: multi.diagnostics });
    const chosen = page.locator('[role=option][aria-selected=true]');
    await chosen.waitFor();
    assert.match((await chosen.getAttribute('aria-label')) ?? '', new RegExp(`^Connection ${wanted},`));
    assert.deepEqual(view.errors, []);
    await page.close();
  });
});

/**
 * The compare view on the QUIC censor lab's real captures (lab/quic-censor/make.sh): a flow whose every
 * datagram was dropped before the relay (relay: null) and a flow whose server answer was dropped (the
 * GFW's way) must both read right, with datagram sizes on the arrows. Screenshots in dark and light.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import type { AnalysisReport } from '../../shared/analysis';
import { launch, openView, RESULTS, ROOT, skipReason, type View } from '../helpers/webviewHarness';
import { DARK, LIGHT, type Theme } from '../helpers/webviewThemes';
import { skipUnlessCi } from '../helpers/prerequisites';

const skip = skipUnlessCi(skipReason());
const files = (mode: string) => ({
  client: join(ROOT, 'test', 'fixtures', 'quic-censor', mode, 'client.pcap'),
  relay: join(ROOT, 'test', 'fixtures', 'quic-censor', mode, 'relay.pcap'),
});

describe('webview with QUIC connections (the SNI censor lab, capture and compare views)', { skip }, () => {
  let browser: Browser;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  async function open(theme: Theme, mode: string): Promise<View> {
    const f = files(mode);
    const report = await compareCaptures(f.client, f.relay);
    const v = await openView(browser, { theme, files: f });
    await v.send({ type: 'init', mode: 'compare', fileName: 'client.pcap ⇄ relay.pcap', uri: 'file:///client.pcap', timeDisplay: 'relative', ja4plus: false });
    await v.send({ type: 'compare', report, clientName: 'client.pcap', relayName: 'relay.pcap', baseline: null });
    await v.page.locator('g.arrow').first().waitFor();
    return v;
  }

  it('a flow the relay never saw: its Initials end at the censor, the banner says client → relay, ClientHello', async () => {
    const v = await open(DARK, 'sni-drop');
    const { page } = v;
    // The TCP connection's pair comes first (TCP ids before QUIC ones): choose the blocked QUIC flow.
    await page.locator('.list-row[role=option]', { hasText: 'blocked.example' }).click();
    assert.match(await page.locator('.banner').first().innerText(), /dropped on the path, client → relay; the first TLS message that did not get through is ClientHello/i);
    assert.match(await page.locator('.banner').first().innerText(), /never at the relay/);
    const dropped = page.locator('g.arrow.k-dropped');
    assert.equal(await dropped.count(), 1, 'the Initial and its retransmission are one arrow');
    assert.match((await dropped.getAttribute('aria-label')) ?? '', /^ClientHello · 1200 B from the client: dropped on the path/);
    assert.equal(await page.locator('g.arrow').count(), 1);
    assert.deepEqual(v.errors, []);
    await page.screenshot({ path: join(RESULTS, 'webview-compare-quic-dark.png') });
    await page.close();
  });

  it('the GFW way: the ClientHello delivered, the server\'s Initial dropped ×3, the client\'s retransmission dropped', async () => {
    const v = await open(LIGHT, 'gfw-pass-trigger');
    const { page } = v;
    await page.locator('.list-row[role=option]', { hasText: 'blocked.example' }).click();
    assert.match(await page.locator('.banner').first().innerText(), /dropped on the path, relay → client; the first TLS message that did not get through is ServerHello/i);
    const labels = await page.locator('g.arrow').evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label') ?? ''));
    assert.match(labels[0], /^ClientHello · 1200 B from the client: delivered/);
    assert.ok(labels.some((l) => /^ServerHello · 1200 B from the relay: dropped on the path.*sent 3 times/.test(l)), labels.join('\n'));
    assert.ok(labels.some((l) => /^QUIC Initial · 1200 B \(retransmission\) from the client: dropped/.test(l)), labels.join('\n'));
    assert.deepEqual(v.errors, []);
    await page.screenshot({ path: join(RESULTS, 'webview-compare-quic-light.png') });
    await page.close();
  });

  it('the capture editor lists QUIC connections beside TCP ones, badged, and the filter finds them by transport', async () => {
    const tcpFile = join(ROOT, 'test', 'fixtures', 'two-vantage', 'openssl-pass', 'client.pcap');
    const tcp = await analyzeFile(tcpFile, { packets: true });
    const lab = await analyzeFile(files('sni-drop').client, { packets: true });
    const merged: AnalysisReport = { ...tcp, connections: [...tcp.connections, ...lab.connections.map((c) => ({ ...c, id: c.id + 100 }))] };
    const quic = merged.connections.filter((c) => c.transport === 'quic');
    assert.equal(quic.length, 4);
    const v = await openView(browser, { theme: DARK, files: { client: tcpFile } });
    const { page } = v;
    await v.send({ type: 'init', mode: 'capture', fileName: 'mixed.pcap', uri: `file://${tcpFile}`, timeDisplay: 'relative', ja4plus: false });
    await v.send({ type: 'connections', connections: JSON.parse(JSON.stringify(merged.connections)), done: true, input: tcp.input, diagnostics: [] });
    const rows = page.locator('.list-row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), merged.connections.length);
    const labels = await page.locator('[role=option]').evaluateAll((os) => os.map((o) => o.getAttribute('aria-label') ?? ''));
    assert.equal(labels.filter((l) => l.startsWith('QUIC connection 10')).length, quic.length, labels.join('\n'));
    const filter = page.locator('.list-filter input');
    await filter.fill('quic');
    assert.equal(await rows.count(), quic.length);
    assert.equal(await page.locator('.list-row .badge.transport').count(), quic.length);
    assert.match(await rows.first().innerText(), /QUIC/);
    await filter.fill('tcp');
    assert.equal(await rows.count(), merged.connections.length - quic.length);
    assert.deepEqual(v.errors, []);
    await page.close();
  });
});

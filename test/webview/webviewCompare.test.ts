/**
 * The compare view in headless Chromium, fed the engine's real comparison of
 * the Tor/Kazakhstan fixture: the blocked ServerHello must read as dropped
 * at a glance, by eye and by screen reader.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import type { CompareReport } from '../../shared/compare';
import { launch, openView, RESULTS, ROOT, skipReason, type View } from '../helpers/webviewHarness';
import { DARK, HIGH_CONTRAST, LIGHT, type Theme } from '../helpers/webviewThemes';
import { skipUnlessCi } from '../helpers/prerequisites';

const skip = skipUnlessCi(skipReason());
const CLIENT = join(ROOT, 'test', 'fixtures', 'tor-kz', 'client.pcap');
const RELAY = join(ROOT, 'test', 'fixtures', 'tor-kz', 'relay.pcap');

describe('compare webview (tor-kz)', { skip }, () => {
  let browser: Browser;
  let report: CompareReport;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    [browser, report] = await Promise.all([launch(), compareCaptures(CLIENT, RELAY)]);
  });
  after(async () => {
    await browser?.close();
  });

  async function open(theme: Theme): Promise<View> {
    const v = await openView(browser, { theme, files: { client: CLIENT, relay: RELAY } });
    await v.send({ type: 'init', mode: 'compare', fileName: 'client.pcap ⇄ relay.pcap', uri: 'file:///client.pcap', timeDisplay: 'relative', ja4plus: false });
    await v.send({ type: 'compare', report, clientName: 'client.pcap', relayName: 'relay.pcap', baseline: null });
    await v.page.locator('g.arrow').first().waitFor();
    // The hex pane fills once the ServerHello's bytes came back.
    await v.page.locator('.hex-scroll .b').first().waitFor();
    return v;
  }

  it('draws client, censor and relay lanes with the dropped ServerHello ending at the censor', async () => {
    const v = await open(DARK);
    const { page } = v;
    const titles = await page.locator('.ladder-head .lane-name').allTextContents();
    assert.ok(titles.includes('client') && titles.includes('relay') && titles.includes('censor (path)'), titles.join('|'));
    const dropped = page.locator('g.arrow.k-dropped');
    assert.equal(await dropped.count(), 1, 'the ten ServerHello transmissions are one arrow');
    const label = (await dropped.getAttribute('aria-label')) ?? '';
    assert.match(label, /^ServerHello, Certificate, ServerKeyExchange, ServerHelloDone from the relay: dropped on the path/);
    assert.match(label, /censor \(✕\)/);
    assert.match(label, /sent 10 times/);
    assert.equal(await dropped.locator('.count').textContent(), '×10');
    // The ✕ sits on the censor's lane.
    const lanes = await page.locator('.ladder-svg line.lane').evaluateAll((ls) => ls.map((l) => ({ x: Number(l.getAttribute('x1')), censor: l.classList.contains('censor') })));
    const censorX = lanes.find((l) => l.censor)!.x;
    const d = (await dropped.locator('.drop-mark').getAttribute('d')) ?? '';
    const [mx] = /M([\d.]+)/.exec(d)!.slice(1).map(Number);
    assert.ok(Math.abs(mx + 7 - censorX) < 0.5, `✕ at ${mx + 7}, censor at ${censorX}`);
    // Delivered packets cross the middle from one lane to the other.
    const delivered = await page.locator('g.arrow.k-delivered .shaft').evaluateAll((ls) => ls.map((l) => [Number(l.getAttribute('x1')), Number(l.getAttribute('x2'))]));
    assert.ok(delivered.length >= 1);
    assert.match(await page.locator('.ladder-status').innerText(), /^6 arrows/);
    const xs = lanes.filter((l) => !l.censor).map((l) => l.x).sort((a, b) => a - b);
    for (const [a, b] of delivered) assert.deepEqual([a, b].sort((p, q) => p - q), xs);
    assert.match(await page.locator('.banner').first().innerText(), /dropped on the path, relay → client; the first TLS message that did not get through is ServerHello/i);
    assert.deepEqual(v.errors, []);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), [], 'no CSP violations');
    await page.screenshot({ path: join(RESULTS, 'webview-compare-dark.png') });
    await page.close();
  });

  for (const theme of [DARK, LIGHT]) {
    it(`suspect fields tab (${theme.kind}): the strongest five with their reasons, the rest folded by rule behind keyboard toggles`, async () => {
      const v = await open(theme);
      const { page } = v;
      await page.setViewportSize({ width: 1280, height: 1100 });
      const suspects = report.pairs[0].suspects;
      const header = page.locator('vscode-tab-header', { hasText: 'Suspect fields' });
      assert.equal(await header.innerText(), `Suspect fields (${suspects.length})`);
      await header.click();
      const shown = page.locator('.tabs-box .suspect-card:visible');
      await shown.first().waitFor();
      // The top five by rank, in rank order, each with its reason and its rule's text from the document's rules.
      assert.deepEqual(await shown.locator('.suspect-rank').allTextContents(), suspects.slice(0, 5).map((s) => `#${s.rank}`));
      assert.equal(await shown.first().locator('.suspect-reason').innerText(), suspects[0].reason);
      assert.match(await shown.first().innerText(), new RegExp(report.rules[suspects[0].rule].title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      const toggles = page.locator('.tabs-box button.suspect-fold');
      const groups = new Set(suspects.slice(5).map((s) => s.rule)).size;
      assert.equal(await toggles.count(), groups);
      await page.locator('.tabs-box').screenshot({ path: join(RESULTS, `webview-compare-suspects-${theme.kind}.png`) });
      const first = toggles.first();
      assert.match(await first.innerText(), /^\d+ more, same reason: /);
      assert.equal(await first.getAttribute('aria-expanded'), 'false');
      // Keyboard: focus the toggle and press Enter; its cards appear.
      await first.focus();
      await page.keyboard.press('Enter');
      assert.equal(await first.getAttribute('aria-expanded'), 'true');
      const body = page.locator(`#${await first.getAttribute('aria-controls')}`);
      assert.ok((await body.locator('.suspect-card').count()) > 0);
      assert.ok(await body.isVisible());
      assert.deepEqual(v.errors, []);
      await first.scrollIntoViewIfNeeded();
      await page.locator('.tabs-box').screenshot({ path: join(RESULTS, `webview-compare-suspects-open-${theme.kind}.png`) });
      await page.close();
    });
  }

  it('opens the blocked ServerHello with its suspect fields highlighted in tree and hex', async () => {
    const { page } = await open(LIGHT);
    // The relay's copy: the client never saw it.
    assert.equal(await page.locator('.side-toggle [aria-checked="true"]').innerText(), 'relay capture (has the ServerHello)');
    const cipher = page.locator('[role=treeitem][aria-label^="cipher suite: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]');
    await cipher.waitFor();
    assert.match((await cipher.getAttribute('class')) ?? '', /suspect w-medium/);
    // The reason is the field's and the case's (issue #15), not the rule's general sentence.
    assert.match((await cipher.getAttribute('aria-label')) ?? '', /Suspect \(medium\): The cipher suite the server chose, in the ServerHello, the first message that never arrived \(relay → client\)/);
    assert.match(await cipher.locator('.tree-why').innerText(), /in the ServerHello, the first message that never arrived \(relay → client\)\. Ethiopia matched/);
    const certSubject = page.locator('[role=treeitem][aria-label^="subject: CN=www.b3iya6yfytxok2q7o.net"]');
    assert.match((await certSubject.getAttribute('class')) ?? '', /w-high/);
    // The cipher suite's two bytes are highlighted as suspect in the hex pane.
    const marked = await page.locator('.hex-scroll .hex-bytes .b.sus-medium').allTextContents();
    assert.ok(marked.join(' ').includes('c0 30'), marked.join(' '));
    await cipher.click();
    const sel = await page.locator('.hex-scroll .hex-bytes .b.sel').allTextContents();
    assert.deepEqual(sel, ['c0', '30']);
    await page.screenshot({ path: join(RESULTS, 'webview-compare-light.png') });
    await page.close();
  });

  it('names the innermost field of a hovered hex byte, and selects it on click', async () => {
    const { page } = await open(DARK);
    await page.locator('[role=treeitem][aria-label^="cipher suite: TLS_ECDHE"]').click();
    const byte = page.locator('.hex-scroll .hex-bytes .b.sel').first();
    await byte.hover();
    const tip = page.locator('#hover-tip');
    await tip.waitFor({ state: 'visible' });
    const text = await tip.innerText();
    assert.match(text, /^cipher suite/);
    assert.match(text, /serverHello\.cipherSuite/);
    assert.match(text, /TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 \(0xc030\)/);
    assert.match(text, /c0 30/);
    assert.match(text, /file offset 1093/);
    assert.match(text, /Suspect \(medium\)/);
    // A byte of the random: the innermost field is the random, not the ServerHello around it.
    const randomByte = page.locator('.hex-scroll .hex-bytes .b').nth(10);
    // Move off first: the tooltip of the previous hover can sit over the next byte.
    await page.mouse.move(0, 0);
    await tip.waitFor({ state: 'hidden' });
    await randomByte.click();
    // Selection lands on the next frame: wait for it rather than read the state at once.
    await page.locator('[role=treeitem][aria-selected=true][aria-label^="random: "]').waitFor({ timeout: 5000 });
    assert.match(await page.locator('[role=treeitem][aria-selected=true]').getAttribute('aria-label') ?? '', /^random: /);
    await page.close();
  });

  it('a click on a byte counts even when the hover redraws the bytes between press and release', async () => {
    const { page } = await open(DARK);
    await page.locator('[role=treeitem][aria-label^="cipher suite: TLS_ECDHE"]').click();
    // Onto a byte of another field (the random): the hover schedules a redraw
    // of the rows; press, let that frame replace the cells, then release.
    const box = (await page.locator('.hex-scroll .hex-bytes .b').nth(10).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.mouse.up();
    await page.locator('[role=treeitem][aria-selected=true][aria-label^="random: "]').waitFor({ timeout: 5000 });
    await page.close();
  });

  it('jumps to the next anomaly with n and walks the tree with the arrow keys', async () => {
    const { page } = await open(DARK);
    await page.locator('.ladder-scroll').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('n');
    // The jump lands on the next frame; a loaded machine can take a moment.
    // Read without waiting: a virtualised ladder may have dropped the previous row from the page.
    const activeLabel = () => page.evaluate(() => {
      const id = document.querySelector('.ladder-scroll')?.getAttribute('aria-activedescendant');
      return { id: id ?? null, label: (id && document.getElementById(id)?.getAttribute('aria-label')) || '' };
    });
    let active: string | null = null;
    for (let i = 0; i < 50; i++) {
      const a = await activeLabel();
      active = a.id;
      if (a.id && /dropped on the path/.test(a.label)) break;
      await page.waitForTimeout(100);
    }
    assert.ok(active);
    assert.match((await page.locator(`#${active}`).getAttribute('aria-label')) ?? '', /dropped on the path/);
    assert.match(await page.locator('[role=status][aria-live=polite]').innerText(), /dropped on the path/);
    // Shift+N wraps to the same (only) anomaly; ↓ moves on.
    await page.keyboard.press('Shift+N');
    assert.equal(await page.locator('.ladder-scroll').getAttribute('aria-activedescendant'), active);
    // Tree: roving tabindex, ↓ moves, ← goes to the parent, → opens.
    const focused = page.locator('[role=treeitem][tabindex="0"]');
    await focused.focus();
    const before = await focused.getAttribute('aria-label');
    await page.keyboard.press('ArrowDown');
    const after1 = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    assert.notEqual(after1, before);
    assert.equal(await page.locator('[role=treeitem][tabindex="0"]').count(), 1);
    await page.keyboard.press('ArrowLeft');
    const parent = await page.evaluate(() => document.activeElement?.getAttribute('aria-level'));
    assert.equal(parent, '1');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-expanded')), 'false');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-expanded')), 'true');
    await page.close();
  });

  it('shifts the relay lane with the clock offset control', async () => {
    const { page } = await open(DARK);
    const y = async () => Number(await page.locator('g.arrow.k-delivered').first().locator('.shaft').getAttribute('y2'));
    const before = await y();
    const field = page.locator('.offset-field input');
    // The box shows the offset in use (the estimate, to start with), not an adjustment of 0.
    const estimate = report.pairs[0].clockOffset.seconds;
    // (+ 0: an estimate of −0 reads 0 in the box.)
    assert.equal(Number(await field.inputValue()), Math.round(estimate * 1e6) / 1e6 + 0);
    assert.equal(await page.locator('.offset-value').innerText(), 'the estimate');
    await field.fill(String(estimate + 0.0005));
    await field.press('Enter');
    await page.waitForFunction(() => (document.querySelector('.offset-value')?.textContent ?? '').includes('0.5 ms'));
    assert.ok((await y()) > before, 'a later relay clock moves the relay ends down');
    assert.match(await page.locator('.offset-value').innerText(), /^estimate [+−][\d.]+ \S+ \+ 0\.5 ms$/);
    // Far outside the slider's first range: the slider follows instead of sitting at its end.
    await field.fill(String(estimate + 1000));
    await field.press('Enter');
    await page.waitForFunction(() => (document.querySelector('.offset-value')?.textContent ?? '').includes('1000000 ms'));
    const slider = await page.locator('.offset-slider').evaluate((el: HTMLInputElement) => ({ value: Number(el.value), max: Number(el.max) }));
    assert.equal(slider.value, 1_000_000);
    assert.ok(slider.max >= 1_000_000);
    // Moving the slider writes the offset in use into the box.
    await page.locator('.offset-slider').evaluate((el: HTMLInputElement) => { el.value = '0'; el.dispatchEvent(new Event('input')); });
    assert.equal(Number(await field.inputValue()), Math.round(estimate * 1e6) / 1e6 + 0);
    await page.close();
  });

  it('shows the baseline diff the extension sends, and asks for another baseline', async () => {
    // A working handshake to diff the blocked one against (a third capture, as the CLI's --baseline FILE).
    const withBaseline = await compareCaptures(CLIENT, RELAY, { baseline: join(ROOT, 'test', 'fixtures', 'two-vantage', 'openssl-pass', 'client.pcap') });
    const rows = withBaseline.pairs[0].baselineDiff ?? [];
    assert.ok(rows.length > 0, 'the engine produced a baseline diff');
    // Give the client capture a second connection so the picker has something to offer.
    const extra = structuredClone(withBaseline.client.connections[0]);
    extra.id = 7;
    withBaseline.client.connections.push(extra);
    const v = await openView(browser, { theme: DARK, files: { client: CLIENT, relay: RELAY } });
    await v.send({ type: 'init', mode: 'compare', fileName: 'x', uri: 'file:///client.pcap', timeDisplay: 'relative', ja4plus: false });
    await v.send({ type: 'compare', report: withBaseline, clientName: 'client.pcap', relayName: 'relay.pcap', baseline: 7 });
    const table = v.page.locator('table.diff-table');
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), rows.length);
    assert.equal(await table.locator('tbody tr.distinctive').count(), rows.filter((r) => r.distinctive).length);
    assert.match(await v.page.locator('details.diff summary').innerText(), /distinctive difference/);
    await v.page.screenshot({ path: join(RESULTS, 'webview-compare-baseline.png') });
    // Picking "No baseline" asks the extension to compare again.
    const since = v.posted.length;
    await v.page.evaluate(() => {
      const sel = document.querySelector('.baseline-select') as HTMLElement & { value: string };
      sel.value = '';
      sel.dispatchEvent(new Event('change'));
    });
    assert.deepEqual(await v.waitFor('baseline', since), { type: 'baseline', connection: null });
    await v.page.close();
  });

  it('looks right in high contrast', async () => {
    const { page } = await open(HIGH_CONTRAST);
    await page.locator('.ladder-scroll').focus();
    await page.keyboard.press('n');
    await page.screenshot({ path: join(RESULTS, 'webview-compare-hc.png') });
    await page.close();
  });
});

describe('compare webview (RST injected by a censor, openssl-rst-injected)', { skip }, () => {
  const dir = join(ROOT, 'test', 'fixtures', 'two-vantage', 'openssl-rst-injected');
  let browser: Browser;
  let report: CompareReport;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    [browser, report] = await Promise.all([launch(), compareCaptures(join(dir, 'client.pcap'), join(dir, 'relay.pcap'))]);
  });
  after(async () => {
    await browser?.close();
  });

  for (const theme of [DARK, LIGHT]) {
    it(`keeps the censor line's "dropped" and "injected" apart, and the injected legend readable (${theme.kind})`, async () => {
      // Tall enough that every arrow on the censor line is drawn at once (the ladder draws only what is on screen).
      const v = await openView(browser, { theme, files: { client: join(dir, 'client.pcap'), relay: join(dir, 'relay.pcap') }, viewport: { width: 1000, height: 2400 } });
      await v.send({ type: 'init', mode: 'compare', fileName: 'client.pcap ⇄ relay.pcap', uri: 'file:///client.pcap', timeDisplay: 'relative', ja4plus: false });
      await v.send({ type: 'compare', report, clientName: 'client.pcap', relayName: 'relay.pcap', baseline: null });
      const { page } = v;
      await page.locator('g.arrow.k-injected').first().waitFor();
      const boxes = await page.locator('.ladder-svg .mark-text').evaluateAll((ts) => ts.map((t) => {
        const r = t.getBoundingClientRect();
        return { text: t.textContent, x: r.x, y: r.y, w: r.width, h: r.height };
      }));
      assert.ok(boxes.some((b) => b.text === 'injected'), JSON.stringify(boxes));
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i];
          const b = boxes[j];
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          assert.ok(!overlap, `"${a.text}" and "${b.text}" overlap: ${JSON.stringify([a, b])}`);
        }
      }
      const ratios = await page.evaluate(() => {
        const rgb = (c: string): number[] => {
          const m = /color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)/.exec(c);
          if (m) return [Number(m[1]) * 255, Number(m[2]) * 255, Number(m[3]) * 255];
          return (/rgba?\(([^)]*)\)/.exec(c)?.[1] ?? '0,0,0').split(/[ ,]+/).slice(0, 3).map(Number);
        };
        const lum = (c: number[]) => {
          const [r, g, b] = c.map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const bg = (el: Element | null): string => {
          for (; el; el = el.parentElement) {
            const c = getComputedStyle(el).backgroundColor;
            if (c && c !== 'transparent' && !/rgba\(.*, 0\)$/.test(c)) return c;
          }
          return 'rgb(255, 255, 255)';
        };
        const ratio = (el: Element, prop: 'color' | 'fill') => {
          const a = lum(rgb(getComputedStyle(el)[prop]));
          const b = lum(rgb(bg(el)));
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        };
        return { legend: ratio(document.querySelector('.lg-inject')!, 'color'), mark: ratio(document.querySelector('.inject-text')!, 'fill') };
      });
      assert.ok(ratios.legend >= 4.5, `"◆ injected" legend ${ratios.legend.toFixed(2)}:1`);
      assert.ok(ratios.mark >= 4.5, `"injected" on the ladder ${ratios.mark.toFixed(2)}:1`);
      await page.screenshot({ path: join(RESULTS, `webview-compare-injected-${theme.kind}.png`) });
      assert.deepEqual(v.errors, []);
      await page.close();
    });
  }
});

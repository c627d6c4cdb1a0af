// Frame times of the webview's timeline with 100,000 packets, in headless
// Chromium: time to first draw, then scripted scrolling and zooming, one step
// per animation frame. Prints per-frame intervals (requestAnimationFrame to
// requestAnimationFrame) and main-thread work per frame from Chromium's
// performance metrics. Not a test: numbers vary by machine.
//
//   npm run build && npx tsc -p tsconfig.test.json && node scripts/bench-webview.mjs [packets]
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
const out = new URL('../out/', import.meta.url).pathname;
if (!existsSync(`${out}test/helpers/webviewHarness.js`)) {
  console.error('Compile the tests first: npx tsc -p tsconfig.test.json');
  process.exit(1);
}
const harness = require(`${out}test/helpers/webviewHarness.js`);
const { DARK } = require(`${out}test/helpers/webviewThemes.js`);
const { analyzeFile } = require(`${out}server/src/analysis/analyzeCapture.js`);

const total = Number(process.argv[2] ?? 100_000);
const reason = harness.skipReason();
if (reason) {
  console.error(reason);
  process.exit(1);
}
const relayPath = new URL('../test/fixtures/tor-kz/relay.pcap', import.meta.url).pathname;
const relay = await analyzeFile(relayPath, { packets: true });
const browser = await harness.launch();
try {
for (const dense of [false, true]) {
  const conn = harness.bigConnection(relay.connections[0], total, dense);
  console.log(`\n${dense ? 'dense: packets 100 µs apart' : 'sparse: the real connection repeated, with its retransmission pauses'}`);
  const view = await harness.openView(browser, { theme: DARK, files: { client: relayPath }, viewport: { width: 1400, height: 1000 } });
  const { page } = view;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));

  await view.send({ type: 'init', mode: 'capture', fileName: 'big.pcap', uri: 'file:///big.pcap', timeDisplay: 'relative', ja4plus: false });
  const sent = Date.now();
  await view.send({ type: 'connections', connections: [conn], done: true, input: relay.input, diagnostics: [] });
  const posted = Date.now();
  await page.locator('g.arrow').first().waitFor({ timeout: 60000 });
  const firstDraw = Date.now() - posted;
  const status = await page.locator('.ladder-status').innerText();

  // One step per frame; returns the intervals between frames.
  const run = (kind, frames) => page.evaluate(async ({ kind, frames }) => {
    const el = document.querySelector('.ladder-scroll');
    el.focus();
    const raf = () => new Promise((r) => requestAnimationFrame(r));
    const gaps = [];
    const drawn = [];
    await raf();
    let last = performance.now();
    for (let i = 0; i < frames; i++) {
      if (kind === 'scroll') el.scrollTop += 137;
      else if (kind === 'jump') el.scrollTop = (el.scrollHeight * ((i * 7919) % frames)) / frames;
      else el.dispatchEvent(new KeyboardEvent('keydown', { key: i % 20 < 10 ? '+' : '-', bubbles: true }));
      await raf();
      const now = performance.now();
      gaps.push(now - last);
      drawn.push(document.querySelectorAll('g.arrow').length);
      last = now;
    }
    return { gaps, drawn };
  }, { kind, frames });

  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return `median ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms`;
  };
  console.log(`timeline: ${status}`);
  console.log(`report posted in ${posted - sent} ms (the harness's JSON crossing); first arrows drawn ${firstDraw} ms later (ladder built, time index sorted)`);
  for (const [kind, frames] of [['scroll', 300], ['jump', 200], ['zoom', 120]]) {
    const before = await metrics();
    const r = await run(kind, frames);
    const after = await metrics();
    const work = ((after.ScriptDuration - before.ScriptDuration) + (after.LayoutDuration - before.LayoutDuration) + (after.RecalcStyleDuration - before.RecalcStyleDuration)) * 1000 / frames;
    console.log(`${kind.padEnd(6)} ${frames} frames: frame interval ${stats(r.gaps)}; main-thread work ${work.toFixed(2)} ms/frame; ${Math.min(...r.drawn)}–${Math.max(...r.drawn)} arrows drawn`);
  }
  if (view.errors.length) console.log('page errors:', view.errors);
  await page.close();
}
} finally {
  await browser.close();
}

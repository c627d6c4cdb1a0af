/**
 * The HTML report's ladder as Chromium lays it out: no arrow's label runs
 * into the notes column ("×10 until +54.878331 s" beside the dropped
 * ServerHello, issue #15). Measured on the rendered text, not on a width
 * estimate.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { renderHtml } from '../../server/src/report/html';
import { rstInjectedCompare, torKzCompare } from '../helpers/reportFixtures';
import { launch, skipReason } from '../helpers/webviewHarness';
import { skipUnlessCi } from '../helpers/prerequisites';

const skip = skipUnlessCi(skipReason());

describe('HTML report ladder, rendered', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const [name, make] of [['tor-kz', torKzCompare], ['openssl-rst-injected', rstInjectedCompare]] as const) {
    it(`keeps every arrow label clear of its notes (${name})`, async () => {
      const html = renderHtml(await make(), { annotations: [], generatedAt: new Date('2026-11-25T07:00:00Z') });
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.setContent(html);
      const clashes = await page.evaluate(() => {
        const out: string[] = [];
        for (const svg of Array.from(document.querySelectorAll('svg.ladder'))) {
          // Any arrow's notes against any arrow's label and mark text: neighbours collide too.
          const notes = Array.from(svg.querySelectorAll('g.arrow text.note, g.arrow text.frames, text.t')).map((t) => t.getBoundingClientRect());
          for (const l of Array.from(svg.querySelectorAll('g.arrow text.lbl, text.brk-text, g.arrow text.unseen-mark'))) {
            const r = l.getBoundingClientRect();
            for (const n of notes) {
              if (r.x < n.x + n.width && n.x < r.x + r.width && r.y < n.y + n.height && n.y < r.y + r.height) out.push(`${l.textContent} / x ${r.x.toFixed(0)}-${(r.x + r.width).toFixed(0)}, note from ${n.x.toFixed(0)}`);
            }
          }
        }
        return { out, arrows: document.querySelectorAll('svg.ladder g.arrow').length, notes: document.querySelectorAll('svg.ladder g.arrow text.note').length };
      });
      assert.ok(clashes.arrows > 0 && clashes.notes > 0, 'the ladder has arrows with notes');
      assert.deepEqual(clashes.out, []);
      await page.close();
    });
  }
});

// Client connections the relay's capture did not cover (CompareReport.uncovered, issue #12) in the HTML and
// Markdown reports: the engine's real comparison of lab/dtls/censor.sh's capture pair with the relay capture cut
// before the client's connection (test/helpers/coverageFixtures.ts); the line compare wrote is shown, escaped.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import { escapeHtml, escapeMarkdown } from '../../server/src/report/escape';
import { renderHtml } from '../../server/src/report/html';
import { renderMarkdown } from '../../server/src/report/markdown';
import type { CompareReport } from '../../shared/compare';
import { CENSOR_TSPU, relayCutBefore } from '../helpers/coverageFixtures';
import { HOSTILE } from '../helpers/reportFixtures';
import { tags } from '../helpers/reportHelpers';

const generatedAt = new Date('2026-12-07T12:00:00Z');

describe('reports: a client connection the relay capture did not cover', () => {
  let report: CompareReport;
  let remove = (): void => undefined;

  before(async () => {
    const client = await analyzeFile(join(CENSOR_TSPU, 'client.pcap'));
    const cut = relayCutBefore(client.connections[0].startTime);
    remove = cut.remove;
    report = await compareCaptures(join(CENSOR_TSPU, 'client.pcap'), cut.path);
    assert.equal(report.uncovered?.length, 1, 'compare finds the uncovered connection');
  });
  after(() => remove());

  it('HTML: the summary row, the section headline and compare\'s line, escaped', () => {
    const out = renderHtml(report, { annotations: [], generatedAt });
    const [u] = report.uncovered!;
    assert.ok(out.includes(`<li><bdi>${escapeHtml(u.evidence[0])}</bdi></li>`), 'the evidence line as a list item');
    assert.match(out, /Sent while the relay's capture was not running: the relay could not have seen it, so no verdict\./);
    assert.match(out, /<span class="k k-undetermined">not covered by the relay capture<\/span>/);
    assert.match(out, /Unmatched: 1 only in the client capture \(1 sent while the relay(?:'|&#39;)s capture was not running\)/);
    assert.ok(out.includes(`client capture connection ${u.client}, not covered by the relay capture`));
  });

  it('Markdown: the section names it and lists compare\'s line', () => {
    const md = renderMarkdown(report, { annotations: [], generatedAt });
    const [u] = report.uncovered!;
    assert.ok(md.includes(`- ${escapeMarkdown(u.evidence[0])}`), md);
    assert.match(md, /\*\*Sent while the relay's capture was not running: the relay could not have seen it, so no verdict\*\*/);
    assert.ok(md.includes(`client capture connection ${u.client}, not covered by the relay capture`));
  });

  it('hostile evidence text stays text in both', () => {
    const r = structuredClone(report);
    r.uncovered![0].evidence = [`${HOSTILE.subject} ${HOSTILE.link} ${HOSTILE.sni}`];
    const out = renderHtml(r, { annotations: [], generatedAt });
    assert.equal(tags(out).filter((t) => t.name === 'script' || t.name === 'img').length, 0);
    assert.ok(out.includes(escapeHtml(r.uncovered![0].evidence[0])));
    const md = renderMarkdown(r, { annotations: [], generatedAt });
    assert.doesNotMatch(md, /<script>|<img|\]\(javascript/);
    assert.ok(md.includes(`- ${escapeMarkdown(r.uncovered![0].evidence[0])}`));
  });
});

// Reports from the engine's own output on the real captures: whatever the
// engine concludes, the renderers must draw it consistently and safely.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderHtml } from '../../server/src/report/html';
import { renderMarkdown } from '../../server/src/report/markdown';
import { hexBytesFromFiles } from '../../server/src/report/hex';
import { compareCaptures as compare } from '../../server/src/compare/compareCaptures';
import { repoRoot } from '../helpers/reportFixtures';
import { arrows, ladders, lanes, outsideCodeBlocks, tags } from '../helpers/reportHelpers';

const PAIRS = [
  ['tor-kz', 'test/fixtures/tor-kz'],
  ['openssl-rst-injected', 'test/fixtures/two-vantage/openssl-rst-injected'],
  ['openssl-drop-serverhello', 'test/fixtures/two-vantage/openssl-drop-serverhello'],
  ['openssl-pass', 'test/fixtures/two-vantage/openssl-pass'],
] as const;

describe('reports from the compare engine on real captures', () => {
  for (const [name, dir] of PAIRS) {
    it(name, async () => {
      const root = repoRoot();
      const clientPath = path.join(root, dir, 'client.pcap');
      const relayPath = path.join(root, dir, 'relay.pcap');
      const report = await compare(clientPath, relayPath, {});
      const hexBytes = hexBytesFromFiles({ client: readFileSync(clientPath), relay: readFileSync(relayPath) });
      const html = renderHtml(report, { annotations: [], generatedAt: new Date(0), hexBytes });
      assert.equal(tags(html).filter((x) => x.name === 'script' || x.name === 'img').length, 0);
      assert.ok(html.includes(report.client.input.sha256));
      const svgs = ladders(html);
      assert.equal(svgs.length, report.pairs.length + report.unmatched.client.length + report.unmatched.relay.length);
      report.pairs.forEach((pair, i) => {
        const l = lanes(svgs[i]);
        const a = arrows(svgs[i]);
        // Every packet the engine paired is drawn exactly once.
        const drawn = a.flatMap((x) => x.packets).sort();
        const expected = pair.packets.flatMap((p) => [p.clientIndex >= 0 ? `client:${p.clientIndex}` : null, p.relayIndex >= 0 ? `relay:${p.relayIndex}` : null]).filter((x): x is string => !!x).sort();
        assert.deepEqual(drawn, expected);
        for (const x of a) {
          if (x.kind === 'dropped') assert.ok(x.x2 === l.censorX && x.dropMark, 'dropped ends at the censor with ✕');
          if (x.kind === 'injected') assert.ok(x.x1 === l.censorX && x.injectMark, 'injected starts at the censor');
        }
        assert.equal(a.some((x) => x.kind === 'dropped'), pair.packets.some((p) => p.status === 'dropped'));
        assert.equal(a.some((x) => x.kind === 'injected'), pair.packets.some((p) => p.status === 'injected'));
      });
      const md = renderMarkdown(report, { annotations: [], generatedAt: new Date(0) });
      assert.doesNotMatch(outsideCodeBlocks(md), /[<>]/);
    });
  }

  it('one capture', async () => {
    const clientPath = path.join(repoRoot(), PAIRS[0][1], 'client.pcap');
    const report = await compare(clientPath, null, {});
    const html = renderHtml(report, { annotations: [], generatedAt: new Date(0) });
    for (const svg of ladders(html)) assert.equal(lanes(svg).censorX, null);
    assert.ok(ladders(html).length >= 1);
  });
});

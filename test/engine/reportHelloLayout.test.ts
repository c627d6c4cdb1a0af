import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import { renderHtml } from '../../server/src/report/html';
import { renderMarkdown } from '../../server/src/report/markdown';
import { hexBytesFromFiles } from '../../server/src/report/hex';
import { repoRoot } from '../helpers/reportFixtures';

const DIR = join(repoRoot(), 'test', 'fixtures', 'handshakes');

// clienthello-fragmented: 5 TLS records in 2 TCP segments (frames 4 and 6 as tshark numbers them);
// tls13: one record in one segment (test/engine/helloLayout.test.ts checks both against tshark).
test('reports say where the ClientHello sat on the wire, flagged when split (Markdown and HTML)', async () => {
  const frag = join(DIR, 'clienthello-fragmented.pcap');
  const report = await compareCaptures(frag, null);
  const md = renderMarkdown(report, { annotations: [], generatedAt: new Date(0) });
  assert.match(md, /ClientHello layout: \*\*split over several TLS records and TCP segments\\: 5 TLS records, 2 TCP segments \\\(packets \\#4, \\#6\\\)\*\*/);
  const html = renderHtml(report, { annotations: [], generatedAt: new Date(0), hexBytes: hexBytesFromFiles({ client: readFileSync(frag) }) });
  assert.match(html, /<dt>ClientHello layout<\/dt><dd class="split">split over several TLS records and TCP segments: 5 TLS records, 2 TCP segments \(packets #4, #6\)<\/dd>/);

  const whole = await compareCaptures(join(DIR, 'tls13.pcap'), null);
  const md2 = renderMarkdown(whole, { annotations: [], generatedAt: new Date(0) });
  assert.match(md2, /ClientHello layout: 1 TLS record, 1 TCP segment \\\(packet \\#\d+\\\)/);
  assert.doesNotMatch(md2, /split over/);
});

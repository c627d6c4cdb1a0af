// Markdown for issue trackers and the JSON report.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Annotation } from '../../server/src/report/annotations';
import { renderMarkdown } from '../../server/src/report/markdown';
import { renderJson, REPORT_FORMAT } from '../../server/src/report/json';
import { HOSTILE, hostileCompare, rstInjectedCompare, torKzCompare, torKzSingle } from '../helpers/reportFixtures';
import { codeBlocks, outsideCodeBlocks } from '../helpers/reportHelpers';

const generatedAt = new Date('2026-11-25T07:00:00Z');
const NOTES: Annotation[] = [
  { id: 'n1', side: 'relay', target: { kind: 'packet', packet: 5 }, text: HOSTILE.annotation, author: '<b>eve</b>', created: '2026-11-25T06:00:00Z' },
];

/** Unescaped pipes delimit cells. */
function cells(row: string): number {
  return (row.match(/(?<!\\)\|/g) ?? []).length;
}

function assertSafeMarkdown(md: string): void {
  const text = outsideCodeBlocks(md);
  // No HTML of any kind (GitHub would render it), whatever the capture said.
  assert.doesNotMatch(text, /[<>]/);
  // No link or image syntax and no autolinks.
  assert.doesNotMatch(text, /(?<!\\)\]\(/);
  assert.doesNotMatch(text, /(?<!\\)!\[/);
  assert.doesNotMatch(text, /https?:\/\//);
  assert.doesNotMatch(text, /javascript:/);
  // Tables keep their shape: every row has as many cells as its header.
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\| --- /.test(lines[i])) continue;
    const width = cells(lines[i - 1]);
    for (let j = i + 1; j < lines.length && lines[j].startsWith('|'); j++) assert.equal(cells(lines[j]), width, `row ${j + 1}: ${lines[j]}`);
  }
}

describe('Markdown report', () => {
  const report = torKzCompare();
  const md = renderMarkdown(report, { annotations: NOTES, generatedAt });

  it('is safe to paste into an issue', () => assertSafeMarkdown(md));

  it('has the verdict, evidence bullets, suspects and inputs with SHA-256', () => {
    assert.match(md, /\*\*Verdict: Packets dropped on the path, relay → client; the first TLS message that did not get through is ServerHello\\\.\*\*/);
    assert.match(md, /- \*\*Confidence:\*\* 90 % \\\(high\\\)/);
    assert.match(md, /- The relay acknowledged the ClientHello/);
    assert.match(md, /\| 1 \| low \| certificates\\\[0\\\]\\\.subject \| CN\\=www\\\.b3iya6yfytxok2q7o\\\.net \|/);
    assert.ok(md.includes(`\`${report.client.input.sha256}\``));
    assert.ok(md.includes(`\`${report.relay!.input.sha256}\``));
    assert.match(md, /Relay clock offset:\*\* −0\\\.000003 s ± 0\\\.000018 s/);
  });

  it('summarises the handshake side by side', () => {
    assert.match(md, /\| ServerHello\\: cipher suite ⚑ \| \*not received\* \| TLS\\_ECDHE\\_RSA\\_WITH\\_AES\\_256\\_GCM\\_SHA384 \\\(0xc030\\\) \|/);
    assert.match(md, /\| ClientHello\\: server name \\\(SNI\\\) \| www\\\.nticptdx7zayqmuqfjd6aq\\\.com \| same \|/);
  });

  it('has a compact text timeline with the drop at the censor', () => {
    const blocks = codeBlocks(md);
    assert.equal(blocks.length, 1);
    const rows = blocks[0].split('\n');
    assert.match(rows[0], /^time\s+client\s+censor\s+relay$/);
    const drop = rows.find((r) => r.includes('ServerHello, Certificate'))!;
    assert.match(drop, /\|\s{20}X-{19}\|  ServerHello, Certificate, ServerKeyExchange, ServerHelloDone  \(dropped, ×10 until \+54\.878331 s\)  \[r6–r15\]/);
    assert.match(rows.find((r) => r.includes('ClientHello'))!, /\|-{20}\+-{18}>\|/);
    assert.equal(rows.filter((r) => r.startsWith('+')).length, 6);
  });

  it('lists annotations escaped, one hard-broken line each', () => {
    assert.match(md, /- ✎1 frame 6 of the relay capture — &lt;b&gt;eve&lt;/);
    assert.ok(md.includes('  \\# not a heading\\'));
    assert.ok(md.includes('  \\`\\`\\`\\'));
  });
});

describe('Markdown report: hostile capture data', () => {
  const md = renderMarkdown(hostileCompare(), { annotations: NOTES, generatedAt });

  it('renders nothing from the capture as markup', () => {
    assertSafeMarkdown(md);
    assert.ok(md.includes('&lt;script&gt;alert\\(1\\)&lt;/script&gt;'));
    assert.ok(md.includes('"&gt;&lt;img src\\=x onerror\\=alert\\(1\\)&gt;'));
    assert.ok(md.includes('\\]\\(javascript\\:alert\\(1\\)\\)'));
    assert.ok(md.includes('h2\\`\\|\\`x'));
    assert.doesNotMatch(md, /[\u202a-\u202e\u2066-\u2069]/);
  });

  it('keeps hostile values out of the timeline code block', () => {
    for (const b of codeBlocks(md)) {
      assert.ok(!b.includes('script'));
      assert.ok(!b.includes('img'));
    }
  });
});

describe('Markdown report: other shapes', () => {
  it('forged RST: injected row starts at the censor', () => {
    const md = renderMarkdown(rstInjectedCompare(), { annotations: [], generatedAt });
    assertSafeMarkdown(md);
    assert.match(codeBlocks(md)[0], /\|<-{18}\*\s{20}\|  RST  \(injected\)  \[c6\]/);
  });

  it('one capture: client | server timeline', () => {
    const md = renderMarkdown(torKzSingle(), { annotations: [], generatedAt });
    assertSafeMarkdown(md);
    assert.match(codeBlocks(md)[0], /^time\s+client\s+server$/m);
    assert.match(md, /Could not tell whether the path interfered/);
    assert.match(md, /- \*\*Vantage:\*\* one capture only \\\(client\\\)/);
  });
});

describe('Markdown report: size', () => {
  it('stays under GitHub\'s 65,536 characters and says what it left out', () => {
    const r = torKzCompare();
    // Thirty copies of the pair, each with a long suspect list, as a busy capture would give.
    const pair = r.pairs[0];
    pair.suspects = Array.from({ length: 25 }, (_, i) => ({ ...pair.suspects[i % 3], explanation: 'x'.repeat(400) }));
    r.pairs = Array.from({ length: 30 }, () => pair);
    const md = renderMarkdown(r, { annotations: [], generatedAt, maxConnections: 30 });
    assert.ok(md.length < 65536, String(md.length));
    assert.match(md, /\d+ more connections are left out to stay under the 65536-character limit/);
    assertSafeMarkdown(md);
  });
});

describe('JSON report', () => {
  it('has everything: the report as the engine made it, the annotations, the tool and the time', () => {
    const report = torKzCompare();
    const j = JSON.parse(renderJson(report, { annotations: [{ ...NOTES[0], side: undefined }], generatedAt }));
    assert.equal(j.format, REPORT_FORMAT);
    assert.equal(j.formatVersion, 1);
    assert.equal(j.kind, 'compare');
    assert.equal(j.generatedAt, '2026-11-25T07:00:00.000Z');
    assert.deepEqual(j.tool, { name: 'handshake-inspector', version: '0.1.0' });
    assert.deepEqual(j.inputs.map((i: { side: string; sha256: string }) => [i.side, i.sha256]), [['client', report.client.input.sha256], ['relay', report.relay!.input.sha256]]);
    assert.equal(j.annotations[0].side, 'client');
    assert.equal(j.annotations[0].text, HOSTILE.annotation);
    // NaN (never seen at that end) becomes null; everything else is the report unchanged.
    assert.equal(j.report.pairs[0].packets[5].clientTime, null);
    assert.deepEqual(j.report, JSON.parse(JSON.stringify(report)));
  });

  it('says which kind of report it is', () => {
    assert.equal(JSON.parse(renderJson(torKzSingle(), { annotations: [], generatedAt })).kind, 'single');
    const a = JSON.parse(renderJson(torKzCompare().client, { annotations: [], generatedAt }));
    assert.equal(a.kind, 'analysis');
    assert.equal(a.inputs.length, 1);
  });
});

// The HTML report: self-contained, inert whatever the capture says, and the
// ladder draws what the comparison found.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CompareReport, PairPacket } from '../../shared/compare';
import type { Annotation } from '../../server/src/report/annotations';
import { CSP, renderHtml } from '../../server/src/report/html';
import { hexBytesFromFiles, messageRelativeSpans } from '../../server/src/report/hex';
import { escapeHtml } from '../../server/src/report/escape';
import { HOSTILE, hostileCompare, rstInjectedCompare, torKzCompare, torKzFiles, torKzSingle } from '../helpers/reportFixtures';
import { arrows, ladders, lanes, tags } from '../helpers/reportHelpers';

const generatedAt = new Date('2026-11-25T07:00:00Z');

function ctx(annotations: Annotation[] = []) {
  const f = torKzFiles();
  return { annotations, generatedAt, hexBytes: hexBytesFromFiles({ client: f.client, relay: f.relay }) };
}

const NOTES: Annotation[] = [
  { id: 'n1', side: 'relay', target: { kind: 'packet', packet: 5 }, text: HOSTILE.annotation, author: '<b>eve</b>', created: '2026-11-25T06:00:00Z' },
  { id: 'n2', side: 'relay', target: { kind: 'field', connection: 1, field: 'serverHello.cipherSuite' }, text: 'same suite as the baseline', created: '2026-11-25T06:01:00Z' },
  { id: 'n3', side: 'client', target: { kind: 'connection', connection: 1 }, text: 'run 3 of 5', created: '2026-11-25T06:02:00Z' },
];

const ALLOWED_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'footer', 'section', 'h1', 'h2', 'h3', 'h4', 'p', 'ul', 'li', 'a', 'code', 'pre', 'mark',
  'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'strong', 'bdi', 'div', 'dl', 'dt', 'dd', 'figure', 'figcaption', 'br',
  'svg', 'g', 'line', 'path', 'text', 'circle', 'rect',
]);

/** Inert and offline: nothing that runs, nothing that loads. */
function assertInert(out: string): void {
  assert.ok(out.startsWith('<!DOCTYPE html>'));
  assert.ok(out.includes(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`));
  assert.equal(CSP, "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
  const all = tags(out);
  const names = new Set(all.map((t) => t.name));
  for (const n of names) assert.ok(ALLOWED_TAGS.has(n), `unexpected element <${n}>`);
  assert.equal(all.filter((t) => t.name === 'script' || t.name === 'img' || t.name === 'iframe' || t.name === 'object' || t.name === 'link').length, 0);
  for (const t of all) {
    assert.doesNotMatch(t.attrs, /\son\w+\s*=/i, `event handler in ${t.raw}`);
    assert.doesNotMatch(t.attrs, /\s(src|srcset|action|formaction|xlink:href|style)\s*=/i, `resource/style attribute in ${t.raw}`);
    assert.doesNotMatch(t.attrs, /https?:|\/\/|javascript:/i, `URL in ${t.raw}`);
    const href = /\shref="([^"]*)"/.exec(t.attrs);
    if (href) assert.match(href[1], /^#[\w-]+$/, `href must stay in the page: ${t.raw}`);
  }
  const css = /<style>([\s\S]*?)<\/style>/.exec(out)![1];
  assert.doesNotMatch(css, /url\(|@import|@font-face|https?:/i);
  assert.equal((out.match(/<style>/g) ?? []).length, 1);
}

describe('HTML report: tor-kz pair (ServerHello dropped, then blackholed)', () => {
  const report = torKzCompare();
  const out = renderHtml(report, ctx(NOTES));

  it('is one self-contained, inert file with the strict CSP', () => assertInert(out));

  it('has print and light/dark styles', () => {
    assert.match(out, /@media \(prefers-color-scheme:dark\)/);
    assert.match(out, /@media print\{[\s\S]*section\.conn\{break-before:page\}/);
    // Print forces the light palette, whatever the screen preference.
    assert.match(out, /@media print\{\s*:root\{--bg:#fff;--fg:#000/);
  });

  it('states the verdict in plain words', () => {
    assert.ok(out.includes('Packets dropped on the path, relay → client; the first TLS message that did not get through is ServerHello.'));
    assert.ok(out.includes('90 % (high)'));
    for (const e of report.pairs[0].interference.evidence) assert.ok(out.includes(escapeHtml(e)), e);
    assert.match(out, /−0\.000003 s ± 0\.000018 s \(two-way-median, from 3 client→relay and 2 relay→client packets\)/);
  });

  it('draws one arrow per transmitted segment, every packet exactly once', () => {
    const svg = ladders(out);
    assert.equal(svg.length, 1);
    const a = arrows(svg[0]);
    const l = lanes(svg[0]);
    assert.deepEqual(l.names, ['client', 'censor (path)', 'relay']);
    assert.equal(l.xs.length, 3);
    // SYN, SYN+ACK, ACK, ClientHello, ACK and the dropped flight sent 10 times.
    assert.equal(a.length, 6);
    const covered = a.flatMap((x) => x.packets).sort();
    const expected = report.pairs[0].packets.flatMap((p) => [p.clientIndex >= 0 ? `client:${p.clientIndex}` : null, p.relayIndex >= 0 ? `relay:${p.relayIndex}` : null]).filter((x): x is string => !!x).sort();
    assert.deepEqual(covered, expected);
    assert.deepEqual(a.map((x) => x.labels.join(' ')), ['SYN', 'SYN+ACK', 'ACK', 'ClientHello', 'ACK', 'ServerHello, Certificate, ServerKeyExchange, ServerHelloDone']);
    // Delivered arrows go lane to lane.
    for (const x of a.slice(0, 5)) {
      assert.equal(x.kind, 'delivered');
      assert.deepEqual(x.dir === 'right' ? [x.x1, x.x2] : [x.x2, x.x1], [l.xs[0], l.xs[2]]);
      assert.ok(x.y2 > x.y1, 'arrows slope down with time');
    }
    // Rows go down the page in time order.
    for (let i = 1; i < a.length; i++) assert.ok(a[i].y1 > a[i - 1].y1);
  });

  it('ends the dropped segment at the censor with the ✕ mark and counts its retransmissions', () => {
    const l = lanes(ladders(out)[0]);
    const dropped = arrows(ladders(out)[0]).filter((x) => x.kind === 'dropped');
    assert.equal(dropped.length, 1);
    const d = dropped[0];
    assert.equal(d.dir, 'left');
    assert.equal(d.x1, l.xs[2], 'starts at the relay');
    assert.equal(d.x2, l.censorX, 'ends at the censor line');
    assert.ok(d.dropMark);
    assert.equal(d.count, 10);
    assert.deepEqual(d.packets, Array.from({ length: 10 }, (_, i) => `relay:${5 + i}`));
    assert.match(d.body, /×10 until \+54\.878331 s/);
    // The packet annotation on relay frame 6 is marked on that arrow.
    assert.match(d.body, /✎1/);
    for (const x of arrows(ladders(out)[0]).filter((y) => y.kind !== 'dropped')) assert.ok(!x.dropMark);
  });

  it('shows the handshake fields from each capture, and that the client never got the server flight', () => {
    assert.ok(out.includes('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030)'));
    assert.ok(out.includes('www.nticptdx7zayqmuqfjd6aq.com'));
    assert.ok(out.includes('The client never received this ServerHello.'));
    assert.ok(out.includes('secp256r1 (0x0017)'));
    assert.ok(out.includes('rsa_pss_rsae_sha256 (0x0804)'));
    assert.ok(out.includes('CN=www.b3iya6yfytxok2q7o.net'));
    assert.ok(out.includes('313.0 days'));
    // The leaf's hash, computed from the DER bytes in the capture, is the one openssl gives.
    assert.ok(out.includes('4df72ffe3874b75ae08d7fa0fab09f05fc2a73aa77761243a06c8a80a18b6580'));
  });

  it('lists the suspect fields with why and reference', () => {
    const table = /<table class="list suspects">([\s\S]*?)<\/table>/.exec(out)![1];
    assert.equal((table.match(/<tr class="w-/g) ?? []).length, 3);
    assert.ok(table.includes('certificates[0].subject'));
    assert.ok(table.includes('Tor source, src/lib/tls/tortls.c (link certificate generation)'));
  });

  it('highlights suspect bytes in the hex views at their offsets inside the message', () => {
    // ServerHello: cipher suite 0xc030 at message offset 0x27.
    // (0x27 and 0x28 straddle the 8-byte column gap.)
    assert.ok(/<mark class="hl w-medium hl2" title="\[3\] serverHello\.cipherSuite[^"]*">c0 {2}30<\/mark>/.test(out));
    assert.ok(out.includes('(bytes 0x27–0x28)'));
    // Certificate: subject Name at DER offset 111 = message offset 10 + 111 = 0x79, 38 bytes.
    assert.ok(out.includes('(bytes 0x79–0x9e)'));
    const subjectMark = /<mark class="hl w-low hl0" title="\[1\][^"]*">([^<]*)<\/mark>/.exec(out);
    assert.ok(subjectMark);
    assert.equal(subjectMark[1].split(/\s+/)[0], '30', 'the highlight starts at the Name SEQUENCE');
    // The field annotation is in the ServerHello legend.
    assert.ok(/✎2<\/span> <code><bdi>serverHello\.cipherSuite<\/bdi><\/code>: note ✎2: <bdi>same suite as the baseline<\/bdi>/.test(out));
  });

  it('shows every annotation, escaped, at its packet, field and connection', () => {
    assert.ok(out.includes(escapeHtml('<b>eve</b>')));
    assert.ok(!out.includes('<b>eve</b>'));
    assert.match(out, /✎3<\/span> <bdi>connection 1 of the client capture<\/bdi>/);
    assert.match(out, /<span class="ann-mark" title="same suite as the baseline">✎2<\/span>/);
    for (const line of HOSTILE.annotation.split('\n')) assert.ok(out.includes(escapeHtml(line)), line);
  });

  it('lists the inputs with SHA-256, format and the tool version', () => {
    for (const a of [report.client, report.relay!]) {
      assert.ok(out.includes(a.input.sha256));
      assert.ok(out.includes(escapeHtml(a.input.path)));
    }
    assert.match(out, /handshake-inspector 0\.1\.0/);
    assert.ok(out.includes('02cf709db21b6dff270104d46f0940cb294e96a3694a97bcb51f3a99a4e3ed31'), 'relay.pcap as published');
  });

  it('without capture bytes, says the hex views are missing instead of drawing empty ones', () => {
    const bare = renderHtml(report, { annotations: [], generatedAt });
    assert.ok(bare.includes('Hex views are not included'));
    assert.ok(!bare.includes('<pre class="hex">'));
  });
});

describe('HTML report: capture data crafted to inject markup', () => {
  const out = renderHtml(hostileCompare(), ctx(NOTES));

  it('is still inert', () => assertInert(out));

  it('contains the hostile strings only escaped', () => {
    assert.doesNotMatch(out, /<script/i);
    assert.doesNotMatch(out, /<img/i);
    assert.ok(out.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(out.includes('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(out.includes(escapeHtml(HOSTILE.path)));
    assert.ok(out.includes('h2`|`x'));
    assert.doesNotMatch(out, /[\u202a-\u202e\u2066-\u2069]/, 'no bidi control survives');
    assert.ok(out.includes('⟨U+202E⟩moc.elgoog'));
  });

  it('keeps hostile values inside <bdi> so right-to-left text cannot rearrange the sentence', () => {
    assert.ok(out.includes(`<bdi>${escapeHtml(HOSTILE.sni)}</bdi>`));
  });
});

describe('HTML report: forged RST', () => {
  const out = renderHtml(rstInjectedCompare(), ctx());

  it('starts the injected RST at the censor and ends it at the client', () => {
    const svg = ladders(out)[0];
    const l = lanes(svg);
    const a = arrows(svg);
    const inj = a.filter((x) => x.kind === 'injected');
    assert.equal(inj.length, 1);
    assert.equal(inj[0].x1, l.censorX);
    assert.equal(inj[0].x2, l.xs[0]);
    assert.ok(inj[0].injectMark);
    assert.deepEqual(inj[0].packets, ['client:5']);
    assert.deepEqual(inj[0].labels, ['RST']);
    assert.match(inj[0].body, /TTL 64 where the relay&#39;s genuine packets arrive with TTL 63/);
    // The RST does not split the ServerHello from its retransmissions.
    const dropped = a.filter((x) => x.kind === 'dropped');
    assert.equal(dropped.length, 1);
    assert.equal(dropped[0].count, 6);
    assert.equal(a.length, 7);
    assert.ok(out.includes('Forged reset injected on the path, relay → client'));
  });
});

describe('HTML report: one capture', () => {
  const out = renderHtml(torKzSingle(), ctx());

  it('draws a two-line ladder client | server with no censor line', () => {
    assertInert(out);
    const svg = ladders(out)[0];
    const l = lanes(svg);
    assert.deepEqual(l.names, ['client', 'server']);
    assert.equal(l.censorX, null);
    const a = arrows(svg);
    assert.equal(a.length, 5);
    for (const x of a) {
      assert.equal(x.kind, 'observed');
      assert.deepEqual([Math.min(x.x1, x.x2), Math.max(x.x1, x.x2)], l.xs);
    }
  });

  it('gives the single-vantage verdict and says what one capture cannot tell', () => {
    assert.ok(out.includes('Could not tell whether the path interfered'));
    assert.ok(out.includes('one capture only (client)'));
    assert.ok(out.includes('server → client'));
  });
});

describe('HTML report: analysis only', () => {
  it('renders an AnalysisReport with its handshake and a client | server ladder', () => {
    const a = torKzCompare().relay!;
    // The one capture of an analysis report is the 'client' side for hexBytes.
    const out = renderHtml(a, { annotations: [], generatedAt, hexBytes: hexBytesFromFiles({ client: torKzFiles().relay }) });
    assertInert(out);
    assert.ok(out.includes('Handshake analysis of one capture'));
    assert.ok(!out.includes('class="verdict vk-drop"'));
    assert.deepEqual(lanes(ladders(out)[0]).names, ['client', 'server']);
    assert.ok(out.includes(a.input.sha256));
    assert.ok(out.includes('<pre class="hex">'));
  });
});

describe('HTML report: long connections', () => {
  function longPair(n: number, gapAt: number, gap: number): CompareReport {
    const r = torKzCompare();
    const t0 = 1795547342;
    const packets: PairPacket[] = [];
    for (let i = 0; i < n; i++) {
      const t = t0 + i * 0.01 + (i >= gapAt ? gap : 0);
      const from = i % 2 ? 'relay' : 'client';
      packets.push({ from, status: 'delivered', clientIndex: i, relayIndex: i, clientTime: t, relayTime: t + 0.002, delay: 0.002, flags: 'P.', seq: i * 100, length: 100, tls: [], notes: [] });
    }
    r.pairs[0].packets = packets;
    return r;
  }

  it('cuts idle time with a break mark that says how long it was', () => {
    const out = renderHtml(longPair(20, 10, 30), ctx());
    // From the relay's packet 9 (sent 2 ms after the client's clock tick) to the client's packet 10.
    assert.ok(/<g class="break">[^]*?≈ 30\.008 s later/.test(ladders(out)[0]));
    const a = arrows(ladders(out)[0]);
    assert.equal(a.length, 20);
    // The 30 s pause takes less room than 30 s at the handshake's scale would.
    assert.ok(a[10].y1 - a[9].y1 < 80);
  });

  it('caps the ladder and says how many packets are not drawn', () => {
    const out = renderHtml(longPair(1000, 2000, 0), ctx());
    const svg = ladders(out)[0];
    const a = arrows(svg);
    assert.equal(a.length, 300);
    assert.match(svg, /700 packets \(700 arrows\) not drawn/);
    assert.ok(out.includes('700 packets in the middle are not drawn'));
    // Head and tail are kept: the first and the last packet are there.
    assert.deepEqual(a[0].packets, ['client:0', 'relay:0']);
    assert.deepEqual(a[a.length - 1].packets, ['client:999', 'relay:999']);
    assert.ok(out.length < 2_000_000);
  });
});

describe('hex offsets', () => {
  it('maps file offsets to message offsets across segment boundaries', () => {
    // A message split over two segments: bytes 0–9 at file 100, 10–19 at file 300.
    const message = { range: [{ kind: 'offset' as const, offset: 100, length: 10 }, { kind: 'offset' as const, offset: 300, length: 10 }] };
    assert.deepEqual(messageRelativeSpans(message, [{ kind: 'offset', offset: 105, length: 3 }]), [[5, 8]]);
    assert.deepEqual(messageRelativeSpans(message, [{ kind: 'offset', offset: 302, length: 4 }]), [[12, 16]]);
    // A field straddling the boundary comes back as one span.
    assert.deepEqual(messageRelativeSpans(message, [{ kind: 'offset', offset: 108, length: 2 }, { kind: 'offset', offset: 300, length: 2 }]), [[8, 12]]);
    assert.deepEqual(messageRelativeSpans(message, [{ kind: 'offset', offset: 200, length: 2 }]), []);
    // Text dumps: no byte offsets.
    assert.equal(messageRelativeSpans({ range: [{ kind: 'text', line: 1, column: 0, endLine: 1, endColumn: 5 }] }, [{ kind: 'offset', offset: 1, length: 1 }]), null);
  });

  it('reads message bytes from the capture file exactly', () => {
    const f = torKzFiles();
    const report = torKzCompare();
    const sh = report.relay!.connections[0].messages.find((m) => m.name === 'ServerHello')!;
    const bytes = hexBytesFromFiles({ relay: f.relay })('relay', 1, sh)!;
    assert.equal(bytes.length, 61);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x02, 0x00, 0x00, 0x39]);
    assert.deepEqual([...bytes.subarray(39, 41)], [0xc0, 0x30]);
    assert.equal(hexBytesFromFiles({})('relay', 1, sh), null);
  });
});

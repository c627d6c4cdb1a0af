import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { analyseRef, fileRef } from '../../server/src/app/captureRef';
import { Inspector } from '../../server/src/app/inspector';
import { compareStreamed } from '../../server/src/compare/streamedCompare';
import { compareJson, compareJsonChunks, compareJsonRenderer, type JsonOptions } from '../../server/src/output/jsonContract';
import { formatCompare } from '../../server/src/output/textSummary';
import { RecordSpool, TEXT_CODEC } from '../../server/src/util/recordSpool';
import { ROOT, SHARED_REFERENCE } from '../helpers/paths';
import { shortConnections, writeCapture } from '../scale/generate';

// Issue #16, compare that scales: the CLI's comparison keeps connections and pairs on disk (streamedCompare.ts).
// It must say exactly what the comparison held in memory says (the language server's and the reports'), for every
// pair of captures we have, in every output form.

const CAPTURE = /\.(pcap|pcapng|gz|txt|hexdump|cap)$/;

/** Each client capture with each relay/server capture beside it, as scripts/compare-before-after.sh pairs them. */
function capturePairs(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (d: string) => {
    const names = readdirSync(d);
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
    }
    for (const c of names.filter((n) => n.startsWith('client.') && CAPTURE.test(n))) {
      for (const r of names.filter((n) => (n.startsWith('relay.') || n.startsWith('server.')) && CAPTURE.test(n))) out.push([join(d, c), join(d, r)]);
    }
  };
  for (const d of [join(ROOT, 'test', 'fixtures'), join(ROOT, 'samples'), join(SHARED_REFERENCE, 'captures')]) if (existsSync(d)) walk(d);
  return out;
}

const OPTION_SETS: JsonOptions[] = [{ ranges: false }, { ranges: true, names: true, allCertificates: true, rawFingerprints: true, full: true }];

const joined = (chunks: Iterable<string>) => { let s = ''; for (const c of chunks) s += c; return `${s}\n`; };

test('streamed compare: the same JSON and text as the comparison held in memory, on every capture pair', async () => {
  const pairs = capturePairs();
  assert.ok(pairs.length >= 20, `${pairs.length} capture pairs`);
  const inspector = new Inspector();
  // Comparisons whose pairs the second thread took a share of (judgeShare.ts), by output form.
  const shared = { json: 0, text: 0, pairs: 0 };
  for (const [client, relay] of pairs) {
    const name = `${basename(join(client, '..'))}/${basename(client)} + ${basename(relay)}`;
    for (const opts of OPTION_SETS) {
      const held = await inspector.compare(fileRef(client), fileRef(relay), { keepRanges: opts.ranges });
      // Rendered while judged (compare --json), the relay analysed on the second thread.
      const rendered = await inspector.compareStreamed(fileRef(client), fileRef(relay), { keepRanges: opts.ranges, render: compareJsonRenderer(opts) });
      try {
        assert.ok(rendered.rendered, `${name}: rendered`);
        if (rendered.judgedOn === 2) shared.json++;
        assert.equal(joined(compareJsonChunks(rendered, opts)), compareJson(held, opts), `${name} ${JSON.stringify(opts)}`);
      } finally {
        rendered.close();
      }
    }
    // Text written while judged (compare without --json), with and without colour.
    const held = await inspector.compare(fileRef(client), fileRef(relay));
    for (const color of [false, true]) {
      const text = await inspector.compareStreamed(fileRef(client), fileRef(relay), { renderText: { color } });
      try {
        assert.ok(text.renderedText, `${name}: text rendered`);
        // Two files as text: judged as they were analysed (pairAsAnalysed.ts), unless the matching disagreed, or
        // the client's file is over 4 times the relay's (a text dump of the same packets often is).
        if (statSync(client).size <= 4 * statSync(relay).size) assert.notEqual(text.judgedEarly, undefined, `${name}: text judged as analysed`);
        else assert.equal(text.judgedEarly, undefined, `${name}: a client capture far larger than the relay's is spooled`);
        if ((text.judgedEarly ?? 0) > 0) shared.text++;
        assert.equal(formatCompare(text, { color }), formatCompare(held, { color }), `${name} as text${color ? ', in colour' : ''}`);
      } finally {
        text.close();
      }
    }
    // Text, and JSON, written from the pairs and connections read back, both analyses on this thread.
    const doc = await compareStreamed(fileRef(client), fileRef(relay), analyseRef);
    try {
      assert.equal(doc.rendered, undefined);
      if (doc.judgedOn === 2) shared.pairs++;
      assert.equal(formatCompare(doc, { color: false }), formatCompare(held, { color: false }), `${name} as text`);
      assert.equal(joined(compareJsonChunks(doc, { ranges: true })), compareJson(held, { ranges: true }), `${name} read back`);
    } finally {
      doc.close();
    }
  }
  // Pairs of captures with two or more matched connections were judged on both threads; text pairs as analysed.
  assert.ok(shared.json >= 2 && shared.text >= 10 && shared.pairs >= 1, `judged on two threads, or early: ${JSON.stringify(shared)}`);
});

test('streamed compare on two threads, and as analysed: hundreds of short connections, one capture cut short, the same as in memory', async () => {
  // Few fixture pairs have more than one connection: these give both threads' shares hundreds of pairs, and
  // connections one side has whole, cut or not at all (the shorter capture stops mid-connection).
  const dir = mkdtempSync(join(tmpdir(), 'hi-share-test-'));
  try {
    const long = join(dir, 'long.pcap');
    const short = join(dir, 'short.pcap');
    await writeCapture(long, shortConnections(700e3, { dataSegments: 1 }));
    await writeCapture(short, shortConnections(300e3, { dataSegments: 1 }));
    const inspector = new Inspector();
    for (const [client, relay] of [[long, long], [long, short], [short, long]]) {
      const name = `${basename(client)} + ${basename(relay)}`;
      const held = await inspector.compare(fileRef(client), fileRef(relay), { keepRanges: true });
      assert.ok(held.pairs.length > 100, `${name}: ${held.pairs.length} pairs`);
      for (const opts of OPTION_SETS) {
        const heldOpts = opts.ranges ? held : await inspector.compare(fileRef(client), fileRef(relay), { keepRanges: false });
        const doc = await inspector.compareStreamed(fileRef(client), fileRef(relay), { keepRanges: opts.ranges, render: compareJsonRenderer(opts) });
        try {
          assert.equal(doc.judgedOn, 2, `${name}: judged on both threads`);
          assert.equal(joined(compareJsonChunks(doc, opts)), compareJson(heldOpts, opts), `${name} ${JSON.stringify(opts)}`);
        } finally {
          doc.close();
        }
      }
      const text = await inspector.compareStreamed(fileRef(client), fileRef(relay), { renderText: { color: false } });
      try {
        assert.ok((text.judgedEarly ?? 0) > 100, `${name}: ${text.judgedEarly} pairs judged as analysed`);
        assert.equal(formatCompare(text, { color: false }), formatCompare(held, { color: false }), `${name} as text`);
      } finally {
        text.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('streamed compare: one vantage point, and a baseline connection, as in memory', async () => {
  const inspector = new Inspector();
  const client = join(ROOT, 'test', 'fixtures', 'two-vantage', 'openssl-drop-serverhello', 'client.pcap');
  const relay = join(ROOT, 'test', 'fixtures', 'two-vantage', 'openssl-drop-serverhello', 'relay.pcap');
  const alone = await inspector.compareStreamed(fileRef(client), null, { render: compareJsonRenderer({ ranges: false }) });
  try {
    const held = await inspector.compare(fileRef(client), null);
    assert.ok((held.singleVantage ?? []).length > 0);
    assert.equal(joined(compareJsonChunks(alone, { ranges: false })), compareJson(held, { ranges: false }));
  } finally {
    alone.close();
  }
  const withBaseline = await inspector.compareStreamed(fileRef(client), fileRef(relay), { baseline: 0 });
  try {
    const held = await inspector.compare(fileRef(client), fileRef(relay), { baseline: 0 });
    assert.ok(held.pairs.some((p) => p.baselineDiff !== undefined));
    assert.equal(formatCompare(withBaseline, { color: false }), formatCompare(held, { color: false }));
    assert.equal(joined(compareJsonChunks(withBaseline, { ranges: true })), compareJson(held, { ranges: true }));
  } finally {
    withBaseline.close();
  }
  await assert.rejects(inspector.compareStreamed(fileRef(client), fileRef(relay), { baseline: 999 }), /baseline connection 999 is not in the client capture \(it has 0\b/);
});

test('streamed compare: an unreadable relay capture fails naming it, and leaves no file behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hi-spool-test-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    const client = join(ROOT, 'test', 'fixtures', 'two-vantage', 'openssl-drop-serverhello', 'client.pcap');
    await assert.rejects(new Inspector().compareStreamed(fileRef(client), fileRef(join(dir, 'missing.pcap'))), /^Error: relay capture: /);
    const ok = await new Inspector().compareStreamed(fileRef(client), fileRef(client));
    assert.ok(readdirSync(dir).length > 0, 'the spool files are in TMPDIR while the comparison is open');
    assert.ok(ok.spooledBytes > 1000, `${ok.spooledBytes} bytes spooled`);
    ok.close();
    assert.deepEqual(readdirSync(dir), [], 'closed: nothing left');
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('RecordSpool: records read back in any order as they were, V8 values and text, big and small; close removes the file', () => {
  const spool = new RecordSpool<unknown>('test');
  const hello = { random: 'ab', ranges: {} };
  const values: unknown[] = [
    { id: 1, time: NaN, uncertainty: Number.POSITIVE_INFINITY, missing: undefined, bytes: new Uint8Array([1, 2, 3]) },
    { clientHello: hello, messages: [{ clientHello: hello }] },
    'x'.repeat(9 << 20), // past the write batch
    [],
  ];
  const at = values.map((v) => spool.add(v));
  assert.deepEqual(at, [0, 1, 2, 3]);
  for (const i of [3, 1, 0, 2, 1]) assert.deepEqual(spool.get(at[i]), values[i]);
  const shared = spool.get(at[1]) as { clientHello: object; messages: Array<{ clientHello: object }> };
  assert.equal(shared.messages[0].clientHello, shared.clientHello, 'an object met twice in a record stays one object');
  assert.ok(Number.isNaN((spool.get(0) as { time: number }).time));
  assert.throws(() => spool.get(4), /no record 4/);
  assert.ok(existsSync(spool.path));
  spool.close();
  assert.equal(existsSync(spool.path), false);
  const text = new RecordSpool<string>('text', TEXT_CODEC);
  text.add('{"sni": "é→\\u0000"}');
  assert.equal(text.get(0), '{"sni": "é→\\u0000"}');
  text.close();
});

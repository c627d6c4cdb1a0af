// Property tests: truncated, mutated, re-chunked and gapped real TLS streams
// never make the decoder throw or hang, and every span stays inside the bytes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SCENARIOS, allSpans, collector, loadFixture, type Events } from '../helpers/tlsHelpers';
import { TlsStreamDecoder } from '../../server/src/tls/recordLayer';
import type { Direction } from '../../server/src/tls/types';

/** TLS_FUZZ_RUNS=20000 for a long search; the default keeps the suite fast. */
const RUNS = Number(process.env.TLS_FUZZ_RUNS ?? 400);

const streams: Array<{ name: string; from: Direction; bytes: Uint8Array }> = [];
for (const name of SCENARIOS) {
  const f = loadFixture(name);
  streams.push({ name, from: 'client', bytes: f.client }, { name, from: 'server', bytes: f.server });
}

interface Plan {
  stream: number;
  cut: number;
  mutations: Array<{ at: number; value: number }>;
  chunks: number[];
  gaps: Array<{ at: number; length: number }>;
}

const plan = fc.record({
  stream: fc.nat({ max: streams.length - 1 }),
  cut: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x),
  mutations: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
  chunks: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 12 }),
  gaps: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 300 }) }), { maxLength: 2 }),
}).map((p): Plan => {
  const len = streams[p.stream].bytes.length;
  return {
    stream: p.stream,
    cut: Math.floor(p.cut * len),
    mutations: p.mutations.map((m) => ({ at: Math.floor(m.at * len), value: m.value })),
    chunks: p.chunks,
    gaps: p.gaps.map((g) => ({ at: Math.floor(g.at * len), length: g.length })).sort((a, b) => a.at - b.at),
  };
});

/** Run the decoder over a plan; returns the events and the stream length the spans must stay within. */
function run(p: Plan): { ev: Events; length: number; decoder: TlsStreamDecoder } {
  const s = streams[p.stream];
  const bytes = s.bytes.slice(0, Math.max(p.cut, 1));
  for (const m of p.mutations) if (m.at < bytes.length) bytes[m.at] = m.value;
  const { sink, ev } = collector();
  const d = new TlsStreamDecoder(s.from, sink, { maxMessageBytes: 1 << 16 });
  let off = 0;
  let i = 0;
  let g = 0;
  while (off < bytes.length) {
    const gap = p.gaps[g];
    if (gap && gap.at <= off) {
      const len = Math.min(gap.length, bytes.length - off);
      d.gap(off, len);
      off += len;
      g++;
      continue;
    }
    const limit = gap ? gap.at : bytes.length;
    const n = Math.max(1, Math.min(p.chunks[i++ % p.chunks.length], limit - off));
    const chunk = bytes.slice(off, off + n);
    d.push(chunk, off);
    chunk.fill(0);
    off += n;
  }
  d.end();
  return { ev, length: bytes.length, decoder: d };
}

function checkSpans(ev: Events, length: number): void {
  for (const { where, span } of allSpans(ev)) {
    assert.ok(Array.isArray(span) && span.length === 2, where);
    assert.ok(Number.isInteger(span[0]) && Number.isInteger(span[1]), `${where}: ${span}`);
    assert.ok(span[0] >= 0 && span[0] <= span[1] && span[1] <= length, `${where}: ${span} outside [0, ${length}]`);
  }
}

describe('TLS decoder properties', () => {
  it('truncated, mutated, re-chunked and gapped streams: no throw, spans in bounds, done after end()', () => {
    fc.assert(
      fc.property(plan, (p) => {
        const { ev, length, decoder } = run(p);
        assert.equal(decoder.done, true);
        checkSpans(ev, length);
        // Decoding problems must come from the decoders, not from the last-resort catch.
        assert.ok(!ev.problems.some((x) => x.code === 'tls.decode-exception'), JSON.stringify(ev.problems.find((x) => x.code === 'tls.decode-exception')));
      }),
      { numRuns: RUNS },
    );
  });

  it('untouched streams: chunking never changes the events', () => {
    fc.assert(
      fc.property(fc.nat({ max: streams.length - 1 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), (stream, chunks) => {
        const whole = run({ stream, cut: streams[stream].bytes.length, mutations: [], chunks: [1 << 20], gaps: [] }).ev.log;
        const split = run({ stream, cut: streams[stream].bytes.length, mutations: [], chunks, gaps: [] }).ev.log;
        assert.deepEqual(split, whole);
      }),
      { numRuns: 60 },
    );
  });

  it('random bytes: no throw, bounded spans', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.constantFrom<Direction>('client', 'server'), fc.integer({ min: 1, max: 50 }), (bytes, from, chunk) => {
        const { sink, ev } = collector();
        const d = new TlsStreamDecoder(from, sink);
        for (let off = 0; off < bytes.length; off += chunk) d.push(bytes.slice(off, off + chunk), off);
        d.end();
        checkSpans(ev, bytes.length);
      }),
      { numRuns: Math.max(100, RUNS * 0.75) },
    );
  });

  it('random record bodies behind valid headers: no throw, bounded spans', () => {
    const recordArb = fc.tuple(fc.integer({ min: 20, max: 24 }), fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 300 }));
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 6 }), fc.constantFrom<Direction>('client', 'server'), (records, from) => {
        const parts: number[] = [];
        for (const [t, minor, body] of records) {
          // Bias handshake bodies toward plausible message headers so message decoders get exercised.
          const b = [...body];
          if (t === 22 && b.length >= 4) {
            b[1] = 0;
            b[2] = ((b.length - 4) >> 8) & 0xff;
            b[3] = (b.length - 4) & 0xff;
          }
          parts.push(t, 3, minor, (b.length >> 8) & 0xff, b.length & 0xff, ...b);
        }
        const bytes = Uint8Array.from(parts);
        const { sink, ev } = collector();
        const d = new TlsStreamDecoder(from, sink);
        d.push(bytes, 0);
        d.end();
        checkSpans(ev, bytes.length);
        assert.ok(!ev.problems.some((x) => x.code === 'tls.decode-exception'));
      }),
      { numRuns: Math.max(100, RUNS * 1.25) },
    );
  });

  // The timeout catches a decoder gone quadratic; the time itself is reported, not asserted (the machine may be busy).
  it('skipping application data is linear and allocation-free in the body', { timeout: 60_000 }, (t) => {
    // 64 MiB of app-data records pushed as 64 KiB views of one buffer: time must be dominated by per-record work.
    const rec = 16384;
    const chunk = new Uint8Array(65536 + 5 + rec);
    const { sink, ev } = collector();
    let appBytes = 0;
    sink.applicationData = (_f, len) => { appBytes += len; };
    sink.record = () => undefined;
    const d = new TlsStreamDecoder('server', sink);
    // One record header then bodies: build a stream image of records laid out back to back.
    const unit = new Uint8Array(5 + rec);
    unit.set([23, 3, 3, (rec >> 8) & 0xff, rec & 0xff]);
    for (let i = 0; i < chunk.length; i++) chunk[i] = unit[i % unit.length];
    let off = 0;
    const total = 64 << 20;
    const t0 = process.hrtime.bigint();
    while (off < total) {
      // Feed exactly the bytes the pattern implies at this offset.
      const phase = off % unit.length;
      const view = chunk.subarray(phase, phase + 65536);
      d.push(view, off);
      off += view.length;
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(ev.problems.length, 0);
    assert.ok(appBytes >= total - 2 * rec, `${appBytes}`);
    t.diagnostic(`64 MiB took ${ms.toFixed(0)} ms`);
  });
});

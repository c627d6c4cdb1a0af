// The readable summary's times and escaping, against what the platform's own
// Date and the escape rule say (the summary formats each second once and
// reuses it, so a stale reuse must show up here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { formatConnectionText, safeText } from '../../server/src/output/textSummary';
import type { ConnectionReport } from '../../shared/analysis';

const FILE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'handshakes', 'tls13.pcap');

function expected(t: number): string {
  if (Number.isNaN(t)) return '—';
  const iso = new Date(t * 1000).toISOString();
  return t > 86400 * 366 ? iso.replace('T', ' ').replace('Z', ' UTC') : iso.slice(11, 23);
}

function timesIn(text: string): [string, string] {
  const m = / packets, (.+) – (.+)$/m.exec(text);
  assert.ok(m, text);
  return [m[1], m[2]];
}

test('connection times: UTC date and time to the millisecond, or a clock time for time-of-day dumps', async () => {
  const c = (await analyzeFile(FILE)).connections[0];
  const show = (start: number, end: number) => timesIn(formatConnectionText({ ...c, startTime: start, endTime: end } as ConnectionReport, { color: false }));
  assert.deepEqual(show(1700000000.0265, 1700000000.9999), ['2023-11-14 22:13:20.026 UTC', '2023-11-14 22:13:20.999 UTC']);
  // Same second of the day, another day: the cached second must not be reused.
  assert.deepEqual(show(1700086400.5, 1700000000.5), ['2023-11-15 22:13:20.500 UTC', '2023-11-14 22:13:20.500 UTC']);
  // Seconds since midnight (tcpdump -t… without a date) stay a clock time, even right after a dated one.
  assert.deepEqual(show(3723.004, 1700000000.004), ['01:02:03.004', '2023-11-14 22:13:20.004 UTC']);
  assert.deepEqual(show(NaN, 0.5), ['—', '00:00:00.500']);
  assert.deepEqual(show(951782400, 4107542399.5), ['2000-02-29 00:00:00.000 UTC', '2100-02-28 23:59:59.500 UTC']);
  assert.deepEqual(show(-62135596800, 253402300799.999), ['00:00:00.000', '9999-12-31 23:59:59.999 UTC']);
  // The boundary between the two inside one second.
  assert.deepEqual(show(86400 * 366, 86400 * 366 + 0.5), ['00:00:00.000', '1971-01-02 00:00:00.500 UTC']);
  fc.assert(fc.property(
    fc.oneof(fc.double({ min: -1e6, max: 4e9, noNaN: true }), fc.integer({ min: 0, max: 4e9 }).map((s) => s + 0.999999)),
    // Every calendar case (leap years, centuries, 1970, far past and future, where Date writes six-digit years).
    fc.oneof(fc.double({ min: 0, max: 4e9, noNaN: true }), fc.double({ min: -62135596800 - 86400 * 800, max: 253402300800 + 86400 * 800, noNaN: true })),
    (a, b) => {
      assert.deepEqual(show(a, b), [expected(a), expected(b)]);
    },
  ), { numRuns: 2000 });
});

test('safeText shows control and bidi characters as escapes and leaves clean text alone', () => {
  assert.equal(safeText('www.example.com'), 'www.example.com');
  assert.equal(safeText('a\u001b[31mb\u202ec\u0085'), 'a\\u001b[31mb\\u202ec\\u0085');
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
    const out = safeText(s);
    assert.doesNotMatch(out, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    // Twice in a row: a global regex used for the test would keep its lastIndex and miss the second time.
    assert.equal(safeText(s), out);
  }));
});

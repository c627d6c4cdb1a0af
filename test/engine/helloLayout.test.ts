import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { formatConnectionText } from '../../server/src/output/textSummary';

const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'handshakes');

// Values from tshark on the same files (test/fixtures/handshakes/README.md):
// clienthello-fragmented: tls.handshake.fragment.count 5 (512+512+512+512+257 B),
// the hello completes in frame 6 after frame 4; clienthello-split: one record,
// tcp.segments = 2 frames (4 and 6). Packet indexes here are 0-based.
test('ClientHello layout: records and TCP segments it spans, split flagged', async () => {
  const frag = (await analyzeFile(join(DIR, 'clienthello-fragmented.pcap'))).connections[0];
  const l = frag.messages[0].layout!;
  assert.deepEqual(l.records.map((r) => r.length), [512, 512, 512, 512, 257]);
  assert.deepEqual(l.records.map((r) => r.index), [0, 1, 2, 3, 4]);
  assert.deepEqual(l.segments.map((g) => g.packet), [3, 5]);
  assert.equal(l.splitRecords, true);
  assert.equal(l.splitSegments, true);
  assert.equal(l.records[4].span[1], frag.messages[0].span[1], 'the last record ends with the hello');
  assert.match(formatConnectionText(frag, { color: false }), /ClientHello split: 5 TLS record\(s\), 2 TCP segment\(s\) \(packets 3, 5\)/);
  assert.ok(frag.diagnostics.some((d) => d.code === 'tls.clienthello-split'));

  const split = (await analyzeFile(join(DIR, 'clienthello-split.pcap'))).connections[0].messages[0].layout!;
  assert.equal(split.records.length, 1);
  assert.equal(split.splitRecords, false);
  assert.deepEqual(split.segments.map((g) => g.packet), [3, 5]);
  assert.deepEqual(split.segments[0].span, [0, 1448], 'TCP cut it at the MSS');

  const whole = (await analyzeFile(join(DIR, 'tls13.pcap'))).connections[0];
  assert.equal(whole.messages[0].layout!.splitSegments, false);
  assert.ok(!whole.diagnostics.some((d) => d.code === 'tls.clienthello-split'));
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import { CENSOR_TSPU, pcapRecords, relayCutBefore } from '../helpers/coverageFixtures';

// lab/dtls/censor.sh: pion's ClientHello dropped by the TSPU byte pattern ten times; the relay's capture holds only
// the ICMP echoes sent through the censor once a second, so no connection of its own tells when it ran (issue #12).
const DIR = CENSOR_TSPU;

describe('compare: a client connection the relay never saw, against the time the relay capture covered', async () => {
  const clientBytes = readFileSync(join(DIR, 'client.pcap'));
  const relayBytes = readFileSync(join(DIR, 'relay.pcap'));
  const client = await analyzeFile(join(DIR, 'client.pcap'));
  const relay = await analyzeFile(join(DIR, 'relay.pcap'));

  it('records the first and last packet time of each input, whatever the packets were (ICMP only at the relay)', () => {
    for (const [report, bytes] of [[client, clientBytes], [relay, relayBytes]] as const) {
      const times = pcapRecords(bytes).map((r) => r.time);
      assert.equal(report.input.packets, times.length);
      assert.ok(report.input.timeSpan);
      assert.ok(Math.abs(report.input.timeSpan.first - Math.min(...times)) < 1e-6);
      assert.ok(Math.abs(report.input.timeSpan.last - Math.max(...times)) < 1e-6);
    }
    assert.equal(relay.connections.length, 0);
    assert.ok((relay.input.skipped.ICMP ?? 0) === relay.input.packets);
  });

  it('the DTLS pair: drop, client to relay, the ClientHello first missing, every datagram of it dropped', async () => {
    const r = await compareCaptures(join(DIR, 'client.pcap'), join(DIR, 'relay.pcap'));
    assert.equal(r.pairs.length, 1);
    const p = r.pairs[0];
    assert.equal(p.relay, null);
    assert.equal(p.client, client.connections[0].id);
    assert.equal(p.interference.kind, 'drop');
    assert.equal(p.interference.direction, 'client-to-relay');
    assert.equal(p.interference.firstMissingTlsMessage, 'ClientHello');
    assert.equal(p.packets.length, client.connections[0].dtls!.datagrams.client);
    assert.ok(p.packets.every((x) => x.status === 'dropped'));
    assert.ok(p.interference.evidence.some((e) => e.includes('holds no connection at all') && e.includes('10.77.2.2:4443')));
    assert.deepEqual(r.unmatched.client, []);
    assert.equal(r.uncovered, undefined);
  });

  it('a relay capture that ended before the client connection started: not covered, no verdict', async () => {
    // The same relay capture cut after the packets that precede the client's first ClientHello (a capture stopped early).
    const start = client.connections[0].startTime;
    const { path, remove } = relayCutBefore(start);
    try {
      const early = await analyzeFile(path);
      assert.ok(early.input.timeSpan!.last < start);
      const r = await compareCaptures(join(DIR, 'client.pcap'), path);
      assert.deepEqual(r.pairs, []);
      assert.deepEqual(r.unmatched.client, [client.connections[0].id]);
      assert.equal(r.uncovered?.length, 1);
      assert.equal(r.uncovered![0].client, client.connections[0].id);
      assert.match(r.uncovered![0].evidence[0], /relay capture does not cover client connection \d+: .* after the relay's capture ran/);
    } finally {
      remove();
    }
  });
});

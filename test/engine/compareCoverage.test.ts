import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import { ROOT } from '../helpers/paths';

// lab/dtls/censor.sh: pion's ClientHello dropped by the TSPU byte pattern ten times; the relay's capture holds only
// the ICMP echoes sent through the censor once a second, so no connection of its own tells when it ran (issue #12).
const DIR = join(ROOT, 'test', 'fixtures', 'dtls', 'censor-tspu');

/** Timestamps of a little-endian microsecond pcap's records, read from the record headers (the reference). */
function pcapRecords(bytes: Buffer): Array<{ time: number; end: number }> {
  assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4, 'a little-endian microsecond pcap');
  const out: Array<{ time: number; end: number }> = [];
  for (let at = 24; at + 16 <= bytes.length;) {
    const end = at + 16 + bytes.readUInt32LE(at + 8);
    out.push({ time: bytes.readUInt32LE(at) + bytes.readUInt32LE(at + 4) / 1e6, end });
    at = end;
  }
  return out;
}

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
    const records = pcapRecords(relayBytes);
    const keep = records.filter((x) => x.time < start);
    assert.ok(keep.length > 0 && keep.length < records.length);
    const tmp = mkdtempSync(join(tmpdir(), 'hi-coverage-'));
    try {
      const path = join(tmp, 'relay-early.pcap');
      writeFileSync(path, relayBytes.subarray(0, keep[keep.length - 1].end));
      const early = await analyzeFile(path);
      assert.ok(early.input.timeSpan!.last < start);
      const r = await compareCaptures(join(DIR, 'client.pcap'), path);
      assert.deepEqual(r.pairs, []);
      assert.deepEqual(r.unmatched.client, [client.connections[0].id]);
      assert.equal(r.uncovered?.length, 1);
      assert.equal(r.uncovered![0].client, client.connections[0].id);
      assert.match(r.uncovered![0].evidence[0], /relay capture does not cover client connection \d+: .* after the relay's capture ran/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

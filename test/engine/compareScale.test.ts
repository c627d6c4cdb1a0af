import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ConnectionReport, PacketReport } from '../../shared/analysis';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import { matchConnections, matchFacts } from '../../server/src/compare/matchConnections';
import { compareJson } from '../../server/src/output/jsonContract';
import { ROOT } from '../helpers/paths';

// Issue #16, compare that scales: what compare stops holding or computing must not change what it says.

const TV = join(ROOT, 'test', 'fixtures', 'two-vantage');

test('keepRanges false: the hellos hold no ranges, and compare --json without --ranges is the same document', async () => {
  for (const name of ['openssl-drop-serverhello', 'openssl-pass-natted', 'tor-drop-serverhello']) {
    const client = join(TV, name, 'client.pcap');
    const relay = join(TV, name, 'relay.pcap');
    const kept = await compareCaptures(client, relay);
    const light = await compareCaptures(client, relay, { keepRanges: false });
    assert.ok(Object.keys(kept.relay!.connections[0].clientHello!.ranges ?? {}).length > 10, `${name}: ranges kept by default`);
    assert.deepEqual(light.relay!.connections[0].clientHello!.ranges, {}, `${name}: ranges let go`);
    for (const opts of [{ ranges: false }, { ranges: false, names: true, allCertificates: true, rawFingerprints: true, defaults: true }]) {
      assert.equal(compareJson(light, opts), compareJson(kept, opts), `${name} ${JSON.stringify(opts)}`);
    }
  }
});

/** A TCP connection as matching sees it: random, initial sequence numbers, payload segments. */
function conn(id: number, random: string, isn: number, payloads: Array<[from: 'client' | 'server', seq: number, length: number, hash: string]>): ConnectionReport {
  const packets = payloads.map(([from, seq, length, payloadHash], index): PacketReport => (
    { index, time: id + index / 10, from, flags: 'P.', seq, ack: 0, length, window: 64, ttl: 64, ipId: 0, notes: [], payloadHash, tls: [] } as unknown as PacketReport));
  return { id, clientHello: { random }, tcp: { isn: { client: isn, server: isn + 1 } }, tls: {}, packets } as unknown as ConnectionReport;
}

test('matching: candidates ordered by score, then client and relay id, the same through either sort', () => {
  // Replayed handshakes: three randoms and two server flights among 90 connections, so every client connection has
  // dozens of candidates that tie on score; a fifth of the relay's have another initial sequence number (a NAT).
  const flights = ['aaaa0001', 'bbbb0002'];
  const make = (id: number, natted: boolean) => conn(id, `r${id % 3}`, natted ? 5_000_000 + id : 1000 * id, [
    ['client', 0, 250 + (id % 4), `c${id % 5}`], ['server', 0, 1400, flights[id % 2]], ['server', 1400, 900, `s${id % 7}`],
  ]);
  const client = Array.from({ length: 90 }, (_, i) => make(i + 1, false));
  const relay = Array.from({ length: 90 }, (_, i) => make(i + 1, i % 5 === 0));
  const pairs = (m: ReturnType<typeof matchConnections>) => m.matches.map((x) => `${x.client}-${x.relay}:${x.score}:${x.matchedBy.join('+')}`);
  const fast = matchConnections(client.map(matchFacts), relay.map(matchFacts));
  // Listed out of id order, the candidates take the comparison sort: the outcome must be the same.
  const slow = matchConnections([...client].reverse().map(matchFacts), [...relay].reverse().map(matchFacts));
  assert.deepEqual(pairs(fast), pairs(slow));
  assert.deepEqual(fast.unmatchedClient, [...slow.unmatchedClient].sort((a, b) => a - b));
  assert.deepEqual(fast.unmatchedRelay, [...slow.unmatchedRelay].sort((a, b) => a - b));
  // Each connection finds its twin: same random, same sequence numbers (unless natted), same payloads.
  assert.equal(fast.matches.length, 90);
  assert.ok(fast.matches.every((m) => m.client === m.relay), pairs(fast).join(' '));
});

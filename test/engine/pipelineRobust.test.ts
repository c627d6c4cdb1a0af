import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyzeBytes } from '../../server/src/analysis/analyzeCapture';
import { splitPcap } from '../helpers/captureFixtures';

// Reassembly and robustness on a real capture whose packets are reordered,
// duplicated, altered or removed by rewriting its pcap records (the bytes of
// every packet stay those openssl and the kernel produced).
const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'handshakes');
const CHAIN = readFileSync(join(DIR, 'tls12-chain.pcap'));


const build = (header: Buffer, recs: Buffer[]) => Buffer.concat([header, ...recs]);

/** TCP payload length of a record (Ethernet + IPv4 as loopback writes them). */
function payloadLength(rec: Buffer): number {
  const ip = 16 + 14;
  const ihl = (rec[ip] & 0x0f) * 4;
  const total = rec.readUInt16BE(ip + 2);
  const tcpHeader = (rec[ip + ihl + 12] >> 4) * 4;
  return total - ihl - tcpHeader;
}

const { header, records: recs } = splitPcap(CHAIN);
// Indexes of the server's big data segments (ServerHello … ServerHelloDone).
const serverData = recs.map((r, i) => ({ r, i })).filter(({ r }) => payloadLength(r) > 1000).map(({ i }) => i);

test('fixture sanity: the chain capture has several large server segments', () => {
  assert.ok(serverData.length >= 3, `${serverData.length}`);
});

test('out-of-order segments are held and reassembled: same certificates, packets flagged', () => {
  const base = analyzeBytes(CHAIN, 'chain.pcap', { packets: true });
  const swapped = recs.slice();
  const [a, b] = [serverData[1], serverData[2]];
  [swapped[a], swapped[b]] = [swapped[b], swapped[a]];
  const r = analyzeBytes(build(header, swapped), 'swapped.pcap', { packets: true });
  const c = r.connections[0];
  assert.deepEqual(c.certificates.map((x) => x.sha256), base.connections[0].certificates.map((x) => x.sha256));
  assert.ok(c.packets!.some((p) => p.notes.includes('out-of-order')));
  assert.equal(c.tcp.gaps.server.length, base.connections[0].tcp.gaps.server.length);
});

test('a retransmission with different bytes is flagged as such; an identical one is not', () => {
  const seg = recs[serverData[1]];
  const altered = Buffer.from(seg);
  altered[altered.length - 10] ^= 0xff;
  const withSame = recs.slice();
  withSame.splice(serverData[1] + 1, 0, seg);
  const withAltered = recs.slice();
  withAltered.splice(serverData[1] + 1, 0, altered);
  const same = analyzeBytes(build(header, withSame), 'same.pcap', { packets: true }).connections[0];
  const diff = analyzeBytes(build(header, withAltered), 'diff.pcap', { packets: true }).connections[0];
  assert.ok(same.packets!.some((p) => p.notes.includes('retransmission')));
  assert.ok(!same.packets!.some((p) => p.notes.includes('retransmission-differs')));
  assert.ok(diff.packets!.some((p) => p.notes.includes('retransmission-differs')));
  assert.equal(diff.tcp.retransmissionsDiffering, 1);
});

test('a missing segment becomes a gap: flagged, handshake marked incomplete, what follows still decoded', () => {
  const dropped = recs.slice();
  dropped.splice(serverData[1], 1);
  const c = analyzeBytes(build(header, dropped), 'gap.pcap', { packets: true }).connections[0];
  assert.ok(c.tcp.gaps.server.length >= 1);
  assert.equal(c.tls.incomplete, true);
  assert.ok(c.diagnostics.some((d) => d.code === 'tcp.gap'));
  assert.ok(c.serverHello, 'the ServerHello before the gap is kept');
  assert.ok(c.packets!.some((p) => p.notes.includes('after-gap')));
});

test('a capture that starts mid-connection: roles from the ClientHello, offsets from the first segment', () => {
  // Drop the three-way handshake.
  const c = analyzeBytes(build(header, recs.slice(3)), 'mid.pcap', { packets: true }).connections[0];
  assert.equal(c.tcp.synSeen, false);
  assert.equal(c.tcp.roleBy, 'client-hello');
  assert.ok(c.clientHello);
  assert.equal(c.client.port, analyzeBytes(CHAIN, 'chain.pcap').connections[0].client.port);
});

test('a capture that starts after the ClientHello still finds the server by its well-known port', () => {
  // The Kazakhstan relay capture without its first four packets starts with the relay's ACK from :443.
  const relay = splitPcap(readFileSync(join(DIR, '..', '..', '..', 'samples', 'tor-kz-drop', 'relay.pcap')));
  const c = analyzeBytes(build(relay.header, relay.records.slice(4)), 'later.pcap', { packets: true, tlsOnly: false }).connections[0];
  assert.equal(c.tcp.roleBy, 'port');
  assert.equal(c.server.port, 443);
  assert.ok(c.serverHello, 'the ServerHello is still decoded');
});

test('truncated and mutated captures never throw, and keep what came before the damage', () => {
  const full = analyzeBytes(CHAIN, 'chain.pcap');
  fc.assert(fc.property(fc.integer({ min: 0, max: CHAIN.length }), (cut) => {
    if (cut < 24) {
      // Not even a whole file header: either "not a capture" with a reason, or a truncation error.
      try {
        const r = analyzeBytes(CHAIN.subarray(0, cut), 'cut.pcap');
        assert.equal(r.input.packets, 0);
        assert.ok(r.diagnostics.some((d) => d.severity === 'error'), `cut ${cut}`);
      } catch (err) {
        assert.match((err as Error).message, /not a capture/);
      }
      return true;
    }
    const r = analyzeBytes(CHAIN.subarray(0, cut), 'cut.pcap');
    assert.ok(r.input.packets <= full.input.packets);
    if (cut < CHAIN.length) assert.ok(r.diagnostics.some((d) => d.severity === 'error') || r.input.packets < full.input.packets || cut === CHAIN.length);
    return true;
  }), { numRuns: 150 });
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(CHAIN.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 40 }), (edits) => {
    const b = Buffer.from(CHAIN);
    for (const [at, v] of edits) b[at] = v;
    // Mutations may break the file header: then it is "not a capture", an error with a reason.
    try {
      const r = analyzeBytes(b, 'mutated.pcap', { packets: true });
      assert.ok(r.connections.length <= r.input.packets);
    } catch (err) {
      assert.match((err as Error).message, /capture|pcap|format/i);
    }
    return true;
  }), { numRuns: 200 });
});

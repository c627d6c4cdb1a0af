import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBytes } from '../../server/src/analysis/analyzeCapture';

const FIXTURE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'handshakes', 'tls12-ecdhe-rsa.pcap');

/** The capture with copies of packets `indexes` appended, 5, 6, … s after its last packet (pcap, little-endian). */
function withLateCopies(indexes: number[]): Buffer {
  const b = readFileSync(FIXTURE);
  const recs: Array<[number, number]> = [];
  for (let o = 24; o < b.length; o += 16 + b.readUInt32LE(o + 8)) recs.push([o, 16 + b.readUInt32LE(o + 8)]);
  const lastSecond = b.readUInt32LE(recs[recs.length - 1][0]);
  const copies = indexes.map((i, k) => {
    const c = Buffer.from(b.subarray(recs[i][0], recs[i][0] + recs[i][1]));
    c.writeUInt32LE(lastSecond + 5 + k, 0);
    return c;
  });
  return Buffer.concat([b, ...copies]);
}

// Retransmissions of the server's and the client's last data segments, 5 s
// after both FINs (tshark: tcp.stream 0, tcp.analysis.retransmission). They
// used to open a ghost connection (roles by first packet, an "EncryptedAlert"
// from its "client"), which compare then left unmatched.
test('late retransmissions after both FINs attach to their connection, no ghost', () => {
  const original = analyzeBytes(readFileSync(FIXTURE), FIXTURE, { tlsOnly: false, packets: true });
  const dataPackets = original.connections[0].packets!.filter((p) => p.length > 0);
  const lastServer = dataPackets.filter((p) => p.from === 'server').pop()!.index;
  const lastClient = dataPackets.filter((p) => p.from === 'client').pop()!.index;
  const r = analyzeBytes(withLateCopies([lastServer, lastClient]), FIXTURE, { tlsOnly: false });
  assert.equal(r.connections.length, 1, 'no second connection');
  assert.equal(r.connections[0].tcp.roleBy, 'syn');
  const d = r.diagnostics.filter((x) => x.code === 'tcp.late-packets');
  // The first late packet still finds the connection lingering (it is what
  // ends the lingering): a retransmission of it. The second comes after.
  assert.equal(r.connections[0].tcp.retransmissions.server, original.connections[0].tcp.retransmissions.server + 1);
  assert.equal(d.length, 1);
  assert.match(d[0].message, /^1 packet\(s\) of connection 0 arrived after it had closed/);
  assert.equal(d[0].packet, original.input.packets + 1, 'the second late packet');
});

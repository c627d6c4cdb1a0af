import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import type { CompareReport } from '../../shared/compare';
import { splitPcap } from '../helpers/captureFixtures';
import { ROOT } from '../helpers/paths';
import { ruleRef } from '../helpers/rulesHelpers';
import { verdictSentence } from '../../shared/report/model';

// Real two-vantage captures made by lab/two-vantage/make-captures.sh: client,
// censor and relay in network namespaces, tcpdump at both ends at once.
const TV = join(ROOT, 'test', 'fixtures', 'two-vantage');
const pair = (s: string) => [join(TV, s, 'client.pcap'), join(TV, s, 'relay.pcap')] as const;

const cache = new Map<string, Promise<CompareReport>>();
const compare = (s: string) => {
  if (!cache.has(s)) cache.set(s, compareCaptures(...pair(s)));
  return cache.get(s)!;
};

test('no interference: every packet delivered, verdict none', async () => {
  const r = await compare('openssl-pass');
  assert.equal(r.pairs.length, 1);
  const p = r.pairs[0];
  assert.equal(p.interference.kind, 'none');
  assert.ok(p.packets.every((x) => x.status === 'delivered' || x.status === 'retransmitted'));
  assert.ok(p.matchedBy.some((m) => m.includes('ClientHello random')));
  // One host clock: the offset is tiny and the delays are non-negative.
  assert.ok(Math.abs(p.clockOffset.seconds) < 0.005, `${p.clockOffset.seconds}`);
  assert.ok(p.packets.every((x) => x.delay === null || x.delay > -0.001));
});

test('ServerHello dropped by the censor: drop, relay → client, first missing ServerHello, retransmissions told', async () => {
  const r = await compare('openssl-drop-serverhello');
  const i = r.pairs[0].interference;
  assert.equal(i.kind, 'drop');
  assert.equal(i.direction, 'relay-to-client');
  assert.equal(i.firstMissingTlsMessage, 'ServerHello');
  assert.ok(i.confidence >= 0.8);
  assert.ok(i.evidence.some((e) => /retransmitted it \d+ times/.test(e)), i.evidence.join('\n'));
  const dropped = r.pairs[0].packets.filter((x) => x.status === 'dropped' && x.from === 'relay');
  assert.ok(dropped.length >= 2);
  assert.ok(dropped[0].tls.includes('ServerHello'));
  assert.equal(dropped[0].clientIndex, -1);
});

test('forged RST: injected-reset, with TTL evidence unlike the relay\'s genuine packets', async () => {
  const r = await compare('openssl-rst-injected');
  const p = r.pairs[0];
  assert.equal(p.interference.kind, 'injected-reset');
  assert.equal(p.interference.direction, 'relay-to-client');
  const inj = p.packets.filter((x) => x.status === 'injected');
  assert.equal(inj.length, 1);
  assert.ok(inj[0].flags.includes('R'));
  assert.equal(inj[0].relayIndex, -1);
  assert.ok(inj[0].evidence!.some((e) => /TTL 64 .* TTL 63/.test(e)), inj[0].evidence!.join('; '));
});

test('real Tor bridge blocked on its ServerHello: same verdict as the openssl case', async () => {
  const r = await compare('tor-drop-serverhello');
  assert.equal(r.pairs[0].interference.kind, 'drop');
  assert.equal(r.pairs[0].interference.firstMissingTlsMessage, 'ServerHello');
});

test('obfs4 through the same censor: not TLS, matched by sequence numbers and payloads, nothing dropped', async () => {
  const r = await compare('tor-obfs4-pass');
  const p = r.pairs[0];
  assert.equal(p.interference.kind, 'none');
  assert.ok(!p.matchedBy.some((m) => m.includes('ClientHello')));
  assert.ok(p.matchedBy.some((m) => m.includes('identical payload')));
});

test('NAT rewrote the client address and port: still matched, no interference', async () => {
  const r = await compare('openssl-pass-natted');
  const p = r.pairs[0];
  const c = r.client.connections.find((x) => x.id === p.client)!;
  const rel = r.relay!.connections.find((x) => x.id === p.relay)!;
  assert.notEqual(c.client.address, rel.client.address);
  assert.notEqual(c.client.port, rel.client.port);
  assert.equal(p.interference.kind, 'none');
});

test('suspect fields: the Ethiopia 2012 cipher is flagged with a source, and its range holds the cipher bytes in relay.pcap', async () => {
  const r = await compare('openssl-drop-serverhello');
  const s = r.pairs[0].suspects.find((x) => x.field === 'serverHello.cipherSuite' && x.weight === 'high');
  assert.ok(s, r.pairs[0].suspects.map((x) => x.rule).join(', '));
  assert.match(ruleRef(s), /Ethiopia/);
  const relayBytes = readFileSync(pair('openssl-drop-serverhello')[1]);
  const loc = s.range[0];
  assert.equal(loc.kind, 'offset');
  if (loc.kind === 'offset') assert.equal(relayBytes.readUInt16BE(loc.offset), 0x0039);
  // Divergence marks point at the message that was stopped.
  assert.ok(r.pairs[0].suspects.some((x) => x.rule.startsWith('divergence') && x.message === 'ServerHello'));
});

test('clock offset: shifting the relay capture by 3.25 s is recovered', async () => {
  const [client, relay] = pair('openssl-pass');
  const b = Buffer.from(readFileSync(relay));
  for (let o = 24; o + 16 <= b.length; o += 16 + b.readUInt32LE(o + 8)) {
    let sec = b.readUInt32LE(o) + 3;
    let usec = b.readUInt32LE(o + 4) + 250000;
    if (usec >= 1e6) { usec -= 1e6; sec++; }
    b.writeUInt32LE(sec, o);
    b.writeUInt32LE(usec, o + 4);
  }
  const dir = mkdtempSync(join(tmpdir(), 'hi-'));
  const shifted = join(dir, 'relay-shifted.pcap');
  writeFileSync(shifted, b);
  const r = await compareCaptures(client, shifted);
  const off = r.pairs[0].clockOffset;
  assert.equal(off.method, 'two-way-median');
  assert.ok(Math.abs(off.seconds - 3.25) < 0.002, `${off.seconds}`);
  assert.ok(off.uncertainty < 0.002);
  assert.equal(r.pairs[0].interference.kind, 'none');
});

test('the bundled Kazakhstan sample: drop of the ServerHello, relay → client', async () => {
  const r = await compareCaptures(join(ROOT, 'samples', 'tor-kz-drop', 'client.pcap'), join(ROOT, 'samples', 'tor-kz-drop', 'relay.pcap'));
  const i = r.pairs[0].interference;
  assert.equal(i.kind, 'drop');
  assert.equal(i.firstMissingTlsMessage, 'ServerHello');
  assert.ok(i.evidence.some((e) => /retransmitted it 9 times/.test(e)), i.evidence.join('\n'));
});

test('one vantage point: says what it can, and no more', async () => {
  const r = await compareCaptures(pair('openssl-drop-serverhello')[0], null);
  assert.equal(r.pairs.length, 0);
  const s = r.singleVantage![0];
  assert.equal(s.interference.kind, 'undetermined');
  assert.equal(s.side, 'client');
  assert.ok(s.interference.evidence.some((e) => /taken at the client/.test(e)), s.interference.evidence.join('\n'));
  assert.ok(s.interference.evidence.some((e) => /No data at all came from the server/.test(e)));
  assert.ok(s.interference.evidence.some((e) => /one vantage point/.test(e)));
});

test('one vantage point at the relay: the unacknowledged, retransmitted ServerHello is what it can tell', async () => {
  const r = await compareCaptures(pair('openssl-drop-serverhello')[1], null);
  const s = r.singleVantage![0];
  assert.equal(s.side, 'relay');
  assert.ok(s.interference.evidence.some((e) => /The relay sent ServerHello.* retransmitted it \d+ times; the client never acknowledged it/.test(e)), s.interference.evidence.join('\n'));
  assert.equal(s.interference.kind, 'undetermined');
});

test('baseline diff: the blocked handshake against a working one names distinctive fields', async () => {
  const [client, relay] = pair('openssl-drop-serverhello');
  const r = await compareCaptures(client, relay, { baseline: join(ROOT, 'test', 'fixtures', 'handshakes', 'tls12-ecdhe-rsa.pcap') });
  const diff = r.pairs[0].baselineDiff!;
  assert.ok(diff.length > 0);
  const cipher = diff.find((d) => d.field === 'serverHello.cipherSuite');
  assert.ok(cipher && cipher.distinctive);
  assert.ok(diff.some((d) => d.field.includes('random') && !d.distinctive));
});

test('a segment that arrives with other bytes than were sent is "modified"', async () => {
  // The relay's ServerHello segment as the client capture holds it, with one
  // byte changed: what a rewriting middlebox would leave.
  const [client, relay] = pair('openssl-pass');
  const b = Buffer.from(readFileSync(client));
  let o = 24, n = 0;
  for (; o + 16 <= b.length; o += 16 + b.readUInt32LE(o + 8)) {
    const ip = o + 16 + 14;
    const payload = b.readUInt16BE(ip + 2) - (b[ip] & 15) * 4 - (b[ip + (b[ip] & 15) * 4 + 12] >> 4) * 4;
    if (b.readUInt16BE(ip + (b[ip] & 15) * 4) === 443 && payload > 100) { b[o + 16 + b.readUInt32LE(o + 8) - 5] ^= 0x55; n++; break; }
  }
  assert.equal(n, 1);
  const dir = mkdtempSync(join(tmpdir(), 'hi-'));
  const altered = join(dir, 'client-altered.pcap');
  writeFileSync(altered, b);
  const r = await compareCaptures(altered, relay);
  const p = r.pairs[0];
  assert.equal(p.interference.kind, 'modified');
  assert.equal(p.interference.direction, 'relay-to-client');
  assert.equal(p.packets.filter((x) => x.status === 'modified').length, 1);
});

/**
 * A capture with the server's data segments k and k+1 (counted among those
 * with payload) joined into one frame, as a host's GRO (receiver) or TSO
 * (sender) presents them to tcpdump: headers of the first, payloads of both,
 * flags of both. `flip` changes the joined payload's last byte.
 */
function joinServerSegments(file: string, k: number, flip = false): string {
  const { header, records } = splitPcap(readFileSync(file));
  const ip = 16 + 14;
  const server = records.map((r, i) => {
    const tcp = ip + (r[ip] & 15) * 4;
    const data = tcp + (r[tcp + 12] >> 4) * 4;
    return { r, i, tcp, data, sport: r.readUInt16BE(tcp), seq: r.readUInt32BE(tcp + 4), len: r.length - data };
  }).filter((v) => v.sport === 443 && v.len > 0);
  const [a, b] = [server[k], server[k + 1]];
  assert.equal((a.seq + a.len) >>> 0, b.seq, `server segments ${k} and ${k + 1} are consecutive`);
  const joined = Buffer.concat([a.r, b.r.subarray(b.data)]);
  joined.writeUInt32LE(joined.length - 16, 8);
  joined.writeUInt32LE(joined.length - 16, 12);
  joined.writeUInt16BE(joined.length - ip, ip + 2);
  joined[a.tcp + 13] |= b.r[b.tcp + 13];
  if (flip) joined[joined.length - 1] ^= 0x01;
  const list = records.filter((_, i) => i !== b.i);
  list[a.i] = joined;
  const out = join(mkdtempSync(join(tmpdir(), 'hi-gro-')), 'joined.pcap');
  writeFileSync(out, Buffer.concat([header, ...list]));
  return out;
}

test('segments joined in the receiver\'s capture (GRO) are paired with the one packet that holds them, bytes compared', async () => {
  const [client, relay] = pair('openssl-pass');
  const r = await compareCaptures(joinServerSegments(client, 1), relay);
  const p = r.pairs[0];
  assert.equal(p.interference.kind, 'none', p.interference.evidence.join('\n'));
  assert.ok(!p.packets.some((x) => x.status === 'dropped' || x.status === 'injected'));
  const joined = p.packets.filter((x) => x.notes.includes('coalesced'));
  assert.equal(joined.length, 2);
  assert.ok(joined.every((x) => x.from === 'relay' && x.status === 'delivered' && x.clientIndex === joined[0].clientIndex));
  assert.ok(!joined.some((x) => x.notes.includes('bytes-not-compared')));
  assert.match(joined[0].evidence!.join(' '), new RegExp(`^Arrived joined with 1 other segment in one packet \\(client capture packet #${joined[0].clientIndex + 1}\\), as a host that offloads segmentation \\(GRO, TSO\\) records them; together they carry exactly the bytes sent\\.$`));
  // The same with one byte of the joined payload changed: modified, not delivered.
  const forged = await compareCaptures(joinServerSegments(client, 1, true), relay);
  const bad = forged.pairs[0].packets.filter((x) => x.notes.includes('coalesced'));
  assert.equal(bad.length, 2);
  assert.ok(bad.every((x) => x.status === 'modified'));
  assert.equal(forged.pairs[0].interference.kind, 'modified');
});

test('a run of segments cut differently at both ends (TSO at the sender, GRO at the receiver) is paired as a whole', async () => {
  const [client, relay] = pair('openssl-pass');
  // The relay's capture shows its first two segments as one (TSO), the client's its second and third as one (GRO).
  const r = await compareCaptures(joinServerSegments(client, 1), joinServerSegments(relay, 0));
  const p = r.pairs[0];
  assert.equal(p.interference.kind, 'none', p.interference.evidence.join('\n'));
  assert.ok(!p.packets.some((x) => x.status === 'dropped' || x.status === 'injected'));
  const run = p.packets.filter((x) => x.notes.includes('resegmented'));
  assert.equal(run.length, 2);
  assert.ok(run.every((x) => x.from === 'relay' && x.status === 'delivered'));
  assert.match(run[0].evidence!.join(' '), /^Sent as 2 segments, arrived as 2 cut differently \(client capture packets #\d+, #\d+\); together they carry exactly the bytes sent\.$/);
  // Each sent segment points at the received packet holding its first byte.
  assert.notEqual(run[0].clientIndex, run[1].clientIndex);
});

test('suspects are ranked: on the openssl ServerHello drop the Ethiopia cipher match in the stopped ServerHello is first', async () => {
  const r = await compare('openssl-drop-serverhello');
  const s = r.pairs[0].suspects;
  assert.deepEqual(s.map((x) => x.rank), s.map((_, i) => i + 1));
  assert.equal(s[0].rule, 'catalogue.ethiopia-2012-dhe-aes256');
  assert.match(s[0].reason ?? '', /It is in the ServerHello, the first message that never arrived \(relay → client\)/);
  // The rule's text is written once, in the document's rules.
  assert.match(r.rules['catalogue.ethiopia-2012-dhe-aes256'].explanation, /Ethiopia/);
  assert.ok(!('explanation' in s[0]));
});

test('forged RSTs both ways (lab, real injector): the verdict names both directions, each RST in its own sentence', async () => {
  const r = await compare('openssl-rst-both-ways');
  const v = r.pairs[0].interference;
  assert.equal(v.kind, 'injected-reset');
  assert.equal(v.direction, 'both');
  assert.equal(v.firstMissingTlsMessage, 'ServerHello');
  assert.match(v.evidence[0], /^The client received a RST claiming to come from the relay .*TTL 64 where the relay's genuine packets arrive with TTL 63/);
  assert.match(v.evidence[1], /^The relay received a RST claiming to come from the client .*TTL 64 where the client's genuine packets arrive with TTL 63/);
  assert.equal(r.pairs[0].packets.filter((p) => p.status === 'injected' && p.flags.includes('R')).length, 2);
  assert.equal(verdictSentence(v), 'Forged reset injected on the path, both directions (relay → client and client → relay); the first TLS message that did not get through is ServerHello.');
  // One way only stays one way.
  const one = (await compare('openssl-rst-injected')).pairs[0].interference;
  assert.equal(one.direction, 'relay-to-client');
  assert.equal(one.evidence.filter((e) => /received a RST/.test(e)).length, 1);
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import type { ConnectionReport } from '../../shared/analysis';
import { ROOT } from '../helpers/paths';

// Real Snowflake: Debian's snowflake-client and snowflake-proxy 2.5.1 in network namespaces, matched by the minimal
// broker of lab/snowflake/broker (the broker protocol of common/messages), tcpdump in the client's namespace
// (client.pcap) and the proxy's (proxy.pcap); in censor-tspu the router between them runs lab/dtls/censor-tspu.nft.
// The proxy answers the client's offer and so sends the DTLS ClientHello: the DTLS client is the proxy.
const DIR = join(ROOT, 'test', 'fixtures', 'snowflake');
const PROXY = '10.78.2.2';
const SNOWFLAKE_CLIENT = '10.78.1.2';

type Layers = Record<string, string[] | undefined>;
function tshark(mode: string, side: string): Layers[] {
  const j = JSON.parse(readFileSync(join(DIR, mode, `${side}.tshark.json`), 'utf8')) as Array<{ _source: { layers: Layers } }>;
  return j.map((p) => p._source.layers);
}
const nums = (l: Layers, k: string): number[] => (l[k] ?? []).map(Number);
/**
 * tshark's lines of the connection's 5-tuple (its reference also holds the STUN to the ICE server and other candidate
 * pairs), without ICMP errors, whose quoted datagram tshark decodes too (two ip.src).
 */
const onTuple = (ref: Layers[], c: ConnectionReport) => ref.filter((l) => {
  if (l['ip.src']!.length !== 1) return false;
  const ports = [Number(l['udp.srcport']![0]), Number(l['udp.dstport']![0])].sort();
  return ports.join() === [c.client.port, c.server.port].sort().join();
});
const isClientHello = (l: Layers) => l['dtls.handshake.type']?.includes('1') ?? false;

/** JA4 of a DTLS ClientHello from tshark's fields, as JA4.md defines it (no GREASE in pion's offer). */
function ja4FromTshark(ch: Layers): string {
  const hex4 = (n: number) => n.toString(16).padStart(4, '0');
  const ciphers = nums(ch, 'dtls.handshake.ciphersuite');
  const exts = nums(ch, 'dtls.handshake.extension.type');
  const version = { 0xfefd: 'd2', 0xfeff: 'd1', 0xfefc: 'd3' }[nums(ch, 'dtls.handshake.version')[0]]!;
  const sni = exts.includes(0) ? 'd' : 'i';
  const alpn = '00'; // pion's offer has no ALPN (checked below)
  assert.ok(!exts.includes(16));
  const sha12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
  const b = sha12(ciphers.map(hex4).sort().join(','));
  const c = sha12(`${exts.filter((e) => e !== 0 && e !== 16).map(hex4).sort().join(',')}_${nums(ch, 'dtls.handshake.sig_hash_alg').map(hex4).join(',')}`);
  return `d${version}${sni}${String(ciphers.length).padStart(2, '0')}${String(exts.length).padStart(2, '0')}${alpn}_${b}_${c}`;
}

describe('a real Snowflake client and proxy through the lab broker (lab/snowflake/make.sh pass)', async () => {
  for (const side of ['client', 'proxy']) {
    const report = await analyzeFile(join(DIR, 'pass', `${side}.pcap`), { packets: true });
    const ref = tshark('pass', side);
    const c = report.connections[0];
    const tuple = c ? onTuple(ref, c) : [];

    it(`${side}.pcap: one DTLS connection, the proxy its DTLS client (roles from the handshake)`, () => {
      assert.equal(report.connections.length, 1);
      assert.equal(c.transport, 'dtls');
      assert.equal(c.tcp.roleBy, 'dtls-handshake');
      const ch = tuple.filter(isClientHello);
      assert.equal(ch.length, 1);
      assert.equal(ch[0]['ip.src']![0], PROXY);
      assert.deepEqual([c.client.address, c.client.port], [PROXY, Number(ch[0]['udp.srcport']![0])]);
      assert.equal(c.server.address, SNOWFLAKE_CLIENT);
      assert.equal(c.messages[0].name, 'ClientHello');
      assert.equal(c.messages[0].packet, Number(ch[0]['frame.number']![0]) - 1);
      // WebRTC: the offerer (the Snowflake client) controls ICE; the answerer (the proxy) sends the ClientHello.
      assert.equal(c.dtls!.stun.find((s) => s.from === 'client' && s.class === 'request')!.iceRole, 'controlled');
      assert.equal(c.dtls!.stun.find((s) => s.from === 'server' && s.class === 'request')!.iceRole, 'controlling');
      assert.equal(c.tls.incomplete, false);
      assert.ok(c.tls.applicationData.client.records > 0 && c.tls.applicationData.server.records > 0);
    });

    it(`${side}.pcap: every DTLS record and handshake fragment header on the tuple as tshark shows it`, () => {
      assert.equal(c.dtls!.recordListTruncated, false);
      const records = tuple.filter((l) => l['dtls.record.content_type'] !== undefined);
      assert.ok(records.length > 10);
      for (const l of records) {
        const packet = Number(l['frame.number']![0]) - 1;
        const ours = c.dtls!.recordList.filter((r) => r.packet === packet);
        assert.deepEqual(ours.map((r) => r.contentType), nums(l, 'dtls.record.content_type'), `packet ${packet + 1}`);
        assert.deepEqual(ours.map((r) => r.epoch), nums(l, 'dtls.record.epoch'), `packet ${packet + 1}`);
        assert.deepEqual(ours.map((r) => r.sequence), nums(l, 'dtls.record.sequence_number'), `packet ${packet + 1}`);
        assert.deepEqual(ours.map((r) => r.length), nums(l, 'dtls.record.length'), `packet ${packet + 1}`);
        assert.deepEqual(ours.flatMap((r) => r.fragments ?? []).map((f) => f.messageSeq), nums(l, 'dtls.handshake.message_seq'), `packet ${packet + 1}`);
      }
      const total = records.reduce((n, l) => n + l['dtls.record.content_type']!.length, 0);
      assert.equal(c.dtls!.recordList.length, total);
      assert.equal(c.dtls!.records.client + c.dtls!.records.server, total);
    });

    it(`${side}.pcap: the ClientHello's fields, JA3 and JA4 (d…) against tshark`, () => {
      const ch = tuple.find(isClientHello)!;
      assert.equal(c.clientHello!.random, ch['dtls.handshake.random']![0]);
      assert.deepEqual(c.clientHello!.cipherSuites, nums(ch, 'dtls.handshake.ciphersuite'));
      assert.deepEqual(c.clientHello!.extensions.map((e) => e.type), nums(ch, 'dtls.handshake.extension.type'));
      const srtp = c.clientHello!.extensions.find((e) => e.type === 14)!.data as { profiles: number[] };
      assert.deepEqual(srtp.profiles, nums(ch, 'dtls.use_srtp.protection_profile'));
      assert.equal(c.fingerprints.ja3, ch['dtls.handshake.ja3']![0]);
      assert.equal(c.fingerprints.ja4, ja4FromTshark(ch));
      assert.match(c.fingerprints.ja4!, /^dd2i/);
    });

    it(`${side}.pcap: the ICE pair named by the STUN on the tuple, as tshark decodes it`, () => {
      const stunRef = tuple.filter((l) => l['stun.id'] !== undefined);
      assert.ok(stunRef.length > 0);
      assert.deepEqual(c.dtls!.stun.map((s) => s.transactionId), stunRef.map((l) => l['stun.id']![0]));
      assert.deepEqual(c.dtls!.stun.map((s) => s.username), stunRef.map((l) => l['stun.att.username']?.[0]));
      const usernames = new Set(c.dtls!.stun.map((s) => s.username).filter(Boolean));
      // One ICE username fragment pair, each side's checks with the fragments in its own order.
      assert.equal(usernames.size, 2);
      const [a, b] = [...usernames] as string[];
      assert.equal(a, b.split(':').reverse().join(':'));
      // A success response maps the requester's own endpoint: the proxy's checks learn the proxy's address.
      const resp = c.dtls!.stun.find((s) => s.from === 'server' && s.class === 'success')!;
      assert.deepEqual(resp.mappedAddress, c.client);
    });
  }

  it('the two captures of one Snowflake: matched by the ClientHello random, no interference', async () => {
    const r = await compareCaptures(join(DIR, 'pass', 'proxy.pcap'), join(DIR, 'pass', 'client.pcap'));
    assert.equal(r.pairs.length, 1);
    assert.equal(r.pairs[0].interference.kind, 'none');
    assert.ok(r.pairs[0].matchedBy.some((m) => /random/i.test(m)));
    assert.ok(r.pairs[0].packets.every((p) => p.status === 'delivered'));
  });
});

describe('Snowflake through the TSPU DTLS rule (lab/snowflake/make.sh censor-tspu)', async () => {
  const proxy = await analyzeFile(join(DIR, 'censor-tspu', 'proxy.pcap'), { packets: true });
  const ref = tshark('censor-tspu', 'proxy');
  const nft = readFileSync(join(DIR, 'censor-tspu', 'censor-nft.txt'), 'utf8');
  const c = proxy.connections[0];
  const sentHellos = onTuple(ref, c).filter(isClientHello);

  it('the proxy sent its ClientHello again and again; the Snowflake client saw the ICE checks but no DTLS', async () => {
    assert.equal(proxy.connections.length, 1);
    assert.deepEqual(c.messages.map((m) => m.name), ['ClientHello']);
    assert.ok(sentHellos.length > 1);
    assert.equal(c.client.address, PROXY);
    const snowflakeClient = await analyzeFile(join(DIR, 'censor-tspu', 'client.pcap'));
    assert.equal(snowflakeClient.connections.length, 0);
    assert.equal(snowflakeClient.input.dtlsDatagrams, undefined);
    assert.ok((snowflakeClient.input.skipped.UDP ?? 0) > 0);
    assert.ok(tshark('censor-tspu', 'client').every((l) => !isClientHello(l)));
    // The censor's 2022 rule counted at least every ClientHello of this tuple (and any on other candidate pairs).
    const counted = Number(/counter packets (\d+) bytes \d+ drop comment "tspu-2022-clienthello"/.exec(nft)![1]);
    assert.ok(counted >= sentHellos.length, `${counted} ≥ ${sentHellos.length}`);
  });

  it('compare (the proxy is the DTLS client): drop toward the Snowflake client, first missing the ClientHello, the STUN not judged', async () => {
    const r = await compareCaptures(join(DIR, 'censor-tspu', 'proxy.pcap'), join(DIR, 'censor-tspu', 'client.pcap'));
    assert.equal(r.pairs.length, 1);
    const p = r.pairs[0];
    assert.equal(p.relay, null);
    assert.equal(p.interference.kind, 'drop');
    assert.equal(p.interference.direction, 'client-to-relay');
    assert.equal(p.interference.firstMissingTlsMessage, 'ClientHello');
    const dropped = p.packets.filter((x) => x.status === 'dropped');
    assert.equal(dropped.length, sentHellos.length);
    assert.deepEqual(dropped.map((x) => x.clientIndex), sentHellos.map((l) => Number(l['frame.number']![0]) - 1));
    const stun = p.packets.filter((x) => x.tls[0] === 'STUN');
    assert.ok(stun.length > 0 && stun.every((x) => x.status === 'not-observed'));
    assert.equal(p.packets.filter((x) => x.status === 'injected').length, 0);
    assert.ok(p.interference.evidence.some((e) => e.includes(`${sentHellos.length - 1} times`)));
  });
});

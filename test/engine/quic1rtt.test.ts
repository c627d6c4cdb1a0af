import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { formatConnectionText } from '../../server/src/output/textSummary';
import { frameName } from '../../server/src/quic/frames';
import { nextQuicSecret } from '../../server/src/quic/handshakeKeys';
import { quicVersion } from '../../server/src/quic/versions';
import type { ConnectionReport, QuicDatagramReport, SourceLocation } from '../../shared/analysis';
import { RFC9001 } from '../helpers/quicVectors';

// QUIC 0-RTT and 1-RTT packets opened with the key logs ngtcp2's client wrote
// (lab/quic/make-1rtt.sh: a key update, a resumed connection with 0-RTT data;
// lab/quic/make.sh: the first capture), checked packet by packet against what
// tshark decrypts with the same files (lab/quic/reference-1rtt.sh).
const QUIC = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'quic');
const fixture = (name: string) => ({ pcap: join(QUIC, `ngtcp2-${name}.pcap`), keys: join(QUIC, `ngtcp2-${name}.keys`) });

type Layers = Record<string, string[] | undefined>;
function tshark(name: string): Layers[] {
  return (JSON.parse(readFileSync(join(QUIC, `ngtcp2-${name}.1rtt.tshark.json`), 'utf8')) as Array<{ _source: { layers: Layers } }>).map((p) => p._source.layers);
}

/** "NEW_CONNECTION_ID×6" → six names: tshark lists every frame. */
function expand(names: string[]): string[] {
  return names.flatMap((n) => {
    const m = /^(.*)×(\d+)$/.exec(n);
    return m ? Array<string>(Number(m[2])).fill(m[1]) : [n];
  });
}

const framesOf = (d: QuicDatagramReport) => expand(d.packets.flatMap((p) => p.frames ?? []));
const tsharkFrames = (l: Layers) => (l['quic.frame_type'] ?? []).map((t) => frameName(Number(t)));

async function analyzed(name: string, keys = true): Promise<ConnectionReport> {
  const f = fixture(name);
  const r = await analyzeFile(f.pcap, { keyLogFiles: keys ? [f.keys] : [], packets: true });
  assert.equal(r.connections.length, 1);
  return r.connections[0];
}

for (const name of ['keyupdate', '0rtt', 'migrate']) {
  describe(`ngtcp2 ${name}: 0-RTT/1-RTT packets as tshark decrypts them`, async () => {
    const c = await analyzed(name);
    const ref = tshark(name);
    const list = c.quic!.datagramList;

    it('every datagram: the same frames, packet numbers and key phases', () => {
      assert.equal(list.length, ref.length);
      for (let i = 0; i < ref.length; i++) {
        assert.deepEqual(framesOf(list[i]), tsharkFrames(ref[i]), `frame ${i + 1}`);
        assert.deepEqual(list[i].packets.map((p) => p.packetNumber), (ref[i]['quic.packet_number'] ?? []).map(Number), `frame ${i + 1}`);
        assert.deepEqual(list[i].packets.filter((p) => p.type === '1-RTT').map((p) => p.keyPhase), (ref[i]['quic.key_phase'] ?? []).map(Number), `frame ${i + 1}`);
        for (const p of list[i].packets) assert.equal(p.status, 'decrypted', `frame ${i + 1} ${p.type}`);
      }
    });

    it('the NewSessionTicket of a 1-RTT CRYPTO frame: lifetime, age_add, nonce and ticket lengths as tshark reads them', () => {
      const at = ref.findIndex((l) => l['tls.handshake.type']?.includes('4'));
      const nst = c.messages.filter((m) => m.name === 'NewSessionTicket');
      assert.equal(nst.length, 1);
      const m = nst[0];
      assert.equal(m.packet, at);
      assert.equal(m.decrypted, true);
      assert.equal(m.keySource, 'keylog');
      const d = m.details as { lifetime: number; ageAdd: number; nonceLength: number; ticketLength: number };
      assert.equal(d.lifetime, Number(ref[at]['tls.handshake.session_ticket_lifetime_hint']![0]));
      assert.equal(d.ageAdd, Number(ref[at]['tls.handshake.session_ticket_age_add']![0]));
      assert.equal(d.ticketLength, Number(ref[at]['tls.handshake.session_ticket_length']![0]));
      assert.equal(d.nonceLength, Number(ref[at]['tls.handshake.session_ticket_nonce_length']![0]));
    });

    it('CONNECTION_CLOSE: code, kind and reason as tshark; HANDSHAKE_DONE and NEW_CONNECTION_ID frames', () => {
      const closes = ref.flatMap((l, i) => (l['quic.cc.error_code.app'] ?? []).map((code) => ({ i, code: Number(code), reason: l['quic.cc.reason_phrase']?.[0] ?? '' })));
      assert.ok(closes.length > 0);
      assert.deepEqual(c.quic!.connectionClose!.map((x) => ({ i: x.packet, code: x.errorCode, reason: x.reason })), closes);
      assert.equal(c.quic!.connectionClose![0].kind, 'application');
      assert.equal(c.quic!.connectionClose![0].errorName, 'H3_NO_ERROR');
      const a = c.quic!.application!;
      assert.equal(a.handshakeDone, ref.findIndex((l) => tsharkFrames(l).includes('HANDSHAKE_DONE')));
      // tshark lists retransmitted frames again; each (issuer, sequence) is kept once.
      const issued = new Set(ref.flatMap((l, i) => (l['quic.nci.connection_id'] ?? []).map((cid, k) => `${list[i].from} ${l['quic.nci.sequence']![k]} ${cid}`)));
      assert.deepEqual(new Set(a.newConnectionIds.map((n) => `${n.from} ${n.sequence} ${n.connectionId}`)), issued);
    });

    it('counts packets and STREAM bytes (tshark\'s quic.stream.length) without keeping application data', () => {
      const a = c.quic!.application!;
      const oneRtt = (from: string) => list.filter((d) => d.from === from).flatMap((d) => d.packets).filter((p) => p.type === '1-RTT').length;
      assert.deepEqual(a.packets, { client: oneRtt('client'), server: oneRtt('server') });
      assert.deepEqual(a.failed, { client: 0, server: 0 });
      const bytes = (from: string) => ref.reduce((n, l, i) => n + (list[i].from === from ? (l['quic.stream.length'] ?? []).reduce((s, x) => s + Number(x), 0) : 0), 0);
      assert.deepEqual(a.streamBytes, { client: bytes('client'), server: bytes('server') });
      assert.ok(a.streamBytes.server > 0);
      // Nothing the size of the served data is in the report: it was counted, not held.
      assert.ok(JSON.stringify(c).length < 64 * 1024 || a.streamBytes.server < 60000);
    });
  });
}

describe('key update (RFC 9001 §6) on the real capture', () => {
  it('both sides step to generation 1 once, at the packet where tshark\'s key phase flips', async () => {
    const c = await analyzed('keyupdate');
    assert.deepEqual(c.quic!.application!.keyUpdates, { client: 1, server: 1 });
    const ref = tshark('keyupdate');
    const firstKp1 = (from: string) => ref.findIndex((l, i) => c.quic!.datagramList[i].from === from && l['quic.key_phase']?.[0] === '1');
    for (const from of ['client', 'server'] as const) {
      const i = firstKp1(from);
      assert.ok(i > 0, from);
      assert.equal(c.quic!.datagramList[i].packets[0].keyPhase, 1);
    }
    const text = formatConnectionText(c, { color: false });
    assert.match(text, /key updates client 1 \/ server 1/);
    assert.match(text, /CONNECTION_CLOSE from client \(1-RTT, packet 68\): H3_NO_ERROR\n/);
  });

  it('"quic ku" / "quicv2 ku" give the next secrets of RFC 9001 A.5 and RFC 9369 A.5', () => {
    const secret = Buffer.from(RFC9001.chacha.secret.replace(/ /g, ''), 'hex');
    assert.equal(Buffer.from(nextQuicSecret('sha256', quicVersion(1)!, secret)).toString('hex'), '1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9');
    assert.equal(Buffer.from(nextQuicSecret('sha256', quicVersion(0x6b3343cf)!, secret)).toString('hex'), 'c69374c49e3d2a9466fa689e49d476db5d0dfbc87d32ceeaa6343fd0ae4c7d88');
  });
});

describe('0-RTT (real resumed connection)', () => {
  it('opens the client\'s 0-RTT packet with CLIENT_EARLY_TRAFFIC_SECRET before the ServerHello names the suite', async () => {
    const c = await analyzed('0rtt');
    const first = c.quic!.datagramList[0];
    assert.deepEqual(first.packets.map((p) => [p.type, p.status]), [['Initial', 'decrypted'], ['0-RTT', 'decrypted']]);
    assert.deepEqual(c.quic!.application!.earlyPackets, { decrypted: 1, failed: 0 });
    assert.equal(c.tls.resumed, true);
    assert.match(formatConnectionText(c, { color: false }), /0-RTT: 1 decrypted/);
  });
});

describe('migration to a connection ID issued in NEW_CONNECTION_ID (real capture)', () => {
  it('with the key log the client\'s new port is the same connection (the new IDs are read from 1-RTT frames); without, it is UDP', async () => {
    const f = fixture('migrate');
    const frameCount = tshark('migrate').length;
    const withKeys = await analyzeFile(f.pcap, { keyLogFiles: [f.keys], packets: true });
    assert.equal(withKeys.connections.length, 1);
    assert.equal(withKeys.connections[0].quic!.datagramList.length, frameCount);
    assert.equal(withKeys.input.skipped.UDP, undefined);
    const list = withKeys.connections[0].quic!.datagramList;
    const frames = list.flatMap((d) => d.packets.flatMap((p) => p.frames ?? []));
    for (const name of ['PATH_CHALLENGE', 'PATH_RESPONSE', 'RETIRE_CONNECTION_ID']) assert.ok(frames.includes(name), name);
    const without = await analyzeFile(f.pcap);
    assert.equal(without.connections.length, 1);
    const moved = list.length - without.connections[0].quic!.datagrams.client - without.connections[0].quic!.datagrams.server;
    assert.ok(moved > 0);
    assert.equal(without.input.skipped.UDP, moved);
  });
});

describe('without keys, and with wrong 1-RTT secrets', () => {
  it('without a key log 0-RTT and 1-RTT packets stay "encrypted (no keys)" and there is no application block', async () => {
    for (const name of ['keyupdate', '0rtt', 'migrate']) {
      const c = await analyzed(name, false);
      const app = c.quic!.datagramList.flatMap((d) => d.packets).filter((p) => p.type === '1-RTT' || p.type === '0-RTT');
      assert.ok(app.length > 0);
      for (const p of app) assert.deepEqual([p.status, p.packetNumber, p.frames, p.keyPhase], ['encrypted (no keys)', null, undefined, undefined]);
      assert.equal(c.quic!.application, undefined);
      assert.equal(c.quic!.connectionClose, undefined);
    }
  });

  it('a wrong CLIENT_TRAFFIC_SECRET_0: one located diagnostic, 8 tries, then the client\'s packets are no longer tried; the server\'s still open', async () => {
    const f = fixture('keyupdate');
    const path = join(mkdtempSync(join(tmpdir(), 'hi-quic1rtt-')), 'wrong.keys');
    writeFileSync(path, readFileSync(f.keys, 'utf8').replace(/^(CLIENT_TRAFFIC_SECRET_0 \S+ )(\S)/m, (_, a: string, b: string) => a + (b === '0' ? '1' : '0')));
    const c = (await analyzeFile(f.pcap, { keyLogFiles: [path], packets: true })).connections[0];
    const a = c.quic!.application!;
    assert.equal(a.packets.client, 0);
    assert.equal(a.failed.client, 8);
    assert.ok(a.packets.server > 50);
    const bad = c.diagnostics.filter((d) => d.message.startsWith('client: 1-RTT'));
    assert.equal(bad.length, 2);
    assert.match(bad[0].message, /does not authenticate with the keys of key phase generation [01] \(from the key log's CLIENT_TRAFFIC_SECRET_0\)/);
    assert.equal(bad[0].packet, c.quic!.datagramList.find((d) => d.from === 'client' && d.packets.some((p) => p.type === '1-RTT'))!.packet);
    const client = c.quic!.datagramList.filter((d) => d.from === 'client').flatMap((d) => d.packets).filter((p) => p.type === '1-RTT');
    assert.match(client[client.length - 1].status, /8 1-RTT packets in a row from the client did not authenticate/);
  });
});

describe('ranges of decrypted 1-RTT bytes', () => {
  it('the NewSessionTicket points at its ciphertext in the pcap, and at the same bytes in the tcpdump -XX text dump', async () => {
    const f = fixture('v1');
    const pcap = (await analyzeFile(f.pcap, { keyLogFiles: [f.keys] })).connections[0];
    const nst = pcap.messages.find((m) => m.name === 'NewSessionTicket')!;
    const at = nst.range[0] as Extract<SourceLocation, { kind: 'offset' }>;
    assert.equal(nst.range.length, 1);
    assert.equal(at.kind, 'offset');
    assert.equal(at.length, nst.length + 4);
    const file = readFileSync(f.pcap);
    assert.notEqual(file[at.offset], 4, 'the file holds ciphertext there, not the handshake type');
    const text = (await analyzeFile(join(QUIC, 'ngtcp2-v1.XX.txt'), { keyLogFiles: [f.keys] })).connections[0];
    const t = text.messages.find((m) => m.name === 'NewSessionTicket')!;
    const lines = readFileSync(join(QUIC, 'ngtcp2-v1.XX.txt'), 'latin1').split('\n');
    const shown = t.range.map((l) => (l.kind === 'text' ? lines[l.line].slice(l.column, l.endColumn).replace(/\s+/g, '') : '')).join('');
    assert.equal(shown, file.subarray(at.offset, at.offset + at.length).toString('hex'));
  });
});

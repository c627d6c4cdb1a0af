import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBytes, analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { initialSecrets } from '../../server/src/quic/keys';
import { openPacket } from '../../server/src/quic/initial';
import { parsePacketHeader, type QuicPacketHeader } from '../../server/src/quic/packet';
import { quicVersion } from '../../server/src/quic/versions';
import type { ConnectionReport, SourceLocation } from '../../shared/analysis';
import { formatAnalysisTail, formatConnectionText } from '../../server/src/output/textSummary';

// Real QUIC captures through the whole pipeline, checked against what tshark
// decrypted from the same Initials (lab/quic/make.sh wrote both).
const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures');
const NGTCP2 = join(FIXTURES, 'quic', 'ngtcp2-v1.pcap');
const TLS3 = join(FIXTURES, 'ja4-reference', 'tls3.pcapng');

type Layers = Record<string, string[] | undefined>;
function tshark(name: string): Layers[] {
  const j = JSON.parse(readFileSync(join(FIXTURES, 'quic', name), 'utf8')) as Array<{ _source: { layers: Layers } }>;
  return j.map((p) => p._source.layers);
}
const one = (l: Layers, k: string): string => {
  const v = l[k];
  assert.ok(v && v.length > 0, `tshark field ${k} missing`);
  return v[0];
};
const ext = (c: ConnectionReport, type: number) => c.clientHello!.extensions.find((e) => e.type === type);

describe('QUIC v1 between ngtcp2 client and server (real capture)', async () => {
  const report = await analyzeFile(NGTCP2);
  const [ch, sh] = tshark('ngtcp2-v1.tshark.json');
  const c = report.connections[0];

  it('is one QUIC connection; every datagram was QUIC, none is left in skipped.UDP', () => {
    assert.equal(report.connections.length, 1);
    assert.equal(c.transport, 'quic');
    assert.equal(report.input.quicDatagrams, report.input.packets);
    assert.equal(report.input.skipped.UDP, undefined);
    assert.equal(c.quic!.datagrams.client + c.quic!.datagrams.server, report.input.packets);
  });
  it('has the connection IDs and packet numbers tshark shows', () => {
    assert.equal(c.quic!.versionName, 'QUIC v1');
    assert.equal(c.quic!.originalDcid, one(ch, 'quic.dcid'));
    assert.equal(c.quic!.clientScid, one(ch, 'quic.scid'));
    assert.equal(c.quic!.serverScid, one(sh, 'quic.scid'));
    const first = c.quic!.datagramList[0].packets[0];
    assert.equal(first.type, 'Initial');
    assert.equal(first.packetNumber, Number(one(ch, 'quic.packet_number')));
    assert.equal(c.quic!.cryptoBytes.client, Number(one(ch, 'quic.crypto.length')));
    assert.equal(c.quic!.cryptoBytes.server, Number(one(sh, 'quic.crypto.length')));
  });
  it('decodes the ClientHello and ServerHello from the decrypted Initials like tshark', () => {
    assert.equal(c.tls.serverName, one(ch, 'tls.handshake.extensions_server_name'));
    assert.equal(c.clientHello!.random, one(ch, 'tls.handshake.random'));
    assert.deepEqual(c.clientHello!.cipherSuites, ch['tls.handshake.ciphersuite']!.map(Number));
    assert.deepEqual(c.clientHello!.alpn, ch['tls.handshake.extensions_alpn_str']);
    assert.equal(c.serverHello!.random, one(sh, 'tls.handshake.random'));
    assert.equal(c.serverHello!.cipherSuite, Number(one(sh, 'tls.handshake.ciphersuite')));
    assert.equal(c.tls.versionName, 'TLS 1.3');
  });
  it('names every quic_transport_parameters entry, in tshark\'s order', () => {
    const params = (ext(c, 57)!.data as { parameters: Array<{ id: number; name: string }> }).parameters;
    assert.deepEqual(params.map((p) => p.id), ch['tls.quic.parameter.type']!.map(Number));
    for (const p of params) assert.doesNotMatch(p.name, /^unknown/, `parameter 0x${p.id.toString(16)}`);
    assert.ok(c.clientHello!.ranges!['extensions[0].parameters[0]']?.length === 1);
  });
  it('says the Handshake and 1-RTT packets stay encrypted', () => {
    const later = c.quic!.datagramList.flatMap((d) => d.packets).filter((p) => p.type === 'Handshake' || p.type === '1-RTT');
    assert.ok(later.length > 0);
    for (const p of later) assert.equal(p.status, 'encrypted (no keys)');
    assert.equal(c.tls.incomplete, false);
  });
  it('fingerprints the QUIC ClientHello with the JA4 "q" prefix', () => {
    assert.match(c.fingerprints.ja4!, /^q13d\d{4}h3_[0-9a-f]{12}_[0-9a-f]{12}$/);
    assert.match(c.fingerprints.ja3!, /^[0-9a-f]{32}$/);
  });
  it('shows the QUIC facts in the text summary', () => {
    const text = formatConnectionText(c, { color: false });
    assert.match(text, /TLS_AES_128_GCM_SHA256 {2}QUIC\n/);
    assert.match(text, /QUIC v1: 6 datagrams from client \(first 1200 B\), 3 from server; packets 2 Initial, 3 Handshake, 7 1-RTT;/);
    assert.doesNotMatch(text, /no SYN seen/);
    assert.match(formatAnalysisTail(report, 1, { color: false }), /9 packets, 0 TCP, 9 QUIC datagrams; 1 connection/);
  });
  it('points the decrypted SNI at its ciphertext bytes in the file', () => {
    const file = readFileSync(NGTCP2);
    const loc = c.clientHello!.ranges!.serverName[0] as Extract<SourceLocation, { kind: 'offset' }>;
    assert.equal(loc.kind, 'offset');
    // pcap header, record header, Ethernet, IPv4 (20 bytes, no options), UDP: where the first datagram's payload starts.
    assert.equal(file.readUInt32LE(20), 1, 'Ethernet link type');
    const payload = 24 + 16 + 14 + 20 + 8;
    const dgLength = file.readUInt32LE(24 + 8) - 14 - 20 - 8;
    const dg = file.subarray(payload, payload + dgLength);
    const h = parsePacketHeader(dg, 0, dg.length, 0) as QuicPacketHeader;
    const opened = openPacket(dg, h, initialSecrets(quicVersion(1)!, h.dcid).client, -1);
    if (typeof opened === 'string') return assert.fail(opened);
    const at = loc.offset - payload - opened.payloadOffset;
    assert.equal(Buffer.from(opened.plaintext.subarray(at, at + loc.length)).toString('latin1'), c.tls.serverName);
    assert.notEqual(file.subarray(loc.offset, loc.offset + loc.length).toString('latin1'), c.tls.serverName, 'the file holds ciphertext there');
  });
});

describe('Chrome QUIC connections in the JA4 reference capture tls3.pcapng', async () => {
  const report = await analyzeFile(TLS3);
  const quic = report.connections.filter((c) => c.transport === 'quic');
  const ref = tshark('tls3-quic.tshark.json');

  it('finds every QUIC ClientHello tshark decrypts, with its SNI and random', () => {
    assert.equal(quic.length, ref.length);
    for (const r of ref) {
      const c = quic.find((q) => q.client.port === Number(one(r, 'udp.srcport')));
      assert.ok(c, `port ${one(r, 'udp.srcport')}`);
      assert.equal(c.tls.serverName, one(r, 'tls.handshake.extensions_server_name'));
      assert.equal(c.clientHello!.random, one(r, 'tls.handshake.random'));
      assert.equal(c.quic!.originalDcid, one(r, 'quic.dcid'));
    }
  });
  it('gives Chrome\'s QUIC JA4 as FoxIO publishes it (JA4 README: q13d0310h3_55b375c5d22e_cd85d2d88918)', () => {
    const ja4s = quic.map((c) => c.fingerprints.ja4);
    assert.ok(ja4s.includes('q13d0310h3_55b375c5d22e_cd85d2d88918'), ja4s.join(' '));
    for (const j of ja4s) assert.match(j!, /^q13d/);
  });
  it('numbers QUIC connections after the TCP ones, so TCP ids stay as they were', () => {
    const tcpIds = report.connections.filter((c) => c.transport === undefined).map((c) => c.id);
    const quicIds = quic.map((c) => c.id);
    assert.ok(Math.min(...quicIds) > Math.max(...tcpIds));
  });
});

describe('the ngtcp2 capture as text dumps (tcpdump -XX, tshark -x)', () => {
  for (const name of ['ngtcp2-v1.XX.txt', 'ngtcp2-v1.tshark-x.txt']) {
    it(`${name}: same connection, and the SNI range covers the same ciphertext bytes as in the pcap`, async () => {
      const pcap = (await analyzeFile(NGTCP2)).connections[0];
      const path = join(FIXTURES, 'quic', name);
      const text = await analyzeFile(path);
      const c = text.connections[0];
      assert.equal(text.input.quicDatagrams, text.input.packets);
      assert.equal(c.tls.serverName, pcap.tls.serverName);
      assert.equal(c.fingerprints.ja4, pcap.fingerprints.ja4);
      assert.deepEqual(c.quic!.cryptoBytes, pcap.quic!.cryptoBytes);
      const at = pcap.clientHello!.ranges!.serverName[0] as Extract<SourceLocation, { kind: 'offset' }>;
      const loc = c.clientHello!.ranges!.serverName;
      const lines = readFileSync(path, 'latin1').split('\n');
      const shown = loc.map((l) => {
        assert.equal(l.kind, 'text');
        if (l.kind !== 'text') return '';
        return lines[l.line].slice(l.column, l.endColumn).replace(/\s+/g, '');
      }).join('');
      assert.equal(shown, readFileSync(NGTCP2).subarray(at.offset, at.offset + at.length).toString('hex'));
    });
  }
});

describe('the QUIC packet timeline (--packets)', () => {
  it('has one entry per datagram, the hellos on the datagrams that carried them, and every datagram listed', async () => {
    const c = (await analyzeFile(NGTCP2, { packets: true })).connections[0];
    assert.equal(c.packets!.length, c.quic!.datagrams.client + c.quic!.datagrams.server);
    assert.deepEqual(c.packets![0].tls, ['ClientHello']);
    assert.deepEqual(c.packets![1].tls, ['ServerHello']);
    assert.equal(c.packets![0].length, 1200);
    assert.equal(c.packets![0].ttl, 64);
    assert.equal(c.quic!.datagramList.length, c.packets!.length);
    assert.equal(c.quic!.datagramListTruncated, false);
    assert.ok(c.packets!.slice(2).every((p) => p.tls.every((t) => t.startsWith('QUIC '))));
  });
});

describe('a QUIC connection whose client port changes mid-way (NAT rebinding)', () => {
  it('stays one connection, each datagram on the right side, told by its Destination Connection ID', async () => {
    const orig = (await analyzeFile(NGTCP2)).connections[0];
    const file = Buffer.from(readFileSync(NGTCP2));
    // From the fourth packet on, the client's port is 43999 (both directions): Ethernet, IPv4 without options, UDP.
    let n = 0;
    for (let off = 24; off < file.length; n++) {
      const len = file.readUInt32LE(off + 8);
      const udp = off + 16 + 14 + 20;
      if (n >= 3) {
        if (file.readUInt16BE(udp) === orig.client.port) file.writeUInt16BE(43999, udp);
        else file.writeUInt16BE(43999, udp + 2);
        file.writeUInt16BE(0, udp + 6);
      }
      off += 16 + len;
    }
    const r = analyzeBytes(file, 'rebound.pcap', { packets: true });
    assert.equal(r.connections.length, 1);
    const c = r.connections[0];
    assert.deepEqual(c.quic!.datagrams, orig.quic!.datagrams);
    assert.deepEqual(c.packets!.map((p) => p.from), (await analyzeFile(NGTCP2, { packets: true })).connections[0].packets!.map((p) => p.from));
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { formatConnectionText } from '../../server/src/output/textSummary';
import type { ConnectionReport, SourceLocation } from '../../shared/analysis';
import { buildLadder, type Section } from '../../shared/report/model';

// Real DTLS captures (lab/dtls/openssl.sh) through the whole pipeline, checked
// field by field against tshark's dtls.* fields for the same files (lab/dtls/reference.sh).
const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'dtls');

type Layers = Record<string, string[] | undefined>;
export function tsharkDtls(name: string): Layers[] {
  const j = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Array<{ _source: { layers: Layers } }>;
  return j.map((p) => p._source.layers);
}
const nums = (l: Layers, k: string): number[] => (l[k] ?? []).map(Number);

/** Every record of the connection, per packet, as tshark lists them: content type, version, epoch, sequence, length. */
function checkRecords(c: ConnectionReport, ref: Layers[]): void {
  assert.equal(c.dtls!.recordListTruncated, false);
  for (const l of ref) {
    const packet = Number(l['frame.number']![0]) - 1;
    const ours = c.dtls!.recordList.filter((r) => r.packet === packet);
    assert.deepEqual(ours.map((r) => r.contentType), nums(l, 'dtls.record.content_type'), `packet ${packet + 1} content types`);
    assert.deepEqual(ours.map((r) => r.version), nums(l, 'dtls.record.version'), `packet ${packet + 1} versions`);
    assert.deepEqual(ours.map((r) => r.epoch), nums(l, 'dtls.record.epoch'), `packet ${packet + 1} epochs`);
    assert.deepEqual(ours.map((r) => r.sequence), nums(l, 'dtls.record.sequence_number'), `packet ${packet + 1} sequence numbers`);
    assert.deepEqual(ours.map((r) => r.length), nums(l, 'dtls.record.length'), `packet ${packet + 1} lengths`);
    const frags = ours.flatMap((r) => r.fragments ?? []);
    assert.deepEqual(frags.map((f) => f.messageSeq), nums(l, 'dtls.handshake.message_seq'), `packet ${packet + 1} message_seq`);
    assert.deepEqual(frags.map((f) => f.fragmentOffset), nums(l, 'dtls.handshake.fragment_offset'), `packet ${packet + 1} fragment_offset`);
    assert.deepEqual(frags.map((f) => f.fragmentLength), nums(l, 'dtls.handshake.fragment_length'), `packet ${packet + 1} fragment_length`);
  }
}

describe('DTLS 1.2 between openssl s_client and s_server -listen, Certificate fragmented (real capture)', async () => {
  const report = await analyzeFile(join(FIXTURES, 'openssl-dtls12.pcap'), { packets: true });
  const ref = tsharkDtls('openssl-dtls12.tshark.json');
  const c = report.connections[0];
  const hellos = ref.filter((l) => l['dtls.handshake.type']?.[0] === '1');
  const sh = ref.find((l) => l['dtls.handshake.type']?.[0] === '2')!;

  it('is one DTLS connection holding every datagram, none left in skipped.UDP', () => {
    assert.equal(report.connections.length, 1);
    assert.equal(c.transport, 'dtls');
    assert.equal(report.input.dtlsDatagrams, report.input.packets);
    assert.equal(report.input.skipped.UDP, undefined);
    assert.equal(c.client.port, 44291, 'the ClientHello\'s sender is the client');
  });
  it('has every record and fragment header tshark shows', () => checkRecords(c, ref));
  it('decodes the HelloVerifyRequest and the cookie echoed in the second ClientHello', () => {
    const hvr = c.messages.find((m) => m.name === 'HelloVerifyRequest')!;
    const refHvr = ref.find((l) => l['dtls.handshake.type']?.[0] === '3')!;
    assert.equal(hvr.details!.cookie, refHvr['dtls.handshake.cookie']![0]);
    assert.equal(hvr.details!.cookieLength, Number(refHvr['dtls.handshake.cookie_length']![0]));
    assert.equal(c.dtls!.helloVerifyRequest, true);
    assert.equal(c.dtls!.cookie, hvr.details!.cookie);
    const chs = c.messages.filter((m) => m.name === 'ClientHello');
    assert.equal(chs.length, 2);
    assert.equal(chs[0].clientHello!.cookie, '');
    assert.equal(chs[1].clientHello!.cookie, hellos[1]['dtls.handshake.cookie']![0]);
    assert.equal(c.clientHello!.cookie, hvr.details!.cookie, 'the connection\'s ClientHello is the one with the cookie');
    assert.equal(c.suspects.some((s) => s.rule === 'catalogue.syria-2011-renegotiation'), false, 'a cookie exchange is no renegotiation');
  });
  it('decodes the hellos like tshark: random, suites, extensions, SNI, use_srtp profiles', () => {
    const ch = hellos[1];
    assert.equal(c.clientHello!.random, ch['dtls.handshake.random']![0]);
    assert.deepEqual(c.clientHello!.cipherSuites, nums(ch, 'dtls.handshake.ciphersuite'));
    assert.deepEqual(c.clientHello!.extensions.map((e) => e.type), nums(ch, 'dtls.handshake.extension.type'));
    assert.equal(c.tls.serverName, ch['dtls.handshake.extensions_server_name']![0]);
    const srtp = c.clientHello!.extensions.find((e) => e.type === 14)!.data as { profiles: number[]; profileNames: string[]; mkiLength: number };
    assert.deepEqual(srtp.profiles, nums(ch, 'dtls.use_srtp.protection_profile'));
    // As `tshark -V` names them: "SRTP Protection Profile: SRTP_AEAD_AES_128_GCM (0x0007)".
    assert.deepEqual(srtp.profileNames, ['SRTP_AEAD_AES_128_GCM', 'SRTP_AES128_CM_HMAC_SHA1_80']);
    assert.equal(srtp.mkiLength, Number(ch['dtls.use_srtp.mki_length']![0]));
    assert.equal(c.serverHello!.random, sh['dtls.handshake.random']![0]);
    assert.equal(c.serverHello!.cipherSuite, Number(sh['dtls.handshake.ciphersuite']![0]));
    assert.equal(c.tls.versionName, 'DTLS 1.2');
  });
  it('reassembles the fragmented Certificate and decodes its chain (lengths as tshark)', () => {
    const cert = c.messages.find((m) => m.name === 'Certificate')!;
    assert.ok(cert.packets.length > 5, `Certificate over ${cert.packets.length} datagrams`);
    const lengths = ref.flatMap((l) => nums(l, 'dtls.handshake.certificate_length'));
    assert.deepEqual(c.certificates.map((x) => x.length), lengths);
    assert.equal(c.certificates[0].subjectCN, 'dtls.example');
    assert.equal(c.dtls!.retransmittedFragments, 0);
  });
  it('gives JA3 and JA3S as tshark computes them for DTLS, and JA4 with the "d" prefix', () => {
    assert.equal(c.fingerprints.ja3, hellos[1]['dtls.handshake.ja3']![0]);
    assert.equal(c.fingerprints.ja3s, sh['dtls.handshake.ja3s']![0]);
    // JA4.md: DTLS 1.2 (0xfefd) is "d2"; 28 suites, 8 extensions, SNI present, no ALPN.
    assert.equal(c.fingerprints.ja4!.slice(0, 10), 'dd2d280800');
  });
  it('points fields at their bytes in the file, across fragments', async () => {
    const file = readFileSync(join(FIXTURES, 'openssl-dtls12.pcap'));
    const at = (loc: SourceLocation) => {
      assert.equal(loc.kind, 'offset');
      return loc.kind === 'offset' ? file.subarray(loc.offset, loc.offset + loc.length) : Buffer.alloc(0);
    };
    assert.equal(at(c.clientHello!.ranges!.serverName[0]).toString('latin1'), 'dtls.example');
    assert.equal(at(c.clientHello!.ranges!.random[0]).toString('hex'), c.clientHello!.random);
    assert.equal(at(c.clientHello!.ranges!.cookie[0]).toString('hex'), c.clientHello!.cookie);
    const cert = c.messages.find((m) => m.name === 'Certificate')!;
    // As a TLS message split over records: one range per datagram, from the first fragment header's type byte on.
    assert.equal(cert.range.length, cert.packets.length);
    assert.equal(at(cert.range[0])[0], 11);
    const leaf = at(c.certificates[0].range[0]);
    assert.equal(leaf[0], 0x30, 'a DER SEQUENCE starts where the leaf certificate\'s range does');
  });
  it('lists the datagrams in the packet timeline and says it in the text summary', () => {
    assert.equal(c.packets!.length, report.input.packets);
    assert.deepEqual(c.packets![0].tls, ['ClientHello']);
    const text = formatConnectionText(c, { color: false });
    assert.match(text, /DTLS 1\.2 {2}TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n/);
    assert.match(text, /DTLS: 4 datagrams from client, 17 from server; HelloVerifyRequest cookie 20 B; fragmented: Certificate in 13 datagrams/);
    assert.doesNotMatch(text, /no SYN seen/);
    assert.equal(c.tls.incomplete, false);
  });
});

describe('DTLS 1.0 between openssl -dtls1 peers (real capture)', async () => {
  const report = await analyzeFile(join(FIXTURES, 'openssl-dtls10.pcap'));
  const ref = tsharkDtls('openssl-dtls10.tshark.json');
  const c = report.connections[0];
  it('has every record and fragment header tshark shows', () => checkRecords(c, ref));
  it('reads the ServerKeyExchange without a signature algorithm (DTLS 1.0 is TLS 1.1)', () => {
    assert.equal(c.tls.versionName, 'DTLS 1.0');
    assert.equal(c.serverKeyExchange!.signatureAlgorithm ?? null, null);
    assert.ok(c.serverKeyExchange!.signatureLength! > 0);
    assert.equal(c.diagnostics.length, 0, JSON.stringify(c.diagnostics));
  });
  it('fingerprints it: JA3 as tshark, JA4 "d1"', () => {
    const ch = ref.filter((l) => l['dtls.handshake.type']?.[0] === '1')[1];
    assert.equal(c.fingerprints.ja3, ch['dtls.handshake.ja3']![0]);
    assert.match(c.fingerprints.ja4!, /^dd1d\d{4}00_/);
  });
});

describe('DTLS 1.2 between pion/dtls client and server, what Snowflake uses (real capture)', async () => {
  const report = await analyzeFile(join(FIXTURES, 'pion-dtls12.pcap'));
  const ref = tsharkDtls('pion-dtls12.tshark.json');
  const c = report.connections[0];
  const ch = ref.filter((l) => l['dtls.handshake.type']?.[0] === '1')[1];
  it('has every record and fragment header tshark shows', () => checkRecords(c, ref));
  it('decodes the hellos, use_srtp and the application data like tshark', () => {
    assert.equal(c.clientHello!.random, ch['dtls.handshake.random']![0]);
    assert.deepEqual(c.clientHello!.extensions.map((e) => e.type), nums(ch, 'dtls.handshake.extension.type'));
    const srtp = c.clientHello!.extensions.find((e) => e.type === 14)!.data as { profiles: number[] };
    assert.deepEqual(srtp.profiles, nums(ch, 'dtls.use_srtp.protection_profile'));
    assert.equal(c.fingerprints.ja3, ch['dtls.handshake.ja3']![0]);
    assert.equal(c.tls.applicationData.client.records, 1);
    assert.equal(c.tls.incomplete, false);
    assert.equal(c.diagnostics.length, 0, JSON.stringify(c.diagnostics));
  });
  it('gives pion\'s default JA4 (DTLS 1.2, no SNI, 6 suites, 6 extensions, no ALPN)', () => {
    assert.equal(c.fingerprints.ja4!.slice(0, 10), 'dd2i060600');
  });
});

describe('pion/dtls through a TSPU-style censor: client and relay captures (lab/dtls/censor.sh)', async () => {
  const client = await analyzeFile(join(FIXTURES, 'censor-tspu', 'client.pcap'));
  const relay = await analyzeFile(join(FIXTURES, 'censor-tspu', 'relay.pcap'));
  const nft = readFileSync(join(FIXTURES, 'censor-tspu', 'censor-nft.txt'), 'utf8');
  it('the client sent its ClientHello again and again: one connection, the retransmissions recognised', () => {
    assert.equal(client.connections.length, 1);
    const c = client.connections[0];
    assert.deepEqual(c.messages.map((m) => m.name), ['ClientHello']);
    const sent = c.dtls!.datagrams.client;
    assert.equal(c.dtls!.retransmittedFragments, sent - 1);
    assert.equal(c.dtls!.datagrams.server, 0);
    assert.deepEqual(c.dtls!.recordList.map((r) => r.sequence), [...Array(sent).keys()]);
    // Every one of them is what the censor's 2022 rule counted.
    assert.match(nft, new RegExp(`counter packets ${sent} bytes \\d+ drop comment "tspu-2022-clienthello"`));
    assert.equal(c.tls.incomplete, true);
  });
  it('the relay saw no DTLS at all, only the pings that show its capture was running', () => {
    assert.equal(relay.connections.length, 0);
    assert.ok((relay.input.skipped.ICMP ?? 0) > 0);
    assert.equal(relay.input.dtlsDatagrams, undefined);
  });
});

describe('the ladder of DTLS timelines', () => {
  const single = (c: ConnectionReport): Section => ({
    anchor: 'c', kind: 'single', client: c, relay: null, pair: null, side: 'client', verdict: null, suspects: [], rules: {}, remote: 'server',
  });
  it('draws a retransmitted ClientHello flight as one arrow ×N (record sequence numbers differ, the handshake bytes do not)', async () => {
    const c = (await analyzeFile(join(FIXTURES, 'censor-tspu', 'client.pcap'), { packets: true })).connections[0];
    assert.deepEqual(c.packets!.map((p) => p.notes.includes('retransmission')), c.packets!.map((_, i) => i > 0));
    const ladder = buildLadder(single(c));
    assert.equal(ladder.arrows.length, 1);
    assert.equal(ladder.arrows[0].count, c.packets!.length);
    // A datagram's arrow carries its size: UDP censors' rules are about sizes (issue #12).
    assert.equal(ladder.arrows[0].label, `ClientHello · ${c.packets![0].length} B`);
  });
  it('keeps the datagrams of a fragmented Certificate apart, each named by what it carries (equal sizes are no retransmission)', async () => {
    const c = (await analyzeFile(join(FIXTURES, 'openssl-dtls12.pcap'), { packets: true })).connections[0];
    const ladder = buildLadder(single(c));
    assert.equal(ladder.arrows.length, c.packets!.length);
    assert.ok(ladder.arrows.every((a) => a.count === 1));
    assert.deepEqual(c.packets![4].tls, ['Certificate (fragment)']);
  });
});

describe('a real WebRTC session between two pion/webrtc peers: STUN, DTLS, data channel on one 5-tuple (lab/dtls/webrtc.sh)', async () => {
  const report = await analyzeFile(join(FIXTURES, 'webrtc-pion.pcap'), { packets: true });
  const ref = tsharkDtls('webrtc-pion.tshark.json');
  const c = report.connections[0];
  const stunRef = ref.filter((l) => l['stun.id'] !== undefined);

  it('is one connection holding every datagram of the tuple, the ICE checks before the DTLS included', () => {
    assert.equal(report.connections.length, 1);
    assert.equal(report.input.dtlsDatagrams, report.input.packets);
    assert.equal(report.input.skipped.UDP, undefined);
    assert.deepEqual(c.dtls!.multiplexed, { stun: stunRef.length, dtls: report.input.packets - stunRef.length });
    assert.equal(c.packets!.length, report.input.packets);
    assert.deepEqual(c.packets![0].tls, ['STUN']);
  });
  it('decodes each STUN message as tshark: transaction id, class, USERNAME, PRIORITY, XOR-MAPPED-ADDRESS', () => {
    assert.equal(c.dtls!.stun.length, stunRef.length);
    // tshark prints the class's two bits C1 C0 as binary digits: 0x0010 is C1=1, C0=0, a success response.
    const CLASS: Record<string, string> = { '0x0000': 'request', '0x0001': 'indication', '0x0010': 'success', '0x0011': 'error' };
    c.dtls!.stun.forEach((s, i) => {
      const l = stunRef[i];
      assert.equal(s.packet, Number(l['frame.number']![0]) - 1);
      assert.equal(s.transactionId, l['stun.id']![0]);
      assert.equal(s.method, 'Binding');
      assert.equal(s.class, CLASS[l['stun.type.class']![0]]);
      assert.equal(s.username, l['stun.att.username']?.[0]);
      assert.equal(s.priority, l['stun.att.priority'] ? Number(l['stun.att.priority'][0]) : undefined);
      if (l['stun.att.port']) assert.deepEqual(s.mappedAddress, { address: l['stun.att.ipv4']![0], port: Number(l['stun.att.port'][0]) });
    });
  });
  it('takes roles from the handshake: the ClientHello\'s sender is the client, and it is the ICE-controlled (answering) agent', () => {
    const ch = ref.find((l) => l['dtls.handshake.type']?.[0] === '1')!;
    const chPacket = Number(ch['frame.number']![0]) - 1;
    assert.equal(c.messages[0].name, 'ClientHello');
    assert.equal(c.messages[0].packet, chPacket);
    assert.equal(c.dtls!.stun.find((s) => s.from === 'client' && s.class === 'request')!.iceRole, 'controlled');
    assert.equal(c.dtls!.stun.find((s) => s.from === 'server' && s.class === 'request')!.iceRole, 'controlling');
    // The mapped address a response gives is the requester's own endpoint.
    const resp = c.dtls!.stun.find((s) => s.from === 'server' && s.class === 'success')!;
    assert.deepEqual(resp.mappedAddress, c.client);
  });
  it('decodes the handshake with its client certificate, like tshark', () => {
    checkRecords(c, ref.filter((l) => l['dtls.record.content_type'] !== undefined));
    assert.deepEqual(c.messages.filter((m) => m.from === 'client').map((m) => m.name),
      ['ClientHello', 'Certificate', 'ClientKeyExchange', 'CertificateVerify', 'EncryptedHandshakeMessage']);
    assert.equal(c.tls.applicationData.client.records > 0, true);
    assert.equal(c.diagnostics.length, 0, JSON.stringify(c.diagnostics));
  });
  it('names the ICE pair in the text summary', () => {
    assert.match(formatConnectionText(c, { color: false }), new RegExp(`same 5-tuple: ${stunRef.length} STUN; ICE username ${c.dtls!.stun[0].username}`));
  });
});

describe('DTLS 1.3 (RFC 9147), crafted byte by byte (lab/dtls/dtls13-crafted.py: no Debian program speaks it)', async () => {
  const report = await analyzeFile(join(FIXTURES, 'dtls13-crafted.pcap'));
  const ref = tsharkDtls('dtls13-crafted.tshark.json');
  const c = report.connections[0];
  const ch = ref.find((l) => l['dtls.handshake.type']?.[0] === '1')!;
  const sh = ref.find((l) => l['dtls.handshake.type']?.[0] === '2')!;
  it('decodes the hellos as tshark does and negotiates DTLS 1.3 from supported_versions', () => {
    assert.equal(c.clientHello!.random, ch['dtls.handshake.random']![0]);
    assert.deepEqual(c.clientHello!.extensions.map((e) => e.type), nums(ch, 'dtls.handshake.extension.type'));
    assert.equal(c.clientHello!.cookie, '');
    assert.equal(c.serverHello!.random, sh['dtls.handshake.random']![0]);
    assert.equal(c.tls.versionName, 'DTLS 1.3');
    assert.equal(c.fingerprints.ja3, ch['dtls.handshake.ja3']![0]);
    const srtp = c.clientHello!.extensions.find((e) => e.type === 14)!.data as { mkiLength: number; mki: string };
    assert.equal(srtp.mki, ch['dtls.use_srtp.mki']![0]);
    assert.equal(srtp.mkiLength, Number(ch['dtls.use_srtp.mki_length']![0]));
    const file = readFileSync(join(FIXTURES, 'dtls13-crafted.pcap'));
    const loc = c.clientHello!.ranges!['extensions[5].mki'][0];
    assert.ok(loc.kind === 'offset' && file.subarray(loc.offset, loc.offset + loc.length).toString('hex') === srtp.mki);
  });
  it('reads the connection IDs each side asked for and the unified headers that carry them (tshark 4.0 shows those as "Continuation Data")', () => {
    assert.deepEqual(c.dtls!.connectionIds, { client: 'c1d2', server: 'a0a1a2a3' });
    assert.deepEqual(c.clientHello!.extensions.find((e) => e.type === 54)!.data, { cidLength: 2, cid: 'c1d2' });
    assert.deepEqual(c.serverHello!.extensions.find((e) => e.type === 54)!.data, { cidLength: 4, cid: 'a0a1a2a3' });
    const unified = c.dtls!.recordList.filter((r) => r.form === 'unified');
    assert.deepEqual(unified.map((r) => [r.from, r.cid, r.epoch, r.sequence, r.length]), [['server', 'c1d2', 2, 0, 40], ['client', 'a0a1a2a3', 2, 0, 24]]);
    assert.deepEqual(c.messages.map((m) => `${m.from}:${m.name}`), ['client:ClientHello', 'server:ServerHello', 'server:EncryptedHandshakeMessage', 'client:EncryptedHandshakeMessage']);
  });
  it('gives JA4 "d3": JA4.md, "TLS and DTLS Version": 0xfefc = DTLS 1.3 = "d3", the highest supported_versions entry', () => {
    assert.equal(c.fingerprints.ja4!.slice(0, 10), 'dd3i020600');
  });
});

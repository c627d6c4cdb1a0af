import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeBytes } from '../../server/src/analysis/analyzeCapture';
import { initialSecrets, type PacketKeys } from '../../server/src/quic/keys';
import { encryptPayload, headerProtectionMask } from '../../server/src/quic/protection';
import { quicVersion } from '../../server/src/quic/versions';
import type { SourceLocation } from '../../shared/analysis';
import { DCID, hex, RFC9001 } from '../helpers/quicVectors';
import { pcapGlobalHeader } from '../helpers/captureFixtures';

// A ClientHello cut over two Initial packets in two datagrams that arrive in
// reverse order, with PING and PADDING around the CRYPTO frames, as Chrome's
// "chaos protection" and post-quantum key shares make them. Built from the
// RFC 9001 A.2 ClientHello and protected with node:crypto, so every byte is known.
const CH = hex(RFC9001.clientCryptoFrame).subarray(4); // the 241-byte ClientHello, without the CRYPTO frame header
const SPLIT = 100;

function cryptoFrame(offset: number, data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0x06, 0x40 | (offset >> 8), offset & 0xff, 0x40 | (data.length >> 8), data.length & 0xff]), data]);
}

function initial(keys: PacketKeys, pn: number, frames: Buffer): Buffer {
  const plain = Buffer.concat([frames, Buffer.alloc(Math.max(0, 1100 - frames.length))]);
  const length = 4 + plain.length + 16;
  const header = Buffer.concat([Buffer.from([0xc3, 0, 0, 0, 1, DCID.length]), DCID, Buffer.from([0, 0, 0x40 | (length >> 8), length & 0xff, 0, 0, 0, pn])]);
  const pnOffset = header.length - 4;
  const sealed = encryptPayload(keys, pn, header, plain);
  const pkt = Buffer.concat([header, sealed]);
  const mask = headerProtectionMask(keys, pkt.subarray(pnOffset + 4, pnOffset + 20));
  pkt[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < 4; i++) pkt[pnOffset + i] ^= mask[1 + i];
  return pkt;
}

function pcap(payloads: Buffer[]): { file: Buffer; payloadAt: number[] } {
  const parts: Buffer[] = [];
  const payloadAt: number[] = [];
  parts.push(pcapGlobalHeader(65535, 1));
  let at = 24;
  payloads.forEach((p, i) => {
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(50000, 0);
    udp.writeUInt16BE(443, 2);
    udp.writeUInt16BE(8 + p.length, 4);
    const ip = Buffer.from('4500000000004000401100000a0000010a000002', 'hex');
    ip.writeUInt16BE(20 + 8 + p.length, 2);
    const eth = Buffer.from('0200000000020200000000010800', 'hex');
    const frame = Buffer.concat([eth, ip, udp, p]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
    payloadAt.push(at + 16 + 42);
    at += 16 + frame.length;
  });
  return { file: Buffer.concat(parts), payloadAt };
}

describe('a ClientHello over two Initials, out of order', () => {
  const keys = initialSecrets(quicVersion(1)!, DCID).client;
  const late = initial(keys, 1, Buffer.concat([Buffer.from([0x01]), cryptoFrame(SPLIT, CH.subarray(SPLIT))]));
  const early = initial(keys, 2, Buffer.concat([Buffer.from([0x00, 0x00, 0x01]), cryptoFrame(0, CH.subarray(0, SPLIT)), Buffer.from([0x01])]));
  const { file, payloadAt } = pcap([late, early]);
  const report = analyzeBytes(file, 'two-initials.pcap');
  const c = report.connections[0];

  it('reassembles the CRYPTO stream and decodes the ClientHello', () => {
    assert.equal(report.connections.length, 1);
    assert.equal(c.transport, 'quic');
    assert.equal(c.tls.serverName, 'example.com');
    assert.equal(c.quic!.cryptoBytes.client, CH.length);
    assert.deepEqual(c.quic!.datagramList.map((d) => d.packets[0].frames), [['PING', 'CRYPTO', 'PADDING'], ['PADDING', 'PING', 'CRYPTO', 'PING', 'PADDING']]);
    assert.deepEqual(c.messages.map((m) => m.name), ['ClientHello']);
    assert.deepEqual(c.messages[0].packets, [1, 0], 'its first bytes came in the second datagram');
    assert.equal(c.diagnostics.length, 0);
  });
  it('maps each field to the datagram that carried its (encrypted) bytes', () => {
    const sni = c.clientHello!.ranges!.serverName[0] as Extract<SourceLocation, { kind: 'offset' }>;
    assert.ok(sni.offset > payloadAt[1] && sni.offset < payloadAt[1] + early.length, 'SNI lies in the first part, sent second');
    const last = c.clientHello!.extensions.length - 1;
    assert.equal(c.clientHello!.extensions[last].name, 'quic_transport_parameters');
    const ks = c.clientHello!.ranges![`extensions[${last}]`] ?? [];
    assert.ok(ks.length > 0);
    const ext = ks[0] as Extract<SourceLocation, { kind: 'offset' }>;
    assert.ok(ext.offset > payloadAt[0] && ext.offset < payloadAt[0] + late.length, 'a late extension lies in the datagram sent first');
  });
  it('gives the same fingerprints as the hello sent in one piece', () => {
    const whole = initial(keys, 0, cryptoFrame(0, CH));
    const one = analyzeBytes(pcap([whole]).file, 'one-initial.pcap').connections[0];
    assert.equal(c.fingerprints.ja4, one.fingerprints.ja4);
    assert.equal(c.fingerprints.ja3, one.fingerprints.ja3);
    assert.match(c.fingerprints.ja4!, /^q13d0/);
  });
  it('reports the missing half when only one Initial was captured', () => {
    const half = analyzeBytes(pcap([late]).file, 'half.pcap').connections[0];
    assert.equal(half.clientHello, null);
    assert.ok(half.diagnostics.some((d) => d.code === 'quic.crypto-gap' && /0–100/.test(d.message)), JSON.stringify(half.diagnostics));
  });
});

describe('hostile QUIC datagrams', () => {
  it('never throws on corrupted Initials, truncations, or huge CRYPTO offsets, and keeps held bytes bounded', () => {
    const keys = initialSecrets(quicVersion(1)!, DCID).client;
    const good = initial(keys, 0, cryptoFrame(0, CH));
    // A deterministic generator: the same corruptions on every run.
    let seed = 12345;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    const payloads: Buffer[] = [good];
    for (let i = 0; i < 300; i++) {
      const p = Buffer.from(good.subarray(0, 1 + rnd(good.length)));
      for (let k = rnd(4); k > 0; k--) p[rnd(p.length)] = rnd(256);
      payloads.push(p);
    }
    // Correctly protected Initials whose CRYPTO frames claim offsets far past any hello.
    for (let i = 0; i < 20; i++) payloads.push(initial(keys, 10 + i, Buffer.concat([Buffer.from([0x06, 0xbf, 0xff, 0xff, 0xff, 0x43, 0xe8]), Buffer.alloc(1000, i)])));
    const r = analyzeBytes(pcap(payloads).file, 'hostile.pcap');
    assert.ok(r.connections.length >= 1);
    const c = r.connections.find((x) => x.transport === 'quic')!;
    assert.equal(c.tls.serverName, 'example.com', 'the good first Initial is kept');
    assert.ok(c.quic!.cryptoBytes.client <= 64 * 1024);
    assert.ok(c.quic!.datagramList.length <= 16);
  });
});

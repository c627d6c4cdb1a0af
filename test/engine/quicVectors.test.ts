import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initialSecrets, packetKeys } from '../../server/src/quic/keys';
import { decodePacketNumber, headerProtectionMask, removeHeaderProtection } from '../../server/src/quic/protection';
import { openPacket } from '../../server/src/quic/initial';
import { parsePacketHeader, splitDatagram, type QuicPacketHeader } from '../../server/src/quic/packet';
import { parseFrames } from '../../server/src/quic/frames';
import { verifyRetry } from '../../server/src/quic/retry';
import { quicVersion, quicVersionName } from '../../server/src/quic/versions';
import { DCID, hex, RFC9001, RFC9369 } from '../helpers/quicVectors';

const V1 = quicVersion(1)!;
const V2 = quicVersion(0x6b3343cf)!;

function header(buf: Buffer, shortDcid = 0): QuicPacketHeader {
  const h = parsePacketHeader(buf, 0, buf.length, shortDcid);
  assert.equal(typeof h, 'object', String(h));
  return h as QuicPacketHeader;
}

describe('QUIC v1 Initial keys (RFC 9001 A.1)', () => {
  const s = initialSecrets(V1, DCID);
  it('derives the initial, client and server secrets', () => {
    assert.equal(s.initialSecret.toString('hex'), hex(RFC9001.initialSecret).toString('hex'));
    assert.equal(s.clientSecret.toString('hex'), hex(RFC9001.client.secret).toString('hex'));
    assert.equal(s.serverSecret.toString('hex'), hex(RFC9001.server.secret).toString('hex'));
  });
  for (const side of ['client', 'server'] as const) {
    it(`derives the ${side} key, iv and hp`, () => {
      assert.equal(s[side].key.toString('hex'), RFC9001[side].key);
      assert.equal(s[side].iv.toString('hex'), RFC9001[side].iv);
      assert.equal(s[side].hp.toString('hex'), RFC9001[side].hp);
    });
  }
});

describe('QUIC v1 client Initial (RFC 9001 A.2)', () => {
  const pkt = hex(RFC9001.clientInitial);
  const keys = initialSecrets(V1, DCID).client;
  it('parses the long header', () => {
    const h = header(pkt);
    assert.equal(h.type, 'Initial');
    assert.equal(h.version, 1);
    assert.equal(Buffer.from(h.dcid).toString('hex'), '8394c8f03e515708');
    assert.equal(h.scid!.length, 0);
    assert.deepEqual(h.token, [16, 0], 'empty token after its 1-byte length at 15');
    assert.equal(h.end, 1200);
  });
  it('computes the header protection mask from the sample', () => {
    assert.equal(headerProtectionMask(keys, hex(RFC9001.clientSample)).toString('hex'), RFC9001.clientMask);
  });
  it('removes header protection: the unprotected header is byte for byte the RFC one', () => {
    const u = removeHeaderProtection(keys, pkt, 0, 18, pkt.length)!;
    assert.equal(u.header.toString('hex'), RFC9001.clientHeader);
    assert.equal(u.truncatedPacketNumber, 2);
  });
  it('decrypts to the CRYPTO frame plus PADDING to 1162 bytes', () => {
    const o = openPacket(pkt, header(pkt), keys, -1);
    assert.equal(typeof o, 'object', String(o));
    if (typeof o === 'string') return;
    assert.equal(o.packetNumber, 2);
    assert.equal(o.plaintext.length, 1162);
    const frame = hex(RFC9001.clientCryptoFrame);
    assert.equal(Buffer.from(o.plaintext.subarray(0, frame.length)).toString('hex'), frame.toString('hex'));
    assert.ok(o.plaintext.subarray(frame.length).every((b) => b === 0));
    assert.equal(o.payloadOffset, 22);
    const w = parseFrames(o.plaintext);
    assert.equal(w.problem, null);
    assert.deepEqual(w.frames.map((f) => f.name), ['CRYPTO', 'PADDING']);
    assert.equal(w.frames[0].cryptoOffset, 0);
    assert.equal(w.frames[0].dataLength, 241);
    assert.equal(w.frames[0].dataOffset, 4);
    assert.equal(w.frames[1].length, 1162 - frame.length);
  });
  it('rejects the packet when one ciphertext byte is changed', () => {
    const bad = Buffer.from(pkt);
    bad[100] ^= 1;
    assert.match(String(openPacket(bad, header(bad), keys, -1)), /does not authenticate/);
  });
  it('does not open with the server keys', () => {
    assert.equal(typeof openPacket(pkt, header(pkt), initialSecrets(V1, DCID).server, -1), 'string');
  });
});

describe('QUIC v1 server Initial (RFC 9001 A.3)', () => {
  const pkt = hex(RFC9001.serverInitial);
  const keys = initialSecrets(V1, DCID).server;
  it('decrypts to the ACK and CRYPTO frames', () => {
    const h = header(pkt);
    assert.equal(Buffer.from(h.scid!).toString('hex'), 'f067a5502a4262b5');
    const u = removeHeaderProtection(keys, pkt, 0, h.pnOffset, h.end)!;
    assert.equal(u.header.toString('hex'), RFC9001.serverHeader);
    const o = openPacket(pkt, h, keys, -1);
    if (typeof o === 'string') return assert.fail(o);
    assert.equal(o.packetNumber, 1);
    assert.equal(Buffer.from(o.plaintext).toString('hex'), hex(RFC9001.serverPayload).toString('hex'));
    const w = parseFrames(o.plaintext);
    assert.deepEqual(w.frames.map((f) => f.name), ['ACK', 'CRYPTO']);
    assert.equal(w.frames[0].largestAcknowledged, 0);
    assert.equal(w.frames[1].dataLength, 90);
    assert.equal(o.plaintext[w.frames[1].dataOffset!], 0x02, 'a ServerHello starts the CRYPTO data');
  });
});

describe('Retry integrity (RFC 9001 A.4, RFC 9369 A.4)', () => {
  it('accepts the v1 Retry for the client\'s DCID and parses its token', () => {
    const r = hex(RFC9001.retry);
    const h = header(r);
    assert.equal(h.type, 'Retry');
    assert.equal(Buffer.from(r.subarray(h.token![0], h.token![0] + h.token![1])).toString('latin1'), 'token');
    assert.equal(verifyRetry(V1, DCID, r), true);
  });
  it('rejects it for another DCID, a changed byte, or as v2', () => {
    const r = hex(RFC9001.retry);
    assert.equal(verifyRetry(V1, hex('8394c8f03e515709'), r), false);
    const bad = Buffer.from(r);
    bad[20] ^= 0x20;
    assert.equal(verifyRetry(V1, DCID, bad), false);
    assert.equal(verifyRetry(V2, DCID, r), false);
  });
  it('accepts the v2 Retry (v2 renumbers the packet types)', () => {
    const r = hex(RFC9369.retry);
    assert.equal(header(r).type, 'Retry');
    assert.equal(verifyRetry(V2, DCID, r), true);
  });
});

describe('ChaCha20-Poly1305 short header packet (RFC 9001 A.5, RFC 9369 A.5)', () => {
  it('v1: keys, mask, packet number and the PING payload', () => {
    const k = packetKeys(hex(RFC9001.chacha.secret), 'quic', 'chacha20-poly1305');
    assert.equal(k.key.toString('hex'), hex(RFC9001.chacha.key).toString('hex'));
    assert.equal(k.iv.toString('hex'), RFC9001.chacha.iv);
    assert.equal(k.hp.toString('hex'), hex(RFC9001.chacha.hp).toString('hex'));
    assert.equal(headerProtectionMask(k, hex(RFC9001.chacha.sample)).toString('hex'), RFC9001.chacha.mask);
    const pkt = hex(RFC9001.chacha.packet);
    const h = header(pkt, 0);
    assert.equal(h.type, '1-RTT');
    const o = openPacket(pkt, h, k, RFC9001.chacha.packetNumber - 1);
    if (typeof o === 'string') return assert.fail(o);
    assert.equal(o.packetNumber, RFC9001.chacha.packetNumber);
    assert.equal(o.packetNumberLength, 3);
    assert.deepEqual([...o.plaintext], [0x01]);
    assert.deepEqual(parseFrames(o.plaintext).frames.map((f) => f.name), ['PING']);
  });
  it('v2: "quicv2" labels give the RFC 9369 iv, mask and packet', () => {
    const k = packetKeys(hex(RFC9001.chacha.secret), 'quicv2', 'chacha20-poly1305');
    assert.equal(k.iv.toString('hex'), RFC9369.chacha.iv);
    const pkt = hex(RFC9369.chacha.packet);
    assert.equal(headerProtectionMask(k, pkt.subarray(5, 21)).toString('hex'), RFC9369.chacha.mask);
    const o = openPacket(pkt, header(pkt, 0), k, RFC9001.chacha.packetNumber - 1);
    if (typeof o === 'string') return assert.fail(o);
    assert.equal(o.packetNumber, RFC9001.chacha.packetNumber);
    assert.deepEqual([...o.plaintext], [0x01]);
  });
});

describe('QUIC v2 client Initial (RFC 9369 A.2)', () => {
  const pkt = hex(RFC9369.clientInitial);
  const keys = initialSecrets(V2, DCID).client;
  it('is an Initial under v2\'s type numbering and decrypts to the same CRYPTO frame', () => {
    const h = header(pkt);
    assert.equal(h.type, 'Initial');
    assert.equal(quicVersionName(h.version), 'QUIC v2');
    assert.equal(headerProtectionMask(keys, hex(RFC9369.clientSample)).toString('hex'), RFC9369.clientMask);
    assert.equal(removeHeaderProtection(keys, pkt, 0, h.pnOffset, h.end)!.header.toString('hex'), RFC9369.clientHeader);
    const o = openPacket(pkt, h, keys, -1);
    if (typeof o === 'string') return assert.fail(o);
    const frame = hex(RFC9001.clientCryptoFrame);
    assert.equal(Buffer.from(o.plaintext.subarray(0, frame.length)).toString('hex'), frame.toString('hex'));
  });
  it('does not open with v1 keys', () => {
    assert.equal(typeof openPacket(pkt, header(pkt), initialSecrets(V1, DCID).client, -1), 'string');
  });
});

describe('packet numbers and datagrams', () => {
  it('decodes the RFC 9000 A.3 example', () => {
    assert.equal(decodePacketNumber(0xa82f30ea, 0x9b32, 2), 0xa82f9b32);
    assert.equal(decodePacketNumber(-1, 0, 1), 0);
    assert.equal(decodePacketNumber(255, 1, 1), 257);
  });
  it('splits coalesced packets and ignores trailing zero padding', () => {
    const d = Buffer.concat([hex(RFC9001.serverInitial), hex(RFC9001.retry), Buffer.alloc(7)]);
    // A Retry runs to the end of the datagram, so it is last; put the Initial first.
    const s = splitDatagram(d, 0, d.length - 7, 0);
    assert.equal(s.problem, null);
    assert.deepEqual(s.packets.map((p) => p.type), ['Initial', 'Retry']);
    const two = Buffer.concat([hex(RFC9001.serverInitial), hex(RFC9001.serverInitial), Buffer.alloc(5)]);
    const t = splitDatagram(two, 0, two.length, 0);
    assert.deepEqual(t.packets.map((p) => [p.start, p.end]), [[0, 135], [135, 270]]);
    assert.equal(t.trailing, 5);
  });
  it('decodes Version Negotiation and names reserved versions', () => {
    const vn = hex('80 00000000 08 8394c8f03e515708 00 00000001 6b3343cf 1a2a3a4a');
    const h = header(vn);
    assert.equal(h.type, 'Version Negotiation');
    assert.deepEqual(h.supportedVersions, [1, 0x6b3343cf, 0x1a2a3a4a]);
    assert.equal(quicVersionName(0x1a2a3a4a), 'reserved (0x1a2a3a4a)');
    assert.equal(quicVersionName(0xff00001d), 'draft-29');
  });
  it('stops with a located reason on every truncation, never throws', () => {
    const pkt = hex(RFC9001.clientInitial);
    for (let n = 1; n < pkt.length; n += 7) {
      const s = splitDatagram(pkt, 0, n, 8);
      assert.equal(s.packets.length, 0, `prefix ${n}`);
      assert.ok(s.problem !== null && s.problem.offset === 0, `prefix ${n}`);
    }
  });
});

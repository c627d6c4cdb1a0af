import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFragment, parseRecord, startsDtlsHandshake } from '../../server/src/dtls/record';
import { HandshakeReassembler, complete } from '../../server/src/dtls/reassembly';
import { muxClass, parseStun } from '../../server/src/dtls/stun';
import { helloConnectionId } from '../../server/src/dtls/helloScan';

const h = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** A 12-byte DTLS handshake header and its fragment. */
function fragment(type: number, length: number, seq: number, offset: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  out.set([type, length >> 16, (length >> 8) & 0xff, length & 0xff, seq >> 8, seq & 0xff, offset >> 16, (offset >> 8) & 0xff, offset & 0xff,
    body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]);
  out.set(body, 12);
  return out;
}

describe('DTLS record headers', () => {
  it('reads a DTLS 1.2 plaintext record: epoch and 48-bit sequence number (RFC 6347 §4.1)', () => {
    const rec = h('16 fefd 0001 0000 0102 0304 0002 abcd');
    const r = parseRecord(rec, 0, rec.length, 0);
    assert.ok(!('error' in r));
    assert.equal(r.form, 'plaintext');
    assert.equal(r.epoch, 1);
    assert.equal(r.sequence, 0x0000_0102_0304);
    assert.equal(r.end - r.bodyStart, 2);
  });
  it('reads an RFC 9146 CID record with the negotiated CID length', () => {
    const rec = h('19 fefd 0001 0000 0000 0007 a1b2c3d4 0003 010203');
    const r = parseRecord(rec, 0, rec.length, 4);
    assert.ok(!('error' in r));
    assert.equal(r.form, 'cid');
    assert.deepEqual([...rec.subarray(r.cidStart, r.cidEnd)], [0xa1, 0xb2, 0xc3, 0xd4]);
    assert.equal(r.end, rec.length);
  });
  it('reads a DTLS 1.3 unified header: C, S, L bits and the epoch\'s low bits (RFC 9147 §4)', () => {
    // 0b0011_1110: CID present, 16-bit sequence, length present, epoch bits 2.
    const rec = h('3e 0506 1234 0004 deadbeef');
    const r = parseRecord(rec, 0, rec.length, 2);
    assert.ok(!('error' in r));
    assert.equal(r.form, 'unified');
    assert.equal(r.epoch, 2);
    assert.equal(r.sequence, 0x1234);
    assert.equal(r.end - r.bodyStart, 4);
    // Without the length bit the record runs to the end of the datagram.
    const open = h('20 07 aabbcc');
    const o = parseRecord(open, 0, open.length, 0);
    assert.ok(!('error' in o));
    assert.equal(o.sequence, 7);
    assert.equal(o.end - o.bodyStart, 3);
  });
  it('says where a record runs past its datagram', () => {
    const rec = h('16 fefd 0000 0000 0000 0000 0010 00');
    const r = parseRecord(rec, 0, rec.length, 0);
    assert.ok('error' in r);
    assert.match(r.error, /record of 16 bytes, only 1 left/);
  });
  it('rejects a fragment running past its message length', () => {
    const f = fragment(11, 10, 2, 8, new Uint8Array(4));
    const r = parseFragment(f, 0, f.length);
    assert.ok('error' in r);
    assert.match(r.error, /past the message length 10/);
  });
  it('takes only a plaintext epoch-0 hello record of a DTLS version as the start of a handshake', () => {
    const body = fragment(1, 20, 0, 0, new Uint8Array(20));
    const rec = new Uint8Array(13 + body.length);
    rec.set([0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, body.length >> 8, body.length & 0xff]);
    rec.set(body, 13);
    assert.equal(startsDtlsHandshake(rec, 0, rec.length), true);
    rec[2] = 0x03; // TLS 1.2 over UDP is not DTLS
    assert.equal(startsDtlsHandshake(rec, 0, rec.length), false);
    rec[2] = 0xfd;
    rec[13] = 11; // a Certificate cannot start one
    assert.equal(startsDtlsHandshake(rec, 0, rec.length), false);
  });
});

describe('DTLS handshake reassembly', () => {
  const body = Uint8Array.from({ length: 30 }, (_, i) => i + 1);
  const add = (r: HandshakeReassembler, offset: number, bytes: Uint8Array) => {
    const f = fragment(11, 30, 2, offset, bytes);
    const p = parseFragment(f, 0, f.length);
    assert.ok(!('error' in p));
    return r.add(p, f, (q) => 1000 + offset * 10 + q, 0, 0);
  };
  it('puts out-of-order and overlapping fragments together; the first copy of a byte wins', () => {
    const r = new HandshakeReassembler({ held: 0, limit: 1 << 20 });
    assert.equal(add(r, 20, body.subarray(20, 30)), null);
    assert.equal(add(r, 0, body.subarray(0, 12)), null);
    const m = r.messages.get(2)!;
    assert.equal(complete(m), false);
    // Overlaps 8–12 with the same bytes, brings 12–20.
    assert.equal(add(r, 8, body.subarray(8, 20)), null);
    assert.equal(complete(m), true);
    assert.deepEqual([...m.bytes!], [...body]);
    assert.deepEqual(m.pieces.map((p) => [p.offset, p.length]), [[0, 12], [12, 8], [20, 10]]);
  });
  it('counts a repeated fragment as a retransmission and reports one whose bytes differ, keeping the first', () => {
    const r = new HandshakeReassembler({ held: 0, limit: 1 << 20 });
    add(r, 0, body);
    assert.equal(add(r, 0, body), null);
    const changed = body.slice(5, 15);
    changed[3] ^= 0xff;
    const ev = add(r, 5, changed);
    assert.equal(ev?.kind, 'differs');
    const m = r.messages.get(2)!;
    assert.equal(m.retransmitted, 1);
    assert.equal(m.differing, 1);
    assert.deepEqual([...m.bytes!], [...body]);
  });
  it('holds no more than its budget: a message past it is listed, not reassembled', () => {
    const held = { held: 0, limit: 16 };
    const r = new HandshakeReassembler(held);
    const ev = add(r, 0, body.subarray(0, 10));
    assert.equal(ev?.kind, 'over-budget');
    assert.equal(r.messages.get(2)!.bytes, null);
    assert.equal(held.held, 0);
    assert.equal(complete(r.messages.get(2)!), false);
  });
});

describe('WebRTC multiplexing and STUN (RFC 7983, RFC 8489)', () => {
  it('classes datagrams by first byte', () => {
    assert.equal(muxClass(h('0001'), 0, 2), 'stun');
    assert.equal(muxClass(h('16fe'), 0, 2), 'dtls');
    assert.equal(muxClass(h('2f00'), 0, 2), 'dtls');
    assert.equal(muxClass(h('8060'), 0, 2), 'srtp');
    assert.equal(muxClass(h('80c8'), 0, 2), 'srtcp');
    assert.equal(muxClass(h('4000'), 0, 2), 'turn-channel');
  });
  it('decodes the RFC 5769 §2.2 IPv4 response vector: XOR-MAPPED-ADDRESS 192.0.2.1:32853, SOFTWARE', () => {
    const msg = h(`0101003c 2112a442 b7e7a701 bc34d686 fa87dfae 802200 0b 7465737420766563746f7220
      00200008 0001a147 e112a643 00080014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7 80280004 c07d4c96`);
    const m = parseStun(msg, 0, msg.length);
    assert.ok(m);
    assert.equal(m.class, 'success');
    assert.equal(m.methodName, 'Binding');
    assert.equal(m.transactionId, 'b7e7a701bc34d686fa87dfae');
    assert.deepEqual(m.mappedAddress, { address: '192.0.2.1', port: 32853 });
    assert.equal(m.software, 'test vector');
  });
  it('decodes the RFC 5769 §2.1 request vector: USERNAME, PRIORITY, ICE-CONTROLLED', () => {
    const msg = h(`00010058 2112a442 b7e7a701 bc34d686 fa87dfae 80220010 5354554e 20746573 7420636c 69656e74
      00240004 6e0001ff 80290008 932ff9b1 51263b36 00060009 6576746a 3a683676 59202020
      00080014 9aeaa70c bfd8cb56 781ef2b5 b2d3f249 c1b571a2 80280004 e57a3bcf`);
    const m = parseStun(msg, 0, msg.length);
    assert.ok(m);
    assert.equal(m.class, 'request');
    assert.equal(m.username, 'evtj:h6vY');
    assert.equal(m.priority, 0x6e0001ff);
    assert.equal(m.iceRole, 'controlled');
  });
  it('is not fooled by a datagram without the magic cookie', () => {
    const msg = h('00010000 2112a443 b7e7a701 bc34d686 fa87dfae');
    assert.equal(parseStun(msg, 0, msg.length), null);
  });
});

describe('connection_id in a hello (RFC 9146)', () => {
  it('finds the CID a ClientHello asks for, past the cookie', () => {
    // version, random, session id (0), cookie (2 bytes), one suite, one compression method, extensions: connection_id [a1 b2].
    const ch = h(`fefd ${'00'.repeat(32)} 00 02 cafe 0002 c02b 01 00 0007 0036 0003 02 a1b2`);
    assert.equal(helloConnectionId(ch, true), 'a1b2');
    const sh = h(`fefd ${'00'.repeat(32)} 00 c02b 00 0006 0036 0002 01 ff`);
    assert.equal(helloConnectionId(sh, false), 'ff');
    assert.equal(helloConnectionId(ch.subarray(0, 40), true), null);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CryptoReassembler } from '../../server/src/quic/cryptoStream';
import { parseFrames } from '../../server/src/quic/frames';
import { decodeTransportParameters, transportParameterName } from '../../server/src/quic/transportParameters';
import { hex, RFC9001 } from '../helpers/quicVectors';

describe('CRYPTO reassembly', () => {
  const data = Buffer.from('0123456789abcdefghij', 'latin1');
  it('puts out-of-order pieces back and maps each to its origin', () => {
    const r = new CryptoReassembler();
    r.add(10, data.subarray(10), 1000);
    assert.equal(r.contiguousLength(), 0);
    assert.deepEqual(r.gaps(), [[0, 10]]);
    r.add(0, data.subarray(0, 10), 500);
    const c = r.contiguous();
    assert.equal(Buffer.from(c.bytes).toString('latin1'), data.toString('latin1'));
    assert.deepEqual(c.pieces.map((p) => [p.offset, p.origin]), [[0, 500], [10, 1000]]);
  });
  it('keeps the first copy of overlapping bytes and counts a differing one', () => {
    const r = new CryptoReassembler();
    r.add(5, data.subarray(5, 12), 0);
    r.add(0, data.subarray(0, 20), 100);
    assert.equal(r.conflicts, 0);
    assert.equal(r.bytesHeld, 20);
    const c = r.contiguous();
    assert.equal(Buffer.from(c.bytes).toString('latin1'), data.toString('latin1'));
    assert.deepEqual(c.pieces.map((p) => [p.offset, p.data.length, p.origin]), [[0, 5, 100], [5, 7, 0], [12, 8, 112]]);
    r.add(3, Buffer.from('XY'), 0);
    assert.equal(r.conflicts, 1);
    assert.equal(Buffer.from(r.contiguous().bytes).toString('latin1'), data.toString('latin1'));
  });
  it('holds at most its limit, counting what it dropped', () => {
    const r = new CryptoReassembler(16);
    r.add(0, data, 0);
    r.add(1_000_000, data, 0);
    assert.equal(r.bytesHeld, 16);
    assert.equal(r.dropped, 4 + 20);
  });
});

describe('frames', () => {
  it('decodes ACK with ranges and ECN, CONNECTION_CLOSE, PING', () => {
    const pt = hex('03 05 01 01 00 02 01 3f 00 00 01 1c 0a 06 03 626164 00 00');
    const w = parseFrames(pt);
    assert.equal(w.problem, null);
    assert.deepEqual(w.frames.map((f) => f.name), ['ACK', 'PING', 'CONNECTION_CLOSE', 'PADDING']);
    assert.equal(w.frames[0].largestAcknowledged, 5);
    assert.equal(w.frames[0].ackRanges, 2);
    assert.equal(w.frames[2].errorCode, 10);
    assert.equal(w.frames[2].frameType, 6);
    assert.equal(w.frames[2].reason, 'bad');
  });
  it('stops at a frame type not allowed in Initial packets, keeping the frames before it', () => {
    const w = parseFrames(hex('01 08 00 00'));
    assert.deepEqual(w.frames.map((f) => f.name), ['PING']);
    assert.equal(w.problem?.offset, 1);
    assert.match(w.problem!.message, /STREAM/);
  });
  it('stops on a CRYPTO frame longer than the packet', () => {
    const w = parseFrames(hex('06 00 44 00 01 02'));
    assert.equal(w.frames.length, 0);
    assert.match(w.problem!.message, /runs past the packet/);
  });
});

describe('quic_transport_parameters (RFC 9001 A.2 ClientHello)', () => {
  it('names and decodes every parameter', () => {
    const frame = hex(RFC9001.clientCryptoFrame);
    // The extension is the last in the ClientHello: type 0x0039, length 0x0032.
    const at = frame.indexOf(hex('00390032'));
    assert.ok(at > 0);
    const list = decodeTransportParameters(frame, at + 4, at + 4 + 0x32);
    assert.equal(list.problem, null);
    assert.deepEqual(list.parameters.map((p) => [p.name, p.value]), [
      ['initial_max_data', '4611686018427387903'],
      ['initial_max_stream_data_bidi_local', 65535],
      ['initial_max_stream_data_uni', 65535],
      ['initial_max_streams_bidi', 16],
      ['max_idle_timeout', 30000],
      ['initial_max_streams_uni', 16],
      ['initial_source_connection_id', '8394c8f03e515708'],
      ['initial_max_stream_data_bidi_remote', 65535],
    ]);
  });
  it('names reserved and unknown ids, and stops on an overrun', () => {
    assert.equal(transportParameterName(27 + 31 * 5), 'reserved (GREASE)');
    assert.equal(transportParameterName(0x1234), 'unknown (0x1234)');
    const bad = decodeTransportParameters(hex('0104 8000'));
    assert.equal(bad.parameters.length, 0);
    assert.match(bad.problem!.message, /max_idle_timeout: length 4 runs past/);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addPayloadHashes, payloadHash } from '../../server/src/tcp/payloadHash';

// The compare view pairs a segment with the pieces it arrived in by adding the
// pieces' hashes: that only works if the hash of a whole equals the sum of its
// parts at their offsets, and if changed bytes change it.

test('the hashes of the pieces add up to the hash of the whole, wherever it is cut', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), fc.nat(2 ** 31), fc.array(fc.nat(), { maxLength: 6 }), (bytes, at, cutsRaw) => {
    const cuts = [...new Set(cutsRaw.map((c) => c % bytes.length))].sort((a, b) => a - b);
    const bounds = [0, ...cuts.filter((c) => c > 0), bytes.length];
    const parts: number[] = [];
    for (let k = 0; k + 1 < bounds.length; k++) parts.push(payloadHash(bytes.subarray(bounds[k], bounds[k + 1]), at + bounds[k]));
    assert.equal(addPayloadHashes(parts), payloadHash(bytes, at));
    return true;
  }), { numRuns: 300 });
});

test('a changed byte, or the same bytes at another stream offset, changes the hash', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.nat(2 ** 31), fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, at, i, delta) => {
    const changed = Uint8Array.from(bytes);
    changed[i % bytes.length] = (changed[i % bytes.length] + delta) & 255;
    assert.notEqual(payloadHash(changed, at), payloadHash(bytes, at));
    return true;
  }), { numRuns: 300 });
  // Moved by one byte: a segment at the wrong place is not the same segment.
  const b = new TextEncoder().encode('ServerHello from the relay');
  assert.notEqual(payloadHash(b, 1000), payloadHash(b, 1001));
});

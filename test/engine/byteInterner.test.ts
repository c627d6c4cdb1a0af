import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteInterner } from '../../server/src/util/byteInterner';

test('interned bytes: equal content shares one stable copy, different content never does', () => {
  fc.assert(fc.property(
    fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 30 }),
    fc.nat(),
    (items, pad) => {
      const interner = new ByteInterner(1 << 20, 256);
      const seen = new Map<string, Uint8Array>();
      for (const item of items) {
        // Each item inside a bigger buffer that is overwritten afterwards, as a read buffer is.
        const buf = new Uint8Array(item.length + (pad % 17) + 3);
        const at = (pad % 17) + 1;
        buf.set(item, at);
        const got = interner.intern(buf, at, at + item.length);
        buf.fill(0xee);
        assert.deepEqual([...got], [...item]);
        const key = Buffer.from(item).toString('hex');
        const before = seen.get(key);
        // Items over maxItem are copied, not shared; the rest are shared by content.
        if (before && item.length <= 256) assert.equal(got, before);
        for (const [k, v] of seen) if (k !== key) assert.notEqual(got, v);
        seen.set(key, got);
      }
    },
  ));
});

test('two byte strings with the same length, head and tail (same quick hash) stay apart', () => {
  const a = new Uint8Array(1000).fill(7);
  const b = a.slice();
  b[500] = 8;
  const interner = new ByteInterner();
  const ia = interner.intern(a, 0, a.length);
  const ib = interner.intern(b, 0, b.length);
  assert.notEqual(ia, ib);
  assert.equal(ib[500], 8);
  assert.equal(interner.intern(b, 0, b.length), ib);
  assert.equal(interner.intern(a, 0, a.length), ia);
});

test('a copy the interner handed out is recognised as itself, a view of the same memory is not', () => {
  const interner = new ByteInterner();
  const source = new Uint8Array(200).map((_, i) => i);
  const copy = interner.intern(source, 50, 150);
  assert.equal(interner.intern(copy, 0, copy.length), copy);
  // Part of a copy is other bytes: it gets its own copy.
  const part = interner.intern(copy, 10, 20);
  assert.notEqual(part, copy);
  assert.deepEqual([...part], [...source.subarray(60, 70)]);
  // Equal bytes elsewhere still find the shared copy.
  assert.equal(interner.intern(Uint8Array.from(source.subarray(50, 150)), 0, 100), copy);
});

test('memory held is bounded: past maxBytes it starts afresh instead of growing', () => {
  const interner = new ByteInterner(4096, 1024);
  const first = interner.intern(new Uint8Array(1000).fill(1), 0, 1000);
  for (let i = 2; i < 10; i++) interner.intern(new Uint8Array(1000).fill(i), 0, 1000);
  // The first copy was dropped with the rest: the same bytes now give a new copy.
  assert.notEqual(interner.intern(new Uint8Array(1000).fill(1), 0, 1000), first);
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Ipv4TupleTable, canonicalFirst } from '../../server/src/tcp/tupleTable';

describe('IPv4 tuple table', () => {
  it('behaves like a Map under any sequence of sets, gets and deletes (growth and tombstones included)', () => {
    // Few distinct keys, so the same tuples are set, deleted and set again.
    const key = fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 40 }));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), k: key, v: fc.integer() }),
      fc.record({ kind: fc.constant('delete' as const), k: key }),
      fc.record({ kind: fc.constant('get' as const), k: key }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const table = new Ipv4TupleTable<number>(16);
      const model = new Map<string, number>();
      for (const o of ops) {
        const [a, b, p] = o.k;
        const id = `${a}|${b}|${p}`;
        if (o.kind === 'set') {
          table.set(a, b, p, o.v);
          model.set(id, o.v);
        } else if (o.kind === 'delete') {
          assert.equal(table.delete(a, b, p), model.delete(id));
        } else {
          assert.equal(table.get(a, b, p), model.get(id));
        }
        assert.equal(table.size, model.size);
      }
      assert.deepEqual(table.valuesList().sort((x, y) => x - y), [...model.values()].sort((x, y) => x - y));
    }), { numRuns: 300 });
  });

  it('keeps thousands of connections findable, with full 32-bit addresses and ports', () => {
    const table = new Ipv4TupleTable<number>();
    for (let i = 0; i < 5000; i++) table.set((0xc0a80000 + i) | 0, 0xffffffff | 0, (443 << 16) | (1024 + i), i);
    assert.equal(table.size, 5000);
    for (let i = 0; i < 5000; i += 7) assert.equal(table.get((0xc0a80000 + i) | 0, -1, (443 << 16) | (1024 + i)), i);
    assert.equal(table.get(0xc0a80000 | 0, -1, (443 << 16) | 1025), undefined);
  });

  it('puts both directions of a connection under one key', () => {
    assert.equal(canonicalFirst(0x0a000001, 5000, 0xc6336401, 443), true);
    assert.equal(canonicalFirst(0xc6336401, 443, 0x0a000001, 5000), false);
    // Same address (loopback): the port decides.
    assert.equal(canonicalFirst(0x7f000001, 443, 0x7f000001, 5000), true);
    assert.equal(canonicalFirst(0x7f000001, 5000, 0x7f000001, 443), false);
  });
});

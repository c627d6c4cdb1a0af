import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as path from 'path';
import { createLinkInfo, locateNetworkLayer } from '../../server/src/capture/linkLayer';
import type { CaptureParser, CaptureSink } from '../../server/src/capture/packet';
import { PcapParser } from '../../server/src/capture/pcap';
import { PcapngParser } from '../../server/src/capture/pcapng';
import { readCaptureData } from '../../server/src/capture/readCapture';
import {
  CAPTURE_DIR, PCAPNG_FIXTURES, PCAP_FIXTURES, REFERENCE_DIR, collector, parseWith, pcapRecords, pcapngBlocks, readFixture,
  type Collected,
} from '../helpers/captureFixtures';

interface Fixture {
  name: string;
  bytes: Buffer;
  ng: boolean;
}

const fixtures: Fixture[] = [
  ...PCAP_FIXTURES.map((name) => ({ name, bytes: readFixture(CAPTURE_DIR, name), ng: false })),
  ...PCAPNG_FIXTURES.map((name) => ({ name, bytes: readFixture(CAPTURE_DIR, name), ng: true })),
  ...['le/test008.pcapng', 'be/test016.pcapng', 'le/test018.pcapng', 'be/test012.pcapng'].map((name) => ({
    name,
    bytes: readFixture(REFERENCE_DIR, name),
    ng: true,
  })),
];

const RUNS = { numRuns: 200 };
const TIMEOUT = { timeout: 120_000 };

function make(ng: boolean): (sink: CaptureSink) => CaptureParser {
  return ng ? (s) => new PcapngParser(s) : (s) => new PcapParser(s);
}

/**
 * What must hold for any input: packets are real slices of the input, their
 * count is bounded by the smallest possible record (16 bytes: a pcap record
 * header, or a pcapng SPB), diagnostics point inside the file.
 */
function checkInvariants(out: Collected, input: Uint8Array, ng: boolean): void {
  const bound = ng ? Math.floor(input.length / 16) : Math.floor(Math.max(0, input.length - 24) / 16);
  assert.ok(out.packets.length <= bound, `${out.packets.length} packets from ${input.length} bytes`);
  out.packets.forEach((p, i) => {
    assert.equal(p.index, i);
    assert.ok(Number.isInteger(p.fileOffset) && p.fileOffset >= 0);
    assert.ok(p.fileOffset + p.data.length <= input.length);
    assert.ok(Number.isInteger(p.origLength) && p.origLength >= 0);
    assert.ok(Number.isInteger(p.linkType) && p.linkType >= 0 && p.linkType <= 0xffff);
    assert.deepEqual(p.data, Uint8Array.from(input.subarray(p.fileOffset, p.fileOffset + p.data.length)));
  });
  for (const d of out.diagnostics) {
    assert.ok(['error', 'warning', 'info'].includes(d.severity));
    assert.ok(d.message.length > 0);
    if (d.location?.kind === 'offset') {
      assert.ok(d.location.offset >= 0 && d.location.offset <= input.length, `${d.message} at ${d.location.offset}`);
    }
  }
  // Diagnostics are capped, so a damaged file cannot flood the sink.
  assert.ok(out.diagnostics.length <= 2 * 22 + 4, `${out.diagnostics.length} diagnostics`);
}

const fixtureArb = fc.constantFrom(...fixtures);
const chunksArb = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 6 });

describe('capture readers under property tests', TIMEOUT, () => {
  it('chunking never changes the result', () => {
    fc.assert(
      fc.property(fixtureArb, chunksArb, (f, sizes) => {
        assert.deepEqual(parseWith(make(f.ng), f.bytes, sizes), parseWith(make(f.ng), f.bytes));
      }),
      RUNS,
    );
  });

  it('a truncated file keeps exactly the complete records, with at most one error', () => {
    fc.assert(
      fc.property(fixtureArb, fc.nat(), chunksArb, (f, n, sizes) => {
        const len = n % (f.bytes.length + 1);
        const input = f.bytes.subarray(0, len);
        const out = parseWith(make(f.ng), input, sizes);
        checkInvariants(out, input, f.ng);
        const units: Array<{ offset: number; length: number; type?: number }> = f.ng ? pcapngBlocks(f.bytes) : pcapRecords(f.bytes);
        const packetUnits = f.ng ? units.filter((u) => [2, 3, 6].includes(u.type!)) : units;
        assert.equal(out.packets.length, packetUnits.filter((u) => u.offset + u.length <= len).length);
        const errs = out.diagnostics.filter((d) => d.severity === 'error');
        const onBoundary = f.ng ? len > 0 && units.some((u) => u.offset + u.length === len) : len === 24 || units.some((u) => u.offset + u.length === len);
        assert.equal(errs.length, onBoundary ? 0 : 1);
      }),
      RUNS,
    );
  });

  it('random byte mutations: no exception, bounded output', () => {
    const mutation = fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) });
    fc.assert(
      fc.property(fixtureArb, fc.array(mutation, { minLength: 1, maxLength: 24 }), chunksArb, (f, muts, sizes) => {
        const input = Buffer.from(f.bytes);
        for (const m of muts) input[m.at % input.length] = m.value;
        checkInvariants(parseWith(make(f.ng), input, sizes), input, f.ng);
      }),
      RUNS,
    );
  });

  it('length fields overwritten with hostile values: no exception, bounded output', () => {
    const hostile = fc.oneof(fc.constantFrom(0, 1, 4, 11, 12, 13, 16, 28, 0x7fffffff, 0x80000000, 0xffffffff, 0x00ffffff, 262145), fc.nat());
    fc.assert(
      fc.property(fixtureArb, fc.array(fc.tuple(fc.nat(), hostile), { minLength: 1, maxLength: 4 }), chunksArb, (f, writes, sizes) => {
        const input = Buffer.from(f.bytes);
        for (const [at, v] of writes) {
          const o = (at % Math.floor(input.length / 4)) * 4;
          input.writeUInt32LE(v >>> 0, o);
        }
        checkInvariants(parseWith(make(f.ng), input, sizes), input, f.ng);
        // A lying length must never drive an allocation: feed everything but keep the parser open.
        const before = process.memoryUsage().arrayBuffers;
        const open = make(f.ng)(collector().sink);
        for (let o = 0; o < input.length; o += 256) open.push(input.subarray(o, o + 256));
        assert.ok(process.memoryUsage().arrayBuffers - before < 20 * 1024 * 1024, 'parser allocated beyond its record cap');
        open.end();
      }),
      RUNS,
    );
  });

  it('bytes spliced in or cut out (framing shifts): no exception, bounded output', () => {
    fc.assert(
      fc.property(fixtureArb, fc.nat(), fc.nat({ max: 64 }), fc.uint8Array({ maxLength: 64 }), (f, at, drop, insert) => {
        const o = at % f.bytes.length;
        const input = Buffer.concat([f.bytes.subarray(0, o), insert, f.bytes.subarray(Math.min(f.bytes.length, o + drop))]);
        checkInvariants(parseWith(make(f.ng), input, [333]), input, f.ng);
      }),
      RUNS,
    );
  });

  it('random bytes after a valid file header: no exception, bounded output', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 2048 }), (ng, tail) => {
        const head = ng ? readFixture(REFERENCE_DIR, 'le/test003.pcapng') : readFixture(CAPTURE_DIR, 'tls-eth.pcap').subarray(0, 24);
        const input = Buffer.concat([head, tail]);
        checkInvariants(parseWith(make(ng), input, [64]), input, ng);
      }),
      RUNS,
    );
  });

  it('readCaptureData on damaged gzip: packets or a "not a capture" error, nothing else', async () => {
    const gz = readFixture(CAPTURE_DIR, 'tls-eth.pcap.gz');
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }), async (cut, muts) => {
        const input = Buffer.from(gz.subarray(0, 2 + (cut % (gz.length - 1))));
        // Keep the gzip magic so the gzip path is what gets exercised.
        for (const m of muts) input[2 + (m.at % Math.max(1, input.length - 2))] = m.value;
        const { sink, out } = collector();
        try {
          const r = await readCaptureData(input, sink);
          assert.equal(r.compressed, true);
          assert.equal(r.packets, out.packets.length);
          for (const p of out.packets) assert.ok(p.fileOffset + p.data.length <= r.decodedBytes);
        } catch (e) {
          assert.ok(e instanceof Error);
          assert.match(e.message, /^not a capture: /);
        }
      }),
      RUNS,
    );
  });

  it('locateNetworkLayer on arbitrary bytes: no exception, consistent answer', () => {
    const info = createLinkInfo();
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 12, 14, 101, 108, 113, 147, 228, 229, 276), fc.uint8Array({ maxLength: 96 }), (lt, data) => {
        if (locateNetworkLayer(lt, data, info)) {
          assert.ok(info.offset >= 0 && info.offset < data.length);
          assert.ok(info.etherType === 0x0800 || info.etherType === 0x86dd);
          assert.equal(info.note, null);
        } else {
          assert.ok(typeof info.note === 'string' && info.note.length > 0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fixture sanity for the property tests', () => {
  it('every fixture parses cleanly and has packets', () => {
    for (const f of fixtures) {
      const out = parseWith(make(f.ng), f.bytes);
      assert.ok(out.packets.length > 0, f.name);
      assert.deepEqual(out.diagnostics.filter((d) => d.severity !== 'info'), [], path.basename(f.name));
    }
  });
});

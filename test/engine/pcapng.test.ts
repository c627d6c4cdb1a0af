import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { PcapngParser } from '../../server/src/capture/pcapng';
import type { CaptureSink } from '../../server/src/capture/packet';
import {
  CAPTURE_DIR, PCAPNG_FIXTURES, REFERENCE_DIR, TIMESTAMP_TOLERANCE, collector, feed, parseWith, pcapngBlocks, readFixture,
  readLinkTypes, readTsv, timestampError, type Collected,
} from '../helpers/captureFixtures';

const ng = (sink: CaptureSink) => new PcapngParser(sink);
const EPB = 6, SPB = 3, PB = 2, DSB = 10;

function bySeverity(c: Collected, severity: string) {
  return c.diagnostics.filter((d) => d.severity === severity);
}

/** Block counts from a reference file's .txt description ("\tEPB: 4"). */
function blockCounts(txt: string): Record<string, number> {
  const counts: Record<string, number> = {};
  const section = txt.split('Block counts:')[1]?.split('Block sequence:')[0] ?? '';
  for (const m of section.matchAll(/^\s+([A-Z]+):\s*(\d+)\s*$/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

describe('PcapngParser on the pcapng-test-generator reference files', () => {
  for (const order of ['le', 'be']) {
    const dir = path.join(REFERENCE_DIR, order);
    const names = fs.readdirSync(dir).filter((f) => f.endsWith('.pcapng')).sort();
    it(`${order}: all ${names.length} files are present`, () => assert.equal(names.length, 18));
    for (const name of names) {
      const base = name.replace(/\.pcapng$/, '');
      it(`${order}/${base}: ${fs.readFileSync(path.join(dir, `${base}.txt`), 'utf8').split('\n')[0]}`, () => {
        const counts = blockCounts(fs.readFileSync(path.join(dir, `${base}.txt`), 'utf8'));
        assert.ok(counts.SHB >= 1, 'the .txt lists block counts');
        const bytes = readFixture(dir, name);
        const { sink, out } = collector();
        const parser = new PcapngParser(sink);
        feed(parser, bytes);
        assert.equal(out.packets.length, (counts.EPB ?? 0) + (counts.SPB ?? 0) + (counts.PB ?? 0));
        assert.equal(parser.sections, counts.SHB);
        assert.equal(out.interfaces.length, counts.IDB ?? 0);
        assert.deepEqual(out.interfaces.map((i) => i.id), out.interfaces.map((_, i) => i));
        assert.deepEqual(bySeverity(out, 'error'), []);
        assert.deepEqual(bySeverity(out, 'warning'), []);
        // Custom blocks (CB = 0x00000BAD, DCB = 0x40000BAD) are noted by type and offset; nothing else is.
        const custom = pcapngBlocks(bytes).filter((b) => b.type === 0xbad || b.type === 0x40000bad);
        assert.equal(custom.length, (counts.CB ?? 0) + (counts.DCB ?? 0));
        const infos = bySeverity(out, 'info');
        assert.equal(infos.length, custom.length);
        custom.forEach((b, i) => {
          assert.match(infos[i].message, new RegExp(`type 0x${b.type.toString(16).padStart(8, '0')}.* at offset ${b.offset},`));
          assert.deepEqual(infos[i].location, { kind: 'offset', offset: b.offset, length: b.length });
        });
        if (counts.NRB) assert.ok(out.names.length > 0 && out.names.every((n) => n.names.length > 0));
        else assert.equal(out.names.length, 0);
        assert.equal(out.secrets.length, counts.DSB ?? 0);

        // Wireshark's view: it also lists custom blocks as frames, without an interface.
        const frames = readTsv(path.join(REFERENCE_DIR, 'tshark', order, `${base}.tsv`)).filter((f) => f['frame.interface_id'] !== '');
        assert.equal(out.packets.length, frames.length);
        out.packets.forEach((p, i) => {
          const f = frames[i];
          assert.equal(p.interfaceId, Number(f['frame.interface_id']));
          assert.equal(p.linkType, out.interfaces[p.interfaceId!].linkType);
          assert.equal(p.origLength, Number(f['frame.len']));
          assert.equal(p.data.length, Number(f['frame.cap_len']));
          if (f['frame.time_epoch'] === '') assert.ok(Number.isNaN(p.timestamp), 'SPBs carry no timestamp');
          else assert.ok(timestampError(p.timestamp, f['frame.time_epoch']) <= TIMESTAMP_TOLERANCE, `${p.timestamp} vs ${f['frame.time_epoch']}`);
          assert.deepEqual(p.comments ?? [], f['frame.comment'] ? f['frame.comment'].split(',') : []);
          assert.deepEqual(p.data, Uint8Array.from(bytes.subarray(p.fileOffset, p.fileOffset + p.data.length)));
        });
        // Byte at a time gives the same result.
        assert.deepEqual(parseWith(ng, bytes, [1]), out);
      });
    }
  }

  it('little- and big-endian versions of each file read the same', () => {
    for (const name of fs.readdirSync(path.join(REFERENCE_DIR, 'le')).filter((f) => f.endsWith('.pcapng'))) {
      const le = parseWith(ng, readFixture(REFERENCE_DIR, 'le', name));
      const be = parseWith(ng, readFixture(REFERENCE_DIR, 'be', name));
      const strip = (c: Collected) => ({ ...c, packets: c.packets.map(({ fileOffset, ...rest }) => rest), diagnostics: c.diagnostics.map((d) => d.code) });
      assert.deepEqual(strip(be), strip(le), name);
    }
  });

  it('several sections, each with its own byte order and interfaces, in one file', () => {
    const parts = [['le', 'test006'], ['be', 'test005'], ['le', 'test016'], ['be', 'test009']].map(([o, n]) => readFixture(REFERENCE_DIR, o, `${n}.pcapng`));
    const singles = parts.map((b) => parseWith(ng, b));
    const { sink, out } = collector();
    const parser = new PcapngParser(sink);
    feed(parser, Buffer.concat(parts), [97]);
    assert.equal(parser.sections, 4);
    assert.deepEqual(bySeverity(out, 'error'), []);
    assert.equal(out.interfaces.length, singles.reduce((n, s) => n + s.interfaces.length, 0));
    let ifBase = 0, offset = 0, index = 0;
    const expected: Collected['packets'] = [];
    singles.forEach((s, k) => {
      for (const p of s.packets) expected.push({ ...p, index: index++, interfaceId: p.interfaceId! + ifBase, fileOffset: p.fileOffset + offset });
      ifBase += s.interfaces.length;
      offset += parts[k].length;
    });
    assert.deepEqual(out.packets, expected);
    assert.deepEqual(out.interfaces.map((i) => i.id), out.interfaces.map((_, i) => i));
  });
});

describe('PcapngParser on real captures', () => {
  for (const name of PCAPNG_FIXTURES) {
    it(`${name}: matches tshark frame by frame`, () => {
      const bytes = readFixture(CAPTURE_DIR, name);
      const frames = readTsv(path.join(CAPTURE_DIR, `${name}.tshark-frames.tsv`));
      const linkTypes = readLinkTypes(path.join(CAPTURE_DIR, `${name}.tshark-linktypes.txt`));
      const out = parseWith(ng, bytes, [1000]);
      assert.deepEqual(out.diagnostics, []);
      assert.deepEqual(out.interfaces.map((i) => i.linkType), linkTypes);
      assert.equal(out.packets.length, frames.length);
      const packetBlocks = pcapngBlocks(bytes).filter((b) => b.type === EPB);
      out.packets.forEach((p, i) => {
        const f = frames[i];
        assert.equal(p.interfaceId, Number(f['frame.interface_id']));
        assert.equal(p.linkType, linkTypes[p.interfaceId!]);
        assert.equal(p.origLength, Number(f['frame.len']));
        assert.equal(p.data.length, Number(f['frame.cap_len']));
        assert.ok(timestampError(p.timestamp, f['frame.time_epoch']) <= TIMESTAMP_TOLERANCE);
        assert.deepEqual(p.comments ?? [], f['frame.comment'] ? [f['frame.comment']] : []);
        assert.equal(p.fileOffset, packetBlocks[i].offset + 28);
      });
    });
  }

  it('the editcap-injected Decryption Secrets Block holds the key log of the captured handshakes', () => {
    const bytes = readFixture(CAPTURE_DIR, 'tls-eth.pcapng');
    const out = parseWith(ng, bytes);
    assert.equal(out.secrets.length, 1);
    const s = out.secrets[0];
    assert.equal(s.secretsType, 0x544c534b); // 'TLSK'
    const dsb = pcapngBlocks(bytes).find((b) => b.type === DSB)!;
    assert.equal(s.fileOffset, dsb.offset + 16);
    const lines = Buffer.from(s.data).toString('utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    assert.ok(lines.length > 0);
    const randoms = new Set(lines.map((l) => l.split(' ')[1]));
    // Each client_random in the key log is the random of a ClientHello in the capture.
    const all = Buffer.concat(out.packets.map((p) => p.data)).toString('hex');
    for (const r of randoms) {
      assert.match(r, /^[0-9a-f]{64}$/);
      assert.ok(all.includes(r), `client random ${r} not in any packet`);
    }
  });
});

/** Writes pcapng blocks in either byte order, for cases no tool would produce. */
class NgWriter {
  private parts: Buffer[] = [];
  constructor(private le = true) {}
  u16(v: number): Buffer { const b = Buffer.alloc(2); this.le ? b.writeUInt16LE(v) : b.writeUInt16BE(v); return b; }
  u32(v: number): Buffer { const b = Buffer.alloc(4); this.le ? b.writeUInt32LE(v >>> 0) : b.writeUInt32BE(v >>> 0); return b; }
  pad(b: Buffer): Buffer { return Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]); }
  options(opts: Array<[number, Buffer]>): Buffer {
    if (opts.length === 0) return Buffer.alloc(0);
    return Buffer.concat([...opts.map(([c, v]) => Buffer.concat([this.u16(c), this.u16(v.length), this.pad(v)])), this.u32(0)]);
  }
  block(type: number, body: Buffer): this {
    const len = 12 + body.length;
    this.parts.push(Buffer.concat([this.u32(type), this.u32(len), body, this.u32(len)]));
    return this;
  }
  shb(le = this.le): this {
    this.le = le;
    return this.block(0x0a0d0d0a, Buffer.concat([this.u32(0x1a2b3c4d), this.u16(1), this.u16(0), this.u32(0xffffffff), this.u32(0xffffffff)]));
  }
  idb(linkType: number, snapLen: number, opts: Array<[number, Buffer]> = []): this {
    return this.block(1, Buffer.concat([this.u16(linkType), this.u16(0), this.u32(snapLen), this.options(opts)]));
  }
  epb(ifId: number, ts: bigint, data: Buffer, orig = data.length, opts: Array<[number, Buffer]> = []): this {
    return this.block(EPB, Buffer.concat([this.u32(ifId), this.u32(Number(ts >> 32n)), this.u32(Number(ts & 0xffffffffn)), this.u32(data.length), this.u32(orig), this.pad(data), this.options(opts)]));
  }
  pb(ifId: number, ts: bigint, data: Buffer, orig = data.length): this {
    return this.block(PB, Buffer.concat([this.u16(ifId), this.u16(0), this.u32(Number(ts >> 32n)), this.u32(Number(ts & 0xffffffffn)), this.u32(data.length), this.u32(orig), this.pad(data)]));
  }
  spb(orig: number, data: Buffer): this {
    return this.block(SPB, Buffer.concat([this.u32(orig), this.pad(data)]));
  }
  raw(b: Buffer): this { this.parts.push(b); return this; }
  bytes(): Buffer { return Buffer.concat(this.parts); }
}

const frame = Buffer.from(Array.from({ length: 70 }, (_, i) => (i * 7) & 0xff));

describe('PcapngParser block and option details', () => {
  for (const le of [true, false]) {
    const order = le ? 'little-endian' : 'big-endian';

    it(`${order}: if_tsresol in powers of 2 and 10, and if_tsoffset`, () => {
      const w = new NgWriter(le);
      const offset = Buffer.alloc(8);
      le ? offset.writeBigInt64LE(1000n) : offset.writeBigInt64BE(1000n);
      w.shb()
        .idb(1, 0, [[9, Buffer.from([0x94])], [14, offset], [2, Buffer.from('eth7')], [3, Buffer.from('lab uplink')]]) // 2^-20 s
        .idb(101, 0, [[9, Buffer.from([3])]]) // milliseconds
        .idb(1, 0, [[9, Buffer.from([9])]]) // nanoseconds
        .epb(0, (5n << 20n) + (1n << 19n), frame)
        .epb(1, 1234567n, frame)
        .epb(2, 1_700_000_000_123_456_789n, frame);
      const out = parseWith(ng, w.bytes(), [5]);
      assert.deepEqual(out.diagnostics, []);
      assert.equal(out.interfaces[0].tsResolution, 2 ** 20);
      assert.equal(out.interfaces[0].tsOffset, 1000);
      assert.equal(out.interfaces[0].name, 'eth7');
      assert.equal(out.interfaces[0].description, 'lab uplink');
      assert.equal(out.interfaces[1].tsResolution, 1000);
      assert.equal(out.packets[0].timestamp, 1005.5);
      assert.equal(out.packets[1].timestamp, 1234.567);
      assert.equal(out.packets[1].linkType, 101);
      assert.ok(Math.abs(out.packets[2].timestamp - 1_700_000_000.123456789) < 3e-7);
    });

    it(`${order}: obsolete Packet Block, SPB cut by snaplen, comments`, () => {
      const w = new NgWriter(le).shb().idb(1, 40).spb(frame.length, frame).pb(0, 1_000_000n, frame, 1500).epb(0, 2_000_000n, frame, frame.length, [[1, Buffer.from('first')], [1, Buffer.from('second\0')]]);
      const out = parseWith(ng, w.bytes());
      assert.deepEqual(out.diagnostics, []);
      assert.equal(out.packets.length, 3);
      assert.equal(out.packets[0].data.length, 40);
      assert.equal(out.packets[0].origLength, frame.length);
      assert.deepEqual(out.packets[0].data, Uint8Array.from(frame.subarray(0, 40)));
      assert.equal(out.packets[1].timestamp, 1);
      assert.equal(out.packets[1].origLength, 1500);
      assert.deepEqual(out.packets[2].comments, ['first', 'second']);
      assert.equal(out.packets[1].comments, undefined);
    });
  }

  it('unknown blocks are noted with type and offset and skipped', () => {
    const w = new NgWriter().shb().idb(1, 0).epb(0, 1n, frame);
    const at = w.bytes().length;
    w.block(0x00000042, Buffer.alloc(8)).block(0x80000001, Buffer.alloc(4)).epb(0, 2n, frame);
    const out = parseWith(ng, w.bytes());
    assert.equal(out.packets.length, 2);
    const infos = bySeverity(out, 'info');
    assert.equal(infos.length, 2);
    assert.match(infos[0].message, new RegExp(`unknown block type 0x00000042 at offset ${at}, 20 bytes`));
    assert.match(infos[1].message, /Darwin process event block \(type 0x80000001\) at offset \d+/);
    assert.equal(bySeverity(out, 'error').length, 0);
  });

  it('a packet naming a missing interface is reported and skipped; parsing goes on', () => {
    const out = parseWith(ng, new NgWriter().shb().idb(1, 0).epb(0, 1n, frame).epb(3, 2n, frame).epb(0, 3n, frame).bytes());
    assert.equal(out.packets.length, 2);
    assert.deepEqual(out.packets.map((p) => p.index), [0, 1]);
    const errs = bySeverity(out, 'error');
    assert.equal(errs.length, 1);
    assert.equal(errs[0].code, 'pcapng.interface-id');
  });

  it('an option running past its block is a warning; the packet is kept', () => {
    const w = new NgWriter();
    const ok = w.shb().idb(1, 0).bytes();
    // EPB whose single option claims 200 bytes.
    const body = Buffer.concat([w.u32(0), w.u32(0), w.u32(1), w.u32(frame.length), w.u32(frame.length), w.pad(frame), w.u16(1), w.u16(200), Buffer.from('abcd')]);
    const out = parseWith(ng, Buffer.concat([ok, new NgWriter().block(EPB, body).bytes()]));
    assert.equal(out.packets.length, 1);
    assert.equal(out.diagnostics.filter((d) => d.code === 'pcapng.option' && d.severity === 'warning').length, 1);
  });

  it('rejects a file that does not start with a Section Header Block, or has a bad byte-order magic', () => {
    const noShb = parseWith(ng, new NgWriter().idb(1, 0).bytes());
    assert.equal(bySeverity(noShb, 'error')[0].code, 'pcapng.no-section');
    const bad = new NgWriter().shb().idb(1, 0).epb(0, 1n, frame).bytes();
    bad.writeUInt32LE(0x11223344, 8);
    const out = parseWith(ng, bad);
    assert.equal(out.packets.length, 0);
    assert.equal(bySeverity(out, 'error')[0].code, 'pcapng.byte-order');
  });
});

describe('PcapngParser on damaged input', () => {
  const bytes = readFixture(CAPTURE_DIR, 'tls-eth.pcapng');
  const blocks = pcapngBlocks(bytes);
  const packetsBefore = (offset: number) => blocks.filter((b) => b.offset < offset && (b.type === EPB || b.type === SPB || b.type === PB)).length;

  it('truncated at every offset: earlier packets kept, one error at the cut block', () => {
    for (let len = 0; len <= bytes.length; len++) {
      const out = parseWith(ng, bytes.subarray(0, len));
      const cut = blocks.find((b) => b.offset < len && b.offset + b.length > len);
      assert.equal(out.packets.length, packetsBefore(cut ? cut.offset : len), `cut at ${len}`);
      const errs = bySeverity(out, 'error');
      if (len === 0) {
        assert.match(errs[0].message, /empty file/);
        continue;
      }
      if (!cut) {
        assert.deepEqual(errs, [], `cut at ${len}`);
        continue;
      }
      assert.equal(errs.length, 1, `cut at ${len}`);
      const need = len - cut.offset < 12 ? 12 : cut.length;
      assert.equal(errs[0].message, `truncated block at offset ${cut.offset} (needs ${need} bytes, file has ${len - cut.offset})`);
      assert.deepEqual(errs[0].location, { kind: 'offset', offset: cut.offset, length: len - cut.offset });
      const dsb = blocks.find((b) => b.type === DSB)!;
      assert.equal(out.secrets.length, dsb.offset + dsb.length <= len ? 1 : 0);
    }
  });

  // Blocks to damage: the IDB, the DSB, a packet in the middle and the last packet.
  const targets = [blocks.findIndex((b) => b.type === 1), blocks.findIndex((b) => b.type === DSB), Math.floor(blocks.length / 2), blocks.length - 1];

  const lies: Array<[string, (b: { offset: number; length: number }) => number, RegExp]> = [
    ['under 12', () => 8, /less than the 12-byte minimum/],
    ['not a multiple of 4', (b) => b.length + 2, /not a multiple of 4/],
    ['over the size cap', () => 0x7ffffff0, /exceeds the \d+-byte limit/],
    ['runs past the end of the file', (b) => bytes.length - b.offset + 400, /truncated block at offset \d+ \(needs \d+ bytes, file has \d+\)/],
  ];
  for (const [what, length, message] of lies) {
    it(`total length ${what}: error at that block, everything before kept`, () => {
      for (const k of targets) {
        const b = blocks[k];
        const bad = Buffer.from(bytes);
        bad.writeUInt32LE(length(b), b.offset + 4);
        const out = parseWith(ng, bad, [512]);
        assert.equal(out.packets.length, packetsBefore(b.offset), `block ${k}`);
        const errs = bySeverity(out, 'error');
        assert.equal(errs.length, 1, `block ${k}`);
        assert.match(errs[0].message, message);
        assert.match(errs[0].message, new RegExp(`block at offset ${b.offset}\\b`));
      }
    });
  }

  it('trailing length copy that disagrees: error at the trailer, everything before kept', () => {
    for (const k of targets) {
      const b = blocks[k];
      const bad = Buffer.from(bytes);
      bad.writeUInt32LE(b.length + 4, b.offset + b.length - 4);
      const out = parseWith(ng, bad);
      assert.equal(out.packets.length, packetsBefore(b.offset));
      const errs = bySeverity(out, 'error');
      assert.equal(errs.length, 1);
      assert.equal(errs[0].code, 'pcapng.block-length');
      assert.deepEqual(errs[0].location, { kind: 'offset', offset: b.offset + b.length - 4, length: 4 });
      assert.match(errs[0].message, new RegExp(`block at offset ${b.offset} .*trailing length ${b.length + 4} does not match leading length ${b.length}`));
    }
  });

  it('a leading length longer than the block is caught by the trailer check', () => {
    const b = blocks[Math.floor(blocks.length / 2)];
    const bad = Buffer.from(bytes);
    bad.writeUInt32LE(b.length + 4, b.offset + 4);
    const out = parseWith(ng, bad);
    assert.equal(out.packets.length, packetsBefore(b.offset));
    assert.equal(bySeverity(out, 'error').length, 1);
    assert.match(bySeverity(out, 'error')[0].message, new RegExp(`block at offset ${b.offset} `));
  });
});

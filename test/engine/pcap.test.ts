import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import * as zlib from 'zlib';
import { PcapParser } from '../../server/src/capture/pcap';
import { sniffFormat } from '../../server/src/capture/detect';
import { GunzipPump, RATIO_GRACE } from '../../server/src/capture/gzip';
import { readCapture, readCaptureBytes, readCaptureData } from '../../server/src/capture/readCapture';
import { SharedFileReader } from '../../server/src/capture/sharedFileReader';
import type { CaptureSink } from '../../server/src/capture/packet';
import {
  CAPTURE_DIR, PCAP_FIXTURES, REFERENCE_DIR, TIMESTAMP_TOLERANCE, collector, parseWith, pcapRecords, readFixture, readLinkTypes,
  readTsv, timestampError, type Collected,
} from '../helpers/captureFixtures';

const pcap = (sink: CaptureSink) => new PcapParser(sink);

function errors(c: Collected) {
  return c.diagnostics.filter((d) => d.severity === 'error');
}

/** A minimal little-endian pcap writer for hand-made edge cases. */
function buildPcap(opts: { snapLen?: number; linkField?: number; magic?: number }, records: Array<{ sec: number; frac: number; data: Uint8Array; orig?: number }>): Uint8Array {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  h.writeUInt32LE(opts.magic ?? 0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(opts.snapLen ?? 65535, 16);
  h.writeUInt32LE(opts.linkField ?? 1, 20);
  parts.push(h);
  for (const r of records) {
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(r.sec, 0);
    rh.writeUInt32LE(r.frac, 4);
    rh.writeUInt32LE(r.data.length, 8);
    rh.writeUInt32LE(r.orig ?? r.data.length, 12);
    parts.push(rh, Buffer.from(r.data));
  }
  return Buffer.concat(parts);
}

describe('PcapParser on real captures', () => {
  for (const name of PCAP_FIXTURES) {
    it(`${name}: matches tshark frame by frame`, () => {
      const bytes = readFixture(CAPTURE_DIR, name);
      const frames = readTsv(path.join(CAPTURE_DIR, `${name}.tshark-frames.tsv`));
      const [linkType] = readLinkTypes(path.join(CAPTURE_DIR, `${name}.tshark-linktypes.txt`));
      const out = parseWith(pcap, bytes);
      assert.deepEqual(out.diagnostics, []);
      assert.ok(frames.length > 0);
      assert.equal(out.packets.length, frames.length);
      assert.equal(out.interfaces.length, 1);
      assert.equal(out.interfaces[0].linkType, linkType);
      const records = pcapRecords(bytes);
      out.packets.forEach((p, i) => {
        const f = frames[i];
        assert.equal(p.index, i);
        assert.equal(p.linkType, linkType);
        assert.equal(p.origLength, Number(f['frame.len']), `frame ${i + 1} length`);
        assert.equal(p.data.length, Number(f['frame.cap_len']), `frame ${i + 1} captured length`);
        assert.ok(timestampError(p.timestamp, f['frame.time_epoch']) <= TIMESTAMP_TOLERANCE, `frame ${i + 1}: ${p.timestamp} vs ${f['frame.time_epoch']}`);
        assert.equal(p.fileOffset, records[i].offset + 16);
        assert.deepEqual(p.data, Uint8Array.from(bytes.subarray(p.fileOffset, p.fileOffset + p.data.length)));
      });
    });
  }

  it('the byte-swapped pcap reads exactly like the capture it came from', () => {
    const le = parseWith(pcap, readFixture(CAPTURE_DIR, 'tls-eth.pcap'));
    const be = parseWith(pcap, readFixture(CAPTURE_DIR, 'tls-eth-be.pcap'));
    assert.equal(be.packets.length, le.packets.length);
    assert.deepEqual(be.packets, le.packets);
  });

  it('nanosecond pcap keeps sub-microsecond timing the microsecond capture rounds away', () => {
    const nano = parseWith(pcap, readFixture(CAPTURE_DIR, 'tls-eth-nano.pcap'));
    assert.equal(nano.interfaces[0].tsResolution, 1e9);
    const frames = readTsv(path.join(CAPTURE_DIR, 'tls-eth-nano.pcap.tshark-frames.tsv'));
    // tshark's nanosecond digits are not all zero, so the file really has sub-µs values to get right.
    assert.ok(frames.some((f) => !/000$/.test(f['frame.time_epoch'])));
  });

  it('snaplen-cut records keep their wire length in origLength', () => {
    const out = parseWith(pcap, readFixture(CAPTURE_DIR, 'tls-eth-snap96.pcap'));
    const frames = readTsv(path.join(CAPTURE_DIR, 'tls-eth-snap96.pcap.tshark-frames.tsv'));
    const cutInTshark = frames.filter((f) => Number(f['frame.len']) > Number(f['frame.cap_len'])).length;
    assert.ok(cutInTshark > 0);
    assert.equal(out.packets.filter((p) => p.origLength > p.data.length).length, cutInTshark);
    assert.ok(out.packets.every((p) => p.data.length <= 96));
  });

  it('gives the same packets whatever the chunk sizes', () => {
    const bytes = readFixture(CAPTURE_DIR, 'tls-sll2.pcap');
    const whole = parseWith(pcap, bytes);
    for (const sizes of [[1], [3], [15, 16, 17], [24], [40], [100, 1, 7], [4096]]) {
      assert.deepEqual(parseWith(pcap, bytes, sizes), whole, `chunks ${sizes}`);
    }
  });
});

describe('PcapParser on damaged input', () => {
  const bytes = readFixture(CAPTURE_DIR, 'tls-eth.pcap');
  const records = pcapRecords(bytes);

  it('truncated at every offset: earlier packets kept, one error at the cut record', () => {
    for (let len = 0; len <= bytes.length; len++) {
      const out = parseWith(pcap, bytes.subarray(0, len));
      const complete = records.filter((r) => r.offset + r.length <= len);
      assert.equal(out.packets.length, len < 24 ? 0 : complete.length, `cut at ${len}`);
      const errs = errors(out);
      const boundary = len >= 24 && (len === 24 || records.some((r) => r.offset + r.length === len));
      if (boundary) {
        assert.equal(errs.length, 0, `cut at ${len}`);
        continue;
      }
      assert.equal(errs.length, 1, `cut at ${len}`);
      const loc = errs[0].location;
      assert.ok(loc && loc.kind === 'offset');
      if (len === 0) {
        assert.match(errs[0].message, /empty file/);
      } else if (len < 24) {
        assert.equal(loc.offset, 0);
        assert.match(errs[0].message, new RegExp(`needs 24 bytes, file has ${len}\\)`));
      } else {
        const cut = records[complete.length];
        const need = len - cut.offset < 16 ? 16 : cut.length;
        assert.equal(loc.offset, cut.offset);
        assert.equal(errs[0].message, `truncated record at offset ${cut.offset} (needs ${need} bytes, file has ${len - cut.offset})`);
      }
    }
  });

  it('a record length beyond the cap stops cleanly at that record', () => {
    for (const k of [0, 5, records.length - 1]) {
      const bad = Buffer.from(bytes);
      bad.writeUInt32LE(0x7fffffff, records[k].offset + 8);
      bad.writeUInt32LE(0x7fffffff, records[k].offset + 12);
      const out = parseWith(pcap, bad, [333]);
      assert.equal(out.packets.length, k);
      const errs = errors(out);
      assert.equal(errs.length, 1);
      assert.equal(errs[0].code, 'pcap.record-length');
      assert.deepEqual(errs[0].location, { kind: 'offset', offset: records[k].offset + 8, length: 4 });
      assert.match(errs[0].message, new RegExp(`record at offset ${records[k].offset} `));
    }
  });

  it('captured length greater than original length stops cleanly', () => {
    const k = 3;
    const bad = Buffer.from(bytes);
    bad.writeUInt32LE(bad.readUInt32LE(records[k].offset + 8) - 1, records[k].offset + 12);
    const out = parseWith(pcap, bad);
    assert.equal(out.packets.length, k);
    assert.equal(errors(out).length, 1);
    assert.match(errors(out)[0].message, /captured length \d+ > original length/);
  });

  it('rejects a non-pcap magic without emitting packets', () => {
    const bad = Buffer.from(bytes);
    bad.writeUInt32LE(0x12345678, 0);
    const out = parseWith(pcap, bad);
    assert.equal(out.packets.length, 0);
    assert.equal(errors(out)[0].code, 'pcap.magic');
    const modified = Buffer.from(bytes);
    modified.writeUInt32LE(0xa1b2cd34, 0);
    assert.match(errors(parseWith(pcap, modified))[0].message, /modified/);
  });

  it('empty input is an error, not a crash', () => {
    const out = parseWith(pcap, new Uint8Array(0));
    assert.equal(errors(out).length, 1);
  });
});

describe('PcapParser header details', () => {
  const payload = Uint8Array.from({ length: 60 }, (_, i) => i);

  it('masks FCS information out of the link-type field and reports it', () => {
    const field = 0x04000000 | (2 << 28) | 1; // FCS present, 2 × 16-bit words
    const out = parseWith(pcap, buildPcap({ linkField: field }, [{ sec: 1, frac: 0, data: payload }]));
    assert.equal(out.packets[0].linkType, 1);
    const note = out.diagnostics.find((d) => d.code === 'pcap.fcs');
    assert.ok(note);
    assert.equal(note.severity, 'info');
    assert.match(note.message, /4-byte frame check sequence/);
  });

  it('caps records at 256 KiB unless the snaplen is larger', () => {
    const big = new Uint8Array(262144 + 100);
    const small = parseWith(pcap, buildPcap({ snapLen: 65535 }, [{ sec: 1, frac: 0, data: payload }, { sec: 2, frac: 0, data: big }]));
    assert.equal(small.packets.length, 1);
    assert.equal(errors(small)[0].code, 'pcap.record-length');
    const large = parseWith(pcap, buildPcap({ snapLen: 1 << 20 }, [{ sec: 1, frac: 0, data: payload }, { sec: 2, frac: 0, data: big }]), [4096]);
    assert.equal(large.packets.length, 2);
    assert.equal(large.packets[1].data.length, big.length);
    assert.deepEqual(errors(large), []);
  });

  it('warns about a microsecond field of a second or more, and keeps the packet', () => {
    const out = parseWith(pcap, buildPcap({}, [{ sec: 10, frac: 1_500_000, data: payload }]));
    assert.equal(out.packets.length, 1);
    assert.equal(out.packets[0].timestamp, 11.5);
    assert.equal(out.diagnostics.filter((d) => d.code === 'pcap.timestamp').length, 1);
  });
});

describe('sniffFormat', () => {
  it('recognises the capture magics in both byte orders', () => {
    for (const name of ['tls-eth.pcap', 'tls-eth-be.pcap', 'tls-eth-nano.pcap']) {
      assert.equal(sniffFormat(readFixture(CAPTURE_DIR, name)), 'pcap', name);
    }
    assert.equal(sniffFormat(readFixture(CAPTURE_DIR, 'tls-eth.pcapng')), 'pcapng');
    assert.equal(sniffFormat(readFixture(REFERENCE_DIR, 'be/test001.pcapng')), 'pcapng');
    assert.equal(sniffFormat(readFixture(CAPTURE_DIR, 'tls-eth.pcap.gz')), 'gzip');
  });

  it('tells text dumps from binary', () => {
    const dump = '12:00:00.000000 IP 10.0.0.1.443 > 10.0.0.2.51000: Flags [P.], seq 1:10, ack 1, win 502, length 9\n' +
      '\t0x0000:  4500 0031 0000 4000 4006 0000 0a00 0001  E..1..@.@.......\n';
    assert.equal(sniffFormat(Buffer.from(dump)), 'text');
    assert.equal(sniffFormat(Buffer.from('\ufeffcommentaire: données capturées\n' + dump)), 'text');
    // "\n\r\r\n" opens pcapng blocks, but without the byte-order magic it is just text.
    assert.equal(sniffFormat(Buffer.from('\n\r\r\nplain text follows here\n')), 'text');
    assert.equal(sniffFormat(Uint8Array.from({ length: 512 }, (_, i) => (i * 37) & 0xff)), 'unknown');
    assert.equal(sniffFormat(new Uint8Array(0)), 'unknown');
  });
});

describe('readCapture', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hi-capture-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const plain = readFixture(CAPTURE_DIR, 'tls-eth.pcap');
  const gz = readFixture(CAPTURE_DIR, 'tls-eth.pcap.gz');
  const expected = parseWith(pcap, plain);

  function write(name: string, data: Uint8Array): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, data);
    return file;
  }

  it('reads a gzip-compressed pcap as a stream and hashes the stored bytes', async () => {
    const { sink, out } = collector();
    const r = await readCapture(path.join(CAPTURE_DIR, 'tls-eth.pcap.gz'), sink, { chunkSize: 500 });
    assert.deepEqual(r, {
      format: 'pcap', compressed: true, packets: expected.packets.length, bytes: gz.length,
      sha256: createHash('sha256').update(gz).digest('hex'), decodedBytes: plain.length,
    });
    assert.deepEqual(out.packets, expected.packets);
    assert.deepEqual(out.diagnostics, []);
  });

  it('reads every real fixture the same from disk and from memory', async () => {
    for (const name of fs.readdirSync(CAPTURE_DIR).filter((f) => /\.(pcap|pcapng|gz)$/.test(f))) {
      const a = collector();
      const b = collector();
      const ra = await readCapture(path.join(CAPTURE_DIR, name), a.sink, { chunkSize: 777 });
      const rb = await readCaptureData(readFixture(CAPTURE_DIR, name), b.sink, { name });
      assert.deepEqual(ra, rb, name);
      assert.deepEqual(a.out, b.out, name);
      assert.ok(ra.packets > 0, name);
      assert.equal(ra.format, name.endsWith('.pcapng') ? 'pcapng' : 'pcap');
    }
  });

  it('a read that fails on the second thread is an error with its reason, not a hang', async () => {
    // A directory opens, and reading it fails (EISDIR) on the second thread.
    // (readCapture refuses directories before reading: hostileInputs.test.ts.)
    const reader = new SharedFileReader(tmp, 2, 4096, { readHere: 0 });
    try {
      await assert.rejects(async () => { while (await reader.next()); }, /EISDIR/);
    } finally {
      reader.cancel();
    }
    await assert.rejects(readCapture(tmp, collector().sink, { hashOnThreadFrom: 0 }), /is a directory/);
  });

  it('reads and hashes on a second thread into shared buffers, with the same result as in memory', async () => {
    // Tiny chunks and four shared slots: every slot is refilled hundreds of
    // times, so a slot overwritten before it was hashed (or parsed) shows.
    for (const name of fs.readdirSync(CAPTURE_DIR).filter((f) => /\.(pcap|pcapng|gz)$/.test(f))) {
      const a = collector();
      const b = collector();
      const ra = await readCapture(path.join(CAPTURE_DIR, name), a.sink, { chunkSize: 777, hashOnThreadFrom: 0 });
      const rb = await readCaptureData(readFixture(CAPTURE_DIR, name), b.sink, { name });
      assert.deepEqual(ra, rb, name);
      assert.deepEqual(a.out, b.out, name);
    }
  });

  it('stops reading when aborted, also while a second thread hashes', async () => {
    const file = write('abort.pcap', plain);
    const controller = new AbortController();
    let packets = 0;
    const sink: CaptureSink = { packet: () => { if (++packets === 3) controller.abort(); }, diagnostic: () => undefined };
    await assert.rejects(readCapture(file, sink, { chunkSize: 64, hashOnThreadFrom: 0, signal: controller.signal }), { name: 'AbortError' });
    assert.ok(packets >= 3 && packets < expected.packets.length, `${packets} packets`);
  });

  it('a truncated gzip gives a warning and keeps what decoded', async () => {
    for (const cut of [Math.floor(gz.length * 0.3), Math.floor(gz.length * 0.7), gz.length - 4]) {
      const file = write(`cut${cut}.pcap.gz`, gz.subarray(0, cut));
      const { sink, out } = collector();
      const r = await readCapture(file, sink, { chunkSize: 1000 });
      assert.equal(r.compressed, true);
      const warning = out.diagnostics.find((d) => d.code === 'gzip.truncated');
      assert.ok(warning, `cut ${cut}`);
      assert.equal(warning.severity, 'warning');
      assert.ok(out.packets.length > 0 && out.packets.length <= expected.packets.length);
      assert.deepEqual(out.packets, expected.packets.slice(0, out.packets.length));
      // Every record that lies wholly inside the decoded bytes comes out.
      const complete = pcapRecords(plain).filter((rec) => rec.offset + rec.length <= r.decodedBytes).length;
      assert.equal(out.packets.length, complete, `cut ${cut}`);
      const mem = collector();
      await readCaptureData(gz.subarray(0, cut), mem.sink);
      assert.deepEqual(mem.out, out);
    }
  });

  it('a truncated large gzip loses nothing zlib could decode, even inside one big read', async () => {
    // Incompressible records, so the compressed file spans several zlib writes per read chunk.
    let x = 2463534242; // xorshift32: incompressible enough for zlib, and reproducible
    const rand = () => {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      return x & 0xff;
    };
    const recs = Array.from({ length: 400 }, (_, i) => ({ sec: 1000 + i, frac: i, data: Uint8Array.from({ length: 1000 }, rand) }));
    const big = buildPcap({}, recs);
    const full = zlib.gzipSync(big);
    const cut = full.subarray(0, Math.floor(full.length * 0.9));
    const { sink, out } = collector();
    const r = await readCapture(write('big-cut.pcap.gz', cut), sink);
    const complete = pcapRecords(big).filter((rec) => rec.offset + rec.length <= r.decodedBytes).length;
    assert.equal(out.packets.length, complete);
    // zlib can decode all but the last few hundred bytes of what is there.
    assert.ok(r.decodedBytes > cut.length - 1024, `${r.decodedBytes} decoded from ${cut.length}`);
    const mem = collector();
    await readCaptureData(cut, mem.sink);
    assert.deepEqual(mem.out, out);
  });

  it('GunzipPump: a truncated stream yields every byte zlib can decode, even with writes still queued', async () => {
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    const parts: Uint8Array[] = [];
    const pump = new GunzipPump((d) => parts.push(Uint8Array.from(d)));
    // Not awaited: the writes queue up inside zlib, as when a read ends right after a small chunk.
    for (let o = 0; o < cut.length; o += 100) void pump.write(cut.subarray(o, o + 100));
    const outcome = await pump.end();
    assert.equal(outcome.truncated, true);
    const streamed = Buffer.concat(parts);
    // zlib in one call, told not to expect the end: everything the cut stream holds.
    const whole = zlib.gunzipSync(cut, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    assert.ok(streamed.length > 0);
    assert.deepEqual(streamed, whole);
    assert.deepEqual(streamed, plain.subarray(0, streamed.length));
  });

  it('corrupt gzip data: error diagnostic, what decoded before the damage kept', async () => {
    const bad = Buffer.from(gz);
    bad[Math.floor(bad.length / 2)] ^= 0xff;
    const { sink, out } = collector();
    const r = await readCapture(write('corrupt.pcap.gz', bad), sink);
    assert.equal(r.sha256, createHash('sha256').update(bad).digest('hex'));
    assert.ok(out.diagnostics.some((d) => d.code === 'gzip.corrupt' && d.severity === 'error'));
    // The damage sits mid-stream: packets decoded from the first half are intact.
    let intact = 0;
    while (intact < out.packets.length && isDeepStrictEqual(out.packets[intact], expected.packets[intact])) intact++;
    assert.ok(intact >= 3, `${intact} intact packets`);
    const mem = collector();
    await readCaptureData(bad, mem.sink);
    assert.deepEqual(mem.out, out);
  });

  it('a bad checksum or length in the trailer: every packet kept, one error where the data ends, nothing inflated twice', async () => {
    for (const at of [8, 1]) {
      const bad = Buffer.from(gz);
      bad[bad.length - at] ^= 0xff; // CRC-32, then ISIZE
      const { sink, out } = collector();
      const r = await readCapture(write(`trailer${at}.pcap.gz`, bad), sink, { chunkSize: 1000 });
      assert.equal(r.decodedBytes, plain.length);
      assert.deepEqual(out.packets, expected.packets);
      assert.equal(out.diagnostics.length, 1, JSON.stringify(out.diagnostics));
      const [d] = out.diagnostics;
      assert.equal(d.code, 'gzip.corrupt');
      assert.match(d.message, /checksum does not match \(incorrect (data|length) check\): all 6815 decoded bytes were read/);
      assert.deepEqual(d.location, { kind: 'offset', offset: plain.length, length: 0 });
      const mem = collector();
      await readCaptureData(bad, mem.sink);
      assert.deepEqual(mem.out, out);
    }
  });

  it('GunzipPump limits: an output cap cuts at the byte; a 1,000x bomb stops by ratio once RATIO_GRACE is out, a 230x flood does not', async () => {
    const run = async (data: Uint8Array, limits?: { maxOutput: number; maxRatio: number }) => {
      let n = 0;
      const pump = new GunzipPump((d) => { n += d.length; }, limits);
      for (let o = 0; o < data.length; o += 50_000) await pump.write(data.subarray(o, o + 50_000));
      const outcome = await pump.end();
      return { n, outcome };
    };
    const capped = await run(gz, { maxOutput: 1000, maxRatio: 250 });
    assert.equal(capped.n, 1000);
    assert.equal(capped.outcome.stopped?.kind, 'output');
    assert.equal(capped.outcome.error, null);
    const zeros = Buffer.alloc(RATIO_GRACE + (8 << 20));
    const bomb = await run(zlib.gzipSync(zeros, { level: 9 }));
    assert.equal(bomb.outcome.stopped?.kind, 'ratio');
    assert.ok(bomb.n >= RATIO_GRACE && bomb.n < RATIO_GRACE + (1 << 20), `${bomb.n} bytes out`);
    const flood = await run(zlib.gzipSync(zeros, { level: 1 }));
    assert.deepEqual(flood.outcome, { error: null, truncated: false, checksum: false, stopped: null });
    assert.equal(flood.n, zeros.length);
  });

  it('garbage after a complete gzip member: an error, and what decoded before the last slice kept', async () => {
    const bad = Buffer.concat([gz, Buffer.from('this is not gzip')]);
    const { sink, out } = collector();
    const r = await readCapture(write('trailing.pcap.gz', bad), sink, { chunkSize: 100_000 });
    // One pass, never inflated again: zlib drops the output of the write that
    // met the garbage, one slice of compressed input (256 bytes for a file this small).
    assert.ok(r.decodedBytes < plain.length && r.decodedBytes > plain.length - 4 * 256, `${r.decodedBytes} of ${plain.length} bytes`);
    assert.ok(out.packets.length > 0);
    assert.deepEqual(out.packets, expected.packets.slice(0, out.packets.length));
    const corrupt = out.diagnostics.find((d) => d.code === 'gzip.corrupt');
    assert.match(corrupt?.message ?? '', /incorrect header check/);
    assert.deepEqual(corrupt?.location, { kind: 'offset', offset: r.decodedBytes, length: 0 });
    const mem = collector();
    await readCaptureData(bad, mem.sink);
    assert.deepEqual(mem.out, out);
  });

  it('throws a one-line reason for files that are not captures', async () => {
    const junk = write('junk.bin', Uint8Array.from([0x12, 0x34, 0x00, 0xff, 0x80, 0x01, 0x02, 0x03, 0x04, 0x05]));
    await assert.rejects(readCapture(junk, collector().sink), /^Error: not a capture: the data starts with no pcap, pcapng or gzip magic number and is not a text dump$/);
    await assert.rejects(readCapture(write('empty.pcap', new Uint8Array(0)), collector().sink), /not a capture: the file is empty/);
    assert.throws(() => readCaptureBytes(new Uint8Array([0xff, 0x00, 0x01]), collector().sink, 'untitled-1'), /^Error: untitled-1: not a capture/);
  });

  it('reports progress at most about once per MiB, ending at the file size', async () => {
    // ~3.3 MiB: the fixture's records repeated.
    const records = plain.subarray(24);
    const copies = Math.ceil((3.3 * 1024 * 1024) / records.length);
    const big = Buffer.concat([plain.subarray(0, 24), ...Array.from({ length: copies }, () => records)]);
    const file = write('big.pcap', big);
    const calls: Array<[number, number]> = [];
    const r = await readCapture(file, collector().sink, { chunkSize: 65536, onProgress: (a, b) => calls.push([a, b]) });
    assert.equal(r.packets, copies * expected.packets.length);
    assert.ok(calls.length >= 3 && calls.length <= 5, `${calls.length} progress calls`);
    assert.deepEqual(calls[calls.length - 1], [big.length, big.length]);
    for (let i = 1; i < calls.length; i++) assert.ok(calls[i][0] > calls[i - 1][0]);
  });

  it('stops promptly when aborted, with an AbortError', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(readCapture(path.join(CAPTURE_DIR, 'tls-eth.pcap'), collector().sink, { signal: ac.signal }), { name: 'AbortError' });

    const mid = new AbortController();
    let seen = 0;
    const sink: CaptureSink = { packet: () => { if (++seen === 3) mid.abort(); }, diagnostic: () => {} };
    await assert.rejects(readCapture(path.join(CAPTURE_DIR, 'tls-eth.pcap'), sink, { signal: mid.signal, chunkSize: 200 }), { name: 'AbortError' });
    assert.ok(seen < expected.packets.length, `${seen} packets after abort`);
  });
});

// Text dumps made by the real tcpdump / tshark / od from real captures
// (test/fixtures/text/make.sh, test/fixtures/tor-kz): the bytes, lengths,
// timestamps and positions read from each dump must match the .pcap it came from.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { detectTextDialect } from '../../server/src/capture/text';
import type { RawPacket } from '../../server/src/capture/packet';
import {
  editorLines, hexOf, linkHeaderLength, parse, positionProblem, readPcap, readText, TEXT_DIR, TORKZ_DIR, utcStamp,
  type PcapRecord,
} from '../helpers/textDumpHelpers';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** "HH:MM:SS.uuuuuu" of a number of whole seconds and microseconds. */
const clock = (sec: number, usec: number) =>
  `${pad(Math.floor(sec / 3600))}:${pad(Math.floor(sec / 60) % 60)}:${pad(sec % 60)}.${pad(usec, 6)}`;
/** b - a as [seconds, microseconds]. */
function diff(a: PcapRecord, b: PcapRecord): [number, number] {
  let s = b.sec - a.sec;
  let u = b.usec - a.usec;
  if (u < 0) {
    s--;
    u += 1e6;
  }
  return [s, u];
}

type TimeStyle = 'tod' | 'tt' | 'tttt' | 'ttt' | 'ttttt' | 'none' | 'tt-nano' | 'tttt-nano';

/** Seconds tcpdump's header would yield and the text it starts with, for record i. */
function expectedTime(style: TimeStyle, recs: PcapRecord[], i: number): { t: number; prefix: string | null } {
  const r = recs[i];
  switch (style) {
    case 'tod':
      return { t: (r.sec % 86400) + r.usec / 1e6, prefix: clock(r.sec % 86400, r.usec) + ' ' };
    case 'tt':
      return { t: r.time, prefix: `${r.sec}.${pad(r.usec, 6)} ` };
    case 'tt-nano':
      return { t: r.time, prefix: `${r.sec}.${pad(r.usec, 6)}000 ` };
    case 'tttt':
      return { t: r.time, prefix: utcStamp(r) + ' ' };
    case 'tttt-nano':
      return { t: r.time, prefix: utcStamp(r) + '000 ' };
    case 'ttt': {
      const [s, u] = diff(recs[Math.max(0, i - 1)], r);
      const [s0, u0] = diff(recs[0], r);
      return { t: s0 + u0 / 1e6, prefix: ' ' + clock(s, u) + ' ' };
    }
    case 'ttttt': {
      const [s, u] = diff(recs[0], r);
      return { t: s + u / 1e6, prefix: ' ' + clock(s, u) + ' ' };
    }
    case 'none':
      return { t: NaN, prefix: null };
  }
}

function assertTime(actual: number, expected: number, what: string): void {
  if (Number.isNaN(expected)) {
    assert.ok(Number.isNaN(actual), `${what}: expected no timestamp (NaN), got ${actual}`);
  } else {
    assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: timestamp ${actual}, expected ${expected}`);
  }
}

interface Case {
  file: string;
  dir?: string;
  pcap: string;
  /** -x/-X start at the IP header; -xx/-XX and tshark include the link header. */
  bytes: 'network' | 'frame';
  count: number | 'all';
  /** editcap -C chops bytes but leaves the records' original lengths as they were. */
  chopped?: number;
}

/** The pcap records a dump shows, and what its bytes must be. */
function expectations(c: Case) {
  const { linkType, records } = readPcap(path.join(c.dir ?? TEXT_DIR, c.pcap));
  const n = c.count === 'all' ? records.length : c.count;
  const skip = c.bytes === 'network' ? linkHeaderLength(linkType) : 0;
  return {
    records: records.slice(0, n),
    linkType: c.bytes === 'network' ? 101 : linkType,
    data: (r: PcapRecord) => r.data.subarray(skip),
    origLength: (r: PcapRecord) => r.origLength - skip - (c.chopped ?? 0),
  };
}

function checkBytes(c: Case, packets: RawPacket[], text: string): void {
  const ex = expectations(c);
  assert.equal(packets.length, ex.records.length, `${c.file}: packet count`);
  const lines = editorLines(text);
  packets.forEach((p, i) => {
    const r = ex.records[i];
    const what = `${c.file} packet ${i}`;
    assert.equal(p.index, i, `${what}: index`);
    assert.equal(hexOf(p.data), hexOf(ex.data(r)), `${what}: bytes`);
    assert.equal(p.linkType, ex.linkType, `${what}: link type`);
    assert.equal(p.origLength, ex.origLength(r), `${what}: original length`);
    assert.equal(p.fileOffset, -1);
    assert.equal(positionProblem(lines, p), null, `${what}: positions`);
  });
}

const TCPDUMP: Array<Case & { time: TimeStyle; ascii: boolean }> = [
  { file: 'hs.x.txt', pcap: 'hs.pcap', bytes: 'network', count: 14, time: 'tod', ascii: false },
  { file: 'hs.xx-tt.txt', pcap: 'hs.pcap', bytes: 'frame', count: 5, time: 'tt', ascii: false },
  { file: 'hs.X-t.txt', pcap: 'hs.pcap', bytes: 'network', count: 6, time: 'none', ascii: true },
  { file: 'hs.X-t.anon.txt', pcap: 'hs.pcap', bytes: 'network', count: 6, time: 'none', ascii: true },
  { file: 'hs.XX-tttt.txt', pcap: 'hs.pcap', bytes: 'frame', count: 14, time: 'tttt', ascii: true },
  { file: 'hs.XX-tttt.anon.txt', pcap: 'hs.pcap', bytes: 'frame', count: 14, time: 'tttt', ascii: true },
  { file: 'hs.x-ttt.txt', pcap: 'hs.pcap', bytes: 'network', count: 5, time: 'ttt', ascii: false },
  { file: 'hs.x-ttttt.txt', pcap: 'hs.pcap', bytes: 'network', count: 5, time: 'ttttt', ascii: false },
  { file: 'hs.X-v.txt', pcap: 'hs.pcap', bytes: 'network', count: 5, time: 'tod', ascii: true },
  { file: 'hs.XX-e-vv.txt', pcap: 'hs.pcap', bytes: 'frame', count: 5, time: 'tod', ascii: true },
  { file: 'hs.x-tt-nano.txt', pcap: 'hs.pcap', bytes: 'network', count: 4, time: 'tt-nano', ascii: false },
  { file: 'hs.XX-tttt-nano.txt', pcap: 'hs.pcap', bytes: 'frame', count: 4, time: 'tttt-nano', ascii: true },
  { file: 'hs-sll.XX-e.txt', pcap: 'hs-sll.pcap', bytes: 'frame', count: 5, time: 'tod', ascii: true },
  { file: 'hs-sll2.xx.txt', pcap: 'hs-sll2.pcap', bytes: 'frame', count: 5, time: 'tod', ascii: false },
  { file: 'hs-sll2.X-e.txt', pcap: 'hs-sll2.pcap', bytes: 'network', count: 5, time: 'tod', ascii: true },
  { file: 'hs-raw.xx.txt', pcap: 'hs-raw.pcap', chopped: 14, bytes: 'frame', count: 3, time: 'tod', ascii: false },
  { file: 'v6.X-tttt.txt', pcap: 'v6.pcap', bytes: 'network', count: 8, time: 'tttt', ascii: true },
  { file: 'seg.xx.txt', pcap: 'seg.pcap', bytes: 'frame', count: 7, time: 'tod', ascii: false },
  { file: 'client.tcpdump-X.txt', dir: TORKZ_DIR, pcap: 'client.pcap', bytes: 'network', count: 'all', time: 'tttt', ascii: true },
  { file: 'relay.tcpdump-X.txt', dir: TORKZ_DIR, pcap: 'relay.pcap', bytes: 'network', count: 'all', time: 'tttt', ascii: true },
];

describe('tcpdump -x/-xx/-X/-XX dumps match their pcap', () => {
  for (const c of TCPDUMP) {
    it(c.file, () => {
      const text = readText(c.dir ?? TEXT_DIR, c.file);
      assert.equal(detectTextDialect(text), 'tcpdump-hex');
      const parsed = parse(text);
      assert.equal(parsed.format, 'tcpdump-hex');
      assert.deepEqual(parsed.diagnostics, [], `${c.file}: no diagnostics`);
      checkBytes(c, parsed.packets, text);
      const { records } = expectations(c);
      const lines = editorLines(text);
      parsed.packets.forEach((p, i) => {
        const what = `${c.file} packet ${i}`;
        const want = expectedTime(c.time, records, i);
        assertTime(p.timestamp, want.t, what);
        // The header line is the last unindented line before the hex; only -v continuation lines lie between.
        assert.ok(p.headerLine !== undefined, `${what}: headerLine`);
        const header = lines[p.headerLine];
        if (want.prefix) assert.ok(header.startsWith(want.prefix), `${what}: header ${JSON.stringify(header)}`);
        const firstHex = p.text!.line[0];
        assert.ok(p.headerLine < firstHex);
        for (let l = p.headerLine + 1; l < firstHex; l++) {
          assert.match(lines[l], /^ {4}\S/, `${what}: line ${l} between header and hex is a -v continuation`);
        }
        assert.match(lines[firstHex], /^\t0x0000:  /);
        assert.equal(p.text!.column[0], 10, `${what}: first byte column`);
        assert.equal(p.text!.asciiColumn !== undefined, c.ascii, `${what}: asciiColumn present iff -X/-XX`);
        if (c.ascii) assert.equal(p.text!.asciiColumn![0], 51, `${what}: first ASCII column`);
      });
    });
  }

  it('header lines are the very lines tcpdump prints without -x', () => {
    const hex = parse(readText(TEXT_DIR, 'hs.x.txt'));
    const hexLines = editorLines(readText(TEXT_DIR, 'hs.x.txt'));
    const summary = editorLines(readText(TEXT_DIR, 'hs.summary.txt'));
    assert.deepEqual(hex.packets.map((p) => hexLines[p.headerLine!]), summary.slice(0, hex.packets.length));
  });

  it('the last, short line of a -X packet keeps the ASCII pane in its column', () => {
    const text = readText(TEXT_DIR, 'hs.X-t.txt');
    const lines = editorLines(text);
    const p = parse(text).packets[0]; // 60 bytes: the last line has 12, padded to the pane
    const last = p.data.length - 1;
    assert.equal(lines[p.text!.line[last]].length, 51 + 12);
    assert.equal(p.text!.asciiColumn![last], 51 + 11);
    assert.equal(p.text!.asciiColumn![48], 51);
  });

  it('a cut capture (snap length 96) keeps the wire length from the IP header', () => {
    const { records } = readPcap(path.join(TEXT_DIR, 'v6.pcap'));
    const cut = records.findIndex((r) => r.data.length < r.origLength);
    assert.ok(cut >= 0 && cut < 8, 'the fixture has a cut packet among the first 8');
    const p = parse(readText(TEXT_DIR, 'v6.X-tttt.txt')).packets[cut];
    assert.equal(p.data.length, 96 - 14);
    assert.equal(p.origLength, records[cut].origLength - 14);
  });
});

const TSHARK: Array<Case & { time: 'none' | 'relative' | 'epoch'; header: 'none' | 'summary' | 'frame' }> = [
  { file: 'hs.tshark.txt', pcap: 'hs.pcap', bytes: 'frame', count: 14, time: 'none', header: 'none' },
  { file: 'hs.tshark-P.txt', pcap: 'hs.pcap', bytes: 'frame', count: 5, time: 'relative', header: 'summary' },
  { file: 'hs.tshark-V.txt', pcap: 'hs.pcap', bytes: 'frame', count: 2, time: 'epoch', header: 'frame' },
  { file: 'hs-sll2.tshark.txt', pcap: 'hs-sll2.pcap', bytes: 'frame', count: 4, time: 'none', header: 'none' },
  { file: 'hs-raw.tshark.txt', pcap: 'hs-raw.pcap', chopped: 14, bytes: 'frame', count: 4, time: 'none', header: 'none' },
  { file: 'seg.tshark.txt', pcap: 'seg.pcap', bytes: 'frame', count: 'all', time: 'none', header: 'none' },
];

describe('tshark -x dumps match their pcap', () => {
  for (const c of TSHARK) {
    it(c.file, () => {
      const text = readText(TEXT_DIR, c.file);
      assert.equal(detectTextDialect(text), 'tshark-hex');
      const parsed = parse(text);
      assert.equal(parsed.format, 'tshark-hex');
      assert.deepEqual(parsed.diagnostics.filter((d) => d.severity !== 'info'), []);
      checkBytes(c, parsed.packets, text);
      const { records } = expectations(c);
      const lines = editorLines(text);
      parsed.packets.forEach((p, i) => {
        const what = `${c.file} packet ${i}`;
        const r = records[i];
        const [s, u] = diff(records[0], r);
        assertTime(p.timestamp, c.time === 'none' ? NaN : c.time === 'epoch' ? r.time : s + u / 1e6, what);
        if (c.header === 'none') assert.equal(p.headerLine, undefined);
        else if (c.header === 'summary') assert.match(lines[p.headerLine!], new RegExp(`^ +${i + 1} `));
        else assert.ok(lines[p.headerLine!].startsWith(`Frame ${i + 1}: `), what);
        assert.match(lines[p.text!.line[0]], /^0000  /);
        assert.equal(p.text!.column[0], 6);
        assert.equal(p.text!.asciiColumn![0], 56);
      });
    });
  }

  it('skips the extra panes and says so once per kind', () => {
    const text = readText(TEXT_DIR, 'seg.tshark.txt');
    const lines = editorLines(text);
    const parsed = parse(text);
    const notes = parsed.diagnostics.filter((d) => d.code === 'text.extra-pane');
    const kinds = notes.map((d) => lines[(d.location as { line: number }).line]);
    assert.deepEqual(kinds.map((k) => k.replace(/ \(\d+ bytes\):$/, '')), ['Reassembled TCP', 'Decrypted TLS']);
    assert.ok(lines.filter((l) => l.startsWith('Decrypted TLS')).length > 1, 'several decrypted panes, one note');
    assert.ok(notes.every((d) => d.severity === 'info'));
  });
});

describe('text2pcap input (od -Ax -tx1 -v)', () => {
  it('reads both frames with their time lines, as text2pcap itself does', () => {
    const text = readText(TEXT_DIR, 'hs.od.txt');
    assert.equal(detectTextDialect(text), 'text2pcap-hex');
    const parsed = parse(text);
    assert.equal(parsed.format, 'text2pcap-hex');
    assert.deepEqual(parsed.diagnostics, []);
    const { linkType, records } = readPcap(path.join(TEXT_DIR, 'hs.pcap'));
    const want = [records[0], records[3]];
    const lines = editorLines(text);
    assert.equal(parsed.packets.length, 2);
    parsed.packets.forEach((p, i) => {
      assert.equal(hexOf(p.data), hexOf(want[i].data));
      assert.equal(p.linkType, linkType);
      assertTime(p.timestamp, want[i].time, `frame ${i}`);
      assert.equal(lines[p.headerLine!], utcStamp(want[i]));
      assert.equal(positionProblem(lines, p), null);
      assert.equal(p.text!.column[0], 7);
      assert.equal(p.text!.asciiColumn, undefined);
    });
  });
});

describe('other offset+hex forms text2pcap reads', () => {
  const { records } = readPcap(path.join(TEXT_DIR, 'hs.pcap'));

  it('hexdump -C: the gap after 8 bytes and the |ASCII| pane', () => {
    const text = readText(TEXT_DIR, 'hs.hexdump-C.txt');
    assert.equal(detectTextDialect(text), 'text2pcap-hex');
    const parsed = parse(text);
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.packets.map((p) => hexOf(p.data)), [hexOf(records[0].data), hexOf(records[3].data)]);
    const lines = editorLines(text);
    for (const p of parsed.packets) {
      assert.equal(positionProblem(lines, p), null);
      assert.ok(Number.isNaN(p.timestamp));
      assert.equal(p.text!.column[8], 10 + 8 * 3 + 1, 'byte 8 sits after the double space');
    }
  });

  it('tshark -x lines without the ASCII pane or blank lines ("0000  45 00 …")', () => {
    const bare = readText(TEXT_DIR, 'hs.tshark.txt')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.slice(0, 53).trimEnd())
      .join('\n');
    assert.equal(detectTextDialect(bare), 'text2pcap-hex');
    const parsed = parse(bare);
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.packets.map((p) => hexOf(p.data)), records.map((r) => hexOf(r.data)));
    const lines = editorLines(bare);
    for (const p of parsed.packets) assert.equal(positionProblem(lines, p), null);
  });
});

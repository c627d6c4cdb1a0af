// Damaged dumps: each problem becomes a diagnostic at the exact line and
// column, packets before it are kept, and parsing resumes with the next packet.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawPacket } from '../../server/src/capture/packet';
import type { Diagnostic } from '../../server/src/capture/source';
import { detectTextDialect, parseTextDump } from '../../server/src/capture/text';
import { editorLines, hexOf, parse, positionProblem, readText, TEXT_DIR, textLoc } from '../helpers/textDumpHelpers';

const X = readText(TEXT_DIR, 'hs.x.txt');
const XLINES = editorLines(X);
const ORIGINAL = parse(X).packets;

/** Line numbers of packet k's hex lines in hs.x.txt. */
function hexLines(k: number): number[] {
  const t = ORIGINAL[k].text!;
  return [...new Set(t.line)];
}

function edit(f: (lines: string[]) => void): string {
  const lines = [...XLINES];
  f(lines);
  return lines.join('\n');
}

function only(diags: Diagnostic[]): Diagnostic {
  const real = diags.filter((d) => d.severity !== 'info');
  assert.equal(real.length, 1, `one diagnostic expected, got ${JSON.stringify(real, null, 1)}`);
  return real[0];
}

function samePackets(got: RawPacket[], want: RawPacket[]): void {
  assert.deepEqual(got.map((p) => hexOf(p.data)), want.map((p) => hexOf(p.data)));
}

describe('damaged tcpdump -x dumps', () => {
  it('a garbage line inside a packet is a warning and costs no bytes', () => {
    const at = hexLines(3)[1] + 1;
    const text = edit((l) => l.splice(at, 0, 'this line is not hex'));
    const r = parse(text);
    const d = only(r.diagnostics);
    assert.equal(d.severity, 'warning');
    assert.equal(d.code, 'text.garbage');
    assert.deepEqual(textLoc(d), { line: at, column: 0, endColumn: 20 });
    assert.equal(d.packet, 3);
    samePackets(r.packets, ORIGINAL);
    const lines = editorLines(text);
    for (const p of r.packets) assert.equal(positionProblem(lines, p), null);
  });

  it('a non-hex character is an error at its group; the packet keeps the bytes before it', () => {
    const line = hexLines(4)[1]; // bytes 16..31
    const text = edit((l) => {
      l[line] = l[line].slice(0, 16) + 'g' + l[line].slice(17); // group 1 (bytes 18, 19) spans columns 15..18
    });
    const r = parse(text);
    const d = only(r.diagnostics);
    assert.equal(d.severity, 'error');
    assert.equal(d.code, 'text.bad-hex');
    assert.deepEqual(textLoc(d), { line, column: 15, endColumn: 19 });
    assert.match(d.message, /expected hex digits, found "g"/);
    assert.equal(d.packet, 4);
    assert.equal(r.packets.length, ORIGINAL.length);
    assert.equal(hexOf(r.packets[4].data), hexOf(ORIGINAL[4].data.subarray(0, 18)));
    assert.equal(r.packets[4].origLength, ORIGINAL[4].data.length, 'the IP header still gives the length');
    samePackets(r.packets.slice(0, 4), ORIGINAL.slice(0, 4));
    samePackets(r.packets.slice(5), ORIGINAL.slice(5));
    assert.equal(r.packets[5].timestamp, ORIGINAL[5].timestamp);
  });

  it('an odd number of hex digits is an error; a packet left without bytes is dropped', () => {
    const line = hexLines(2)[0];
    assert.ok(XLINES[line].startsWith('\t0x0000:  4500 '));
    const text = edit((l) => {
      l[line] = l[line].replace('4500 ', '450 ');
    });
    const r = parse(text);
    const d = only(r.diagnostics);
    assert.equal(d.code, 'text.bad-hex');
    assert.match(d.message, /found 3 digits/);
    assert.deepEqual(textLoc(d), { line, column: 10, endColumn: 13 });
    assert.equal(d.packet, undefined);
    samePackets(r.packets, [...ORIGINAL.slice(0, 2), ...ORIGINAL.slice(3)]);
    assert.deepEqual(r.packets.map((p) => p.index), [...r.packets.keys()]);
  });

  it('a missing hex line is an offset error at the line after the gap', () => {
    const lines = hexLines(5);
    const text = edit((l) => l.splice(lines[1], 1));
    const r = parse(text);
    const d = only(r.diagnostics);
    assert.equal(d.code, 'text.offset');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /expected offset 0x0010 .* found 0x0020/);
    assert.deepEqual(textLoc(d), { line: lines[1], column: 1, endColumn: 8 });
    assert.equal(editorLines(text)[lines[1]].slice(1, 8), '0x0020:');
    assert.equal(hexOf(r.packets[5].data), hexOf(ORIGINAL[5].data.subarray(0, 16)));
    assert.equal(r.packets[5].origLength, ORIGINAL[5].data.length);
    samePackets(r.packets.slice(6), ORIGINAL.slice(6));
  });

  it('a header line without hex is a warning at that line', () => {
    const lines = hexLines(1);
    const text = edit((l) => l.splice(lines[0], lines.length));
    const r = parse(text);
    const d = only(r.diagnostics);
    assert.equal(d.code, 'text.no-bytes');
    assert.equal(textLoc(d).line, ORIGINAL[1].headerLine);
    samePackets(r.packets, [ORIGINAL[0], ...ORIGINAL.slice(2)]);
  });

  it('hex whose header line was lost becomes a packet of unknown time', () => {
    const header = ORIGINAL[6].headerLine!;
    const text = edit((l) => l.splice(header, 1));
    const r = parse(text);
    const d = only(r.diagnostics);
    assert.equal(d.code, 'text.no-header');
    assert.equal(textLoc(d).line, header);
    samePackets(r.packets, ORIGINAL);
    assert.ok(Number.isNaN(r.packets[6].timestamp));
    assert.equal(r.packets[6].headerLine, undefined);
    assert.equal(r.packets[7].timestamp, ORIGINAL[7].timestamp);
  });

  it('a file cut in the middle of a group ends with an error on its last line', () => {
    const cut = X.lastIndexOf('\t0x') + 11; // inside the first group of the last line
    const text = X.slice(0, cut);
    const r = parse(text);
    const d = only(r.diagnostics);
    assert.equal(d.code, 'text.bad-hex');
    assert.equal(textLoc(d).line, editorLines(text).length - 1);
    assert.equal(r.packets.length, ORIGINAL.length);
    samePackets(r.packets.slice(0, -1), ORIGINAL.slice(0, -1));
    const last = r.packets[r.packets.length - 1];
    assert.ok(last.data.length < ORIGINAL[ORIGINAL.length - 1].data.length);
  });

  it('a garbage first line before the first header is a warning', () => {
    const r = parse('hello, this is my capture\n' + X);
    assert.equal(only(r.diagnostics).code, 'text.garbage');
    assert.equal(textLoc(only(r.diagnostics)).line, 0);
    samePackets(r.packets, ORIGINAL);
  });

  it('CRLF line ends and a byte-order mark change nothing but the BOM column', () => {
    const crlf = parse(X.replace(/\n/g, '\r\n'));
    assert.deepEqual(crlf.diagnostics, []);
    samePackets(crlf.packets, ORIGINAL);
    crlf.packets.forEach((p, i) => {
      assert.deepEqual(p.text, ORIGINAL[i].text);
      assert.equal(p.headerLine, ORIGINAL[i].headerLine);
      assert.equal(p.timestamp, ORIGINAL[i].timestamp);
    });
    const bom = parse('\ufeff' + X);
    assert.deepEqual(bom.diagnostics, []);
    samePackets(bom.packets, ORIGINAL);
    assert.equal(bom.packets[0].timestamp, ORIGINAL[0].timestamp);
    const lines = editorLines('\ufeff' + X);
    for (const p of bom.packets) assert.equal(positionProblem(lines, p), null);
  });
});

describe('damaged tshark and text2pcap dumps', () => {
  const T = readText(TEXT_DIR, 'hs.tshark.txt');
  const TL = editorLines(T);
  const TORIG = parse(T).packets;

  it('tshark: a bad byte is an error at the byte, the frame is cut there', () => {
    const line = TORIG[2].text!.line[20]; // second line of frame 2
    const lines = [...TL];
    lines[line] = lines[line].slice(0, 6) + 'zz' + lines[line].slice(8);
    const text = lines.join('\n');
    const r = parse(text);
    const d = only(r.diagnostics);
    assert.equal(d.code, 'text.bad-hex');
    assert.deepEqual(textLoc(d), { line, column: 6, endColumn: 8 });
    assert.equal(hexOf(r.packets[2].data), hexOf(TORIG[2].data.subarray(0, 16)));
    samePackets(r.packets.slice(3), TORIG.slice(3));
  });

  it('tshark: a pane title that disagrees with its hex is a warning', () => {
    const original = readText(TEXT_DIR, 'seg.tshark.txt');
    const m = /^Frame \((\d+) bytes\):$/m.exec(original)!;
    const wrong = `Frame (${Number(m[1]) + 1} bytes):`;
    const text = original.replace(m[0], wrong);
    const r = parse(text);
    const d = only(r.diagnostics);
    assert.equal(d.code, 'text.length');
    assert.equal(editorLines(text)[textLoc(d).line], wrong);
  });

  it('text2pcap: an offset gap is an error; the next packet is read normally', () => {
    const O = readText(TEXT_DIR, 'hs.od.txt');
    const text = O.replace(/^000020 .*\n/m, '');
    const r = parse(text);
    const d = only(r.diagnostics);
    assert.equal(d.code, 'text.offset');
    assert.ok(editorLines(text)[textLoc(d).line].startsWith('000030 '));
    assert.equal(r.packets.length, 2);
    assert.equal(r.packets[0].data.length, 32);
    assert.equal(r.packets[1].data.length, parse(O).packets[1].data.length);
  });

  it("text2pcap: od's '*' (repeated lines) is an error", () => {
    const text = '000000 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n*\n000020 00 00\n000022\n';
    const r = parse(text);
    assert.equal(r.format, 'text2pcap-hex');
    assert.equal(only(r.diagnostics).code, 'text.od-repeat');
    assert.equal(r.packets.length, 1);
    assert.equal(r.packets[0].data.length, 16);
  });
});

describe('other inputs', () => {
  it('text that is no dump is one error and no packets', () => {
    const r = parse('Dear reviewer,\nplease find the capture attached.\n');
    assert.equal(detectTextDialect('Dear reviewer,\n'), null);
    assert.equal(r.packets.length, 0);
    assert.equal(only(r.diagnostics).code, 'text.unknown-format');
    assert.equal(parse('').packets.length, 0);
  });

  it('summary dumps: a garbage line is a warning and the packets around it are kept', () => {
    const S = readText(TEXT_DIR, 'hs.summary.txt');
    const lines = editorLines(S);
    lines.splice(3, 0, 'garbage');
    const r = parse(lines.join('\n'));
    const d = only(r.diagnostics);
    assert.equal(d.code, 'text.garbage');
    assert.equal(textLoc(d).line, 3);
    assert.equal(r.packets.length, 14);
    assert.equal(r.packets[3].headerLine, 4);
  });

  it('floods of garbage are capped, and the cap is reported', () => {
    const text = X + '\n' + 'garbage\n'.repeat(5000);
    const diags: Diagnostic[] = [];
    parseTextDump(text, { packet: () => {}, diagnostic: (d) => diags.push(d) });
    assert.equal(diags.filter((d) => d.code === 'text.garbage').length, 100);
    const note = diags.find((d) => d.code === 'text.suppressed');
    assert.ok(note && /4900 more 'text.garbage'/.test(note.message));
  });
});

// Random damage to real dumps (fast-check) must never throw or hang, and
// whatever packets come out must still point at the hex that spells them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTextDump } from '../../server/src/capture/text';
import type { RawPacket } from '../../server/src/capture/packet';
import type { Diagnostic } from '../../server/src/capture/source';
import { editorLines, positionProblem, readText, TEXT_DIR, TORKZ_DIR } from '../helpers/textDumpHelpers';

const FIXTURES: Array<[string, string]> = [
  [TEXT_DIR, 'hs.XX-tttt.txt'],
  [TEXT_DIR, 'hs.X-v.txt'],
  [TEXT_DIR, 'hs.x-ttt.txt'],
  [TEXT_DIR, 'hs.tshark-V.txt'],
  [TEXT_DIR, 'seg.tshark.txt'],
  [TEXT_DIR, 'hs.od.txt'],
  [TEXT_DIR, 'hs.summary-v.txt'],
  [TORKZ_DIR, 'client.tcpdump-X.txt'],
];

type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'duplicate'; at: number }
  | { op: 'swap'; at: number }
  | { op: 'char'; at: number; col: number; ch: string }
  | { op: 'insert'; at: number; text: string }
  | { op: 'cut'; at: number; col: number };

const CHARS = ['0', 'f', 'g', ' ', '\t', ':', 'x', '.', '\r', '(', '[', '\u00e9'];
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('char' as const), at: fc.nat(), col: fc.nat(80), ch: fc.constantFrom(...CHARS) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('\t0x0000:  4500', '0000  45 00', '000000 45', 'Frame (3 bytes):', ' 00:00:00.000001 IP a.1 > b.2: Flags [S]', '*', ''),
    ),
  }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat(), col: fc.nat(80) }),
);

function apply(lines: string[], m: Mutation): string[] {
  const out = [...lines];
  if (out.length === 0) return out;
  const at = m.at % out.length;
  switch (m.op) {
    case 'delete':
      out.splice(at, 1);
      break;
    case 'duplicate':
      out.splice(at, 0, out[at]);
      break;
    case 'swap':
      if (at + 1 < out.length) [out[at], out[at + 1]] = [out[at + 1], out[at]];
      break;
    case 'char': {
      const l = out[at];
      const col = l.length ? m.col % l.length : 0;
      out[at] = l.slice(0, col) + m.ch + l.slice(col + 1);
      break;
    }
    case 'insert':
      out.splice(at, 0, m.text);
      break;
    case 'cut':
      out.length = at + 1;
      out[at] = out[at].slice(0, m.col);
      break;
  }
  return out;
}

function run(text: string): { packets: RawPacket[]; diagnostics: Diagnostic[] } {
  const packets: RawPacket[] = [];
  const diagnostics: Diagnostic[] = [];
  parseTextDump(text, { packet: (p) => packets.push(p), diagnostic: (d) => diagnostics.push(d) });
  return { packets, diagnostics };
}

describe('random damage to real dumps', () => {
  for (const [dir, file] of FIXTURES) {
    const original = editorLines(readText(dir, file));
    it(`${file}: never throws, and every packet byte still points at its hex`, { timeout: 60_000 }, () => {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 8 }), fc.boolean(), (ms, crlf) => {
          const lines = ms.reduce(apply, original);
          const text = lines.join(crlf ? '\r\n' : '\n');
          const { packets, diagnostics } = run(text);
          const view = editorLines(text);
          packets.forEach((p, i) => {
            assert.equal(p.index, i);
            assert.ok(p.data.length > 0 || p.summary, 'a packet has bytes or a summary');
            assert.ok(p.origLength >= p.data.length);
            // The ASCII pane may itself have been damaged; only its column is checked.
            assert.equal(positionProblem(view, p, false), null);
            if (p.headerLine !== undefined) assert.ok(p.headerLine < view.length);
          });
          for (const d of diagnostics) {
            if (d.location === null) continue;
            assert.equal(d.location.kind, 'text');
            if (d.location.kind === 'text') {
              assert.ok(d.location.line < Math.max(1, view.length), `${d.code} at line ${d.location.line}`);
              assert.ok(d.location.endColumn > d.location.column);
            }
          }
        }),
        { numRuns: 150 },
      );
    });
  }

  it('arbitrary text never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        run(s);
      }),
      { numRuns: 500 },
    );
  });
});

// No wall-clock limits here (the machine may be busy: speed is measured by the
// bench scripts); the test timeout only catches a parse gone quadratic or hung.
describe('performance', () => {
  it('a 10 MB dump parses per dialect, without diagnostics', { timeout: 60_000 }, (t) => {
    for (const file of ['hs.XX-tttt.txt', 'hs.tshark.txt', 'hs.od.txt', 'hs.summary.txt']) {
      const one = readText(TEXT_DIR, file);
      const text = one.repeat(Math.ceil(10e6 / one.length));
      const t0 = process.hrtime.bigint();
      const { packets, diagnostics } = run(text);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      assert.ok(packets.length > 1000);
      assert.deepEqual(diagnostics, []);
      // About 0.3 s each on a laptop.
      t.diagnostic(`${file} ×${Math.round(text.length / one.length)}: ${ms.toFixed(0)} ms`);
    }
  });

  it('pathological lines stay linear', { timeout: 60_000 }, (t) => {
    const inputs = [
      '\t0x0000:  ' + '0000 '.repeat(2e6),
      '0000  ' + '00 '.repeat(3e6),
      ' '.repeat(1e7),
      '12:00:00.000000 IP a.1 > b.2: Flags [S], ' + 'options ['.repeat(1e6),
      'Frame (' + '9'.repeat(1e6) + ' bytes):',
      '1'.repeat(1e7),
    ];
    for (const text of inputs) {
      const t0 = process.hrtime.bigint();
      run(text);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      t.diagnostic(`${JSON.stringify(text.slice(0, 20))}…: ${ms.toFixed(0)} ms`);
    }
  });
});

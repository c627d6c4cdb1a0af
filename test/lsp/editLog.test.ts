// Positions carried between the text an analysis was made from and the text
// after later edits, checked against a brute-force model that tags every
// character of the base text and follows the tags through the same edits.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Position } from 'vscode-languageserver-types';
import { EditLog } from '../../server/src/lsp/editLog';

interface Char { ch: string; id: number }

function positionOf(chars: Char[], offset: number): Position {
  let line = 0, character = 0;
  for (let i = 0; i < offset; i++) {
    if (chars[i].ch === '\n') {
      line++;
      character = 0;
    } else character++;
  }
  return { line, character };
}

function offsetOf(chars: Char[], p: Position): number {
  let line = 0, i = 0;
  while (line < p.line) if (chars[i++].ch === '\n') line++;
  return i + p.character;
}

describe('EditLog', () => {
  it('maps every position through random edits like the tagged-character model', () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const baseText = 'line one\n  0x0010:  4500 003c\nthird line here\n\nlast';
    const base: Char[] = [...baseText].map((ch, id) => ({ ch, id }));
    for (let round = 0; round < 40; round++) {
      let cur = base.slice();
      const log = new EditLog();
      for (let v = 2; v < 12; v++) {
        const a = random(cur.length + 1);
        const b = Math.min(cur.length, a + (random(3) === 0 ? random(12) : 0));
        const text = ['', 'x', 'ab\ncd', '\n', 'zz'][random(5)];
        log.add(v, [{ range: { start: positionOf(cur, a), end: positionOf(cur, b) }, text }]);
        cur = [...cur.slice(0, a), ...[...text].map((ch) => ({ ch, id: -1 })), ...cur.slice(b)];
        // Every position of the current text: its base position, or null when the character was typed since.
        for (let o = 0; o < cur.length; o++) {
          const expected = cur[o].id < 0 ? null : positionOf(base, cur[o].id);
          assert.deepEqual(log.toBase(positionOf(cur, o)), expected, `round ${round}, version ${v}, offset ${o}`);
        }
        // Base ranges of 1–3 characters: carried when they survived whole and nothing was typed inside.
        for (let s = 0; s + 1 < base.length; s += 3) {
          const e = Math.min(base.length, s + 1 + (s % 3));
          const at = cur.findIndex((c) => c.id === s);
          const whole = at >= 0 && cur.slice(at, at + (e - s)).every((c, k) => c.id === s + k);
          const got = log.rangeFromBase({ start: positionOf(base, s), end: positionOf(base, e) });
          assert.deepEqual(got, whole ? { start: positionOf(cur, at), end: positionOf(cur, at + (e - s)) } : null, `round ${round}, version ${v}, base range ${s}–${e}`);
        }
        assert.equal(offsetOf(cur, positionOf(cur, cur.length)), cur.length);
      }
    }
  });

  it('forgets what an analysis already includes, and nothing maps across a whole-text change', () => {
    const log = new EditLog();
    const at = { line: 0, character: 0 };
    log.add(2, [{ range: { start: at, end: at }, text: 'ab' }]);
    assert.deepEqual(log.toBase({ line: 0, character: 5 }), { line: 0, character: 3 });
    log.rebase(2);
    assert.equal(log.length, 0);
    assert.deepEqual(log.toBase({ line: 0, character: 5 }), { line: 0, character: 5 });
    log.add(3, [{ text: 'whole new text' }]);
    log.add(4, [{ range: { start: at, end: at }, text: 'c' }]);
    assert.equal(log.isBroken, true);
    assert.equal(log.toBase({ line: 0, character: 5 }), null);
    // An analysis of version 3 (the whole text) is a base again: only the change after it counts.
    log.rebase(3);
    assert.equal(log.isBroken, false);
    assert.deepEqual(log.toBase({ line: 0, character: 5 }), { line: 0, character: 4 });
  });
});

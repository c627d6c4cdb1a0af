// The language server's line-array document against the reference
// implementation (vscode-languageserver-textdocument): the same random edits,
// with \n, \r\n and lone \r line ends, must give the same text, lines and
// offsets after every change.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { LineDocument } from '../../server/src/lsp/lineDocument';
import { ROOT } from '../helpers/paths';

function agree(ours: LineDocument, ref: TextDocument, what: string): void {
  assert.equal(ours.getText(), ref.getText(), what);
  assert.equal(ours.lineCount, ref.lineCount, `${what}: line count`);
  for (let l = 0; l < ref.lineCount; l += Math.max(1, ref.lineCount >> 4)) {
    const range = { start: { line: l, character: 0 }, end: { line: l + 1, character: 0 } };
    assert.equal(ours.getText(range), ref.getText(range), `${what}: line ${l}`);
    assert.equal(ours.offsetAt({ line: l, character: 3 }), ref.offsetAt({ line: l, character: 3 }), `${what}: offset on line ${l}`);
    assert.deepEqual(ours.getLineRange(l), ref.getLineRange(l), `${what}: range of line ${l}`);
    assert.equal(ours.getEOLCharacters(l), ref.getEOLCharacters(l), `${what}: end of line ${l}`);
  }
  const len = ref.getText().length;
  for (const o of [0, len >> 1, len, len + 5]) assert.deepEqual(ours.positionAt(o), ref.positionAt(o), `${what}: position of ${o}`);
  for (const l of [-1, ref.lineCount, ref.lineCount + 3]) {
    assert.deepEqual(ours.getLineRange(l), ref.getLineRange(l), `${what}: range of line ${l}`);
    assert.equal(ours.getEOLCharacters(l), ref.getEOLCharacters(l), `${what}: end of line ${l}`);
  }
}

describe('LineDocument', () => {
  it('applies random edits like the reference document', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = ['a', 'bc', '\n', '\r\n', '\r', 'x\ny', '', 'zz\r\n\r\n', '\n\r', '0x0010:  4500'];
    const start = 'first line\nsecond\r\nthird\rfourth\n\nlast';
    const ours = LineDocument.create('file:///t', 'capture-text', 1, start);
    let ref = TextDocument.create('file:///t', 'capture-text', 1, start);
    for (let v = 2; v < 2000; v++) {
      const pos = () => {
        const line = random(ref.lineCount + 1);
        return { line, character: random(12) };
      };
      const a = pos(), b = random(3) === 0 ? pos() : a;
      const change: TextDocumentContentChangeEvent = random(50) === 0 ? { text: pieces[random(pieces.length)] + start } : { range: { start: a, end: b }, text: pieces[random(pieces.length)] };
      LineDocument.update(ours, [change], v);
      ref = TextDocument.update(ref, [change], v);
      agree(ours, ref, `after edit ${v}: ${JSON.stringify(change)}`);
    }
    assert.equal(ours.version, 1999);
  });

  it('answers a real dump\'s line and range text without rebuilding it', () => {
    const text = readFileSync(join(ROOT, 'test', 'fixtures', 'tor-kz', 'relay.tcpdump-X.txt'), 'utf8');
    const ours = LineDocument.create('file:///d', 'capture-text', 1, text);
    const ref = TextDocument.create('file:///d', 'capture-text', 1, text);
    agree(ours, ref, 'as opened');
    const lines = text.split('\n');
    assert.equal(ours.line(3), lines[3]);
    const change = { range: { start: { line: 3, character: 4 }, end: { line: 5, character: 2 } }, text: 'typed\n' };
    LineDocument.update(ours, [change], 2);
    agree(ours, TextDocument.update(ref, [change], 2), 'after a two-line replacement');
  });
});

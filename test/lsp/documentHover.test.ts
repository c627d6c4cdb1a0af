// Hovers that never wait for an analysis, in process (the analysis service
// runs on this thread, so what is stale when is decided by the test, not by
// timing): answered from the last analysis through the edits made since, and
// from the packet's own lines where no analysis can answer.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { documentHover, STALE_NOTE } from '../../server/src/lsp/documentHover';
import { LineDocument } from '../../server/src/lsp/lineDocument';
import { TextAnalyses } from '../../server/src/lsp/textAnalyses';
import { serverHelloCipherPosition } from '../helpers/dumpPositions';
import { hoverText } from '../helpers/editStorm';
import { ROOT } from '../helpers/paths';

const DUMP = join(ROOT, 'test', 'fixtures', 'tor-kz', 'relay.tcpdump-X.txt');
const LOCAL = "Decoded from this packet's lines alone";

describe('hovers on a text dump while it is edited', () => {
  const text = readFileSync(DUMP, 'utf8');
  const docs = new Map<string, LineDocument>();
  // No worker bundle in this directory: the same service runs here.
  const texts = new TextAnalyses({ analyzed: () => undefined }, async () => ({ ja4plus: false, rules: null }), (uri) => docs.get(uri)?.getText() ?? null, join(ROOT, 'no-worker-here'));
  after(() => texts.dispose());
  const open = (name: string) => {
    const uri = pathToFileURL(join(ROOT, name)).toString();
    const doc = LineDocument.create(uri, 'capture-text', 1, text);
    docs.set(uri, doc);
    texts.open(uri, 1, text);
    return doc;
  };
  const edit = (doc: LineDocument, change: TextDocumentContentChangeEvent) => {
    LineDocument.update(doc, [change], doc.version + 1);
    texts.change(doc.uri, doc.version, [change]);
  };
  const cipher = serverHelloCipherPosition(text);

  it('answers from the analysis of the current text, without a note', async () => {
    const doc = open('a.tcpdump-X.txt');
    assert.ok(await texts.current(doc.uri));
    const h = documentHover(texts, doc, { line: cipher.line, character: cipher.column });
    assert.match(hoverText(h), /ServerHello › cipher suite/);
    assert.ok(!hoverText(h).includes(STALE_NOTE));
  });

  it('after edits, answers from the previous analysis at the moved position and says so', () => {
    const doc = docs.get(pathToFileURL(join(ROOT, 'a.tcpdump-X.txt')).toString()) as LineDocument;
    // A new first line moves every byte down one line; a character typed before the cipher suite moves it right.
    edit(doc, { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'my note\n' });
    const line = cipher.line + 1;
    edit(doc, { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: ' ' });
    assert.equal(texts.snapshot(doc.uri)?.stale, true, 'the re-analysis waits for the debounce');
    const h = documentHover(texts, doc, { line, character: cipher.column + 1 });
    const t = hoverText(h);
    assert.match(t, /ServerHello › cipher suite/);
    assert.ok(t.includes(STALE_NOTE), t);
    // The highlighted range is on the current text: the moved line and columns.
    assert.deepEqual(h?.range?.start, { line, character: cipher.column + 1 });
    // Where the text was typed since, the last analysis has no answer: the packet's own lines give one.
    const typed = documentHover(texts, doc, { line: 0, character: 2 });
    assert.equal(typed, null, 'a note line is in no packet');
  });

  it('decodes the packet\'s own lines on text typed since the analysis', () => {
    const doc = docs.get(pathToFileURL(join(ROOT, 'a.tcpdump-X.txt')).toString()) as LineDocument;
    const lines = doc.getText().split('\n');
    const hex = lines.findIndex((l) => /^\s+0x0000:/.test(l));
    // Retype the TTL byte (IPv4 byte 8, the fifth 4-digit group) as 0x40.
    const col = lines[hex].indexOf(':') + 3 + 4 * 5;
    edit(doc, { range: { start: { line: hex, character: col }, end: { line: hex, character: col + 2 } }, text: '40' });
    const t = hoverText(documentHover(texts, doc, { line: hex, character: col }));
    assert.match(t, /IPv4 › Time to Live/);
    assert.match(t, /`64`/);
    assert.ok(t.includes(LOCAL), t);
  });

  it('answers on a dump just opened, before its first analysis ends, from the packet\'s lines', async () => {
    const doc = open('b.tcpdump-X.txt');
    assert.equal(texts.snapshot(doc.uri), null, 'no analysis yet');
    const lines = text.split('\n');
    const hex = lines.findIndex((l) => /^\s+0x0000:/.test(l));
    const ttl = documentHover(texts, doc, { line: hex, character: lines[hex].indexOf(':') + 3 + 4 * 5 });
    assert.match(hoverText(ttl), /IPv4 › Time to Live/);
    assert.ok(hoverText(ttl).includes(LOCAL));
    const header = documentHover(texts, doc, { line: hex - 1, character: 3 });
    assert.match(hoverText(header), /\*\*Packet\*\*/);
    assert.match(hoverText(header), /10\\\.66\\\.1\\\.2 → 10\\\.66\\\.2\\\.2|10\\\.66\\\.2\\\.2 → 10\\\.66\\\.1\\\.2/);
    // Once analysed, the same byte is answered from the analysis.
    assert.ok(await texts.current(doc.uri));
    assert.ok(!hoverText(documentHover(texts, doc, { line: hex, character: lines[hex].indexOf(':') + 3 + 4 * 5 })).includes(LOCAL));
  });
});

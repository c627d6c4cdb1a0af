// Sidecar annotations: <capture>.annotations.json.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  addAnnotation, loadAnnotations, loadReportAnnotations, parseAnnotationsText, saveAnnotations, sidecarPath, type AnnotationNote,
} from '../../server/src/report/annotations';
import { repoRoot, TOR_KZ_DIR } from '../helpers/reportFixtures';

let dir: string;
let capture: string;
let sha: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hi-annotations-'));
  capture = path.join(dir, 'relay.pcap');
  copyFileSync(path.join(repoRoot(), TOR_KZ_DIR, 'relay.pcap'), capture);
  sha = createHash('sha256').update(readFileSync(capture)).digest('hex');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const NOTES: AnnotationNote[] = [
  { id: 'a', target: { kind: 'packet', packet: 5 }, text: 'first ServerHello\nnever arrives', author: 'lab', created: '2026-11-25T06:00:00.000Z' },
  { id: 'b', target: { kind: 'field', connection: 1, field: 'serverHello.cipherSuite' }, text: '<b>same</b> as baseline', created: '2026-11-25T06:01:00.000Z' },
  { id: 'c', target: { kind: 'connection', connection: 1 }, text: 'run 3', created: '2026-11-25T06:02:00.000Z' },
];

function write(text: string): string {
  writeFileSync(sidecarPath(capture), text);
  return text;
}

/** 0-based line/column of the first occurrence of `needle`. */
function at(text: string, needle: string): { line: number; column: number } {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, needle);
  const before = text.slice(0, i).split('\n');
  return { line: before.length - 1, column: before[before.length - 1].length };
}

describe('annotations sidecar', () => {
  it('lives next to the capture', () => {
    assert.equal(sidecarPath('/x/relay.pcap'), '/x/relay.pcap.annotations.json');
  });

  it('missing file: no notes, no errors', async () => {
    rmSync(sidecarPath(capture), { force: true });
    const l = await loadAnnotations(capture);
    assert.deepEqual([l.exists, l.notes, l.errors, l.warnings], [false, [], [], []]);
  });

  it('round-trips notes, writes the documented format, and leaves no temporary file', async () => {
    const file = await saveAnnotations(capture, NOTES);
    assert.equal(file, sidecarPath(capture));
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(Object.keys(doc), ['version', 'capture', 'notes']);
    assert.equal(doc.version, 1);
    assert.equal(doc.capture.sha256, sha);
    assert.deepEqual(doc.notes, NOTES);
    const l = await loadAnnotations(capture);
    assert.deepEqual(l.notes, NOTES);
    assert.deepEqual([l.errors, l.warnings], [[], []]);
    assert.equal(l.sha256, sha);
    assert.deepEqual(readdirSync(dir).sort(), ['relay.pcap', 'relay.pcap.annotations.json']);
  });

  it('replaces an existing sidecar in one step', async () => {
    await saveAnnotations(capture, NOTES);
    await saveAnnotations(capture, NOTES.slice(0, 1));
    assert.deepEqual((await loadAnnotations(capture)).notes, NOTES.slice(0, 1));
    assert.deepEqual(readdirSync(dir).sort(), ['relay.pcap', 'relay.pcap.annotations.json']);
  });

  it('warns when the sidecar was written for other capture bytes, and still reads the notes', async () => {
    const other = 'ab'.repeat(32);
    const text = write(JSON.stringify({ version: 1, capture: { sha256: other }, notes: NOTES }, null, 2));
    const l = await loadAnnotations(capture);
    assert.deepEqual(l.errors, []);
    assert.equal(l.notes.length, 3);
    assert.equal(l.warnings.length, 1);
    assert.ok(l.warnings[0].message.includes(other) && l.warnings[0].message.includes(sha));
    assert.deepEqual({ line: l.warnings[0].line, column: l.warnings[0].column }, at(text, `"${other}"`));
    // A known hash is used as given, without reading the capture.
    assert.equal((await loadAnnotations(capture, { captureSha256: other })).warnings.length, 0);
  });

  it('malformed JSON: an error with line and column, never an exception', async () => {
    const text = write('{\n  "version": 1,\n  "capture": { "sha256": "' + 'a'.repeat(64) + '" },\n  "notes": [\n    { "id": "a", }\n  ]\n}\n');
    const l = await loadAnnotations(capture);
    assert.equal(l.notes.length, 0);
    assert.equal(l.errors.length, 1);
    const e = l.errors[0];
    assert.deepEqual({ line: e.line, column: e.column }, { line: 4, column: at(text, '}\n  ]').column });
    assert.match(e.message, /relay\.pcap\.annotations\.json:5:\d+: trailing comma before "}"/);
  });

  it('a bad note is reported where it is; the good ones are kept', async () => {
    const text = write(`{
  "version": 1,
  "capture": { "sha256": "${sha}" },
  "notes": [
    { "id": "ok", "target": { "kind": "packet", "packet": 3 }, "text": "fine", "created": "2026-11-25T06:00:00Z" },
    { "id": "bad", "target": { "kind": "frame", "packet": 3 }, "text": "wrong kind", "created": "2026-11-25T06:00:00Z" },
    { "id": "neg", "target": { "kind": "packet", "packet": -1 }, "text": "negative", "created": "2026-11-25T06:00:00Z" },
    { "id": "when", "target": { "kind": "connection", "connection": 1 }, "text": "bad date", "created": "yesterday" },
    { "id": "ok", "target": { "kind": "connection", "connection": 1 }, "text": "duplicate id", "created": "2026-11-25T06:00:00Z" }
  ]
}`);
    const l = await loadAnnotations(capture);
    assert.deepEqual(l.notes.map((n) => n.text), ['fine', 'duplicate id']);
    assert.equal(l.errors.length, 3);
    assert.deepEqual({ line: l.errors[0].line, column: l.errors[0].column }, at(text, '"frame"'));
    assert.match(l.errors[0].message, /notes\[1\]\.target\.kind must be "packet", "field" or "connection"/);
    assert.deepEqual({ line: l.errors[1].line, column: l.errors[1].column }, at(text, '-1 }'));
    assert.deepEqual({ line: l.errors[2].line, column: l.errors[2].column }, at(text, '"yesterday"'));
    assert.equal(l.warnings.length, 1);
    assert.match(l.warnings[0].message, /id "ok" is also used by notes\[0\]/);
  });

  it('refuses other format versions and non-objects', () => {
    const v2 = parseAnnotationsText('{ "version": 2, "notes": [] }');
    assert.equal(v2.errors.length, 1);
    assert.match(v2.errors[0].message, /unsupported version 2/);
    assert.equal(parseAnnotationsText('').errors[0].line, 0);
    assert.match(parseAnnotationsText('[]').errors[0].message, /expected an object/);
    assert.match(parseAnnotationsText('{"version":1,"notes":[]} x').errors[0].message, /after the end/);
    assert.equal(parseAnnotationsText('\ufeff{"version":1,"capture":{"sha256":"' + 'a'.repeat(64) + '"},"notes":[]}').errors.length, 0);
  });

  it('never throws, whatever the file holds (property)', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), (s) => {
      const r = parseAnnotationsText(s);
      for (const e of [...r.errors, ...r.warnings]) {
        assert.equal(typeof e.message, 'string');
        if (e.line !== null) assert.ok(e.line >= 0 && e.column! >= 0);
      }
    }), { numRuns: 1000 });
    assert.doesNotThrow(() => parseAnnotationsText('['.repeat(100000)));
  });

  it('addAnnotation appends a note with an id and a time', async () => {
    await saveAnnotations(capture, NOTES);
    const r = await addAnnotation(capture, { target: { kind: 'packet', packet: 6 }, text: 'retransmission 1', author: 'me' }, { now: new Date('2026-11-25T08:00:00Z') });
    assert.ok(r.ok);
    assert.equal(r.note.created, '2026-11-25T08:00:00.000Z');
    assert.match(r.note.id, /^[0-9a-f-]{36}$/);
    const l = await loadAnnotations(capture);
    assert.equal(l.notes.length, 4);
    assert.deepEqual(l.notes[3], r.note);
  });

  it('addAnnotation does not overwrite a sidecar it cannot read', async () => {
    const broken = write('{ "version": 1, "notes": [ ');
    const r = await addAnnotation(capture, { target: { kind: 'connection', connection: 1 }, text: 'x' });
    assert.equal(r.ok, false);
    assert.equal(readFileSync(sidecarPath(capture), 'utf8'), broken);
  });

  it('loads both captures of a comparison, tagging each note with its side', async () => {
    const relayCopy = path.join(dir, 'client.pcap');
    copyFileSync(path.join(repoRoot(), TOR_KZ_DIR, 'client.pcap'), relayCopy);
    await saveAnnotations(capture, NOTES.slice(0, 1));
    await saveAnnotations(relayCopy, NOTES.slice(2));
    const r = await loadReportAnnotations(relayCopy, capture);
    assert.deepEqual(r.annotations.map((a) => [a.side, a.id]), [['client', 'c'], ['relay', 'a']]);
    assert.deepEqual(r.problems, []);
  });
});

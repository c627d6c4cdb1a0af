/**
 * The user's notes on a capture, kept in a sidecar file next to it:
 * `<capture>.annotations.json` (format in README.md in this folder).
 *
 * A sidecar is a file people edit by hand, mail around and commit next to
 * captures, so loading never throws: a broken file yields errors that point at
 * a line and column, and every note that can be read is still returned.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Annotation, AnnotationNote, AnnotationTarget } from '../../../shared/annotations';
import { LineMap, parseJsonWithPositions, propertyOf, type JsonNode } from '../json/jsonPositions';

interface Pos { line: number; column: number }

export const ANNOTATIONS_VERSION = 1;

export type { Annotation, AnnotationNote, AnnotationTarget } from '../../../shared/annotations';

export interface AnnotationFile {
  version: 1;
  capture: { sha256: string };
  notes: AnnotationNote[];
}

export interface AnnotationProblem {
  message: string;
  /** 0-based, like every location in this project; `message` prints them 1-based. Null when the problem is not at a place in the file. */
  line: number | null;
  column: number | null;
}

export interface LoadedAnnotations {
  /** The sidecar's path. */
  path: string;
  exists: boolean;
  /** Every note that could be read, even when the file has errors elsewhere. */
  notes: AnnotationNote[];
  /** The file (or a note) could not be read as documented. */
  errors: AnnotationProblem[];
  /** Readable but questionable: the sidecar was written for different capture bytes, duplicate ids … */
  warnings: AnnotationProblem[];
  /** The sha256 recorded in the sidecar, if any. */
  sha256: string | null;
}

export function sidecarPath(capturePath: string): string {
  return `${capturePath}.annotations.json`;
}

/** SHA-256 of the capture file as stored (for a .gz: of the compressed bytes), like the reports' input sha256. */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    createReadStream(file).on('data', (c) => hash.update(c)).on('error', reject).on('end', () => resolve());
  });
  return hash.digest('hex');
}

export interface LoadOptions {
  /**
   * The capture's sha256 when the caller already has it (an analysis report's
   * input.sha256); otherwise the file is hashed. Null: not checked (listing
   * notes in an editor must not read a gigabyte capture to hash it).
   */
  captureSha256?: string | null;
}

/** Missing sidecar → no notes and no errors. Never throws. */
export async function loadAnnotations(capturePath: string, opts: LoadOptions = {}): Promise<LoadedAnnotations> {
  const file = sidecarPath(capturePath);
  const result: LoadedAnnotations = { path: file, exists: false, notes: [], errors: [], warnings: [], sha256: null };
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return result;
    result.errors.push({ message: `${file}: can't be read: ${(e as Error).message}`, line: null, column: null });
    return result;
  }
  result.exists = true;
  const parsed = parseAnnotationsText(text, file);
  Object.assign(result, { notes: parsed.notes, errors: parsed.errors, warnings: parsed.warnings, sha256: parsed.sha256 });

  let actual = opts.captureSha256 ?? null;
  if (opts.captureSha256 === undefined) {
    try {
      actual = await fileSha256(capturePath);
    } catch (e) {
      result.warnings.push({ message: `${capturePath}: can't be read to check the notes belong to it: ${(e as Error).message}`, line: null, column: null });
    }
  }
  if (actual !== null && parsed.sha256 !== null && parsed.sha256.toLowerCase() !== actual.toLowerCase()) {
    result.warnings.push({
      message: `${file} was written for a capture with SHA-256 ${parsed.sha256}, but ${capturePath} has ${actual}: the file changed since, and packet numbers in the notes may point at other packets`,
      line: parsed.sha256Location?.line ?? null, column: parsed.sha256Location?.column ?? null,
    });
  }
  return result;
}

/** Parses and checks sidecar text. Exported for editors that hold unsaved text. */
export function parseAnnotationsText(text: string, file = 'annotations'): {
  notes: AnnotationNote[]; errors: AnnotationProblem[]; warnings: AnnotationProblem[]; sha256: string | null; sha256Location: Pos | null;
} {
  const errors: AnnotationProblem[] = [];
  const warnings: AnnotationProblem[] = [];
  const notes: AnnotationNote[] = [];
  const lines = new LineMap(text);
  const problem = (list: AnnotationProblem[], at: number | null, message: string) => {
    if (at === null) {
      list.push({ message: `${file}: ${message}`, line: null, column: null });
      return;
    }
    const p = lines.position(at);
    list.push({ message: `${file}:${p.line + 1}:${p.column + 1}: ${message}`, line: p.line, column: p.column });
  };

  const parsed = parseJsonWithPositions(text);
  if (!parsed.ok) {
    problem(errors, parsed.error.offset, parsed.error.message);
    return { notes, errors, warnings, sha256: null, sha256Location: null };
  }
  const root = parsed.root;
  if (root.type !== 'object') {
    problem(errors, root.start, 'expected an object { "version": 1, "capture": …, "notes": […] }');
    return { notes, errors, warnings, sha256: null, sha256Location: null };
  }
  const version = propertyOf(root, 'version');
  if (!version) problem(errors, root.start, 'missing "version" (expected 1)');
  else if (version.type !== 'number' || version.value !== ANNOTATIONS_VERSION) {
    problem(errors, version.start, `unsupported version ${version.type === 'object' ? '{…}' : version.type === 'array' ? '[…]' : JSON.stringify(version.value)}: this tool reads version ${ANNOTATIONS_VERSION}`);
    // A newer format may mean anything: don't guess at its notes.
    return { notes, errors, warnings, sha256: null, sha256Location: null };
  }

  let sha256: string | null = null;
  let sha256Location: Pos | null = null;
  const capture = propertyOf(root, 'capture');
  if (!capture) problem(warnings, root.start, 'missing "capture": { "sha256": … }, so the notes can\'t be checked against the capture');
  else if (capture.type !== 'object') problem(errors, capture.start, '"capture" must be an object { "sha256": "…" }');
  else {
    const s = propertyOf(capture, 'sha256');
    if (!s) problem(warnings, capture.start, 'missing "capture.sha256", so the notes can\'t be checked against the capture');
    else if (s.type !== 'string' || !/^[0-9a-fA-F]{64}$/.test(s.value)) problem(errors, s.start, '"capture.sha256" must be 64 hex digits');
    else {
      sha256 = s.value;
      sha256Location = lines.position(s.start);
    }
  }

  const list = propertyOf(root, 'notes');
  if (!list) problem(errors, root.start, 'missing "notes" (an array)');
  else if (list.type !== 'array') problem(errors, list.start, '"notes" must be an array');
  else {
    const seen = new Map<string, number>();
    list.items.forEach((item, i) => {
      const note = readNote(item, i, (at, msg) => problem(errors, at, msg));
      if (!note) return;
      const dup = seen.get(note.id);
      if (dup !== undefined) problem(warnings, item.start, `notes[${i}]: id "${note.id}" is also used by notes[${dup}]`);
      else seen.set(note.id, i);
      notes.push(note);
    });
  }
  return { notes, errors, warnings, sha256, sha256Location };
}

function readNote(n: JsonNode, i: number, problem: (at: number, msg: string) => void): AnnotationNote | null {
  const where = `notes[${i}]`;
  if (n.type !== 'object') {
    problem(n.start, `${where} must be an object`);
    return null;
  }
  let ok = true;
  const str = (key: string, required: boolean): string | undefined => {
    const v = propertyOf(n, key);
    if (!v) {
      if (required) {
        problem(n.start, `${where}: missing "${key}"`);
        ok = false;
      }
      return undefined;
    }
    if (v.type !== 'string') {
      problem(v.start, `${where}.${key} must be a string`);
      ok = false;
      return undefined;
    }
    return v.value;
  };
  const id = str('id', true);
  const text = str('text', true);
  const author = str('author', false);
  const created = str('created', true);
  if (id !== undefined && id.trim() === '') {
    problem(propertyOf(n, 'id')!.start, `${where}.id must not be empty`);
    ok = false;
  }
  if (created !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(created) || Number.isNaN(Date.parse(created)))) {
    problem(propertyOf(n, 'created')!.start, `${where}.created must be an ISO 8601 date-time, e.g. "2026-11-25T10:00:00Z"`);
    ok = false;
  }
  const target = readTarget(propertyOf(n, 'target'), `${where}.target`, n.start, problem);
  if (!target || !ok) return null;
  const note: AnnotationNote = { id: id!, target, text: text!, created: created! };
  if (author !== undefined) note.author = author;
  return note;
}

function readTarget(t: JsonNode | undefined, where: string, parentStart: number, problem: (at: number, msg: string) => void): AnnotationTarget | null {
  if (!t) {
    problem(parentStart, `${where}: missing`);
    return null;
  }
  if (t.type !== 'object') {
    problem(t.start, `${where} must be an object with "kind"`);
    return null;
  }
  const index = (key: string): number | null => {
    const v = propertyOf(t, key);
    if (!v) {
      problem(t.start, `${where}: missing "${key}"`);
      return null;
    }
    if (v.type !== 'number' || !Number.isSafeInteger(v.value) || v.value < 0) {
      problem(v.start, `${where}.${key} must be a whole number ≥ 0`);
      return null;
    }
    return v.value;
  };
  const kind = propertyOf(t, 'kind');
  const k = kind?.type === 'string' ? kind.value : null;
  if (k === 'packet') {
    const packet = index('packet');
    return packet === null ? null : { kind: 'packet', packet };
  }
  if (k === 'connection') {
    const connection = index('connection');
    return connection === null ? null : { kind: 'connection', connection };
  }
  if (k === 'field') {
    const connection = index('connection');
    const f = propertyOf(t, 'field');
    if (!f || f.type !== 'string' || f.value === '') {
      problem(f?.start ?? t.start, `${where}.field must be a field path such as "serverHello.cipherSuite"`);
      return null;
    }
    return connection === null ? null : { kind: 'field', connection, field: f.value };
  }
  problem(kind?.start ?? t.start, `${where}.kind must be "packet", "field" or "connection"`);
  return null;
}

export interface SaveOptions {
  /** The capture's sha256 if known; otherwise the capture file is hashed. */
  captureSha256?: string;
}

/**
 * Writes the sidecar atomically: a temporary file in the same folder, flushed,
 * then renamed over the old one, so an editor crash or a full disk never
 * leaves half a file (rename within one folder is atomic on POSIX and NTFS).
 */
export async function saveAnnotations(capturePath: string, notes: AnnotationNote[], opts: SaveOptions = {}): Promise<string> {
  const file = sidecarPath(capturePath);
  const sha256 = opts.captureSha256 ?? (await fileSha256(capturePath));
  const doc: AnnotationFile = { version: ANNOTATIONS_VERSION, capture: { sha256 }, notes: notes.map(cleanNote) };
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
  const handle = await fs.open(tmp, 'wx');
  try {
    await handle.writeFile(`${JSON.stringify(doc, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  return file;
}

/** Only documented keys are written, in a stable order, so sidecars diff well. */
function cleanNote(n: AnnotationNote): AnnotationNote {
  const target: AnnotationTarget = n.target.kind === 'packet' ? { kind: 'packet', packet: n.target.packet }
    : n.target.kind === 'field' ? { kind: 'field', connection: n.target.connection, field: n.target.field }
      : { kind: 'connection', connection: n.target.connection };
  return n.author !== undefined
    ? { id: n.id, target, text: n.text, author: n.author, created: n.created }
    : { id: n.id, target, text: n.text, created: n.created };
}

export interface NewAnnotation {
  target: AnnotationTarget;
  text: string;
  author?: string;
}

export type AddResult =
  | { ok: true; note: AnnotationNote; notes: AnnotationNote[]; path: string; warnings: AnnotationProblem[] }
  | { ok: false; errors: AnnotationProblem[]; path: string };

/**
 * Appends one note. Refuses (without writing) when the existing sidecar has
 * errors: rewriting it would silently drop the notes that could not be read.
 * Not safe against two writers at once; the last rename wins.
 */
export async function addAnnotation(capturePath: string, input: NewAnnotation, opts: LoadOptions & { now?: Date } = {}): Promise<AddResult> {
  const loaded = await loadAnnotations(capturePath, opts);
  if (loaded.errors.length > 0) return { ok: false, errors: loaded.errors, path: loaded.path };
  const note: AnnotationNote = { id: randomUUID(), target: input.target, text: input.text, created: (opts.now ?? new Date()).toISOString() };
  if (input.author !== undefined) note.author = input.author;
  const notes = [...loaded.notes, note];
  const file = await saveAnnotations(capturePath, notes, { captureSha256: opts.captureSha256 ?? undefined });
  return { ok: true, note, notes, path: file, warnings: loaded.warnings };
}

/** Loads the sidecars of a comparison's captures and tags each note with its side, for the renderers. */
export async function loadReportAnnotations(clientPath: string | null, relayPath: string | null, sha: { client?: string; relay?: string } = {}): Promise<{
  annotations: Annotation[]; problems: AnnotationProblem[];
}> {
  const annotations: Annotation[] = [];
  const problems: AnnotationProblem[] = [];
  const sides: Array<['client' | 'relay', string | null, string | undefined]> = [['client', clientPath, sha.client], ['relay', relayPath, sha.relay]];
  for (const [side, p, captureSha256] of sides) {
    if (!p) continue;
    const l = await loadAnnotations(p, { captureSha256 });
    problems.push(...l.errors, ...l.warnings);
    for (const n of l.notes) annotations.push({ ...n, side });
  }
  return { annotations, problems };
}

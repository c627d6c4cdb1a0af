/**
 * Field paths into a ConnectionReport — `serverHello.cipherSuite`,
 * `certificates[0].lifetimeSeconds`, `clientHello.extensions[*].type` — and
 * where their bytes are in the capture.
 *
 * User rules name fields with these paths, so resolution only follows a
 * report's own properties (never `__proto__`, `constructor` …) and never
 * throws on a path that does not fit the report.
 */
import type { ConnectionReport, MessageReport, SourceLocation } from '../../../shared/analysis';
import { sourceRangeOf } from '../output/sourceRanges';
import { memoize } from '../util/memo';

export type PathSegment =
  | { kind: 'key'; name: string }
  | { kind: 'index'; index: number }
  /** `[*]`: every element of an array. */
  | { kind: 'any' };

export interface PathError {
  error: string;
  /** Character offset in the path text. */
  at: number;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const INDEX = /\[(\d{1,6}|\*)\]/y;

export function parseFieldPath(text: string): PathSegment[] | PathError {
  const segs: PathSegment[] = [];
  let pos = 0;
  if (text.length === 0) return { error: 'empty field path', at: 0 };
  if (text.length > 200) return { error: 'field path is too long (200 characters at most)', at: 200 };
  for (;;) {
    IDENT.lastIndex = pos;
    const id = IDENT.exec(text);
    if (!id) return { error: `expected a field name at character ${pos + 1} of "${text}"`, at: pos };
    segs.push({ kind: 'key', name: id[0] });
    pos = IDENT.lastIndex;
    for (;;) {
      INDEX.lastIndex = pos;
      const ix = INDEX.exec(text);
      if (!ix) break;
      segs.push(ix[1] === '*' ? { kind: 'any' } : { kind: 'index', index: Number(ix[1]) });
      pos = INDEX.lastIndex;
    }
    if (pos === text.length) return segs;
    if (text[pos] !== '.') return { error: `unexpected "${text[pos]}" at character ${pos + 1} of "${text}" (fields are joined with ".", indexes written [0] or [*])`, at: pos };
    pos++;
  }
}

/*
 * Rules mark the same few paths on every connection; parsing each again (and
 * formatting its prefixes) was most of turning a mark into a suspect.
 * Read-only results.
 */
const parsedPath = memoize(parseFieldPath);

/** The keys a hello's ranges may hold for `path` below its root, longest first (root.a[1].b → a[1].b, a[1], a). */
const prefixKeys = memoize((path: string): readonly string[] => {
  const segs = parsedPath(path);
  const out: string[] = [];
  if (Array.isArray(segs)) for (let n = segs.length; n > 1; n--) out.push(formatFieldPath(segs.slice(1, n)));
  return out;
});

export function isPathError(p: PathSegment[] | PathError): p is PathError {
  return !Array.isArray(p);
}

function toSegments(path: string | readonly PathSegment[]): readonly PathSegment[] | null {
  if (typeof path !== 'string') return path;
  const p = parseFieldPath(path);
  return isPathError(p) ? null : p;
}

export function formatFieldPath(segs: readonly PathSegment[]): string {
  let out = '';
  for (const s of segs) {
    if (s.kind === 'key') out += (out ? '.' : '') + s.name;
    else if (s.kind === 'index') out += `[${s.index}]`;
    else out += '[*]';
  }
  return out;
}

export interface ResolvedField {
  /** Concrete path (wildcards replaced by indexes). */
  path: string;
  value: unknown;
}

function own(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  return Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/**
 * Every value a path reaches: one for a plain path (none when it leads
 * nowhere), one per element for each `[*]`.
 */
export function resolveField(root: unknown, path: string | readonly PathSegment[]): ResolvedField[] {
  const segs = toSegments(path);
  if (!segs) return [];
  let current: ResolvedField[] = [{ path: '', value: root }];
  for (const s of segs) {
    const next: ResolvedField[] = [];
    for (const c of current) {
      if (s.kind === 'key') {
        const v = own(c.value, s.name);
        if (v !== undefined) next.push({ path: c.path ? `${c.path}.${s.name}` : s.name, value: v });
      } else if (Array.isArray(c.value)) {
        if (s.kind === 'index') {
          if (s.index < c.value.length) next.push({ path: `${c.path}[${s.index}]`, value: c.value[s.index] });
        } else {
          c.value.forEach((v, i) => next.push({ path: `${c.path}[${i}]`, value: v }));
        }
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/**
 * The value at a path: for a path with `[*]` the list of every reached value
 * (so `clientHello.extensions[*].type` reads as the extension types in wire
 * order); undefined when the path leads nowhere.
 */
export function getField(root: unknown, path: string | readonly PathSegment[]): unknown {
  const segs = toSegments(path);
  if (!segs) return undefined;
  const hits = resolveField(root, segs);
  if (segs.some((s) => s.kind === 'any')) return hits.map((h) => h.value);
  return hits.length > 0 ? hits[0].value : undefined;
}

/** The handshake message a field path lies in, by the message names of MessageReport. */
export function messageOfField(path: string): string | null {
  const segs = parsedPath(path);
  if (!Array.isArray(segs) || segs[0].kind !== 'key') return null;
  const root = segs[0].name;
  const second = segs[1]?.kind === 'key' ? segs[1].name : '';
  switch (root) {
    case 'clientHello': return 'ClientHello';
    case 'serverHello': return 'ServerHello';
    case 'serverKeyExchange': return 'ServerKeyExchange';
    case 'certificates': return 'Certificate';
    case 'fingerprints':
      if (second.startsWith('ja4x')) return 'Certificate';
      if (second.startsWith('ja3s') || second.startsWith('ja4s')) return 'ServerHello';
      return 'ClientHello';
    case 'tls':
      return second === 'serverName' ? 'ClientHello' : 'ServerHello';
    default:
      return null;
  }
}

function isEmptyRange(r: SourceLocation[]): boolean {
  return r.every((l) => (l.kind === 'offset' ? l.length === 0 : l.line === l.endLine && l.column === l.endColumn));
}

const HELLO_ROOTS = new Set(['clientHello', 'serverHello', 'serverKeyExchange']);

/** Where a summary field (`tls.*`, `fingerprints.*`) takes its bytes from. */
const SUMMARY_SOURCES: Record<string, string> = {
  'tls.version': 'serverHello.selectedVersion',
  'tls.versionName': 'serverHello.selectedVersion',
  'tls.cipherSuite': 'serverHello.cipherSuite',
  'tls.cipherSuiteName': 'serverHello.cipherSuite',
  'tls.alpn': 'serverHello.alpn',
  'tls.serverName': 'clientHello.serverName',
};

/**
 * The message a decoded object came from. The report builder shares the
 * object between `conn.clientHello` and its message, so identity finds the
 * right one; after a JSON round trip the first message of that name does.
 */
export function findMessage(conn: ConnectionReport, name: string): MessageReport | undefined {
  const byIdentity = conn.messages.find((m) =>
    (name === 'ClientHello' && m.clientHello !== undefined && m.clientHello === conn.clientHello) ||
    (name === 'ServerHello' && m.serverHello !== undefined && m.serverHello === conn.serverHello) ||
    (name === 'ServerKeyExchange' && m.serverKeyExchange !== undefined && m.serverKeyExchange === conn.serverKeyExchange) ||
    (name === 'Certificate' && m.from === 'server' && m.certificates !== undefined && m.certificates.length > 0 && m.certificates[0] === conn.certificates[0]));
  if (byIdentity) return byIdentity;
  if (name === 'ServerHello') return conn.messages.find((m) => m.name === name && !m.serverHello?.helloRetryRequest) ?? conn.messages.find((m) => m.name === name);
  if (name === 'Certificate') return conn.messages.find((m) => m.name === name && m.from === 'server') ?? conn.messages.find((m) => m.name === name);
  return conn.messages.find((m) => m.name === name);
}

/**
 * Where a field's bytes are in the capture: the field's own range when the
 * decoder recorded one, else that of the nearest enclosing field (e.g.
 * `cipherSuites` for `cipherSuites[3].name`), else the whole certificate or
 * message. Empty only when the report carries no locations at all.
 */
export function fieldRange(conn: ConnectionReport, path: string): SourceLocation[] {
  const source = SUMMARY_SOURCES[path];
  if (source) return fieldRange(conn, source);
  const segs = parsedPath(path);
  if (!Array.isArray(segs) || segs[0].kind !== 'key') return [];
  const root = segs[0].name;

  if (HELLO_ROOTS.has(root)) {
    const obj = conn[root as 'clientHello' | 'serverHello' | 'serverKeyExchange'];
    if (obj) {
      const lookup = (key: string) => sourceRangeOf(obj, key);
      for (const key of prefixKeys(path)) {
        const hit = lookup(key);
        if (hit && hit.length > 0 && !isEmptyRange(hit)) return hit;
        // An empty vector (no session id, no extensions) has no bytes of its own:
        // its length prefix is what the capture shows.
        const prefix = hit ? lookup(`${key}Length`) : undefined;
        if (prefix && prefix.length > 0) return prefix;
      }
    }
  } else if (root === 'certificates') {
    const ix = segs[1];
    if (ix?.kind === 'index') {
      const cert = conn.certificates[ix.index];
      if (cert && cert.range.length > 0) return cert.range;
    }
  } else if (root === 'messages') {
    const ix = segs[1];
    if (ix?.kind === 'index') return conn.messages[ix.index]?.range ?? [];
    return [];
  }
  const name = messageOfField(path);
  return name ? findMessage(conn, name)?.range ?? [] : [];
}

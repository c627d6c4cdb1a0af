/**
 * The one grammar of field paths — `serverHello.cipherSuite`,
 * `certificates[0].lifetimeSeconds`, `clientHello.extensions[*].type` — and
 * the one walker that follows them into a report. Rules, reports, hovers and
 * the webview all name fields this way.
 *
 * User rules name fields with these paths, so resolution only follows a
 * report's own properties (never `__proto__`, `constructor` …) and never
 * throws on a path that does not fit the report.
 */

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

export function isPathError(p: PathSegment[] | PathError): p is PathError {
  return !Array.isArray(p);
}

/* Walks repeat the same paths for every connection; parsed once (cleared when full, so hostile paths cannot grow it). */
const PARSED = new Map<string, readonly PathSegment[] | null>();

function toSegments(path: string | readonly PathSegment[]): readonly PathSegment[] | null {
  if (typeof path !== 'string') return path;
  let segs = PARSED.get(path);
  if (segs === undefined) {
    const p = parseFieldPath(path);
    segs = isPathError(p) ? null : p;
    if (PARSED.size >= 8192) PARSED.clear();
    PARSED.set(path, segs);
  }
  return segs;
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

/** A concrete path as the pattern that names its kind: every index becomes `[*]` (`extensions[3].groups[1]` → `extensions[*].groups[*]`). */
export function patternOf(path: string): string {
  return path.replace(/\[\d+\]/g, '[*]');
}

/** Is `inner` the field `outer` or a field inside it? (`serverHello.extensions[1]` is inside `serverHello.extensions`.) */
export function fieldContains(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(`${outer}[`) || inner.startsWith(`${outer}.`);
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

/**
 * The value at a decoder's range key (`extensions[2].selected`,
 * `extensions[6].groupsList`) below a hello: range keys name an extension's
 * decoded members directly, the report keeps them under `.data`, and a
 * `…List` key is the vector as a whole.
 */
export function valueAtKey(owner: unknown, key: string): unknown {
  const direct = getField(owner, key);
  if (direct !== undefined) return direct;
  const m = /^(.*extensions\[\d+\])\.(.+)$/.exec(key);
  if (!m) return undefined;
  const inData = getField(owner, `${m[1]}.data.${m[2]}`);
  if (inData !== undefined) return inData;
  const list = /^([A-Za-z_][A-Za-z0-9_]*)List$/.exec(m[2]);
  return list ? getField(owner, `${m[1]}.data.${list[1]}`) : undefined;
}

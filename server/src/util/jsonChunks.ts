/** JSON.stringify's replacer; null: none (JSON.stringify's own rules, such as null for a non-finite number). */
export type Replacer = (key: string, value: unknown) => unknown;

/**
 * An array whose elements are made as it is written (read from disk, one at a
 * time): jsonChunks writes it like an array of those elements, without
 * holding them.
 */
export class StreamedArray<T> {
  /** `prewritten`: the items are JSON text already, as jsonAtDepth wrote them at this array's elements' depth. */
  constructor(readonly length: number, readonly items: () => Iterable<T>, readonly prewritten = false) {}
}

/**
 * A value's text as jsonChunks writes it `depth` levels down a document (its
 * first line not indented, the others indented from the document's edge),
 * split no deeper than the document is: for pieces written ahead of the
 * document (StreamedArray's `prewritten`).
 */
export function jsonAtDepth(value: unknown, replacer: Replacer | null, indent: number, depth: number, splitDepth = 3): string {
  let s = '';
  for (const piece of jsonChunks(wrapped(value, depth), replacer, indent, splitDepth)) s += piece;
  return unwrapped(s, depth, indent);
}

// Nested lines are indented from the document's left edge. JSON.stringify
// indents from its own root, so a container is stringified inside `depth`
// one-element arrays and cut out of them: its lines come out indented where
// they belong, with no second pass over the text to re-indent them (a
// quarter of the stringify time of a compare). The replacer sees the
// wrapper's key ('0') where it would see '' (ours read keys only to drop
// them, and no data key is '' or '0' at the top of a leaf).
function wrapped(v: unknown, depth: number): unknown {
  let w = v;
  for (let i = 0; i < depth; i++) w = [w];
  return w;
}

/** How much of `depth` wrapping arrays' text comes before and after what they wrap, by indent and depth. */
const cuts = new Map<string, { head: number; tail: number }>();

function unwrapped(text: string, depth: number, indent: number): string {
  const key = `${indent}/${depth}`;
  let c = cuts.get(key);
  if (!c) {
    const s = JSON.stringify(wrapped(0, depth), null, indent);
    const at = s.indexOf('0');
    cuts.set(key, c = { head: at, tail: s.length - at - 1 });
  }
  return text.slice(c.head, text.length - c.tail);
}

/**
 * JSON.stringify(value, replacer, indent) as a sequence of pieces whose
 * concatenation is byte-identical to it, so a report far larger than V8's
 * longest string (about 512 MiB; "Invalid string length") can still be
 * written: containers down to `splitDepth` are walked here (with an explicit
 * stack, not recursion), everything below is stringified whole.
 */
export function* jsonChunks(value: unknown, replacer: Replacer | null, indent: number, splitDepth = 3): Generator<string> {
  const pad = (depth: number) => ' '.repeat(indent * depth);
  type Frame = { entries: Iterator<[string, unknown]>; isArray: boolean; depth: number; wrote: boolean; prewritten: boolean };
  const prepare = (key: string, holder: unknown, v: unknown): unknown => {
    let x = v;
    if (x !== null && typeof x === 'object' && typeof (x as { toJSON?: unknown }).toJSON === 'function') x = (x as { toJSON(k: string): unknown }).toJSON(key);
    return replacer ? replacer.call(holder, key, x) : x;
  };
  const leaf = (v: unknown, depth: number): string | undefined => {
    if (depth === 0 || v === null || typeof v !== 'object') return JSON.stringify(v, replacer ?? undefined, indent);
    return unwrapped(JSON.stringify(wrapped(v, depth), replacer ?? undefined, indent), depth, indent);
  };
  function* numbered(xs: Iterable<unknown>): Generator<[string, unknown]> {
    let i = 0;
    for (const x of xs) yield [String(i++), x];
  }
  const open = (v: object, depth: number): Frame | string => {
    if (v instanceof StreamedArray) {
      if (v.length === 0) return '[]';
      return { entries: numbered(v.items()), isArray: true, depth, wrote: false, prewritten: v.prewritten };
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return { entries: numbered(v), isArray: true, depth, wrote: false, prewritten: false };
    }
    return { entries: Object.entries(v)[Symbol.iterator](), isArray: false, depth, wrote: false, prewritten: false };
  };
  const root = prepare('', { '': value }, value);
  if (root === null || typeof root !== 'object' || splitDepth <= 0) {
    const s = leaf(root, 0);
    if (s !== undefined) yield s;
    return;
  }
  const first = open(root, 0);
  if (typeof first === 'string') { yield first; return; }
  const stack: Array<{ frame: Frame; holder: object }> = [{ frame: first, holder: root }];
  yield first.isArray ? '[' : '{';
  while (stack.length > 0) {
    const { frame, holder } = stack[stack.length - 1];
    const next = frame.entries.next();
    if (next.done) {
      stack.pop();
      const close = frame.isArray ? ']' : '}';
      yield frame.wrote ? `\n${pad(frame.depth)}${close}` : (frame.isArray ? '[]' : '{}').slice(1);
      continue;
    }
    const [key, raw] = next.value;
    const inner = frame.depth + 1;
    const lead = `${frame.wrote ? ',' : ''}\n${pad(inner)}${frame.isArray ? '' : `${JSON.stringify(key)}: `}`;
    if (frame.prewritten) {
      frame.wrote = true;
      yield lead + (raw as string);
      continue;
    }
    const v = prepare(key, holder, raw);
    if (v !== null && typeof v === 'object' && inner < splitDepth) {
      const child = open(v, inner);
      frame.wrote = true;
      if (typeof child === 'string') { yield lead + child; continue; }
      yield lead + (child.isArray ? '[' : '{');
      stack.push({ frame: child, holder: v });
      continue;
    }
    const s = leaf(v, inner);
    if (s === undefined) {
      // Like JSON.stringify: undefined and functions vanish from objects, become null in arrays.
      if (!frame.isArray) continue;
      frame.wrote = true;
      yield `${lead}null`;
      continue;
    }
    frame.wrote = true;
    yield lead + s;
  }
}

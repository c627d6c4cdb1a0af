import type { SourceLocation } from '../capture/source';
import type { ConnectionReport, SourceRanges } from '../../../shared/analysis';
import type { StreamMap } from '../tcp/streamMap';
import type { RangeMap } from '../tls/types';

/** Where a report object keeps what its lazy `ranges` needs; a symbol, so JSON and structured clones skip it. */
const LAZY_RANGES = Symbol('lazyRanges');

interface LazyRanges {
  map: StreamMap | null;
  raw: RangeMap | null;
  resolved: SourceRanges | null;
}

// One getter/setter pair for every object: V8 shares hidden classes between
// objects whose accessors are the same functions, where a closure per object
// would give each its own (and make every garbage collection pay for them).
function getRanges(this: { [LAZY_RANGES]: LazyRanges }): SourceRanges {
  const st = this[LAZY_RANGES];
  if (st.resolved === null) {
    const out: SourceRanges = {};
    const raw = st.raw!;
    const keys = raw.keys;
    const map = st.map!;
    for (let i = 0; i < keys.length; i++) out[keys[i]] = map.resolve(raw.spanAt(i));
    st.resolved = out;
    st.map = null;
    st.raw = null;
  }
  return st.resolved;
}

function setRanges(this: { [LAZY_RANGES]: LazyRanges }, v: SourceRanges): void {
  const st = this[LAZY_RANGES];
  st.resolved = v;
  st.map = null;
  st.raw = null;
}

/**
 * Gives a decoded object its `ranges` as source locations, resolved on first
 * read. Every field of every hello has a range (100-200 per connection), and
 * most reports are only summarised or checked by rules that never look at
 * them; hovers, highlights and JSON output read them (JSON.stringify, spread
 * and structured clone all call the getter) and get what an eager resolution
 * would give: the connection is over, so its stream map is complete.
 */
export function withSourceRanges<T extends { ranges: RangeMap }>(decoded: T, map: StreamMap): Omit<T, 'ranges'> & { ranges: SourceRanges } {
  // A copy without `ranges` that then gains the accessor: turning an existing
  // data property into an accessor costs several times more.
  const { ranges: raw, ...obj } = decoded;
  const target = obj as unknown as { [LAZY_RANGES]: LazyRanges };
  target[LAZY_RANGES] = { map, raw, resolved: null };
  Object.defineProperty(obj, 'ranges', { get: getRanges, set: setRanges, enumerable: true, configurable: true });
  return obj as unknown as Omit<T, 'ranges'> & { ranges: SourceRanges };
}

/**
 * The source locations of one field of a report object, like
 * `obj.ranges[key]` (own keys only), without resolving every other field of
 * an object whose ranges are still lazy: the suspect rules look up a few
 * fields of many connections.
 */
export function sourceRangeOf(obj: { ranges?: SourceRanges }, key: string): SourceLocation[] | undefined {
  const st = (obj as unknown as { [LAZY_RANGES]?: LazyRanges })[LAZY_RANGES];
  if (st && st.resolved === null) {
    const span = st.raw!.get(key);
    return span === undefined ? undefined : st.map!.resolve(span);
  }
  const ranges = obj.ranges;
  return ranges && Object.prototype.hasOwnProperty.call(ranges, key) ? ranges[key] : undefined;
}

/*
 * Lets go of what an object's lazy `ranges` would be resolved from (the
 * connection's stream map, a third of what a held analysis weighs); its
 * `ranges` read empty from then on. For runs that keep whole analyses and
 * will never show a range (compare without --ranges).
 */
function dropSourceRanges(obj: object): void {
  const st = (obj as { [LAZY_RANGES]?: LazyRanges })[LAZY_RANGES];
  if (!st || st.resolved !== null) return;
  st.resolved = {};
  st.map = null;
  st.raw = null;
}

/** Frozen: a caller that would add to a dropped range fails loudly instead of writing into every other one. */
const NO_RANGE = Object.freeze([]) as unknown as SourceLocation[];

/**
 * A held connection without its byte positions: the hellos' lazy ranges (see
 * dropSourceRanges) and the `range` of its messages, certificates and alerts
 * (another tenth of a held connection).
 */
export function dropRanges(c: ConnectionReport): void {
  for (const h of [c.clientHello, c.serverHello, c.serverKeyExchange]) if (h) dropSourceRanges(h);
  for (const m of c.messages) m.range = NO_RANGE;
  for (const x of c.certificates) x.range = NO_RANGE;
  for (const a of c.alerts) a.range = NO_RANGE;
}

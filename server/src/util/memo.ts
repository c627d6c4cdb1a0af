/**
 * A bounded cache for pure functions of a string or number. Busy captures
 * repeat the same few client and server configurations thousands of times,
 * so fingerprint digests and DH prime lookups are mostly the same inputs
 * again; a hash costs microseconds, a lookup a fraction of one. When full the
 * cache starts over: simpler than LRU, and a capture with more distinct
 * configurations than the cap gains nothing from either.
 */
export function memoize<K extends string | number, T>(fn: (s: K) => T, capacity = 4096): (s: K) => T {
  const cache = new Map<K, T>();
  return (s: K): T => {
    let v = cache.get(s);
    if (v === undefined) {
      v = fn(s);
      if (cache.size >= capacity) cache.clear();
      cache.set(s, v);
    }
    return v;
  };
}

/**
 * The same for a function of a structured value (a decoded hello), keyed by
 * a numeric hash of exactly the fields the function reads; a hit is
 * confirmed with `same`, so a collision costs a recomputation, never a wrong
 * result.
 */
export function memoizeByHash<I, T>(hash: (input: I) => number, same: (a: I, b: I) => boolean, fn: (input: I) => T, capacity = 1024): (input: I) => T {
  const cache = new Map<number, { input: I; value: T }>();
  return (input: I): T => {
    const key = hash(input);
    const hit = cache.get(key);
    if (hit && same(hit.input, input)) return hit.value;
    const value = fn(input);
    if (cache.size >= capacity) cache.clear();
    cache.set(key, { input, value });
    return value;
  };
}

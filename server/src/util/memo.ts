/**
 * A bounded string-keyed cache for pure functions of strings. Busy captures
 * repeat the same few client and server configurations thousands of times,
 * so fingerprint digests and DH prime lookups are mostly the same inputs
 * again; a hash costs microseconds, a lookup a fraction of one. When full the
 * cache starts over: simpler than LRU, and a capture with more distinct
 * configurations than the cap gains nothing from either.
 */
export function memoize<T>(fn: (s: string) => T, capacity = 4096): (s: string) => T {
  const cache = new Map<string, T>();
  return (s: string): T => {
    let v = cache.get(s);
    if (v === undefined) {
      v = fn(s);
      if (cache.size >= capacity) cache.clear();
      cache.set(s, v);
    }
    return v;
  };
}

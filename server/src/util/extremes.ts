/**
 * Smallest and largest of a list by a loop: `Math.min(...xs)` passes every
 * element as an argument and overflows the stack somewhere past 100,000 of
 * them, and these lists grow with the capture.
 */
export function minOf(xs: readonly number[], empty = Number.POSITIVE_INFINITY): number {
  if (xs.length === 0) return empty;
  let m = xs[0];
  for (let i = 1; i < xs.length; i++) if (xs[i] < m || Number.isNaN(xs[i])) m = xs[i];
  return m;
}

export function maxOf(xs: readonly number[], empty = Number.NEGATIVE_INFINITY): number {
  if (xs.length === 0) return empty;
  let m = xs[0];
  for (let i = 1; i < xs.length; i++) if (xs[i] > m || Number.isNaN(xs[i])) m = xs[i];
  return m;
}

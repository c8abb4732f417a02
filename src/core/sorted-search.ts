// Binary searches over ascending arrays of numbers: one copy of the loop, instead of one in every
// module that maps positions through a table of segment starts (masking's readings).

/** Anything indexable holding numbers in ascending order (Array, Int32Array…). */
export type Ascending = ArrayLike<number>;

/**
 * The index of the last element ≤ `k` in `a` (ascending); 0 when every element is larger, so a
 * table whose first segment starts at 0 always answers. O(log n).
 */
export function lastAtMost(a: Ascending, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((a[mid] as number) <= k) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The index of the first element ≥ `k` in `a` (ascending); `a.length` when there is none. O(log n). */
export function firstAtLeast(a: Ascending, k: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a[mid] as number) < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

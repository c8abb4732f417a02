import { describe, expect, it } from 'vitest';
import { firstAtLeast, lastAtMost } from './sorted-search.js';

describe('lastAtMost', () => {
  it('finds the last element not above k, 0 below the first, the last above the end', () => {
    const a = Int32Array.from([0, 3, 3, 7, 10]);
    expect([-1, 0, 2, 3, 6, 7, 9, 10, 99].map((k) => lastAtMost(a, k))).toEqual([0, 0, 0, 2, 2, 3, 3, 4, 4]);
    expect(lastAtMost([5], 1)).toBe(0);
  });
});

describe('firstAtLeast', () => {
  it('finds the first element not below k, the length past the end', () => {
    const a = [0, 3, 3, 7, 10];
    expect([-1, 0, 1, 3, 4, 7, 8, 10, 11].map((k) => firstAtLeast(a, k))).toEqual([0, 0, 1, 1, 3, 3, 4, 4, 5]);
    expect(firstAtLeast([], 3)).toBe(0);
  });
});

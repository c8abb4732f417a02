import { describe, expect, it } from 'vitest';
import { canonicalCode, decodeSymbol } from './canonical-huffman.js';

/** The next bits as decodeSymbol reads them (the first in the lowest bit) for a code written first bit first, as `bits` reads it. */
const next = (bits: string) => [...bits].reduce((v, b, k) => v | (Number(b) << k), 0);

describe('canonical Huffman codes (RFC 1951 §3.2.2) shared by Deflate and lossless WebP', () => {
  it('decodes RFC 1951’s example: lengths (3, 3, 3, 3, 3, 2, 4, 4) give A 010 … F 00, G 1110, H 1111', () => {
    const c = canonicalCode([3, 3, 3, 3, 3, 2, 4, 4]);
    expect(c.fill).toBe('complete');
    expect(c.longest).toBe(4);
    const codes = ['010', '011', '100', '101', '110', '00', '1110', '1111'];
    codes.forEach((bits, symbol) => expect(decodeSymbol(c, next(bits))).toBe((symbol << 4) | bits.length));
  });

  it('decodes codes longer than its 8-bit table by walking the lengths', () => {
    // One symbol of each length 1…14, two of 15: complete.
    const lengths = [...Array.from({ length: 14 }, (_, k) => k + 1), 15, 15];
    const c = canonicalCode(lengths);
    expect(c.fill).toBe('complete');
    expect(decodeSymbol(c, next('111111111110'))).toBe((11 << 4) | 12);
    expect(decodeSymbol(c, next('111111111111111'))).toBe((15 << 4) | 15);
  });

  it('says how the lengths fill the code space: over-subscribed, incomplete, complete, empty', () => {
    expect(canonicalCode([1, 1, 1]).fill).toBe('over-subscribed');
    expect(canonicalCode([2, 1, 3, 3, 3]).fill).toBe('over-subscribed');
    expect(canonicalCode([1, 2]).fill).toBe('incomplete');
    expect(canonicalCode([0, 1]).fill).toBe('incomplete');
    expect(canonicalCode([1, 1]).fill).toBe('complete');
    expect(canonicalCode([0, 0, 0]).fill).toBe('empty');
    expect(canonicalCode([]).fill).toBe('empty');
  });

  it('finds no symbol in an incomplete code’s gap, after its longest code’s bits', () => {
    const one = canonicalCode([0, 1]);
    expect(one.longest).toBe(1);
    expect(decodeSymbol(one, next('0'))).toBe((1 << 4) | 1);
    expect(decodeSymbol(one, next('1'))).toBe(-1);
    const gap = canonicalCode([1, 2]);
    expect(decodeSymbol(gap, next('10'))).toBe((1 << 4) | 2);
    expect(decodeSymbol(gap, next('11'))).toBe(-1);
    expect(decodeSymbol(canonicalCode([0, 0]), 0)).toBe(-1);
  });
});

import { describe, expect, it } from 'vitest';
import { joinedOriginal, PIECE_BYTES, PIECED_FROM, PIECES_BOUND_BYTES, pieceRuns, rangeOf, storedPieces } from './body-pieces.js';

const bytes = (n: number) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 11)) & 0xff;
  return b;
};

describe('an original stored in pieces', () => {
  it('keeps an original of up to PIECED_FROM bytes in one piece, the same bytes without a copy', () => {
    const raw = bytes(PIECED_FROM);
    const { first, later } = storedPieces(raw);
    expect(later).toEqual([]);
    expect(first.buffer === raw.buffer && first.equals(raw)).toBe(true);
    const joined = joinedOriginal(first, later);
    expect(joined.buffer === raw.buffer && joined.length === raw.length).toBe(true);
  });

  it('cuts a larger one into pieces of PIECE_BYTES (the last shorter) that join back to the same bytes', () => {
    const raw = bytes(PIECED_FROM + PIECE_BYTES / 2 + 3);
    const { first, later } = storedPieces(raw);
    expect([first, ...later].map((p) => p.length)).toEqual([PIECE_BYTES, PIECE_BYTES, PIECE_BYTES, PIECE_BYTES, PIECE_BYTES / 2 + 3]);
    expect(joinedOriginal(first, later).equals(raw)).toBe(true);
  });

  it('reads any range across the pieces as views, and none past their end', () => {
    const raw = bytes(3 * 1000 + 17);
    const pieces = [raw.subarray(0, 1000), raw.subarray(1000, 2000), raw.subarray(2000, 3000), raw.subarray(3000)];
    for (const [from, length] of [
      [0, raw.length],
      [999, 2],
      [1000, 1000],
      [1500, 1517],
      [3016, 1],
      [42, 0],
    ] as const) {
      const range = rangeOf(pieces, from, length);
      expect(Buffer.concat(range ?? []).equals(raw.subarray(from, from + length))).toBe(true);
      expect(range?.every((p) => p.buffer === raw.buffer && p.length > 0)).toBe(true);
    }
    expect(rangeOf(pieces, 3000, 18)).toBeNull();
    expect(rangeOf(pieces, -1, 2)).toBeNull();
  });
});

describe('the later pieces in runs, one multi-row insert a run', () => {
  it('puts a 24 MiB original’s 23 later pieces in 6 inserts of at most PIECES_BOUND_BYTES, seqs in order', () => {
    const { later } = storedPieces(Buffer.alloc(24 * PIECE_BYTES));
    const runs = pieceRuns(later);
    expect(runs.map((r) => r.pieces.length)).toEqual([4, 4, 4, 4, 4, 3]);
    expect(runs.map((r) => r.seq)).toEqual([1, 5, 9, 13, 17, 21]);
    expect(runs.every((r) => r.pieces.reduce((n, p) => n + p.length, 0) <= PIECES_BOUND_BYTES)).toBe(true);
    const inOrder = runs.flatMap((r) => r.pieces);
    expect(inOrder.length === later.length && inOrder.every((p, i) => p === later[i])).toBe(true);
  });

  it('makes no run for no pieces, and a run of one for a piece larger than the bound', () => {
    expect(pieceRuns([])).toEqual([]);
    const big = Buffer.alloc(10);
    expect(pieceRuns([big, big], 4)).toEqual([
      { seq: 1, pieces: [big] },
      { seq: 2, pieces: [big] },
    ]);
  });
});

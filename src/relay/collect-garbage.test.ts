import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const MiB = 1024 * 1024;
const g = globalThis as { gc?: () => void };
let saved: (() => void) | undefined;
let gc: ReturnType<typeof vi.fn>;

beforeEach(() => {
  saved = g.gc;
  gc = vi.fn();
  g.gc = gc as unknown as () => void;
  // The count is module state (one per thread): a fresh module per test.
  vi.resetModules();
});
afterEach(() => {
  g.gc = saved;
});

describe('collectAfter', () => {
  it('collects once the small messages finished on this thread add up to 8 MiB, then counts again from zero', async () => {
    const { collectAfter } = await import('./collect-garbage.js');
    for (let i = 0; i < 7; i++) expect(collectAfter(MiB)).toBe(false);
    expect(gc).not.toHaveBeenCalled();
    expect(collectAfter(MiB)).toBe(true);
    expect(gc).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 7; i++) collectAfter(MiB);
    expect(gc).toHaveBeenCalledTimes(1);
  });

  it('collects at once after a message of 4 MiB or more', async () => {
    const { collectAfter } = await import('./collect-garbage.js');
    expect(collectAfter(4 * MiB)).toBe(true);
    expect(collectAfter(17 * MiB)).toBe(true);
    expect(gc).toHaveBeenCalledTimes(2);
  });

  it('does nothing where gc() is not exposed', async () => {
    g.gc = undefined;
    const { collectAfter } = await import('./collect-garbage.js');
    expect(collectAfter(17 * MiB)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { SLAB_MAX, SLAB_MIN, slabClass, Slabs } from './slabs.js';

describe('Slabs', () => {
  it('gives a slab of the next power of two, at least SLAB_MIN, and the next take of that class reuses it', () => {
    const slabs = new Slabs({ poison: false });
    expect(slabClass(1)).toBe(SLAB_MIN);
    expect(slabClass(1024 * 1024 + 1)).toBe(2 * 1024 * 1024);
    const first = slabs.take(10 * 1024);
    expect(first.byteLength).toBe(SLAB_MIN);
    slabs.give(first);
    expect(slabs.retained).toBe(SLAB_MIN);
    expect(slabs.take(SLAB_MIN)).toBe(first);
    expect(slabs.retained).toBe(0);
    // Another class is another slab.
    expect(slabs.take(SLAB_MIN + 1)).not.toBe(first);
    expect(slabs.fresh).toBe(2);
  });

  it('grows a slab into a larger class with its bytes so far, and takes the smaller one back', () => {
    const slabs = new Slabs({ poison: false });
    const small = slabs.take(100);
    new Uint8Array(small).set(Buffer.from('first bytes'));
    const large = slabs.grow(small, 11, SLAB_MIN + 1);
    expect(large.byteLength).toBe(2 * SLAB_MIN);
    expect(Buffer.from(large, 0, 11).toString()).toBe('first bytes');
    expect(slabs.retained).toBe(SLAB_MIN);
    expect(slabs.grow(large, 11, 2 * SLAB_MIN)).toBe(large);
  });

  it('keeps free slabs only up to its retention bound, and none above SLAB_MAX', () => {
    const slabs = new Slabs({ poison: false, retainBytes: 2 * SLAB_MIN });
    const [a, b, c] = [slabs.take(1), slabs.take(1), slabs.take(1)];
    slabs.give(a);
    slabs.give(b);
    slabs.give(c);
    expect(slabs.retained).toBe(2 * SLAB_MIN);
    const huge = new Slabs({ poison: false, retainBytes: 4 * SLAB_MAX });
    const over = huge.take(SLAB_MAX + 1);
    expect(over.byteLength).toBe(SLAB_MAX + 1);
    huge.give(over);
    expect(huge.retained).toBe(0);
  });

  it('lets its free slabs go once none has been taken for idleMs', async () => {
    const slabs = new Slabs({ poison: false, idleMs: 20 });
    slabs.give(slabs.take(1));
    expect(slabs.retained).toBe(SLAB_MIN);
    await new Promise((r) => setTimeout(r, 100));
    expect(slabs.retained).toBe(0);
  });

  it('poisoning: overwrites a slab given back, so bytes read after that are visibly not the message, and refuses it given back twice', () => {
    const slabs = new Slabs({ poison: true });
    const slab = slabs.take(64);
    const view = Buffer.from(slab, 0, 64);
    view.write('the message');
    slabs.give(slab);
    expect(view.toString('latin1', 0, 15)).toBe('SLAB GIVEN BACK');
    expect(() => slabs.give(slab)).toThrow(/twice/);
  });
});

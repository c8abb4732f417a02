import { describe, expect, it } from 'vitest';
import { LruMap } from './lru-map.js';

describe('LruMap', () => {
  it('holds at most its limit, dropping the least recently used', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1); // a is now newer than b
    m.set('c', 3);
    expect(m.size).toBe(2);
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')).toBe(1);
    expect(m.get('c')).toBe(3);
  });

  it('keeps caching new keys after any number of others (a flood of labels never freezes it)', () => {
    const m = new LruMap<string, boolean>(3);
    for (let i = 0; i < 5000; i++) m.set(`junk-${i}`, false);
    m.set('utf-7', true);
    expect(m.size).toBe(3);
    expect(m.get('utf-7')).toBe(true);
  });

  it('holds a falsy value as a value', () => {
    const m = new LruMap<string, boolean | null>(2);
    m.set('x', false);
    m.set('y', null);
    expect(m.get('x')).toBe(false);
    expect(m.get('y')).toBeNull();
  });
});

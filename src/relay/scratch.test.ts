import { describe, expect, it } from 'vitest';
import { Scratch } from './scratch.js';

describe('Scratch', () => {
  it('lends the same memory again once it is given back, grown as needed up to what it keeps', () => {
    const s = new Scratch(1024);
    const a = s.borrow(100);
    s.giveBack(a);
    const b = s.borrow(50);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(50);
    s.giveBack(b);
    const c = s.borrow(1000);
    expect(c.length).toBe(1000);
    s.giveBack(c);
    expect(s.borrow(600).buffer).toBe(c.buffer);
  });

  it('lends fresh memory while its own is lent, and for more than it keeps, and never keeps those', () => {
    const s = new Scratch(1024);
    const lent = s.borrow(10);
    const meanwhile = s.borrow(10);
    expect(meanwhile.buffer).not.toBe(lent.buffer);
    s.giveBack(meanwhile);
    expect(s.borrow(10).buffer).not.toBe(lent.buffer);
    s.giveBack(lent);
    const big = s.borrow(4096);
    expect(big.length).toBe(4096);
    s.giveBack(big);
    expect(s.borrow(10).buffer).toBe(lent.buffer);
  });
});

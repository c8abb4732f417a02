import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { spareCoresReader } from './spare-cores.js';

describe('spareCoresReader (the machine idle CPU, in cores)', () => {
  it('answers 0 for its first call (a baseline) and its first window, then a figure between 0 and the cores, read at most once a window', async () => {
    const read = spareCoresReader(50, 5_000);
    expect(read()).toBe(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(read()).toBe(0); // one window: a spare core must last two
    await new Promise((r) => setTimeout(r, 60));
    const spare = read();
    expect(spare).toBeGreaterThanOrEqual(0);
    expect(spare).toBeLessThanOrEqual(cpus().length);
    // Within the window: the same figure, no new reading.
    expect(read()).toBe(spare);
  });

  it('sees a core kept busy: while this thread spins, at least half a core less than all is idle', () => {
    const read = spareCoresReader(0, 60_000);
    read();
    read();
    const until = performance.now() + 300;
    while (performance.now() < until); // one core busy (a runnable thread is never left waiting beside an idle core)
    expect(read()).toBeLessThanOrEqual(cpus().length - 0.5);
  });

  it('takes a new baseline after a stale gap instead of answering for it', async () => {
    const read = spareCoresReader(0, 50);
    read();
    await new Promise((r) => setTimeout(r, 120));
    expect(read()).toBe(0);
  });
});

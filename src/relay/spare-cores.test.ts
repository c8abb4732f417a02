import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { spareCoresReader, type CpuTicks } from './spare-cores.js';

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

  it.each<[string, CpuTicks[], number[]]>([
    // 4 cores, half of their ticks idle each window: 2 cores spare.
    ['ordinary counters', [t(0, 0, 4), t(200, 400, 4), t(400, 800, 4), t(600, 1200, 4)], [0, 0, 2, 2]],
    ['idle ticks gone backwards', [t(0, 0, 4), t(200, 400, 4), t(100, 800, 4), t(300, 1200, 4)], [0, 0, 0, 0]],
    ['all ticks gone backwards', [t(0, 0, 4), t(200, 400, 4), t(150, 300, 4), t(350, 700, 4)], [0, 0, 0, 0]],
    ['no ticks counted', [t(0, 0, 4), t(0, 0, 4), t(0, 0, 4)], [0, 0, 0]],
    ['counters that are not numbers', [t(0, 0, 4), t(NaN, 400, 4), t(NaN, 800, 4), t(400, 800, 4), t(600, 1200, 4), t(800, 1600, 4)], [0, 0, 0, 0, 0, 2]],
    // A core come online brings all its ticks since boot (mostly idle): not a spare core.
    ['a core come online', [t(0, 0, 2), t(100, 200, 2), t(200, 400, 2), t(90_200, 90_600, 3), t(90_200, 90_900, 3), t(90_200, 91_200, 3)], [0, 0, 1, 0, 0, 0]],
    ['a core gone offline', [t(0, 0, 3), t(300, 300, 3), t(600, 600, 3), t(500, 700, 2), t(700, 900, 2), t(900, 1100, 2)], [0, 0, 3, 0, 0, 2]],
  ])('keeps its figure within 0 … cores on %s', (_, readings, answers) => {
    let k = 0;
    const read = spareCoresReader(0, 60_000, () => readings[k++] as CpuTicks);
    expect(readings.map(() => read())).toEqual(answers);
  });
});

function t(idle: number, total: number, cores: number): CpuTicks {
  return { idle, total, cores };
}

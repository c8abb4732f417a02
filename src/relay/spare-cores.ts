// Owns one figure: how much of the machine's CPU went unused lately, in cores. The work pool starts
// another pool thread only when there is a core for it to run on (work-pool.ts #leastBusy).
import { cpus } from 'node:os';

/**
 * A reader of the machine's idle CPU, in cores (0 … the number of cores): the lower figure of its
 * last two windows of at least `windowMs` each, so a spare core must have lasted (a burst's first
 * second, while connections open and nothing is parsed yet, leaves cores idle that the burst then
 * takes). A window's figure is the idle ticks of every core against all their ticks (`os.cpus()`,
 * from /proc/stat on Linux) times the number of cores. The counters are read at most once per
 * `windowMs` (each read costs ~0.1 ms); in between the last answer stands. The first call, and a
 * call more than `staleMs` after the previous reading, only take a new baseline and answer 0: the
 * figure is always of the recent past, never of a quiet hour before a burst. The machine's figure,
 * not this process's share: a container held by a CPU quota below its cores is not seen.
 */
export function spareCoresReader(windowMs = 1_000, staleMs = 5_000): () => number {
  let base: { at: number; idle: number; total: number } | null = null;
  let previous = 0;
  let answer = 0;
  return () => {
    const at = performance.now();
    if (base && at - base.at < windowMs) return answer;
    const now = ticks();
    if (!base || at - base.at > staleMs) {
      base = { at, ...now };
      previous = 0;
      return (answer = 0);
    }
    const total = now.total - base.total;
    const spare = total > 0 ? ((now.idle - base.idle) / total) * now.cores : 0;
    answer = Math.min(previous, spare);
    previous = spare;
    base = { at, ...now };
    return answer;
  };
}

function ticks(): { idle: number; total: number; cores: number } {
  let idle = 0;
  let total = 0;
  const all = cpus();
  for (const { times } of all) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total, cores: all.length };
}

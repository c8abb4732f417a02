// Owns one figure: how much of the machine's CPU went unused lately, in cores. The work pool starts
// another pool thread only when there is a core for it to run on (work-pool.ts #leastBusy).
import { cpus } from 'node:os';

/**
 * A reader of the machine's idle CPU, in cores (0 … the number of cores), over the window since
 * its previous reading: the idle ticks of every core against all their ticks (`os.cpus()`, from
 * /proc/stat on Linux), times the number of cores. It reads the counters at most once per
 * `windowMs` (each read costs ~0.1 ms) and answers the last figure in between. The first call, and
 * a call more than `staleMs` after the previous reading, only take a new baseline and answer 0: the
 * figure is always of a recent window, never of a quiet hour before a burst. The machine's figure,
 * not this process's share: a container limited by a CPU quota below its cores is not seen.
 */
export function spareCoresReader(windowMs = 500, staleMs = 5_000): () => number {
  let base: { at: number; idle: number; total: number } | null = null;
  let last = 0;
  return () => {
    const at = performance.now();
    if (base && at - base.at < windowMs) return last;
    const now = ticks();
    if (!base || at - base.at > staleMs) {
      base = { at, ...now };
      return (last = 0);
    }
    const total = now.total - base.total;
    last = total > 0 ? ((now.idle - base.idle) / total) * now.cores : 0;
    base = { at, ...now };
    return last;
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

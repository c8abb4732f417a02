// Owns one figure: how much of the machine's CPU went unused lately, in cores. The work pool starts
// another pool thread only when there is a core for it to run on (work-pool.ts #leastBusy).
import { cpus } from 'node:os';

/** The reader's window, in ms: its figure is the lower of the last two (spareCoresReader). */
export const SPARE_WINDOW_MS = 1_000;

/**
 * A reader of the machine's idle CPU, in cores (0 … the number of cores): the lower figure of its
 * last two windows of at least `windowMs` each, so a spare core must have lasted (a burst's first
 * second, while connections open and nothing is parsed yet, leaves cores idle that the burst then
 * takes). A window's figure is the idle ticks of every core against all their ticks (`os.cpus()`,
 * from /proc/stat on Linux) times the number of cores. The counters are read at most once per
 * `windowMs` (each read costs ~0.1 ms); in between the last answer stands. The first call, and a
 * call more than `staleMs` after the previous reading, only take a new baseline and answer 0: the
 * figure is always of the recent past, never of a quiet hour before a burst. The machine's figure,
 * not this process's share: a container held by a CPU quota below its cores is not seen. A window
 * whose counters went backwards or are not numbers answers 0, and one across a change in the number
 * of cores (one gone offline or come online) only takes a new baseline: the figure stays within
 * 0 … cores. `read`: the counters (tests give their own).
 */
export function spareCoresReader(windowMs = SPARE_WINDOW_MS, staleMs = 5_000, read: () => CpuTicks = machineTicks): () => number {
  let base: ({ at: number } & CpuTicks) | null = null;
  let previous = 0;
  let answer = 0;
  return () => {
    const at = performance.now();
    if (base && at - base.at < windowMs) return answer;
    const now = read();
    // A core gone offline or come online: the sums are not comparable (a new core brings all its ticks since boot).
    if (!base || at - base.at > staleMs || now.cores !== base.cores) {
      base = { at, ...now };
      previous = 0;
      return (answer = 0);
    }
    const total = now.total - base.total;
    const idle = now.idle - base.idle;
    // Counters gone backwards (some virtual machines' idle ticks), none counted, or not numbers: no figure, 0.
    const spare = total > 0 && idle >= 0 && idle <= total ? (idle / total) * now.cores : 0;
    answer = Math.min(previous, spare);
    previous = spare;
    base = { at, ...now };
    return answer;
  };
}

/** The machine's CPU ticks summed over its cores (`os.cpus()`, from /proc/stat on Linux), and the number of cores. */
export interface CpuTicks {
  readonly idle: number;
  readonly total: number;
  readonly cores: number;
}

function machineTicks(): CpuTicks {
  let idle = 0;
  let total = 0;
  const all = cpus();
  for (const { times } of all) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total, cores: all.length };
}

// Whether a pool thread waits for the main thread between tasks: SESSIONS (20) loops each read a
// 10 KiB message on a one-thread WorkPool, then keep the main thread busy SPIN_MS (3), as the SMTP
// thread is between a message's tasks (replies, rules, the commit), for MESSAGES (600) messages.
// Prints messages a second and the three busiest threads' run time (schedstat; the main thread,
// then the pool thread). Compare two checkouts by running it from each (round 20: the build of main
// with TASKS_PER_THREAD 1 in a second worktree, against 2): `npx tsx bench/pool-overlap.ts`.
// POOL=path: another work-pool module.
import { readdirSync, readFileSync } from 'node:fs';
import type { WorkPool as WorkPoolClass } from '../src/relay/work-pool.js';
import { textMessage } from './text-message.js';

const { WorkPool } = (await import(process.env.POOL ?? '../src/relay/work-pool.js')) as { WorkPool: typeof WorkPoolClass };
const sessions = Number(process.env.SESSIONS ?? 20);
const spinMs = Number(process.env.SPIN_MS ?? 3);
const messages = Number(process.env.MESSAGES ?? 600);
const { raw } = textMessage(10240);
const pool = new WorkPool(1, null, { spareCores: () => 0 });
await pool.warmUp();
for (let i = 0; i < 50; i++) await pool.read(raw, 5000, null);

/** Each thread's run time so far (ns, /proc/PID/task/TID/schedstat's first field). */
const schedRun = (): Map<string, number> =>
  new Map(
    readdirSync(`/proc/${process.pid}/task`).map((tid) => [tid, Number(readFileSync(`/proc/${process.pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])]),
  );
const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
let left = messages;
const before = schedRun();
const t0 = performance.now();
await Promise.all(
  Array.from({ length: sessions }, async () => {
    while (left-- > 0) {
      await pool.read(raw, 5000, null);
      spin(spinMs);
    }
  }),
);
const wall = performance.now() - t0;
const after = schedRun();
const busiest = [...after].map(([tid, ns]) => [tid, (ns - (before.get(tid) ?? 0)) / 1e6] as const).sort((a, b) => b[1] - a[1]);
console.log(
  `${messages} messages in ${wall.toFixed(0)} ms: ${((messages * 1000) / wall).toFixed(1)} msg/s; threads' run time (ms, share of wall): ${busiest
    .slice(0, 3)
    .map(([t, ms]) => `${t}:${ms.toFixed(0)} (${((100 * ms) / wall).toFixed(0)} %)`)
    .join(', ')}`,
);
await pool.close();

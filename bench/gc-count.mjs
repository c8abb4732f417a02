// How many collections each isolate (the SMTP thread and each pool thread) runs, and their pauses: a
// preload that counts every V8 garbage collection per kind (minor = scavenge, major = mark-compact,
// `-forced` = a gc() call: relay/collect-garbage.ts) and writes the totals every 2 s and at exit to
// $GCCOUNT_DIR/<pid>-<thread>.json as {"major": {"n": 45, "ms": 2361}, ...} (ms: summed pause on
// that thread, wall time; the helper threads' concurrent marking is not in it).
//   GCCOUNT_DIR=/tmp/gc NODE_OPTIONS="--import ./bench/gc-count.mjs" python3 ../shared/lab/peer-bench.py --tiers 1m --runs 1
// (npm start passes NODE_OPTIONS on.) On Node 20 worker threads do not run `--import` preloads: to
// see the pool threads, add `import "<root>/bench/gc-count.mjs";` at the top of
// dist/src/relay/work-thread.js after `npm run build` (round 12 did; drop it after). An idle pool
// thread waits in piscina's Atomics.wait, so its timers (the writes every 2 s) run only while it has work. Round 7 (README "Speed") counted with it.
/* global process, setInterval */
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { isMainThread, threadId } from 'node:worker_threads';
const dir = process.env.GCCOUNT_DIR;
if (dir) {
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  const totals = {};
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const forced = e.detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED ? '-forced' : '';
      const t = (totals[(kinds[e.detail.kind] ?? 'other') + forced] ??= { n: 0, ms: 0 });
      t.n++;
      t.ms = Math.round(t.ms + e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const file = `${dir}/${process.pid}-${isMainThread ? 'main' : `t${threadId}`}.json`;
  const write = () => writeFileSync(file, JSON.stringify(totals));
  setInterval(write, 2000).unref();
  process.on('exit', write);
}

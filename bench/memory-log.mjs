// What the gateway's RSS is made of, over time: a preload that makes every isolate (the SMTP thread
// and each pool thread) append its memory every 200 ms to the file $MEMLOG, one JSON line each:
// MB of process RSS, heap total/used, external and ArrayBuffer memory (SharedArrayBuffers count in
// every thread that holds them), and the size of V8's new, old, large-object and code spaces.
//   MEMLOG=/tmp/mem.jsonl NODE_OPTIONS="--import ./bench/memory-log.mjs" python3 ../shared/lab/peer-bench.py --tiers memory --runs 1
// (npm start passes NODE_OPTIONS on; pool threads inherit it.) `th` is "main" or the thread id.
/* global process, setInterval */
import { appendFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';
const file = process.env.MEMLOG;
if (file) {
  const t0 = Date.now();
  setInterval(() => {
    const m = process.memoryUsage();
    const sp = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name.replace('_space', ''), Math.round(s.space_size / 1048576)]));
    appendFileSync(
      file,
      JSON.stringify({
        pid: process.pid,
        w: Date.now(),
        t: Date.now() - t0,
        th: isMainThread ? 'main' : threadId,
        rss: Math.round(m.rss / 1048576),
        heapT: Math.round(m.heapTotal / 1048576),
        heapU: Math.round(m.heapUsed / 1048576),
        ext: Math.round(m.external / 1048576),
        ab: Math.round(m.arrayBuffers / 1048576),
        new: sp.new,
        old: sp.old,
        lo: sp.large_object,
        code: sp.code,
      }) + '\n',
    );
  }, 200).unref();
}

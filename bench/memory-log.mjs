// What the gateway's RSS is made of, over time: a preload that makes every isolate (the SMTP thread
// and each pool thread) append its memory every $MEMLOG_MS ms (200 by default) to the file $MEMLOG,
// one JSON line each: MB of process RSS, heap total/used, external and ArrayBuffer memory
// (SharedArrayBuffers count in every thread that holds them), and per V8 space (new, old, code,
// large-object, map, ...) the MB committed (`new`, `old`, ...) and used (`newU`, `oldU`, ...), plus
// V8's bytecode and metadata (`bc`, `meta`). The main thread's lines also carry the process's
// memory by kind from /proc/self/smaps: `anon` (all anonymous memory: V8 heaps, malloc's arenas,
// thread stacks), `brk` (the [heap] mapping: the main arena of malloc), `file` (file-backed: node's
// text, libraries, the .node addons), `shm` (shared memory).
//   MEMLOG=/tmp/mem.jsonl NODE_OPTIONS="--import ./bench/memory-log.mjs" python3 bench/maskgate-half.py --tiers memory --runs 1
// (npm start passes NODE_OPTIONS on.) On Node 20 worker threads do not run `--import` preloads: to
// see the pool threads, add `import "<root>/bench/memory-log.mjs";` at the top of
// dist/src/relay/work-thread.js after `npm run build` (round 12 did; drop it after). An idle pool
// thread waits in piscina's Atomics.wait, so its timers (this log) run only while it has work. `th` is "main" or the thread id.
// HEAPSNAP_AT=ms (with HEAPSNAP_DIR, default the working directory): each isolate writes one heap
// snapshot that long after it started, after two full collections when --expose-gc is on (every
// launcher passes it): what each thread retains, to open in Chrome's DevTools or sum with
// bench/heap-summary.mjs.
/* global process, setInterval, setTimeout */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapCodeStatistics, getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

const MB = 1048576;
const mb = (n) => Math.round(n / MB);
const th = isMainThread ? 'main' : threadId;

// The process's resident memory by kind, in MB, from /proc/self/smaps (kB per mapping).
function smaps() {
  const out = { anon: 0, brk: 0, file: 0, shm: 0 };
  let kind = 'anon';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) {
      const path = line.split(/\s+/).slice(5).join(' ');
      kind = path === '[heap]' ? 'brk' : path.startsWith('/dev/shm') || path.startsWith('/memfd:') ? 'shm' : path.startsWith('/') ? 'file' : 'anon';
    } else if (line.startsWith('Rss:')) {
      out[kind] += Number(line.split(/\s+/)[1]);
    }
  }
  for (const k of Object.keys(out)) out[k] = Math.round(out[k] / 1024);
  out.anon += out.brk;
  return out;
}

const file = process.env.MEMLOG;
if (file) {
  const t0 = Date.now();
  setInterval(
    () => {
      const m = process.memoryUsage();
      const spaces = {};
      for (const s of getHeapSpaceStatistics()) {
        const name = s.space_name.replace('_space', '').replace('large_object', 'lo').replace('code_lo', 'codelo').replace('new_lo', 'newlo');
        spaces[name] = mb(s.space_size);
        spaces[name + 'U'] = mb(s.space_used_size);
      }
      const code = getHeapCodeStatistics();
      appendFileSync(
        file,
        JSON.stringify({
          pid: process.pid,
          w: Date.now(),
          t: Date.now() - t0,
          th,
          rss: mb(m.rss),
          heapT: mb(m.heapTotal),
          heapU: mb(m.heapUsed),
          ext: mb(m.external),
          ab: mb(m.arrayBuffers),
          ...spaces,
          bc: mb(code.bytecode_and_metadata_size),
          ...(isMainThread ? smaps() : {}),
        }) + '\n',
      );
    },
    Number(process.env.MEMLOG_MS ?? 200),
  ).unref();
}

const snapAt = Number(process.env.HEAPSNAP_AT ?? 0);
if (snapAt > 0) {
  setTimeout(() => {
    globalThis.gc?.();
    globalThis.gc?.();
    writeHeapSnapshot(join(process.env.HEAPSNAP_DIR ?? '.', `heap-${process.pid}-${th}.heapsnapshot`));
  }, snapAt).unref();
}

// A CPU profile of every thread of the gateway (the SMTP thread, each pool thread, the checkpoint
// thread), in windows: a preload that opens an inspector session in each thread and writes
// $PROF_DIR/p<pid>-t<thread>-<window>.cpuprofile every $PROF_MS (3000) ms, sampling every 500 µs.
// `--cpu-prof` is not allowed in NODE_OPTIONS, and on Node 20 `--import` preloads do not run in
// worker threads; `--require` ones do. Then `node bench/profile-summary.mjs <file> [top]` on the
// busiest windows of each thread. The samples are wall-clock: on a loaded machine a thread
// descheduled inside a call (piscina's postTask waking a pool thread, a postMessage) counts there.
//   npm run build && PROF_DIR=/tmp/prof NODE_OPTIONS="--require $PWD/bench/thread-profile.cjs" \
//     python3 bench/maskgate-half.py --tiers 10k --runs 1
// Round 15 (README "Speed") profiled with it. The gateway's last window is lost when it is stopped.
/* global process, setInterval */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload (NODE_OPTIONS=--require) */
const inspector = require('node:inspector');
const { mkdirSync, writeFileSync } = require('node:fs');
const { threadId } = require('node:worker_threads');

const dir = process.env.PROF_DIR || '/tmp/prof';
mkdirSync(dir, { recursive: true });
const session = new inspector.Session();
session.connect();
let window = 0;
session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
setInterval(
  () =>
    session.post('Profiler.stop', (err, result) => {
      const name = `p${process.pid}-t${threadId}-${String(window++).padStart(3, '0')}.cpuprofile`;
      if (!err) writeFileSync(`${dir}/${name}`, JSON.stringify(result.profile));
      session.post('Profiler.start');
    }),
  Number(process.env.PROF_MS || 3000),
).unref();

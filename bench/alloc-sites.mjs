// Where the SMTP (main) thread allocates, garbage included: a preload that (1) wraps Buffer's
// allocating functions (alloc, allocUnsafe, allocUnsafeSlow, concat, from, and Buffer#toString's
// large strings are not buffers: see 2) and sums, per call site (the first three frames outside
// node:internal), the count and bytes of every buffer of $ALLOC_MIN bytes or more (16384 by
// default; buffers live outside V8's heap, so the heap profiler does not see them), and (2) runs
// V8's sampling heap profiler with collected objects kept (every $ALLOC_INTERVAL bytes, 65536 by
// default), so short-lived strings and objects count too. Every 5 s and at exit it writes
// $ALLOC_DIR/<pid>-buffers.json ({site: {n, bytes}}) and $ALLOC_DIR/<pid>.heapprofile (open in
// Chrome DevTools, or sum with `node bench/alloc-sites.mjs summary <dir>`). Main thread only.
//   ALLOC_DIR=/tmp/alloc NODE_OPTIONS="--import $PWD/bench/alloc-sites.mjs" python3 bench/maskgate-half.py --tiers 1m --runs 1
//   node bench/alloc-sites.mjs summary /tmp/alloc 300
// (the second argument divides by the messages sent: bytes per message.) Round 18 (README "Speed").
/* global process, setInterval, console, Buffer */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.ALLOC_DIR;
const MIN = Number(process.env.ALLOC_MIN ?? 16384);

function site() {
  const lines = (new Error().stack ?? '').split('\n').slice(3);
  const mine = lines.filter((l) => !l.includes('node:internal') && !l.includes('alloc-sites.mjs'));
  return mine
    .slice(0, 3)
    .map((l) =>
      l
        .trim()
        .replace(/^at /, '')
        .replace(/file:\/\/\S*\/(dist|node_modules)\//, '$1/'),
    )
    .join(' < ');
}

if (dir && isMainThread && process.argv[2] !== 'summary') {
  const sites = {};
  const note = (bytes) => {
    if (bytes < MIN) return;
    const s = site();
    const t = (sites[s] ??= { n: 0, bytes: 0 });
    t.n++;
    t.bytes += bytes;
  };
  for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow']) {
    const f = Buffer[name];
    Buffer[name] = function (size, ...rest) {
      note(size);
      return f.call(this, size, ...rest);
    };
  }
  const concat = Buffer.concat;
  Buffer.concat = function (list, total) {
    const b = concat.call(this, list, total);
    if (list.length > 1) note(b.length);
    return b;
  };
  const from = Buffer.from;
  Buffer.from = function (value, ...rest) {
    const b = from.call(this, value, ...rest);
    if (!(value instanceof ArrayBuffer) && !(typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) note(b.length);
    return b;
  };
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: Number(process.env.ALLOC_INTERVAL ?? 65536),
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const base = `${dir}/${process.pid}`;
  const write = () => {
    writeFileSync(`${base}-buffers.json`, JSON.stringify(sites));
    session.post('HeapProfiler.getSamplingProfile', (err, r) => {
      if (!err) writeFileSync(`${base}.heapprofile`, JSON.stringify(r.profile));
    });
  };
  setInterval(write, 5000).unref();
  process.on('exit', write);
}

if (process.argv[2] === 'summary') {
  const from = process.argv[3];
  const per = Number(process.argv[4] ?? 1);
  const mb = (n) => (n / per / 1024).toFixed(1).padStart(9) + ' KiB';
  for (const f of readdirSync(from)) {
    if (f.endsWith('-buffers.json')) {
      const sites = Object.entries(JSON.parse(readFileSync(`${from}/${f}`, 'utf8'))).sort((a, b) => b[1].bytes - a[1].bytes);
      console.log(`${f}: buffers of ${MIN} bytes or more, per message`);
      for (const [s, t] of sites.slice(0, 20)) console.log(`${mb(t.bytes)} ${(t.n / per).toFixed(2).padStart(6)}×  ${s}`);
    }
    if (f.endsWith('.heapprofile')) {
      const p = JSON.parse(readFileSync(`${from}/${f}`, 'utf8'));
      const self = {};
      const bySite = {};
      let all = 0;
      const walk = (node, path) => {
        const cf = node.callFrame;
        const here = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/.*\/(dist|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;
        const own = node.selfSize ?? 0;
        if (own) {
          all += own;
          self[here] = (self[here] ?? 0) + own;
          const mine =
            [here, ...path]
              .filter((s) => /dist\//.test(s))
              .slice(0, 2)
              .join(' < ') || here;
          bySite[mine] = (bySite[mine] ?? 0) + own;
        }
        for (const c of node.children ?? []) walk(c, [here, ...path]);
      };
      walk(p.head, []);
      console.log(`${f}: V8 heap, sampled, collected objects included: ${mb(all)} per message`);
      for (const [s, b] of Object.entries(self)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 20))
        console.log(`${mb(b)}  self ${s}`);
      console.log('by first frames of ours:');
      for (const [s, b] of Object.entries(bySite)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 20))
        console.log(`${mb(b)}  ${s}`);
    }
  }
}

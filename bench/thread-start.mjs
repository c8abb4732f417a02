// What one relay pool thread costs to start, on the build: `npm run build && node --expose-gc
// bench/thread-start.mjs [runs=3]`. Each run starts a fresh worker thread that loads
// dist/src/relay/work-thread.js (as piscina does) and does the pool's warm-up (read with sender
// verification, then prepare with DKIM signing, on a small message). Prints the thread's own CPU
// (/proc/thread-self) for loading the module and for the warm-up, the whole process's CPU (V8's
// compiler and GC helpers too), the thread's V8 heap after a full collection, and which packages
// its CommonJS require cache holds, largest first by source bytes.
/* global process, URL, performance, console */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

const runs = Number(process.argv[2] ?? 3);
const dist = new URL('../dist/src/', import.meta.url);
const { ensureDkimKey } = await import(new URL('outbound/dkim.js', dist).href);
const { signSetup } = await import(new URL('outbound/dkim-sign.js', dist).href);
const keyDir = mkdtempSync(join(tmpdir(), 'thread-start-'));
const setup = { dkim: signSetup(ensureDkimKey(keyDir, 'relay.test', 'sel')) };

const threadCode = `
const { readFileSync } = require('node:fs');
const { workerData, parentPort, MessageChannel } = require('node:worker_threads');
const { getHeapStatistics } = require('node:v8');
const cpu = () => { const f = readFileSync('/proc/thread-self/stat', 'utf8'); const s = f.slice(f.lastIndexOf(')') + 2).split(' '); return (Number(s[11]) + Number(s[12])) * 10; };
(async () => {
  // What piscina's worker does before it loads a task file: the pool's workerData for the module.
  require(workerData.common).commonState.workerData = workerData;
  const c0 = cpu();
  const t = await import(workerData.module);
  const c1 = cpu();
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (q) => port1.postMessage({ id: q.id, records: [] }));
  port1.unref();
  t.connect({ dns: port2 });
  const raw = Buffer.from('From: a@warm.example\\r\\nTo: b@warm.example\\r\\nSubject: warm-up\\r\\n\\r\\nwarm-up text\\r\\n');
  const verify = { session: { ip: '127.0.0.1', helo: 'warm.example', envelopeFrom: '' }, mta: 'warm.example', read: 0 };
  const r = await t.read({ raw, timeoutMs: 60000, verify, keep: 1 });
  if (!r.kept || !('ok' in r.parse) || !r.auth || !('ok' in r.auth)) throw new Error('warm-up read failed: ' + JSON.stringify(r).slice(0, 300));
  const ctx = { direction: 'buyer_to_store', aliasAddress: 'alias@warm.example', store: { id: 0, slug: 'warm', name: 'Warm', mailbox: 'store@warm.example' },
    buyer: { name: 'Warm', email: 'a@warm.example' }, hide: { addresses: ['a@warm.example'], names: [] }, messageId: '<warm@warm.example>',
    threading: { inReplyTo: null, references: [], dropped: 0 }, now: new Date() };
  const m = r.parse.ok;
  const p = await t.prepare({ kept: { id: 1, release: true }, overrides: { from: m.from, sender: m.sender, headers: m.headers }, ctx, campaign: null, compose: true });
  if (!p.signed) throw new Error('warm-up prepare did not sign');
  const c2 = cpu();
  globalThis.gc?.(); globalThis.gc?.();
  const h = getHeapStatistics();
  parentPort.postMessage({ load: c1 - c0, warm: c2 - c1, heap: h.used_heap_size, total: h.total_heap_size, cjs: Object.keys(require.cache) });
})();
`;

function packageOf(file) {
  const i = file.lastIndexOf('node_modules/');
  if (i < 0) return 'maskgate';
  const rest = file.slice(i + 'node_modules/'.length).split('/');
  return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}

for (let run = 0; run < runs; run++) {
  const from = process.cpuUsage();
  const t0 = performance.now();
  const result = await new Promise((resolve, reject) => {
    const w = new Worker(threadCode, {
      eval: true,
      workerData: {
        ...setup,
        module: new URL('relay/work-thread.js', dist).href,
        common: join(dirname(createRequire(import.meta.url).resolve('piscina')), 'common.js'),
      },
    });
    w.once('message', (m) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
  const d = process.cpuUsage(from);
  const byPackage = new Map();
  for (const f of result.cjs) {
    const p = packageOf(f);
    const e = byPackage.get(p) ?? { files: 0, bytes: 0 };
    e.files++;
    e.bytes += statSync(f).size;
    byPackage.set(p, e);
  }
  const top = [...byPackage].sort((a, b) => b[1].bytes - a[1].bytes);
  console.log(
    `run ${run + 1}: thread CPU load ${result.load} ms + warm-up ${result.warm} ms; process CPU ${((d.user + d.system) / 1000).toFixed(0)} ms; wall ${(performance.now() - t0).toFixed(0)} ms; heap after GC ${(result.heap / 1048576).toFixed(1)} MB (total ${(result.total / 1048576).toFixed(1)} MB); ${result.cjs.length} CommonJS files`,
  );
  if (run === 0) console.log(top.map(([p, e]) => `  ${p}: ${e.files} files, ${(e.bytes / 1024).toFixed(0)} KiB`).join('\n'));
}
rmSync(keyDir, { recursive: true, force: true });

// What a pool thread loads and holds: work-thread.js's warm-up (work-pool.ts #warm: one read with
// verification, one prepare) in a plain Worker, the thread's V8 heap used/total in MB after two full
// collections before the import, after it, after the read and after the prepare, then every script
// V8 holds in that isolate (the inspector's Debugger.scriptParsed), KB of source and count grouped by
// npm package or src/ folder. Round 13 (README "Speed"). After `npm run build`:
//   node --expose-gc bench/thread-modules.mjs   (TOP=n rows, 40 by default)
/* global console, process, URL */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const code = `
const { parentPort, MessageChannel } = require('node:worker_threads');
(async () => {
  const v8 = require('node:v8');
  const { Session } = require('node:inspector');
  const base = () => { gc(); gc(); const h = v8.getHeapStatistics(); return { used: +(h.used_heap_size/1048576).toFixed(1), total: +(h.total_heap_size/1048576).toFixed(1) }; };
  const before = base();
  const t0 = process.cpuUsage();
  const w = await import('${root}/dist/src/relay/work-thread.js');
  const afterImport = base();
  const { port1, port2 } = new MessageChannel();
  w.connect({ dns: port2 });
  port1.on('message', (q) => port1.postMessage({ id: q.id, records: [] }));
  const raw = Buffer.from('From: a@warm.example\\r\\nTo: b@warm.example\\r\\nSubject: warm-up\\r\\n\\r\\nwarm-up text\\r\\n');
  const t1 = Date.now();
  const r = await w.read({ raw, timeoutMs: 60000, verify: { session: { ip: '127.0.0.1', helo: 'warm.example', envelopeFrom: '' }, mta: 'warm.example', read: 1 }, keep: 7 });
  const afterRead = base();
  await w.prepare({ kept: { id: 7, release: true }, overrides: { from: r.parse.ok.from, sender: r.parse.ok.sender, headers: r.parse.ok.headers }, ctx: {
          direction: 'buyer_to_store', aliasAddress: 'alias@warm.example',
          store: { id: 0, slug: 'warm', name: 'Warm', mailbox: 'store@warm.example' },
          buyer: { name: 'Warm', email: 'a@warm.example' }, hide: { addresses: ['a@warm.example'], names: [] },
          messageId: '<warm@warm.example>', threading: { inReplyTo: null, references: [], dropped: 0 }, now: new Date() }, campaign: null, compose: true });
  const warmMs = Date.now() - t1;
  const cpu = process.cpuUsage(t0);
  await new Promise((r) => setTimeout(r, 50));
  const afterPrepare = base();
  const s = new Session(); s.connect();
  const scripts = [];
  s.on('Debugger.scriptParsed', (m) => scripts.push({ url: m.params.url, len: m.params.length ?? 0 }));
  s.post('Debugger.enable');
  await new Promise((r) => setTimeout(r, 100));
  parentPort.postMessage({ before, afterImport, afterRead, afterPrepare, warmMs, cpuMs: Math.round((cpu.user + cpu.system) / 1000), scripts });
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });`;
const w = new Worker(code, { eval: true });
w.on('message', (m) => {
  const groups = {};
  for (const sc of m.scripts) {
    let k = sc.url;
    const i = k.lastIndexOf('node_modules/');
    if (i >= 0) {
      const rest = k.slice(i + 13).split('/');
      k = rest[0].startsWith('@') ? rest[0] + '/' + rest[1] : rest[0];
    } else if (k.includes('/dist/src/')) k = 'src/' + k.split('/dist/src/')[1].split('/').slice(0, -1).join('/');
    else if (k.startsWith('node:')) k = 'node:';
    else k = '(other)';
    groups[k] ??= { n: 0, kb: 0 };
    groups[k].n++;
    groups[k].kb += sc.len / 1024;
  }
  delete m.scripts;
  console.log(JSON.stringify(m));
  const rows = Object.entries(groups).sort((a, b) => b[1].kb - a[1].kb);
  let tot = 0;
  for (const [, g] of rows) tot += g.kb;
  console.log(
    'total source KB',
    Math.round(tot),
    'scripts',
    rows.reduce((n, [, g]) => n + g.n, 0),
  );
  for (const [k, g] of rows.slice(0, Number(process.env.TOP || 40))) console.log(String(Math.round(g.kb)).padStart(6), String(g.n).padStart(4), k);
});

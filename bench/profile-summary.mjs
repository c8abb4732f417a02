// Where a CPU profile's time went: `node bench/profile-summary.mjs FILE.cpuprofile [top]` prints
// the self time by file (node_modules packages and src files), by function, and the inclusive time
// by function, for the profiles `BENCH_PROFILE=1 npm run bench:relay` writes (one per thread).
/* global process, console */
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const top = Number(process.argv[3] ?? 25);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const sampled = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  sampled.set(id, (sampled.get(id) ?? 0) + dt);
  total += dt;
});
const short = (url) => url.replace(/.*node_modules\//, '').replace(/.*\/src\//, 'src/');
const fnKey = (cf) => `${cf.functionName || '(anonymous)'} ${short(cf.url)}:${cf.lineNumber + 1}`;
const fileKey = (cf) => (cf.url ? cf.url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1').replace(/.*\/src\/(.*)/, 'src/$1') : cf.functionName);
const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
const bySelfFile = new Map();
const bySelfFn = new Map();
const inclusive = new Map();
for (const [id, t] of sampled) {
  const cf = byId.get(id).callFrame;
  add(bySelfFile, fileKey(cf), t);
  add(bySelfFn, fnKey(cf), t);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = fnKey(byId.get(cur).callFrame);
    if (!seen.has(k)) add(inclusive, k, t);
    seen.add(k);
  }
}
const line = ([k, v]) => `${(v / 1000).toFixed(0).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`;
const show = (title, m) => {
  console.log(`--- ${title}`);
  for (const row of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(line(row));
};
console.log(`${process.argv[2]}: ${(total / 1000).toFixed(0)} ms sampled`);
show('self time by file', bySelfFile);
show('self time by function', bySelfFn);
show('inclusive time by function', inclusive);

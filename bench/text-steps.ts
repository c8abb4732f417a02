// Peak memory of each pool-thread step on one large text message, in-process:
// `node --expose-gc --import tsx bench/text-steps.ts MB KIND` (KIND plain | qp | html).
// Before each step a full collection and VmHWM reset (/proc/self/clear_refs 5); printed: the peak
// RSS the step reached above what was resident before it, and what stays after a collection.
// ALLOC=1 also lists the V8-heap allocations of 4 MB or more (sampling heap profiler) by stack.
import { Session } from 'node:inspector/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseReceived } from '../src/relay/parse.js';
import { rewrite } from '../src/core/rewrite.js';
import { composeInPlace, packMail, packPrepared } from '../src/relay/work.js';
import { buyerToStoreContext } from '../test/helpers/rewrite-context.js';

const mb = Number(process.argv[2] ?? 17);
const kind = process.argv[3] ?? 'qp';
const gc = (globalThis as { gc?: () => void }).gc!;
const words = Array.from({ length: 500 }, (_, i) => 'w' + ((i * 7919) % 100000).toString(36).padEnd(1 + (i % 8), 'x'));
let seed = 1;
const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
const lines: string[] = [];
for (let n = 0; n < mb * 1048576;) {
  const l = Array.from({ length: 12 }, () => words[rnd(500)]).join(' ');
  lines.push(l);
  n += l.length + 2;
}
let body: string, ctype: string, cte: string;
if (kind === 'html')
  [body, ctype, cte] = ['<html><body>' + lines.map((l) => `<p>${l}</p>`).join('\r\n') + '</body></html>\r\n', 'text/html; charset=utf-8', '7bit'];
else if (kind === 'qp')
  [body, ctype, cte] = [lines.map((l, i) => (i % 2 ? l + ' =C3=A9t=C3=A9=' : l)).join('\r\n') + '\r\n', 'text/plain; charset=utf-8', 'quoted-printable'];
else [body, ctype, cte] = [lines.join('\r\n') + '\r\n', 'text/plain; charset=utf-8', '7bit'];
let raw: Buffer | null = Buffer.from(
  `From: Jane <jane@buyer.example>\r\nTo: tok@relay.test\r\nSubject: long\r\nMIME-Version: 1.0\r\nContent-Type: ${ctype}\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n${body}`,
  'latin1',
);
lines.length = 0;
const MB = 1048576;
const status = () =>
  Object.fromEntries(
    readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .filter((l) => /^Vm(RSS|HWM)/.test(l))
      .map((l) => [l.split(':')[0], Number(l.split(/\s+/)[1]) / 1024]),
  );
const inspector = new Session();
inspector.connect();
const step = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
  gc();
  gc();
  writeFileSync('/proc/self/clear_refs', '5');
  const before = status().VmRSS!;
  if (process.env.ALLOC)
    await inspector.post('HeapProfiler.startSampling', {
      samplingInterval: 1 << 20,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  const r = await f();
  const peak = status().VmHWM!;
  let sites = '';
  if (process.env.ALLOC) {
    const { profile } = (await inspector.post('HeapProfiler.stopSampling')) as unknown as {
      profile: { head: Node; samples: { size: number; nodeId: number }[] };
    };
    type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children: Node[]; selfSize: number };
    const paths = new Map<number, string>();
    const walk = (n: Node, path: string[]) => {
      const here = [...path, `${n.callFrame.functionName || '(anon)'}@${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`];
      paths.set(n.id, here.slice(-6).join(' < '.replace('<', '>')));
      for (const c of n.children) walk(c, here);
    };
    walk(profile.head, []);
    const big = new Map<string, number>();
    for (const s of profile.samples)
      if (s.size >= 4 * MB)
        big.set(`${(s.size / MB).toFixed(1)} MB ${paths.get(s.nodeId)}`, (big.get(`${(s.size / MB).toFixed(1)} MB ${paths.get(s.nodeId)}`) ?? 0) + 1);
    sites = [...big].map(([k, n]) => `\n    ${n}x ${k}`).join('');
  }
  gc();
  gc();
  const m = process.memoryUsage();
  console.log(
    `${name.padEnd(10)} before ${before.toFixed(0)} MB, peak +${(peak - before).toFixed(0)} MB, after gc RSS ${(m.rss / MB).toFixed(0)} heap ${(m.heapUsed / MB).toFixed(0)} ab ${(m.arrayBuffers / MB).toFixed(0)}${sites}`,
  );
  return r;
};
console.log(`${kind}: ${(raw.length / 1e6).toFixed(1)} MB`);
const mail = await step('parse', () => parseReceived(raw!, 600_000));
console.log(`  text ${mail.text?.length} chars html ${mail.html?.length}`);
raw = null;
const moves: ArrayBuffer[] = [];
await step('pack', () => packMail(mail, moves));
moves.length = 0;
const out = await step('rewrite', () => rewrite(mail, buyerToStoreContext()));
console.log(`  text same: ${out.message.text === mail.text}`);
const bytes = await step('compose', () => composeInPlace(out.message, null, (n) => Buffer.from(new SharedArrayBuffer(n))));
console.log(`  composed ${bytes.length}`);
await step('packPrep', () => packPrepared(out.message, mail, moves));

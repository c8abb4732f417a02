// Bytes each pool-thread step of the relay allocates on one 1 MiB message, and the CPU it costs
// including its garbage collection: `npx tsx bench/step-alloc.ts [rounds] [kind]` (kinds: text,
// utf8, flowed, attachment; all by default). In-process, one thread, warm; per step, median over the rounds:
//  - heap: bytes allocated on the V8 heap (exact: the used heap after the step minus before, plus
//    what every collection during the step freed, from v8.GCProfiler);
//  - ext: the same for external memory (ArrayBuffer and Buffer contents; approximate, as V8 counts
//    an external free only when a collection runs);
//  - gc: collections during the step (scavenges / mark-compacts) and their pause on this thread;
//  - cpu: process CPU (user + system, every thread: V8's GC helper threads included);
//  - faults: minor page faults (fresh memory touched: each costs far more on this VM than a copy).
// Collections are paid by whichever step crosses a limit, so read the heap and ext columns first.
// compose, sign and hand back are the prepare step's bytes as they were made before round 8 (not in
// `total`); `in place` is the same work as the pool thread does it now (relay/work.ts composeInPlace).
// `ALLOC_PROFILE=step npx tsx bench/step-alloc.ts` also prints where that step allocates (V8's
// sampling heap profiler, collected objects included); `CPU_PROFILE=step` where it spends its CPU
// (self time over all rounds, top functions).
import { randomBytes } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { authenticateMail } from '../src/smtp/authenticate.js';
import { parseMail } from '../src/relay/parse.js';
import { rewrite } from '../src/core/rewrite.js';
import { composeMail } from '../src/relay/compose.js';
import { ensureDkimKey } from '../src/outbound/dkim.js';
import { dkimSignMessage, signSetup } from '../src/outbound/dkim-sign.js';
import { composeInPlace, packMail } from '../src/relay/work.js';
import type { DnsResolver } from '../src/dns/resolver.js';
import { buyerToStoreContext } from '../test/helpers/rewrite-context.js';
import { quantile } from './numbers.js';

const MiB = 1024 * 1024;
const rounds = Number(process.argv[2] ?? 20);
const only = process.argv[3];
const head = 'From: Jane Doe <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: bench\r\nMessage-ID: <b@buyer.example>\r\nMIME-Version: 1.0\r\n';
// peer-bench's 1 MiB tier: 79-character ASCII lines.
const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\r\n';
const text = line.repeat(Math.ceil(MiB / line.length)).slice(0, MiB);
// A short text and a 1 MiB attachment in base64: a JPEG whose scan is random bytes (an image crosses
// the wall: its metadata segments are walked, the picture kept byte for byte).
const jpeg = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
  Buffer.from([0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0]),
  randomBytes((MiB * 3) / 4 - 32),
  Buffer.from([0xff, 0xd9]),
]);
const att = jpeg.toString('base64').replace(/.{76}/g, '$&\r\n');
// Texts that cannot go as 7bit: accented prose in UTF-8 (8bit), and ASCII lines that end in a
// blank (format=flowed's soft breaks); 1 MiB each, so both go as base64 (transfer-encoding.ts).
const prose = 'Grüße aus München: Straße, Café crème, déjà vu, naïve Zoë prüft die Bestellung Nr. 4711.\r\n';
const utf8 = Buffer.from(prose.repeat(Math.ceil(MiB / Buffer.byteLength(prose)))).subarray(0, MiB - 2);
const flowedLine = 'The quick brown fox jumps over the lazy dog while the kettle boils 012345 \r\n';
const flowed = flowedLine.repeat(Math.ceil(MiB / flowedLine.length)).slice(0, MiB);
const kinds: Record<string, Buffer> = {
  text: Buffer.from(`${head}Content-Type: text/plain; charset=us-ascii\r\n\r\n${text}`, 'latin1'),
  utf8: Buffer.concat([
    Buffer.from(`${head}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`, 'latin1'),
    utf8.subarray(0, utf8.lastIndexOf('\r\n') + 2),
  ]),
  flowed: Buffer.from(`${head}Content-Type: text/plain; charset=us-ascii; format=flowed\r\n\r\n${flowed}`, 'latin1'),
  attachment: Buffer.from(
    `${head}Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n` +
      `--b1\r\nContent-Type: image/jpeg; name=x.jpg\r\nContent-Transfer-Encoding: base64\r\n\r\n${att}\r\n--b1--\r\n`,
    'latin1',
  ),
};

const keyDir = mkdtempSync(join(tmpdir(), 'mg-bench-dkim-'));
const dkim = signSetup(ensureDkimKey(keyDir, 'relay.test', 'sel'));
const resolver = (async () => {
  throw Object.assign(new Error('no DNS in the bench'), { code: 'ENOTFOUND' });
}) as unknown as DnsResolver;
const session = { ip: '127.0.0.1', helo: 'buyer.example', envelopeFrom: 'jane@buyer.example' };

interface Sample {
  heap: number;
  ext: number;
  scavenges: number;
  markCompacts: number;
  pause: number;
  cpu: number;
  faults: number;
}

/** Runs `fn` once, measured. */
async function measure<T>(fn: () => Promise<T> | T): Promise<{ value: T; sample: Sample }> {
  const profiler = new v8.GCProfiler();
  const before = v8.getHeapStatistics();
  profiler.start();
  const faults = process.resourceUsage().minorPageFault;
  const cpu = process.cpuUsage();
  const value = await fn();
  const spent = process.cpuUsage(cpu);
  const faulted = process.resourceUsage().minorPageFault - faults;
  const after = v8.getHeapStatistics();
  const gcs = profiler.stop()?.statistics ?? [];
  let heap = after.used_heap_size - before.used_heap_size;
  let ext = after.external_memory - before.external_memory;
  let pause = 0;
  let scavenges = 0;
  let markCompacts = 0;
  for (const gc of gcs) {
    heap += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
    ext += Math.max(0, gc.beforeGC.heapStatistics.externalMemory - gc.afterGC.heapStatistics.externalMemory);
    pause += gc.cost / 1000;
    if (/Scavenge|MinorMarkCompact/.test(gc.gcType)) scavenges++;
    else markCompacts++;
  }
  return { value, sample: { heap, ext, scavenges, markCompacts, pause, cpu: (spent.user + spent.system) / 1000, faults: faulted } };
}

const profileStep = process.env.ALLOC_PROFILE;
const cpuProfileStep = process.env.CPU_PROFILE;
const cpuProfiles: CpuProfile[] = [];
const inspector = new Session();
inspector.connect();

for (const [kind, raw] of Object.entries(kinds)) {
  if (only && only !== kind) continue;
  const steps = new Map<string, Sample[]>();
  const record = (name: string, s: Sample) => {
    if (!steps.has(name)) steps.set(name, []);
    steps.get(name)?.push(s);
  };
  for (let r = 0; r < rounds + 5; r++) {
    const warm = r < 5;
    const step = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
      const profiling = profileStep === name && !warm;
      const cpuProfiling = cpuProfileStep === name && !warm;
      if (profiling)
        await inspector.post('HeapProfiler.startSampling', {
          samplingInterval: 16384,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
      if (cpuProfiling) {
        await inspector.post('Profiler.enable');
        await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
        await inspector.post('Profiler.start');
      }
      const { value, sample } = await measure(fn);
      if (profiling) summarize((await inspector.post('HeapProfiler.stopSampling')).profile as never);
      if (cpuProfiling) cpuProfiles.push((await inspector.post('Profiler.stop')).profile);
      if (!warm) record(name, sample);
      return value;
    };
    await step('verify', () => authenticateMail(raw, session, resolver, 'relay.test'));
    const mail = await step('parse', () => parseMail(raw, 60_000));
    await step('pack read', () => packMail(mail, []));
    const { message, changes } = await step('rewrite', () => rewrite(mail, buyerToStoreContext()));
    if (r === 0 && changes.some((c) => c.rule === 'filter.attachment')) throw new Error(`the attachment was removed: ${JSON.stringify(changes)}`);
    // Before round 8 the pool thread composed into a new Buffer, signed into another and copied
    // that into shared memory to hand it back (compose, sign, hand back); now it composes into the
    // shared memory it hands back and signs there (in place). `total` counts the in-place path.
    const composed = await step('compose', () => composeMail(message));
    const signed = await step('sign', () => dkimSignMessage(composed, dkim));
    await step('hand back', () => Buffer.from(new SharedArrayBuffer(signed.length)).fill(signed));
    await step('in place', () => composeInPlace(message, dkim, (size) => Buffer.allocUnsafeSlow(size)));
    await step('pack prepared', () => packMail(message, []));
  }
  console.log(`\n${kind}: ${(raw.length / MiB).toFixed(2)} MiB, ${rounds} rounds, median per step`);
  console.log('step              heap MB   ext MB  scav  m-c  pause ms  cpu ms  faults');
  const total: Sample = { heap: 0, ext: 0, scavenges: 0, markCompacts: 0, pause: 0, cpu: 0, faults: 0 };
  const before = new Set(['compose', 'sign', 'hand back']);
  for (const [name, samples] of steps) {
    const med = (f: (s: Sample) => number) => quantile(samples.map(f), 0.5);
    const mean = (f: (s: Sample) => number) => samples.reduce((a, s) => a + f(s), 0) / samples.length;
    const row: Sample = {
      heap: med((s) => s.heap),
      ext: med((s) => s.ext),
      scavenges: mean((s) => s.scavenges),
      markCompacts: mean((s) => s.markCompacts),
      pause: mean((s) => s.pause),
      cpu: med((s) => s.cpu),
      faults: med((s) => s.faults),
    };
    if (!before.has(name)) for (const k of Object.keys(total) as (keyof Sample)[]) total[k] += row[k];
    print(name, row);
  }
  print('total', total);
  if (cpuProfiles.length) summarizeCpu(cpuProfiles.splice(0));
}
rmSync(keyDir, { recursive: true, force: true });

function print(name: string, s: Sample): void {
  const mb = (b: number) => (b / MiB).toFixed(2).padStart(8);
  console.log(
    `${name.padEnd(16)} ${mb(s.heap)} ${mb(s.ext)} ${s.scavenges.toFixed(1).padStart(5)} ${s.markCompacts.toFixed(2).padStart(4)} ${s.pause.toFixed(2).padStart(9)} ${s.cpu.toFixed(1).padStart(7)} ${String(s.faults).padStart(7)}`,
  );
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

function summarize(profile: { head: ProfileNode; samples: { size: number; nodeId: number }[] }): void {
  const self = new Map<string, number>();
  const where = new Map<number, string>();
  const walk = (n: ProfileNode, path: string) => {
    const cf = n.callFrame;
    where.set(n.id, `${cf.functionName || '(anon)'}:${cf.lineNumber + 1} < ${path}`);
    const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1} < ${path}`;
    if (n.selfSize) self.set(key, (self.get(key) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c, `${cf.functionName || '(anon)'}:${cf.lineNumber + 1}`);
  };
  walk(profile.head, '');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`   ${(v / MiB).toFixed(2).padStart(7)} MB  ${k}`);
  // Objects of 128 KiB or more live in V8's large-object space: each is fresh memory (mmap).
  for (const s of profile.samples) if (s.size >= 128 * 1024) console.log(`   large object ${(s.size / MiB).toFixed(2)} MB  ${where.get(s.nodeId)}`);
}

interface CpuProfile {
  nodes: { id: number; callFrame: ProfileNode['callFrame']; hitCount?: number }[];
  samples?: number[];
}

function summarizeCpu(profiles: CpuProfile[]): void {
  const self = new Map<string, number>();
  let total = 0;
  for (const p of profiles)
    for (const n of p.nodes) {
      const cf = n.callFrame;
      const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + (n.hitCount ?? 0));
      total += n.hitCount ?? 0;
    }
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`   ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
}

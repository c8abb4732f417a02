// CPU and RSS of the relay's pool work alone, in-process: N messages of S bytes (79-character ASCII
// lines, as peer-bench's smtp-source sends) read, rewritten, composed and DKIM-signed on a WorkPool,
// C at a time. Prints CPU ms per message (process.cpuUsage: every thread, user + system, so malloc's
// mmap/munmap and page faults count) and peak RSS. For A/Bs of allocator and V8 settings:
//   node --expose-gc --import tsx bench/pool-memory.ts [bytes=1048576] [messages=60] [concurrency=4] [threads=2]
//   MALLOC_MMAP_THRESHOLD_=1048576 node --expose-gc --import tsx bench/pool-memory.ts
// The first round (messages / 4) warms up and is not counted. HOLD=n keeps each message's signed
// bytes until n later ones are prepared, and the main thread runs collectIfGrown after each message,
// as the SMTP thread holds them until their commit and delivery (default 0: dropped at once).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDkimKey } from '../src/outbound/dkim.js';
import { collectIfGrown } from '../src/relay/collect-garbage.js';
import { WorkPool } from '../src/relay/work-pool.js';
import { buyerToStoreContext } from '../test/helpers/rewrite-context.js';

const [bytes = 1048576, messages = 60, concurrency = 4, threads = 2] = process.argv.slice(2).map(Number);
const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\r\n';
const body = line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
const raw = Buffer.from(
  `From: Jane Doe <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: bench\r\nMessage-ID: <b@buyer.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${body}`,
  'latin1',
);
const ctx = buyerToStoreContext();
const keyDir = mkdtempSync(join(tmpdir(), 'pool-memory-'));
const pool = new WorkPool(threads, ensureDkimKey(keyDir, 'relay.test', 'sel'));
const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rss())), 20);

async function one(): Promise<void> {
  // A copy in shared memory, as the spool hands it over.
  const shared = new Uint8Array(new SharedArrayBuffer(raw.length));
  shared.set(raw);
  const { mail, kept } = await pool.read(shared, 60_000, null);
  const { bytes: signed } = await pool.prepare({ mail, kept: kept ? { mail: kept, release: true } : null, ctx: ctx as never, campaign: null, compose: true });
  if (hold > 0 && signed) {
    held.push(signed);
    if (held.length > hold) held.shift();
    setImmediate(() => collectIfGrown(raw.length));
  }
}
const hold = Number(process.env.HOLD ?? 0);
const held: Uint8Array[] = [];
async function round(n: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) await one();
    }),
  );
}
await pool.warmUp();
await round(Math.max(1, Math.floor(messages / 4)));
const atStart = rss();
const cpu = process.cpuUsage();
const faults = process.resourceUsage().minorPageFault;
const t0 = performance.now();
await round(messages);
const d = process.cpuUsage(cpu);
clearInterval(sampler);
console.log(
  `${bytes} B x ${messages}, ${concurrency} at a time, ${threads} threads: CPU ${((d.user + d.system) / 1000 / messages).toFixed(1)} ms/msg (user ${(d.user / 1000 / messages).toFixed(1)}, system ${(d.system / 1000 / messages).toFixed(1)}), wall ${((performance.now() - t0) / messages).toFixed(1)} ms/msg, ${((process.resourceUsage().minorPageFault - faults) / messages).toFixed(0)} page faults/msg, RSS ${atStart.toFixed(0)} MB after warm-up, peak ${peak.toFixed(0)} MB, end ${rss().toFixed(0)} MB`,
);
await pool.close();
rmSync(keyDir, { recursive: true, force: true });

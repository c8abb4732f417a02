// CPU per message of the intake spool (smtp/spool.ts): a message fed in 64 KiB chunks as a socket
// delivers them, received, admitted under a byte budget, read back (into shared memory) and removed.
// `npx tsx bench/spool-times.ts [bytes] [dir]`; NO_BUDGET=1: the spool is given no budget, so a
// message past SPOOL_FROM_BYTES goes to a file (as before round 6).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ByteBudget } from '../src/relay/byte-budget.js';
import { Spool } from '../src/smtp/spool.js';

const bytes = Number(process.argv[2] ?? 1024 * 1024);
const dir = mkdtempSync(join(process.argv[3] ?? tmpdir(), 'spool-bench-'));
const rounds = Number(process.env.ROUNDS ?? 200);
const message = Buffer.alloc(bytes, 'The quick brown fox jumps over the lazy dog\r\n');
const spool = new Spool(dir);
const budget = new ByteBudget(96 * 1024 * 1024);
const intake = process.env.NO_BUDGET ? null : budget;

async function one(): Promise<void> {
  const stream = new PassThrough();
  const received = spool.receive(stream, 64 * 1024 * 1024, intake);
  for (let at = 0; at < bytes; at += 64 * 1024) {
    // A socket's chunks are new buffers each time.
    if (!stream.write(Buffer.from(message.subarray(at, at + 64 * 1024)))) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
  const got = await received;
  const release = await got.admit(budget, bytes * 8, 1000);
  await got.read();
  release?.();
  await got.remove();
}

for (let i = 0; i < 20; i++) await one();
const cpu = process.cpuUsage();
const t = performance.now();
for (let i = 0; i < rounds; i++) await one();
const d = process.cpuUsage(cpu);
console.log(
  `spool ${bytes} B ${intake ? 'under a budget' : 'no budget'}: ${((d.user + d.system) / 1000 / rounds).toFixed(2)} ms CPU/msg (user ${(d.user / 1000 / rounds).toFixed(2)}, system ${(d.system / 1000 / rounds).toFixed(2)}), ${((performance.now() - t) / rounds).toFixed(2)} ms wall`,
);

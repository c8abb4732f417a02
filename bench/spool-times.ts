// CPU per message of the intake spool (smtp/spool.ts): a message fed in 64 KiB chunks as a socket
// delivers them, received, admitted under a byte budget, read back (into shared memory) and removed.
// `npx tsx bench/spool-times.ts [bytes] [dir]`; NO_BUDGET=1: the spool is given no budget, so a
// message past SPOOL_FROM_BYTES goes to a file (as before round 6). SESSIONS=n: n messages at once
// (as n SMTP sessions), each read after all have arrived. Reports the main thread's CPU (schedstat)
// and its page faults (minor faults of the process, /proc/self/stat) per message.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ByteBudget } from '../src/relay/byte-budget.js';
import { Spool } from '../src/smtp/spool.js';
import { mainThreadMs } from './text-message.js';

const bytes = Number(process.argv[2] ?? 1024 * 1024);
const dir = mkdtempSync(join(process.argv[3] ?? tmpdir(), 'spool-bench-'));
const rounds = Number(process.env.ROUNDS ?? 200);
const message = Buffer.alloc(bytes, 'The quick brown fox jumps over the lazy dog\r\n');
const spool = new Spool(dir);
const budget = new ByteBudget(96 * 1024 * 1024);
const intake = process.env.NO_BUDGET ? null : budget;
const sessions = Number(process.env.SESSIONS ?? 1);

/** Minor page faults of this process so far (/proc/self/stat field 10). */
function minorFaults(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

async function one(): Promise<void> {
  await Promise.all(Array.from({ length: sessions }, () => session()));
}

async function session(): Promise<void> {
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
const main = mainThreadMs();
const faults = minorFaults();
const t = performance.now();
for (let i = 0; i < rounds; i++) await one();
const d = process.cpuUsage(cpu);
const n = rounds * sessions;
console.log(
  `spool ${bytes} B ${intake ? 'under a budget' : 'no budget'}, ${sessions} at once: ${((d.user + d.system) / 1000 / n).toFixed(2)} ms CPU/msg (user ${(d.user / 1000 / n).toFixed(2)}, system ${(d.system / 1000 / n).toFixed(2)}), main thread ${((mainThreadMs() - main) / n).toFixed(2)} ms, ${((minorFaults() - faults) / n).toFixed(0)} page faults/msg, ${((performance.now() - t) / n).toFixed(2)} ms wall`,
);

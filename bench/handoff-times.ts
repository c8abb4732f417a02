// The SMTP thread's CPU per hand-off to a relay pool thread, for a small message: `npx tsx
// bench/handoff-times.ts [bytes=10240]` (ROUNDS=n, default 3000). Three steps, each timed alone, warm,
// one at a time on one pool thread: an empty task (`held`: piscina's round trip alone), the read
// (verify + parse, its DNS questions answered on this thread from an empty resolver) and the prepare
// from the kept copy (rewrite, compose, DKIM). Prints the main thread's CPU per step (utime + stime
// of this thread, from the scheduler's count in /proc) and the whole
// process's. Main-thread CPU is what the 10 KiB tier is short of.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRefusal } from '../src/core/alias-token.js';
import { readHeaderBlock } from '../src/core/header-block.js';
import { ensureDkimKey } from '../src/outbound/dkim.js';
import { WorkPool } from '../src/relay/work-pool.js';
import { expectedQuestions } from '../src/smtp/auth-questions.js';
import { buyerToStoreContext } from '../test/helpers/rewrite-context.js';
import { mainThreadMs, textMessage } from './text-message.js';

const bytes = Number(process.argv[2] ?? 10240);
const rounds = Number(process.env.ROUNDS ?? 3000);
const { raw, session } = textMessage(bytes);
const header = readHeaderBlock(raw);
if (isRefusal(header)) throw new Error('the bench message has a bad header');
// As receive asks (stages/receive.ts): the questions verification asks first go answered with the
// task; ANSWERS=0 leaves them to the DNS port, as before round 7.
const verify = {
  session,
  resolver: async (): Promise<never[]> => [],
  mta: 'relay.test',
  ...(process.env.ANSWERS === '0' ? {} : { expected: expectedQuestions(session, header) }),
};

async function cpu(name: string, step: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 50; i++) await step();
  const from = process.cpuUsage();
  const main = mainThreadMs();
  for (let i = 0; i < rounds; i++) await step();
  const d = process.cpuUsage(from);
  console.log(
    `${name.padEnd(30)} main thread ${((mainThreadMs() - main) / rounds).toFixed(3)} ms, process ${((d.user + d.system) / 1000 / rounds).toFixed(2)} ms CPU/msg`,
  );
}

const keyDir = mkdtempSync(join(tmpdir(), 'handoff-'));
const pool = new WorkPool(1, ensureDkimKey(keyDir, 'relay.test', 'sel'));
await pool.warmUp();
const copy = (): Uint8Array => {
  // A new copy in shared memory per message, as the spool hands it over.
  const shared = Buffer.from(new SharedArrayBuffer(raw.length));
  raw.copy(shared);
  return shared;
};
const only = process.env.ONLY?.split(',');
if (!only || only.includes('empty')) await cpu('empty task (held)', () => pool.held());
if (!only || only.includes('read')) await cpu('read (verify + parse)', () => pool.read(copy(), 20_000, verify));
if (!only || only.includes('parse')) await cpu('read (parse only)', () => pool.read(copy(), 20_000, null));
if (!only || only.includes('prepare')) {
  const { mail, kept } = await pool.read(copy(), 20_000, null);
  const ctx = buyerToStoreContext();
  await cpu('prepare (kept copy)', () => pool.prepare({ mail, kept: kept ? { mail: kept, release: false } : null, ctx, campaign: null, compose: true }));
}
if (!only || only.includes('both')) {
  const ctx = buyerToStoreContext();
  await cpu('read + prepare', async () => {
    const { mail, kept } = await pool.read(copy(), 20_000, verify);
    return pool.prepare({ mail, kept: kept ? { mail: kept, release: true } : null, ctx, campaign: null, compose: true });
  });
}
await pool.close();
rmSync(keyDir, { recursive: true, force: true });

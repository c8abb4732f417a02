// CPU per message of the read step (verify + parse), in-process and through a pool thread, and its
// parts: `npx tsx bench/read-times.ts [bytes]` (ROUNDS=n). The message is what peer-bench's
// smtp-source sends: 79-character ASCII lines of text/plain. CPU is the whole process's (every
// thread, V8's helpers too), per message, after a warm-up: robust to a loaded machine, unlike wall time.
import { parseMail } from '../src/relay/parse.js';
import { authenticateMail } from '../src/smtp/authenticate.js';
import { WorkPool } from '../src/relay/work-pool.js';
import { textStart } from '../src/relay/work.js';
import { buyerToStoreContext } from '../test/helpers/rewrite-context.js';
import { mainThreadMs, textMessage } from './text-message.js';

const bytes = Number(process.argv[2] ?? 1024 * 1024);
const rounds = Number(process.env.ROUNDS ?? 40);
const { raw, session } = textMessage(bytes);
const resolver = async (): Promise<never[]> => [];

async function cpu(name: string, step: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 5; i++) await step();
  const from = process.cpuUsage();
  const main = mainThreadMs();
  for (let i = 0; i < rounds; i++) await step();
  const d = process.cpuUsage(from);
  const m = (mainThreadMs() - main) / rounds;
  console.log(`${name.padEnd(28)} ${((d.user + d.system) / 1000 / rounds).toFixed(2)} ms CPU/msg, main thread ${m.toFixed(2)} ms`);
}

const only = process.env.ONLY;
if (!only || only === 'inline') {
  await cpu('parse', () => parseMail(raw, 20_000));
  await cpu('verify', () => authenticateMail(raw, session, resolver as never, 'relay.test'));
}
if (!only || only === 'pool') {
  const pool = new WorkPool(1);
  await pool.warmUp();
  await cpu(`pool read (${process.env.RAW === 'plain' ? 'Buffer' : 'shared'} raw)`, async () => {
    // A new copy of the bytes per message, as the spool reads them back (RAW=plain: an ordinary Buffer, cloned to the thread).
    const bytes = process.env.RAW === 'plain' ? Buffer.allocUnsafeSlow(raw.length) : Buffer.from(new SharedArrayBuffer(raw.length));
    raw.copy(bytes);
    // What the thread keeps for prepare is bounded there (KEEP_ALL): the oldest go first.
    await pool.read(bytes, 20_000, { session, resolver: resolver as never, mta: 'relay.test' });
  });
  await pool.close();
}
if (!only || only === 'prepare') {
  // The rewrite's hand-back: prepare (rewrite, compose; no key, so no signing) from the kept copy,
  // then what the commit stage reads of the result on the SMTP thread (the first 20 000 characters).
  const pool = new WorkPool(1);
  await pool.warmUp();
  const shared = Buffer.from(new SharedArrayBuffer(raw.length));
  raw.copy(shared);
  const { mail, kept } = await pool.read(shared, 20_000, null);
  await cpu('pool prepare (+ commit read)', async () => {
    const p = await pool.prepare({ mail, kept: kept ? { mail: kept, release: false } : null, ctx: buyerToStoreContext(), campaign: null, compose: true });
    return textStart(p.message, 20_000);
  });
  await pool.close();
}

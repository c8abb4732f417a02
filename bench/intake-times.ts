// The SMTP thread's cost of receiving DATA (smtp/spool.ts) with real smtp-server sessions: SESSIONS
// clients (in a worker thread, so their CPU is not counted) each send messages of [bytes] over their
// own connection, one connection per message as peer-bench does; the server receives each into the
// spool under a 96 MiB byte budget, admits it, reads it, holds it HOLD_MS (the pipeline's work, during
// which other sessions' chunks keep arriving) and removes it. Reports the main thread's CPU
// (schedstat) and the process's minor page faults per message.
// `npx tsx bench/intake-times.ts [bytes] [messages]` (SESSIONS, HOLD_MS); SPOOL=path: another spool module to compare
// (e.g. the previous commit's, exported with `git show HEAD~1:src/smtp/spool.ts`). DATA is read as the
// gateway reads it (smtp/dot-unstuffing.ts); UNSTUFF=smtp-server: with smtp-server's own reader.
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';
import { ByteBudget, MEMORY_PER_BYTE } from '../src/relay/byte-budget.js';
import type { Spool as SpoolClass } from '../src/smtp/spool.js';
import { mainThreadMs, textMessage } from './text-message.js';

const bytes = Number(process.argv[2] ?? 1024 * 1024);
const messages = Number(process.argv[3] ?? 200);
const sessions = Number(process.env.SESSIONS ?? 20);
const holdMs = Number(process.env.HOLD_MS ?? 20);
const { Spool } = (await import(process.env.SPOOL ?? '../src/smtp/spool.js')) as { Spool: typeof SpoolClass };
if (process.env.UNSTUFF !== 'smtp-server') await import('../src/smtp/dot-unstuffing.js');

function minorFaults(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

const spool = new Spool(mkdtempSync(join(tmpdir(), 'intake-bench-')));
const budget = new ByteBudget(96 * 1024 * 1024);
let done = 0;
const server = new SMTPServer({
  disabledCommands: ['AUTH', 'STARTTLS'],
  disableReverseLookup: true,
  logger: false,
  size: 64 * 1024 * 1024,
  onData(stream, _session, callback) {
    void (async () => {
      const got = await spool.receive(stream, 64 * 1024 * 1024, budget);
      const release = await got.admit(budget, got.size * MEMORY_PER_BYTE, 60_000);
      const raw = await got.read();
      if (raw.byteLength !== got.size) throw new Error('short read');
      await new Promise((r) => setTimeout(r, holdMs));
      release?.();
      await got.remove();
      done += 1;
      callback(null, 'ok');
    })().catch((err: Error) => callback(err));
  },
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.server.address() as AddressInfo).port;

const clientCode = `
const net = require('node:net');
const { workerData, parentPort } = require('node:worker_threads');
const { port, raw, count, sessions } = workerData;
const payload = Buffer.concat([Buffer.from(raw), Buffer.from('\\r\\n.\\r\\n')]);
function one() {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let step = 0, buf = '';
    const script = ['EHLO bench.example\\r\\n', 'MAIL FROM:<a@bench.example>\\r\\n', 'RCPT TO:<b@bench.example>\\r\\n', 'DATA\\r\\n', payload, 'QUIT\\r\\n'];
    s.on('data', (d) => {
      buf += d.toString('latin1');
      while (true) {
        const m = /^(\\d{3}) [^\\r\\n]*\\r\\n/m.exec(buf);
        if (!m) return;
        buf = buf.slice(m.index + m[0].length);
        if (step < script.length) s.write(script[step++]);
        else s.end();
      }
    });
    s.on('close', resolve);
    s.on('error', reject);
  });
}
let left = count;
async function lane() { while (left-- > 0) await one(); }
Promise.all(Array.from({ length: sessions }, lane)).then(() => parentPort.postMessage('done'));
`;

async function run(count: number): Promise<void> {
  const raw = textMessage(bytes).raw;
  const worker = new Worker(clientCode, { eval: true, workerData: { port, raw, count, sessions } });
  await new Promise((r) => worker.once('message', r));
  await worker.terminate();
}

await run(Math.max(sessions, 20));
const cpu = mainThreadMs();
const faults = minorFaults();
const before = done;
const t = performance.now();
await run(messages);
const n = done - before;
console.log(
  `${process.env.SPOOL ? 'other spool' : 'this spool'}, ${process.env.UNSTUFF === 'smtp-server' ? "smtp-server's" : 'replaced'} dot-unstuffing: ${bytes} B x ${n}, ${sessions} sessions: main thread ${((mainThreadMs() - cpu) / n).toFixed(2)} ms CPU/msg, ${((minorFaults() - faults) / n).toFixed(0)} page faults/msg, ${((performance.now() - t) / n).toFixed(2)} ms wall/msg, RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`,
);
server.close();
process.exit(0);

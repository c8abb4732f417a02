// Times the main thread's database work per message in-process, part by part: the commit (messages
// row with its triggers, search row, body, event, outbox row with the signed body), the group
// commit's WAL sync, the delivery's claim, its read of the signed bytes and its mark-done.
// `npx tsx bench/commit-times.ts [bytes] [messages per commit]` (defaults 10240 and 8). Per
// message: "main" is the calling thread's CPU (/proc/thread-self/schedstat: what the SMTP thread
// pays), "all" the process's (process.cpuUsage: libuv's fdatasync and the checkpoint thread too);
// the first round warms up. CHECKPOINT=main runs SQLite's automatic checkpoint on the committing
// connection (as before round 6) instead of the checkpoint thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCommit } from '../src/relay/group-commit.js';
import { OutboxEntry, sqliteLetters, type Letter } from '../src/relay/outbox-entry.js';
import { openDb } from '../src/store/db.js';
import { PairRepo } from '../src/store/pairs.js';
import { StoreRepo } from '../src/store/stores.js';
import { sqliteStorage } from '../src/store/sqlite/storage.js';
import { WalCheckpointer } from '../src/store/sqlite/wal-checkpointer.js';
import { readFileSync } from 'node:fs';

const bytes = Number(process.argv[2] ?? 10240);
const perCommit = Number(process.argv[3] ?? 8);
const rounds = Number(process.env.ROUNDS ?? 6);
const messagesPerRound = Number(process.env.MESSAGES ?? (bytes >= 512 * 1024 ? 40 : 400));

const dir = mkdtempSync(join(tmpdir(), 'commit-times-'));
const db = openDb(dir);
const store = new StoreRepo(db).create({ slug: 'acme', name: 'Acme', mailbox: 'support@acme.example' });
const pair = db.transaction(() => new PairRepo(db).ensure(store.id, 'jane@buyer.example', 'Jane Doe', 'customer'))().view.pair;
const checkpointer = process.env.CHECKPOINT === 'main' ? null : new WalCheckpointer(db);
const group = new GroupCommit(db);
const entry = new OutboxEntry(
  sqliteLetters(group, db),
  async (raw) => raw,
  () => {},
);
const storage = sqliteStorage(db, { sessionTtlMs: 60_000, commit: group });

const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\r\n';
const original = Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes), 'latin1');
// The signed copy is base64 at 1 MiB (nodemailer's choice for long lines): 1.37 × the original.
const signed = Buffer.from(line.repeat(Math.ceil((bytes * 1.37) / line.length)).slice(0, Math.round(bytes * 1.37)), 'latin1');
const text = original.toString('latin1').slice(0, 20_000).replace(/\s+/g, ' ');

let n = 0;
function letter(): Letter {
  n++;
  return {
    mail: signed,
    signed: true,
    kind: 'relay',
    envFrom: `${pair.token}@relay.test`,
    envTo: 'support@acme.example',
    message: {
      pairId: pair.id,
      storeId: store.id,
      critical: false,
      criticalToOptedOut: false,
      suspicious: false,
      snippet: text.slice(0, 200),
      searchText: text,
      category: 'buyer_message',
      buyerName: 'Jane Doe',
      autoSubmitted: false,
      direction: n % 2 ? 'buyer_to_store' : 'store_to_buyer',
      source: 'smtp',
      authorEmail: 'jane@buyer.example',
      permittedSenderId: null,
      subject: `bench ${n}`,
      originalMessageId: `<b${n}@buyer.example>`,
      relayMessageId: `<r${n}@relay.test>`,
      verdict: 'accept',
      findings: [{ rule: 'sender-auth', result: 'pass' }],
      changes: [{ rule: 'address', detail: 'text', count: 1 }],
      raw: original,
      receivedAt: Date.now(),
    },
  };
}

/** CPU of this thread so far, ms (Linux). */
const threadMs = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
const cpu = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

for (let round = 0; round < rounds; round++) {
  const all = process.cpuUsage();
  const main = threadMs();
  let c = process.cpuUsage();
  for (let i = 0; i < messagesPerRound; i += perCommit) {
    await Promise.all(Array.from({ length: Math.min(perCommit, messagesPerRound - i) }, () => entry.post([letter()])));
  }
  const commitMs = cpu(c);
  c = process.cpuUsage();
  const claimed = [];
  while (claimed.length < messagesPerRound) {
    const rows = await storage.outbox.claim('bench', 10, 60_000);
    if (rows.length === 0) break;
    claimed.push(...rows);
  }
  const claimMs = cpu(c);
  c = process.cpuUsage();
  for (const row of claimed) await storage.outbox.raw(row.id);
  const readMs = cpu(c);
  c = process.cpuUsage();
  await Promise.all(claimed.map((row) => storage.outbox.markDone(row.id, 'sent', 1)));
  const doneMs = cpu(c);
  const per = (ms: number) => (ms / messagesPerRound).toFixed(3);
  console.log(
    `${bytes} B, ${perCommit}/commit: all threads: commit ${per(commitMs)}  claim ${per(claimMs)}  read ${per(readMs)}  markDone ${per(doneMs)}  = ${per(cpu(all))}; main thread ${per(threadMs() - main)} ms CPU/msg${round === 0 ? ' (warm-up)' : ''}`,
  );
}
group.close();
await checkpointer?.close();
db.close();
rmSync(dir, { recursive: true, force: true });

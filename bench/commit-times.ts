// Times the main thread's database work per message in-process, part by part: the commit (messages
// row with its triggers, search row, body, event, outbox row with the signed body), the group
// commit's WAL sync, the delivery's claim, its read of the signed bytes and its mark-done.
// `npx tsx bench/commit-times.ts [bytes] [messages per commit]` (defaults 10240 and 8; SIGNED=shared
// or SIGNED=whole: a plain text whose signed copy shares the original's body, or the same with one
// byte changed, see below). Per message: "main" is the calling thread's CPU (/proc/thread-self/schedstat: what the SMTP thread
// pays), "all" the process's (process.cpuUsage: libuv's fdatasync and the checkpoint thread too);
// the first round warms up. CHECKPOINT=main runs SQLite's automatic checkpoint on the committing
// connection (as before round 6) instead of the checkpoint thread.
// STEPS=1 also times every SQL statement the rounds run (better-sqlite3's run/get/all wrapped, the
// process's CPU, which is this thread's while no checkpoint thread runs, so triggers count in the statement that fires them; BEGIN, SAVEPOINT,
// RELEASE and COMMIT are statements too), printed per message after the last round; and the pages
// the rounds wrote into the WAL (what each COMMIT writes and syncs, and a checkpoint later copies),
// by the table or index they belong to (SQLite's dbstat), per message.
// ABLATE=1 instead commits the same messages into fresh databases, each with one trigger or index
// dropped (ABLATE=word,word: only those whose name has one of the words), rounds interleaved, and
// prints what each costs the committing thread (median CPU per message of the commit without it,
// against with it: run it a few times, the differences are small).
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
import Database from 'better-sqlite3';

const bytes = Number(process.argv[2] ?? 10240);
const perCommit = Number(process.argv[3] ?? 8);
const rounds = Number(process.env.ROUNDS ?? 6);
const messagesPerRound = Number(process.env.MESSAGES ?? (bytes >= 512 * 1024 ? 40 : 400));

interface Bench {
  readonly dir: string;
  readonly db: ReturnType<typeof openDb>;
  readonly pair: { id: number; token: string };
  readonly storeId: number;
  readonly group: GroupCommit;
  readonly entry: OutboxEntry;
  readonly storage: ReturnType<typeof sqliteStorage>;
  readonly checkpointer: WalCheckpointer | null;
}

/** A fresh database with one store and one buyer; `alter` runs on it first (ABLATE). */
function open(alter?: (db: ReturnType<typeof openDb>) => void): Bench {
  const dir = mkdtempSync(join(tmpdir(), 'commit-times-'));
  const db = openDb(dir);
  alter?.(db);
  const store = new StoreRepo(db).create({ slug: 'acme', name: 'Acme', mailbox: 'support@acme.example' });
  const pair = db.transaction(() => new PairRepo(db).ensure(store.id, 'jane@buyer.example', 'Jane Doe', 'customer'))().view.pair;
  // STEPS: no checkpoint at all, so the WAL keeps every frame the rounds wrote (counted at the end).
  if (process.env.STEPS === '1') db.pragma('wal_autocheckpoint = 0');
  const checkpointer = process.env.CHECKPOINT === 'main' || process.env.STEPS === '1' ? null : new WalCheckpointer(db);
  const group = new GroupCommit(db);
  const entry = new OutboxEntry(
    sqliteLetters(group, db),
    async (raw) => raw,
    () => {},
  );
  const storage = sqliteStorage(db, { sessionTtlMs: 60_000, commit: group });
  return { dir, db, pair, storeId: store.id, group, entry, storage, checkpointer };
}

async function close(b: Bench): Promise<void> {
  b.group.close();
  // The checkpoint thread is unref'd: keep the loop alive until it has ended.
  const alive = setInterval(() => {}, 1000);
  await b.checkpointer?.close();
  clearInterval(alive);
  b.db.close();
  rmSync(b.dir, { recursive: true, force: true });
}

const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\r\n';
// SIGNED=shared: a plain text masking left alone, as the 1 MiB tier sends since round 9 (7bit, the
// body as it arrived): the signed copy is a header block and the original's body, which the outbox
// stores once (relay/shared-body.ts). SIGNED=whole: the same sizes with one byte of the body
// changed, so it is stored twice (what every large text cost before round 17). Unset: round 6's
// model, a base64 copy 1.37 × the original.
const mode = process.env.SIGNED ?? '';
const textBody = Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes), 'latin1');
const original = mode ? Buffer.concat([Buffer.from('From: Jane <jane@buyer.example>\r\nTo: tok@relay.test\r\nSubject: bench\r\n\r\n'), textBody]) : textBody;
const signed = mode
  ? Buffer.concat([Buffer.from(`DKIM-Signature: v=1; ${'b=x'.repeat(200)}\r\nFrom: Jane <tok@relay.test>\r\nSubject: bench\r\n\r\n`), textBody])
  : Buffer.from(line.repeat(Math.ceil((bytes * 1.37) / line.length)).slice(0, Math.round(bytes * 1.37)), 'latin1');
if (mode === 'whole') signed[signed.length - 3] = 0x21;
// The search text: the commit indexes the delivered text's first 20 000 characters (SEARCH_CHARS to try another bound).
const text = textBody
  .toString('latin1')
  .slice(0, Number(process.env.SEARCH_CHARS ?? 20_000))
  .replace(/\s+/g, ' ');

let n = 0;
function letter({ pair, storeId }: Bench): Letter {
  n++;
  return {
    mail: signed,
    signed: true,
    kind: 'relay',
    envFrom: `${pair.token}@relay.test`,
    envTo: 'support@acme.example',
    message: {
      pairId: pair.id,
      storeId,
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

/** Wall time per SQL statement (STEPS=1): better-sqlite3's run/get/all wrapped. */
const steps = new Map<string, { ms: number; calls: number }>();
if (process.env.STEPS === '1') {
  const Statement = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as Record<'run' | 'get' | 'all', (...a: unknown[]) => unknown>;
  for (const method of ['run', 'get', 'all'] as const) {
    const original = Statement[method];
    Statement[method] = function (this: { source: string }, ...args: unknown[]) {
      const t0 = process.cpuUsage();
      try {
        return original.apply(this, args);
      } finally {
        const key = this.source.replace(/\s+/g, ' ').slice(0, 90);
        const s = steps.get(key) ?? { ms: 0, calls: 0 };
        s.ms += cpu(t0);
        s.calls++;
        steps.set(key, s);
      }
    };
  }
}

/** One round: commit, claim, read, mark done; the committing thread's CPU per message of each part. */
async function round(b: Bench): Promise<{ commit: number; claim: number; read: number; done: number; all: number; main: number }> {
  const all = process.cpuUsage();
  const main = threadMs();
  let c = process.cpuUsage();
  for (let i = 0; i < messagesPerRound; i += perCommit) {
    await Promise.all(Array.from({ length: Math.min(perCommit, messagesPerRound - i) }, () => b.entry.post([letter(b)])));
  }
  const commitMs = cpu(c);
  const commitMain = threadMs() - main;
  c = process.cpuUsage();
  const claimed = [];
  while (claimed.length < messagesPerRound) {
    const rows = await b.storage.outbox.claim('bench', 10, 60_000);
    if (rows.length === 0) break;
    claimed.push(...rows);
  }
  const claimMs = cpu(c);
  c = process.cpuUsage();
  for (const row of claimed) await b.storage.outbox.raw(row.id);
  const readMs = cpu(c);
  c = process.cpuUsage();
  await Promise.all(claimed.map((row) => b.storage.outbox.markDone(row.id, 'sent', 1)));
  const doneMs = cpu(c);
  const per = (ms: number) => ms / messagesPerRound;
  return {
    commit: per(commitMs),
    claim: per(claimMs),
    read: per(readMs),
    done: per(doneMs),
    all: per(cpu(all)),
    main: per(threadMs() - main),
    commitMain: per(commitMain),
  } as never;
}

const f = (ms: number) => ms.toFixed(3);

/** Every frame in the WAL by the table or index its page belongs to now (dbstat; pages since freed: "free"). */
function walFrames(b: Bench): Map<string, number> {
  const pageSize = Number(b.db.pragma('page_size', { simple: true }));
  const owner = new Map<number, string>();
  for (const r of b.db.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[]) owner.set(r.pageno, r.name);
  const wal = readFileSync(`${b.db.name}-wal`);
  const counts = new Map<string, number>();
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    const name = owner.get(wal.readUInt32BE(at)) ?? 'free';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

if (process.env.ARRIVALS) {
  // Messages arriving as from SMTP sessions, not in bursts: SESSIONS sessions (100) each post one
  // message, wait for its commit (the 250), then a random 0-2x of the mean gap that makes
  // ARRIVALS messages a second in all (the rest of a session and its pool work), and post again.
  // The group commit forms its groups as in the gateway; printed: messages per COMMIT, WAL syncs,
  // and the CPU per message (the committing thread's; the process's, with the sync and checkpoint
  // threads). Compare before/after with the same ARRIVALS on the same machine.
  const rate = Number(process.env.ARRIVALS);
  const sessions = Number(process.env.SESSIONS ?? 100);
  const b = open();
  let commits = 0;
  const Statement = Object.getPrototypeOf(b.db.prepare('SELECT 1')) as Record<'run', (...a: unknown[]) => unknown>;
  const run = Statement.run;
  Statement.run = function (this: { source: string }, ...args: unknown[]) {
    if (this.source === 'COMMIT') commits++;
    return run.apply(this, args);
  };
  for (let r = 0; r <= rounds; r++) {
    let left = messagesPerRound;
    commits = 0;
    const all = process.cpuUsage();
    const main = threadMs();
    const started = performance.now();
    const gap = (1000 * sessions) / rate;
    await Promise.all(
      Array.from({ length: sessions }, async () => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * gap));
        while (left-- > 0) {
          await b.entry.post([letter(b)]);
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * gap));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${bytes} B, ${rate}/s offered, ${sessions} sessions: ${(messagesPerRound / commits).toFixed(2)} messages a COMMIT, ${(messagesPerRound / seconds).toFixed(0)}/s; CPU per message: main thread ${f((threadMs() - main) / messagesPerRound)} ms, all threads ${f(cpu(all) / messagesPerRound)} ms${r === 0 ? ' (warm-up)' : ''}`,
    );
  }
  await close(b);
} else if (process.env.ABLATE) {
  // Each variant: a fresh database with one thing dropped, a warm-up round, then `rounds` rounds;
  // the median of the committing thread's CPU per message for the commit alone.
  const variants: [string, (db: ReturnType<typeof openDb>) => void][] = [['as is', () => {}]];
  const probe = openDb(mkdtempSync(join(tmpdir(), 'commit-probe-')));
  const objects = probe
    .prepare(
      "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'index') AND sql IS NOT NULL AND tbl_name IN ('messages', 'outbox', 'events', 'conversations', 'response_clocks', 'message_daily', 'response_blocks') ORDER BY type, name",
    )
    .all() as { type: string; name: string }[];
  probe.close();
  for (const o of objects.filter((o) => o.name !== 'outbox_due'))
    variants.push([`without ${o.type} ${o.name}`, (db) => db.exec(`DROP ${o.type.toUpperCase()} ${o.name}`)]);
  variants.push(['without foreign keys', (db) => db.pragma('foreign_keys = OFF')]);
  for (const table of ['messages', 'conversations', 'response_clocks', 'outbox'])
    variants.push([
      `without every index on ${table}`,
      (db) => {
        for (const o of objects.filter((o) => o.type === 'index' && o.name !== 'outbox_due' && o.name.startsWith(table === 'messages' ? 'messages_' : table)))
          db.exec(`DROP INDEX ${o.name}`);
      },
    ]);
  // The indexes no query uses (EXPLAIN QUERY PLAN of every statement in src/store: migration 024).
  variants.push(['without the unused indexes', (db) => db.exec('DROP INDEX messages_status; DROP INDEX conversations_waiting')]);
  const fts = (options: string) => (db: ReturnType<typeof openDb>) =>
    db.exec(
      `DROP TABLE message_search; CREATE VIRTUAL TABLE message_search USING fts5(subject, body, buyer, tokenize = 'unicode61 remove_diacritics 2'${options})`,
    );
  variants.push(['search contentless', fts(", content = '', contentless_delete = 1")]);
  variants.push(['search detail=column', fts(', detail = column')]);
  variants.push(['search contentless detail=column', fts(", content = '', contentless_delete = 1, detail = column")]);
  // What storing the original costs (an upper bound for storing it differently): its insert goes nowhere.
  variants.push([
    'without the original body',
    (db) =>
      db.exec(
        'DROP TABLE message_bodies; CREATE VIEW message_bodies (message_id, raw) AS SELECT 0, 0 WHERE 0; CREATE TRIGGER message_bodies_none INSTEAD OF INSERT ON message_bodies BEGIN SELECT 1; END',
      ),
  ]);
  variants.push([
    'without the search row',
    (db) => db.exec('DROP TABLE message_search; CREATE TABLE message_search (rowid INTEGER PRIMARY KEY, subject, body, buyer)'),
  ]);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  // ABLATE=word,word: only the variants whose name contains one of them (and "as is").
  const only: string[] = process.env.ABLATE === '1' ? [] : String(process.env.ABLATE).split(',');
  const chosen = variants.filter(([name]) => name === 'as is' || only.length === 0 || only.some((w) => name.includes(w)));
  // Interleaved: every variant's round r runs before any variant's round r + 1, so the machine's
  // load drifts over all of them alike.
  const benches = chosen.map(([, alter]) => open(alter));
  const commits = chosen.map((): number[] => []);
  for (let r = 0; r <= rounds; r++)
    for (const [i, b] of benches.entries()) {
      const t = (await round(b)) as unknown as { commitMain: number };
      if (r > 0) commits[i]?.push(t.commitMain);
    }
  for (const b of benches) await close(b);
  const base = median(commits[0] ?? []);
  for (const [i, [name]] of chosen.entries()) {
    const m = median(commits[i] ?? []);
    console.log(`${bytes} B, ${perCommit}/commit, ${name}: commit ${f(m)} ms main-thread CPU/msg${i === 0 ? '' : ` (saves ${f(base - m)})`}`);
  }
} else {
  const b = open();
  for (let r = 0; r < rounds; r++) {
    if (r === 1) steps.clear();
    const t = await round(b);
    console.log(
      `${bytes} B, ${perCommit}/commit: all threads: commit ${f(t.commit)}  claim ${f(t.claim)}  read ${f(t.read)}  markDone ${f(t.done)}  = ${f(t.all)}; main thread ${f(t.main)} ms CPU/msg${r === 0 ? ' (warm-up)' : ''}`,
    );
  }
  const frames = process.env.STEPS === '1' ? walFrames(b) : null;
  await close(b);
  if (frames) {
    const counted = messagesPerRound * rounds;
    const pageSize = Number(b.db.open ? 0 : 0) || 16384;
    const total = [...frames.values()].reduce((s, x) => s + x, 0);
    console.log(`\nWAL frames per message, every round (${(total / counted).toFixed(1)} pages, ${((total * pageSize) / counted / 1024).toFixed(0)} KiB):`);
    for (const [name, count] of [...frames].sort((a, b) => b[1] - a[1])) console.log(`${(count / counted).toFixed(2).padStart(7)}  ${name}`);
  }
  if (steps.size > 0) {
    const counted = messagesPerRound * (rounds - 1);
    const total = [...steps.values()].reduce((s, x) => s + x.ms, 0);
    console.log(`\nper message, rounds after the warm-up (CPU ms, process.cpuUsage: no checkpoint thread runs; ${f(total / counted)} ms in all):`);
    for (const [sql, s] of [...steps].sort((a, b) => b[1].ms - a[1].ms))
      console.log(`${f(s.ms / counted).padStart(7)} ms  ${(s.calls / counted).toFixed(2).padStart(5)}×  ${sql}`);
  }
}

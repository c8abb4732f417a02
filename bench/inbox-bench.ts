// Inbox speed on a big database: BENCH_MESSAGES (default 1 000 000) messages across 50 stores,
// written straight into a fresh SQLite file with the real schema, then the real gateway serves the
// admin and we time its pages over HTTP as a logged-in owner. Medians and p90 of 25 requests each.
// The inbox lists conversations (one row per pair, kept by migration 012's triggers); a second
// block times the conversation views: assignment views, the live refresh, and one conversation of
// 200 messages with delivered copies.
//   npm run bench:inbox            (BENCH_MESSAGES=200000 for a quicker run)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { categorize, DEFAULT_CATEGORY_RULES } from '../src/core/categorize.js';
import { startGateway } from '../src/gateway.js';
import { openDb, type Db } from '../src/store/db.js';
import { quantile, seededRandom } from './numbers.js';
import { UserRepo } from '../src/store/users.js';

const TOTAL = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const STORES = 50;
const PAIRS = Math.max(100, Math.floor(TOTAL / 25));
const WORDS =
  'kettle lamp refund question broken delivery late colour size invoice tracking parcel warranty return damaged cable charger blue red gift order'.split(' ');
const NAMES = 'Jane Bo Amir Chen Dana Eli Farah Gus Hana Ivan Jun Kai Lena Milo Nia Omar Pia Quinn Rosa Sven'.split(' ');

function seed(dataDir: string): void {
  const db = openDb(dataDir);
  const t0 = Date.now();
  const rand = seededRandom(42);
  db.transaction(() => {
    const store = db.prepare('INSERT INTO stores (slug, name, mailbox, created_at) VALUES (?, ?, ?, 0)');
    const sender = db.prepare("INSERT INTO permitted_senders (store_id, email, status, created_at, updated_at) VALUES (?, ?, 'enabled', 0, 0)");
    for (let s = 1; s <= STORES; s++) {
      store.run(`store${s}`, `Store ${s}`, `cs@store${s}.example`);
      sender.run(s, `cs@store${s}.example`);
    }
    const buyer = db.prepare("INSERT INTO buyers (email, name, kind, created_at) VALUES (?, ?, 'customer', 0)");
    const pair = db.prepare('INSERT INTO pairs (store_id, buyer_id, token, created_at) VALUES (?, ?, ?, 0)');
    const order = db.prepare(
      "INSERT INTO orders (store_id, pair_id, number, status, currency, total_minor, placed_at, created_at, updated_at) VALUES (?, ?, ?, 'placed', 'EUR', 1999, 0, 0, 0)",
    );
    for (let p = 1; p <= PAIRS; p++) {
      buyer.run(`buyer${p}@mail.example`, `${NAMES[p % NAMES.length]} ${p}`);
      pair.run((p % STORES) + 1, p, `t${String(p).padStart(19, '0')}`);
      order.run((p % STORES) + 1, p, `A-${100000 + p}`);
    }
  })();
  const msg = db.prepare(
    `INSERT INTO messages (pair_id, store_id, direction, source, author_email, subject, relay_message_id, verdict, findings, changes, size, received_at, snippet, read_at, status, category)
     VALUES (?, ?, ?, 'smtp', 'x@mail.example', ?, ?, 'accept', '[]', '[]', 2000, ?, ?, ?, ?, ?)`,
  );
  const fts = db.prepare('INSERT INTO message_search (rowid, subject, body, buyer) VALUES (?, ?, ?, ?)');
  const start = Date.now() - TOTAL * 1000;
  const BATCH = 20_000;
  for (let done = 0; done < TOTAL; done += BATCH) {
    db.transaction(() => {
      for (let i = done; i < Math.min(TOTAL, done + BATCH); i++) {
        const p = rand(PAIRS) + 1;
        const subject = `${WORDS[rand(WORDS.length)]} ${WORDS[rand(WORDS.length)]} question`;
        const body = `Hello, about order A-${100000 + p}: the ${WORDS[rand(WORDS.length)]} is ${WORDS[rand(WORDS.length)]}. Thanks`;
        const dir = rand(3) === 0 ? 'store_to_buyer' : 'buyer_to_store';
        // Like a team that keeps up: all but the last 20 000 messages are processed, the last 5 000 unread.
        const category = categorize(DEFAULT_CATEGORY_RULES, { direction: dir, subject, sender: 'x@mail.example' });
        const status = i < TOTAL - 20_000 ? 'processed' : 'pending';
        const info = msg.run(
          p,
          (p % STORES) + 1,
          dir,
          subject,
          `<m${i}@relay.localhost>`,
          start + i * 1000,
          body,
          i < TOTAL - 5000 ? 1 : null,
          status,
          category,
        );
        fts.run(info.lastInsertRowid, subject, body, `${NAMES[p % NAMES.length]} ${p}`);
      }
    })();
  }
  db.close();
  process.stdout.write(`seeded ${TOTAL} messages, ${PAIRS} pairs, ${STORES} stores in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}

function stats(ms: number[]): string {
  return `median ${quantile(ms, 0.5).toFixed(1)} ms, p90 ${quantile(ms, 0.9).toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-inbox-bench-'));
  try {
    seed(dataDir);
    const config = loadConfig({
      env: {},
      overrides: { dataDir, smtp: { port: 0 }, http: { port: 0 }, api: { token: 'bench-token-0123456789abcdefghijkl' }, log: { level: 'silent' } },
    });
    const gw = await startGateway(config, pino({ level: 'silent' }));
    await new UserRepo(gw.db).create({ email: 'owner@bench.example', name: 'Owner', role: 'owner', password: 'bench password 1' });
    const base = `http://127.0.0.1:${gw.httpPort}`;
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=owner%40bench.example&password=bench+password+1',
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const cases: [string, string][] = [
      ['inbox, first page (all stores)', '/inbox'],
      ['inbox, one store, unread', '/inbox?store=7&unread=1'],
      ['search, one word (full text)', '/inbox?q=warranty'],
      ['search, two words, last 30 days', '/inbox?q=broken+kettle&since=30d'],
      ['search, an order number', `/inbox?q=A-${100000 + 1234}`],
      ['inbox, page 100 (cursor)', `/inbox?before=${TOTAL - 5000}`],
      ['category refund, all stores', '/inbox?category=refund'],
      ['due first (unanswered, pending)', '/inbox?sort=due'],
    ];
    process.stdout.write(`\nmaskgate inbox bench: ${TOTAL} messages, ${STORES} stores; server time per page over HTTP (25 requests each)\n`);
    for (const [label, path] of cases) {
      const times: number[] = [];
      for (let i = 0; i < 27; i++) {
        const t = performance.now();
        const res = await fetch(`${base}${path}`, { headers: { cookie } });
        const html = await res.text();
        if (res.status !== 200 || !html.includes('table')) throw new Error(`${path}: ${res.status}`);
        if (i >= 2) times.push(performance.now() - t); // two warm-ups
      }
      process.stdout.write(`  ${label.padEnd(36)} ${stats(times)}\n`);
    }
    // Reports: the 90-day response-time report over every store (summaries kept by triggers,
    // migration 011), as the page, the CSV and the API answer it.
    const reportCases: [string, string, Record<string, string>][] = [
      ['report, 90 days, all stores (page)', '/reports/response-times?days=90', { cookie }],
      ['report, 90 days, one store (page)', '/reports/response-times?days=90&storeId=7', { cookie }],
      ['report, 90 days (CSV)', '/reports/response-times.csv?days=90', { cookie }],
      ['report, 90 days (API)', '/api/v1/reports/response-times?days=90', { authorization: 'Bearer bench-token-0123456789abcdefghijkl' }],
    ];
    for (const [label, path, headers] of reportCases) {
      const times: number[] = [];
      for (let i = 0; i < 27; i++) {
        const t = performance.now();
        const res = await fetch(`${base}${path}`, { headers });
        const body = await res.text();
        if (res.status !== 200 || !/Store 7/.test(body)) throw new Error(`${path}: ${res.status}`);
        if (i >= 2) times.push(performance.now() - t);
      }
      process.stdout.write(`  ${label.padEnd(36)} ${stats(times)}\n`);
    }
    await conversationBench(gw.db, base, cookie);
    await gw.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** 200 messages in one conversation (the newest), each with a delivered copy, as the page parses them. */
function seedLongConversation(db: Db): { pairId: number; lastId: number } {
  return db.transaction(() => {
    const buyer = db.prepare("INSERT INTO buyers (email, name, kind, created_at) VALUES ('long@mail.example', 'Long Talker', 'customer', 0)").run();
    const pairId = Number(
      db.prepare("INSERT INTO pairs (store_id, buyer_id, token, created_at) VALUES (1, ?, 'tlongconversation0000', 0)").run(buyer.lastInsertRowid)
        .lastInsertRowid,
    );
    const msg = db.prepare(
      `INSERT INTO messages (pair_id, store_id, direction, source, author_email, subject, relay_message_id, verdict, findings, changes, size, received_at, snippet, read_at, status, category)
       VALUES (?, 1, ?, 'smtp', 'x@mail.example', ?, ?, 'accept', '[]', '[]', 2000, ?, ?, 1, 'processed', 'buyer_message')`,
    );
    const out = db.prepare(
      "INSERT INTO outbox (message_id, kind, env_from, env_to, size, status, next_attempt_at, created_at, updated_at) VALUES (?, 'relay', 'b@relay.localhost', 'cs@store1.example', ?, 'sent', 0, 0, 0)",
    );
    const body = db.prepare('INSERT INTO outbox_bodies (outbox_id, raw) VALUES (?, ?)');
    let lastId = 0;
    for (let i = 0; i < 200; i++) {
      const text = `Message ${i} of a long conversation about the kettle.\r\n`.repeat(20);
      const raw = Buffer.from(
        `From: Long Talker <t@relay.localhost>\r\nTo: cs@store1.example\r\nSubject: Long ${i}\r\nMessage-ID: <long${i}@relay.localhost>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}`,
      );
      lastId = Number(
        msg.run(pairId, i % 2 ? 'store_to_buyer' : 'buyer_to_store', `Long ${i}`, `<long${i}@relay.localhost>`, Date.now() + i, text.slice(0, 200))
          .lastInsertRowid,
      );
      body.run(out.run(lastId, raw.length).lastInsertRowid, raw);
    }
    return { pairId, lastId };
  })();
}

async function conversationBench(db: Db, base: string, cookie: string): Promise<void> {
  const owner = db.prepare("SELECT id FROM users WHERE email = 'owner@bench.example'").get() as { id: number };
  db.prepare('UPDATE conversations SET assignee_id = ? WHERE pair_id % 7 = 0').run(owner.id);
  const long = seedLongConversation(db);
  const cases: [string, string][] = [
    ['conversations, mine', '/inbox?owner=mine'],
    ['conversations, unassigned, open', '/inbox?owner=none&status=open'],
    ['live refresh of the list (same page)', '/inbox'],
    ['a conversation of 200 messages', `/conversations/${long.pairId}`],
    ['its live refresh (nothing new)', `/conversations/${long.pairId}/live?after=${long.lastId}`],
  ];
  process.stdout.write(
    `\nconversation views (one row per conversation, ${(db.prepare('SELECT count(*) AS n FROM conversations').get() as { n: number }).n} conversations)\n`,
  );
  for (const [label, path] of cases) {
    const times: number[] = [];
    for (let i = 0; i < 27; i++) {
      const t = performance.now();
      const res = await fetch(`${base}${path}`, { headers: { cookie } });
      await res.text();
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      if (i >= 2) times.push(performance.now() - t); // two warm-ups
    }
    process.stdout.write(`  ${label.padEnd(36)} ${stats(times)}\n`);
  }
}

void main();

// Inbox speed on a big database: BENCH_MESSAGES (default 1 000 000) messages in the support
// team's archive of bench/seed-inbox.ts (50 stores, 125 000 conversations over 90 days), then the
// real gateway serves the admin and we time its pages over HTTP as a logged-in owner: every inbox
// filter, search, sort by due, the sidebar's unread counts (on every page), the conversation list
// (one row per conversation) and its live refresh as the browser polls it, the 7/30/90-day
// response-time report (page, CSV, API), a conversation of 200 messages, its live refresh and an
// older message opened in it. Medians and p90 of 25 requests after two warm-ups each (and 40 for the
// process before the first), and the median CPU time the process (server and client) spent per
// request: on a machine shared with other work the wall time mostly measures the wait for a core,
// the CPU time what the page costs.
//   npm run bench:inbox                       (seeds a temporary database, removed afterwards)
//   BENCH_DB=/tmp/inbox-1m npm run bench:inbox  (seeds that directory once and keeps it: later runs reuse it)
//   BENCH_MESSAGES=200000 for a quicker run; BENCH_PLANS=1 prints SQLite's plan of every query the
//   pages ran (look for SCAN without an index, and USE TEMP B-TREE over many rows).
//   BENCH_ONLY=report times only the cases whose label matches that regular expression.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import { DB_FILE, type Db } from '../src/store/db.js';
import { UserRepo } from '../src/store/users.js';
import { scrubForDisplay } from '../src/web/admin/display-scrub.js';
import { quantile } from './numbers.js';
import { seedInbox } from './seed-inbox.js';

const TOTAL = Number(process.env.BENCH_MESSAGES ?? 1_000_000);

function stats(ms: number[]): string {
  return `median ${quantile(ms, 0.5).toFixed(1)} ms, p90 ${quantile(ms, 0.9).toFixed(1)} ms`;
}

/** Texts a hostile buyer writes, for the display scrub's cost: addresses every way they can be written. */
const HOSTILE = [
  'write to jane.doe@gmail.com or j&#64;x.example, %6A%40y.example, b o b @ z . example',
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
  `${'a'.repeat(60)}@${'b.'.repeat(40)}com ${'x%40'.repeat(20)}`,
  'jürgen@straße.example ＠ full width ﹫ small &amp;&amp;&amp;&amp; %%%%%%% mail me: anna.k+orders@outlook.example',
];

/** The SQL every page ran, in order of first use, with the page that first ran it and its parameters. */
interface Recorded {
  label: string;
  readonly sqls: Map<string, { label: string; args: unknown[] | null }>;
}

function recordQueries(db: Db): Recorded {
  const seen: Recorded = { label: '', sqls: new Map() };
  const prepare = db.prepare.bind(db);
  (db as { prepare: typeof db.prepare }).prepare = ((sql: string) => {
    const st = prepare(sql);
    if (!/^\s*(SELECT|WITH)/i.test(sql)) return st;
    const entry = seen.sqls.get(sql) ?? { label: seen.label, args: null };
    seen.sqls.set(sql, entry);
    for (const name of ['all', 'get', 'iterate'] as const) {
      const run = (st[name] as (...a: unknown[]) => unknown).bind(st);
      (st as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        if (entry.args === null) {
          entry.args = args;
          entry.label = seen.label;
        }
        return run(...args);
      };
    }
    return st;
  }) as typeof db.prepare;
  return seen;
}

function printPlans(db: Db, sqls: Recorded['sqls']): void {
  process.stdout.write('\nquery plans (with the parameters of their first run)\n');
  for (const [sql, { label, args }] of sqls) {
    if (args === null) continue;
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail);
    const flag = plan.some((d) => /^SCAN/.test(d) && !/USING|VIRTUAL/.test(d)) ? '  <-- SCAN without an index' : '';
    process.stdout.write(`\n[${label}]${flag}\n  ${sql.replace(/\s+/g, ' ').slice(0, 400)}\n    ${plan.join('\n    ')}\n`);
  }
}

async function main(): Promise<void> {
  const kept = process.env.BENCH_DB;
  const dataDir = kept ?? mkdtempSync(join(tmpdir(), 'maskgate-inbox-bench-'));
  try {
    if (!existsSync(join(dataDir, DB_FILE))) {
      const r = seedInbox(dataDir, { messages: TOTAL });
      process.stdout.write(
        `seeded ${r.messages} messages in ${r.conversations} conversations, ${r.stores} stores, ${r.days} days in ${r.seconds.toFixed(0)} s\n`,
      );
    }
    const config = loadConfig({
      env: {},
      overrides: { dataDir, smtp: { port: 0 }, http: { port: 0 }, api: { token: 'bench-token-0123456789abcdefghijkl' }, log: { level: 'silent' } },
    });
    const gw = await startGateway(config, pino({ level: 'silent' }));
    const users = new UserRepo(gw.db);
    if (!users.withHash('owner@bench.example'))
      await users.create({ email: 'owner@bench.example', name: 'Owner', role: 'owner', password: 'bench password 1' });
    const owner = gw.db.prepare("SELECT id FROM users WHERE email = 'owner@bench.example'").pluck().get() as number;
    const queries = process.env.BENCH_PLANS ? recordQueries(gw.db) : null;
    const count = (sql: string) => gw.db.prepare(sql).pluck().get() as number;
    const messages = count('SELECT count(*) FROM messages');
    // The newest 50 conversations carry hostile texts (the display scrub's worst case), once.
    gw.db
      .prepare(
        `UPDATE messages SET subject = ? || ' ' || id, snippet = ? WHERE id IN (SELECT last_message_id FROM conversations ORDER BY last_message_id DESC LIMIT 50)
         AND subject NOT LIKE 'write to%'`,
      )
      .run(HOSTILE[0], HOSTILE.join(' ').slice(0, 200));
    const base = `http://127.0.0.1:${gw.httpPort}`;
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=owner%40bench.example&password=bench+password+1',
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const aliasOf = gw.db.prepare('SELECT token FROM pairs WHERE id = 1234').pluck().get() as string;
    const orderOf = gw.db.prepare('SELECT number FROM orders WHERE pair_id = 4321 LIMIT 1').pluck().get() as string;
    const middle = count('SELECT last_message_id FROM conversations ORDER BY last_message_id DESC LIMIT 1 OFFSET 5000');
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : null;
    const time = async (label: string, path: string, headers: Record<string, string> = { cookie }, check?: (body: string) => boolean) => {
      if (only && !only.test(label)) return '';
      if (queries) queries.label = label;
      const times: number[] = [];
      const cpu: number[] = [];
      let body = '';
      for (let i = 0; i < 27; i++) {
        const t = performance.now();
        const c = process.cpuUsage();
        const res = await fetch(`${base}${path}`, { headers });
        body = await res.text();
        if (res.status !== 200 || (check && !check(body))) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
        const used = process.cpuUsage(c);
        if (i >= 2) {
          // two warm-ups
          times.push(performance.now() - t);
          cpu.push((used.user + used.system) / 1000);
        }
      }
      process.stdout.write(`  ${label.padEnd(44)} ${stats(times)}; CPU median ${quantile(cpu, 0.5).toFixed(1)} ms\n`);
      return body;
    };
    const conversations = count('SELECT count(*) FROM conversations');
    process.stdout.write(
      `\nmaskgate inbox bench: ${messages} messages, ${conversations} conversations, ${count('SELECT count(*) FROM stores')} stores; server time per page over HTTP (25 requests each)\n`,
    );
    const isTable = (b: string) => b.includes('<table');
    // A freshly started process pays for compiling its code on its first fifty or so pages (2–4×
    // the steady cost): warm it up first, so the first case measures what the page costs.
    for (let i = 0; i < 40; i++) await (await fetch(`${base}${i % 2 ? '/inbox' : '/reports/response-times?days=7'}`, { headers: { cookie } })).text();
    const inboxPage = await time('conversation list, first page (all stores)', '/inbox', { cookie }, isTable);
    const cases: [string, string][] = [
      ['inbox, one store', '/inbox?store=7'],
      ['inbox, one store, unread', '/inbox?store=7&unread=1'],
      ['inbox, unread (all stores)', '/inbox?unread=1'],
      ['status follow-up (rare)', '/inbox?status=follow_up'],
      ['status open, one store', '/inbox?store=3&status=open'],
      ['category refund, all stores', '/inbox?category=refund'],
      ['category A-to-z, one store', '/inbox?store=2&category=a_to_z_claim'],
      ['tag vip', '/inbox?tag=1'],
      ['sent view', '/inbox?view=sent'],
      ['last 7 days', '/inbox?since=7d'],
      ['a range of days 60 to 50 days ago', `/inbox?from=${day(60)}&to=${day(50)}`],
      ['snoozed', '/inbox?snoozed=1'],
      ['search, one word (full text)', '/inbox?q=warranty'],
      ['search, two words, last 30 days', '/inbox?q=toaster+broken&since=30d'],
      ['search, a rare word', '/inbox?q=invoice+please'],
      ['search, an order number', `/inbox?q=${orderOf}`],
      ['search, an alias', `/inbox?q=${aliasOf}`],
      ['inbox, page 100 (cursor)', `/inbox?before=${middle}`],
      ['due first (unanswered)', '/inbox?sort=due'],
      ['due first, one store', '/inbox?store=1&sort=due'],
      ['conversations, mine', '/inbox?owner=mine'],
      ['conversations, unassigned, open', '/inbox?owner=none&status=open'],
    ];
    // The list's live refresh (views/assets/inbox.js): the page's own URL again every 5 s, with
    // HX-Request, rows and sidebar compared in the browser.
    const poll = { cookie, 'hx-request': 'true' };
    const liveCases: [string, string][] = [
      ['live refresh of the list (all stores)', '/inbox'],
      ['live refresh of the list, one store, unread', '/inbox?store=7&unread=1'],
      ['live refresh of the list, due first', '/inbox?sort=due'],
    ];
    gw.db.prepare('UPDATE conversations SET assignee_id = ? WHERE pair_id % 7 = 0').run(owner);
    for (const [label, path] of cases) await time(label, path);
    for (const [label, path] of liveCases) await time(label, path, poll, isTable);
    // Reports: the 90-day response-time report over every store (summaries kept by triggers,
    // migration 011), as the page, the CSV and the API answer it.
    const reportCases: [string, string, Record<string, string>][] = [
      ['report, 7 days, all stores (page)', '/reports/response-times?days=7', { cookie }],
      ['report, 30 days, all stores (page)', '/reports/response-times?days=30', { cookie }],
      ['report, 90 days, all stores (page)', '/reports/response-times?days=90', { cookie }],
      ['report, 90 days, one store (page)', '/reports/response-times?days=90&storeId=7', { cookie }],
      ['report, 90 days, one agent (page)', `/reports/response-times?days=90&agentId=3`, { cookie }],
      ['report, 90 days (CSV)', '/reports/response-times.csv?days=90', { cookie }],
      ['report, 90 days (API)', '/api/v1/reports/response-times?days=90', { authorization: 'Bearer bench-token-0123456789abcdefghijkl' }],
    ];
    for (const [label, path, headers] of reportCases) await time(label, path, headers, (b) => /Store 7/.test(b));
    const long = await conversationBench(gw.db, time);
    if (inboxPage && long) scrubCost(gw.db, config.domains, inboxPage, long);
    if (queries) printPlans(gw.db, queries.sqls);
    await gw.stop();
  } finally {
    if (!kept) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** CPU time of the admin's display scrub (display-scrub.ts) on a page's HTML, per page, as the middleware runs it. */
function scrubCost(db: Db, domains: readonly string[], ...pages: string[]): void {
  const ours = db
    .prepare(
      "SELECT email FROM users UNION SELECT mailbox FROM stores UNION SELECT email FROM permitted_senders UNION SELECT pattern FROM category_rules WHERE field = 'sender' AND pattern LIKE '%@%'",
    )
    .pluck()
    .all() as string[];
  process.stdout.write(`\ndisplay scrub (CPU per page, ${ours.length} addresses kept)\n`);
  const names = ['inbox, first page (50 hostile rows)', 'a conversation of 200 messages'];
  pages.forEach((html, i) => {
    for (let k = 0; k < 30; k++) scrubForDisplay(html, domains, ours);
    const n = 200;
    const c = process.cpuUsage();
    for (let k = 0; k < n; k++) scrubForDisplay(html, domains, ours);
    const d = process.cpuUsage(c);
    process.stdout.write(`  ${(names[i] ?? '').padEnd(44)} ${((d.user + d.system) / n / 1000).toFixed(2)} ms (${(html.length / 1024).toFixed(0)} KiB)\n`);
  });
}

/** 200 messages in one conversation (the newest), each with a delivered copy, as the page parses them. */
function seedLongConversation(db: Db): { pairId: number; lastId: number } {
  const made = db
    .prepare("SELECT p.id AS pairId, c.last_message_id AS lastId FROM pairs p JOIN conversations c ON c.pair_id = p.id WHERE p.token = 'tlongconversation0000'")
    .get() as { pairId: number; lastId: number } | undefined;
  if (made) return made; // a kept database (BENCH_DB) has it from an earlier run
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

async function conversationBench(
  db: Db,
  time: (label: string, path: string, headers?: Record<string, string>, check?: (b: string) => boolean) => Promise<string>,
): Promise<string> {
  const long = seedLongConversation(db);
  process.stdout.write('\nconversation views\n');
  const page = await time('a conversation of 200 messages', `/conversations/${long.pairId}`);
  await time('its live refresh (nothing new)', `/conversations/${long.pairId}/live?after=${long.lastId}`);
  await time('its live refresh (one new message)', `/conversations/${long.pairId}/live?after=${long.lastId - 1}`);
  await time('an older message of it opened', `/messages/${long.lastId - 150}/card`);
  return page;
}

void main();

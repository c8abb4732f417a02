// The tables SQLite keeps by trigger (conversations, response clocks, daily message counts, daily and
// 8-/64-day response summaries, store items) and the inbox search come out the same on PostgreSQL
// (schema 005): one script of writes — buyers writing, the store answering by mail, from the admin
// and by campaign, auto-replies, reads and unreads, re-categorising, "no response needed", files,
// orders — over four months, run through the repositories on SQLite and as the same SQL on
// PostgreSQL, then every derived row compared, and searches for words compared hit for hit. A
// PostgreSQL database written at schema 4 (no triggers) gets the same rows when it moves to 5.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { ftsQuery, InboxRepo } from '../../src/store/inbox.js';
import { MessageRepo } from '../../src/store/messages.js';
import { OrderRepo } from '../../src/store/orders.js';
import { OutboxRepo } from '../../src/store/outbox.js';
import { ReportRepo } from '../../src/store/reports.js';
import { purgeOldBodies } from '../../src/store/retention.js';
import { poolScope } from '../../src/store/pg/db.js';
import { migratePg, PG_MIGRATIONS } from '../../src/store/pg/migrate.js';
import { pgRetention } from '../../src/store/pg/retention.js';
import { pgIndexSearchText, pgSearchHits } from '../../src/store/pg/search.js';
import { freshDatabase } from '../helpers/postgres.js';

const DAY = 86_400_000;
/** 2027-01-04, a Monday; the script runs over the 120 days after it (two 64-day blocks). */
const T0 = Date.UTC(2027, 0, 4);

interface Msg {
  readonly pairId: number;
  readonly storeId: number;
  readonly direction: 'buyer_to_store' | 'store_to_buyer';
  readonly source: 'smtp' | 'web' | 'campaign' | 'api';
  readonly author: string;
  readonly senderId?: number | null;
  readonly subject: string;
  readonly text: string;
  readonly buyerName: string;
  readonly at: number;
  readonly category?: string;
  readonly autoSubmitted?: boolean;
  readonly campaignRecipientId?: number | null;
  readonly staffUserId?: number | null;
  /** A delivered copy carrying a file (the inbox's paperclip). */
  readonly file?: boolean;
}

/** The writes the product makes, on one database. */
interface Writer {
  exec(sql: string, args?: unknown[]): Promise<void>;
  message(m: Msg): Promise<number>;
  readPair(pairId: number, at: number): Promise<void>;
  setRead(messageId: number, read: boolean, at: number): Promise<void>;
  setCategory(messageId: number, category: string): Promise<void>;
  noResponseNeeded(pairId: number, userId: number, at: number): Promise<void>;
  order(storeId: number, email: string, number: string, at: number, items: [string, string, string | null, number][]): Promise<void>;
}

const raw = (m: Msg) => Buffer.from(`Subject: ${m.subject}\r\n\r\n${m.text}\r\n`);
const delivered = (m: Msg) =>
  Buffer.from(
    `Subject: ${m.subject}\r\n${m.file ? 'Content-Type: multipart/mixed\r\n\r\nContent-Disposition: attachment; filename=a.pdf\r\n' : '\r\n'}${m.text}\r\n`,
  );
const category = (m: Msg) => m.category ?? (m.direction === 'store_to_buyer' ? 'sent' : 'buyer_message');

function sqliteWriter(db: Db): Writer {
  const messages = new MessageRepo(db);
  const outbox = new OutboxRepo(db);
  const inbox = new InboxRepo(db);
  const reports = new ReportRepo(db);
  const orders = new OrderRepo(db);
  let n = 0;
  return {
    async exec(sql, args = []) {
      db.prepare(sql).run(...args);
    },
    async message(m) {
      return db.transaction(() => {
        const id = messages.insert({
          pairId: m.pairId,
          storeId: m.storeId,
          critical: false,
          criticalToOptedOut: false,
          suspicious: false,
          snippet: m.text.slice(0, 20),
          searchText: m.text,
          category: category(m),
          buyerName: m.buyerName,
          autoSubmitted: m.autoSubmitted ?? false,
          direction: m.direction,
          source: m.source,
          authorEmail: m.author,
          permittedSenderId: m.senderId ?? null,
          subject: m.subject,
          originalMessageId: null,
          relayMessageId: `<r${++n}@relay.example>`,
          verdict: 'delivered',
          findings: [],
          changes: [],
          raw: raw(m),
          receivedAt: m.at,
          campaignRecipientId: m.campaignRecipientId ?? null,
          staffUserId: m.staffUserId ?? null,
        });
        outbox.enqueue({ messageId: id, kind: 'relay', envFrom: 'a@relay.example', envTo: 'b@x.example', raw: delivered(m), files: m.file === true }, m.at);
        return id;
      })();
    },
    async readPair(pairId, at) {
      inbox.markPairRead(pairId, at);
    },
    async setRead(id, read, at) {
      inbox.setRead([id], read, [1, 2], at);
    },
    async setCategory(id, c) {
      inbox.setCategory(id, c as never, [1, 2]);
    },
    async noResponseNeeded(pairId, userId, at) {
      await reports.markNoResponseNeeded(pairId, userId, at);
    },
    async order(storeId, email, number, at, items) {
      orders.create(
        {
          storeId,
          buyer: { email, name: email.split('@')[0] as string },
          number,
          status: 'completed',
          currency: 'EUR',
          totalMinor: 1000,
          placedAt: at,
          completedAt: at,
          items: items.map(([sku, name, cat, quantity]) => ({ sku, name, category: cat, manufacturer: null, unitPriceMinor: 500, quantity })),
        },
        at,
      );
    },
  };
}

/** The same writes as SQL on PostgreSQL (the statements of the repositories above, one transaction each). */
function pgWriter(pool: pg.Pool, opts: { schema4?: boolean; node?: string } = {}): Writer {
  let n = 0;
  const tx = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const v = await fn(c);
      await c.query('COMMIT');
      return v;
    } catch (err) {
      await c.query('ROLLBACK');
      throw err;
    } finally {
      c.release();
    }
  };
  return {
    async exec(sql, args = []) {
      let i = 0;
      await pool.query(
        sql.replace(/\?/g, () => `$${++i}`),
        args,
      );
    },
    message: (m) =>
      tx(async (c) => {
        const r = await c.query<{ id: number }>(
          `INSERT INTO messages (pair_id, store_id, direction, source, author_email, permitted_sender_id, subject, original_message_id,
             relay_message_id, verdict, findings, changes, size, critical, critical_to_opted_out, auto_submitted, suspicious, snippet, category, received_at,
             campaign_recipient_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, 'delivered', '[]', '[]', $9, 0, 0, $10, 0, $11, $12, $13, $14) RETURNING id`,
          [
            m.pairId,
            m.storeId,
            m.direction,
            m.source,
            m.author,
            m.senderId ?? null,
            m.subject,
            `<r${++n}${opts.node ?? ''}@relay.example>`,
            raw(m).byteLength,
            m.autoSubmitted ? 1 : 0,
            m.text.slice(0, 20),
            category(m),
            m.at,
            m.campaignRecipientId ?? null,
          ],
        );
        const id = Number(r.rows[0]?.id);
        await c.query('INSERT INTO message_bodies (message_id, raw) VALUES ($1, $2)', [id, raw(m)]);
        // Schema 4 had no search table to give the text to.
        if (!opts.schema4) await pgIndexSearchText(c, id, m.text);
        if (m.staffUserId != null && m.direction === 'store_to_buyer')
          await c.query('UPDATE response_clocks SET responder_user_id = $1 WHERE answer_message_id = $2', [m.staffUserId, id]);
        const o = await c.query<{ id: number }>(
          `INSERT INTO outbox (message_id, kind, env_from, env_to, size, status, attempts, next_attempt_at, created_at, updated_at, at_most_once)
           VALUES ($1, 'relay', 'a@relay.example', 'b@x.example', $2, 'queued', 0, $3, $3, $3, 0) RETURNING id`,
          [id, delivered(m).byteLength, m.at],
        );
        await c.query('INSERT INTO outbox_bodies (outbox_id, raw) VALUES ($1, $2)', [o.rows[0]?.id, delivered(m)]);
        // pg/outbox.ts enqueue counts the paperclip as the composer says (schema 12); schema 5 counts
        // what schema 4 wrote from the bytes.
        if (!opts.schema4 && m.file)
          await c.query('UPDATE conversations SET files = files + 1 WHERE pair_id = (SELECT pair_id FROM messages WHERE id = $1)', [id]);
        return id;
      }),
    async readPair(pairId, at) {
      await pool.query("UPDATE messages SET read_at = $1 WHERE pair_id = $2 AND direction = 'buyer_to_store' AND read_at IS NULL", [at, pairId]);
    },
    async setRead(id, read, at) {
      await pool.query('UPDATE messages SET read_at = $1 WHERE id = $2 AND store_id IN (1, 2)', [read ? at : null, id]);
    },
    async setCategory(id, c) {
      await pool.query('UPDATE messages SET category = $1 WHERE id = $2 AND store_id IN (1, 2)', [c, id]);
    },
    noResponseNeeded: (pairId, userId, at) =>
      tx(async (c) => {
        await c.query('UPDATE conversations SET waiting_since = NULL WHERE pair_id = $1 AND waiting_since IS NOT NULL', [pairId]);
        await c.query(
          'UPDATE response_clocks SET not_needed_at = $1, not_needed_by = $2 WHERE pair_id = $3 AND answered_at IS NULL AND not_needed_at IS NULL',
          [at, userId, pairId],
        );
      }),
    order: (storeId, email, number, at, items) =>
      tx(async (c) => {
        const p = await c.query<{ id: number }>('SELECT p.id FROM pairs p JOIN buyers b ON b.id = p.buyer_id WHERE p.store_id = $1 AND b.email = $2', [
          storeId,
          email,
        ]);
        const o = await c.query<{ id: number }>(
          `INSERT INTO orders (store_id, pair_id, number, status, currency, total_minor, placed_at, completed_at, created_at, updated_at)
           VALUES ($1, $2, $3, 'completed', 'EUR', 1000, $4, $4, $4, $4) RETURNING id`,
          [storeId, p.rows[0]?.id, number, at],
        );
        for (const [sku, name, cat, quantity] of items)
          await c.query(
            'INSERT INTO order_items (order_id, sku, name, category, manufacturer, unit_price_minor, quantity) VALUES ($1, $2, $3, $4, NULL, 500, $5)',
            [o.rows[0]?.id, sku, name, cat, quantity],
          );
      }),
  };
}

const BUYERS = [
  ['ann@buyer.example', 'Ann Ávila'],
  ['bob@buyer.example', 'Bob Brown'],
  ['cat@buyer.example', 'Cat Çelik'],
  ['dan@buyer.example', 'Dan Dorn'],
  ['eve@buyer.example', 'Eve Evans'],
  ['fay@buyer.example', 'Fay Fox'],
] as const;

/** Stores, buyers with a pair in store 1 (and two in store 2), staff, senders; store 2 assigns round-robin. */
async function seed(w: Writer): Promise<void> {
  await w.exec(
    "INSERT INTO stores (id, slug, name, mailbox, created_at) VALUES (1, 'one', 'One', 'seller@one.example', ?), (2, 'two', 'Two', 'seller@two.example', ?)",
    [T0, T0],
  );
  await w.exec(
    "INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (1, 'owner@one.example', 'Owner', 'owner', 'x', ?), (2, 'agent@one.example', 'Agent', 'agent', 'x', ?), (3, 'agent2@two.example', 'Agent Two', 'agent', 'x', ?), (4, 'agent3@two.example', 'Agent Three', 'agent', 'x', ?)",
    [T0, T0, T0, T0],
  );
  await w.exec('INSERT INTO user_stores (user_id, store_id) VALUES (2, 1), (3, 2), (4, 2)');
  await w.exec('INSERT INTO store_assignment (store_id, round_robin) VALUES (2, 1)');
  await w.exec(
    "INSERT INTO permitted_senders (id, store_id, email, status, created_at, updated_at) VALUES (1, 1, 'agent@one.example', 'enabled', ?, ?), (2, 1, 'seller@one.example', 'enabled', ?, ?), (3, 2, 'seller@two.example', 'enabled', ?, ?)",
    [T0, T0, T0, T0, T0, T0],
  );
  for (const [i, [email, name]] of BUYERS.entries()) {
    await w.exec("INSERT INTO buyers (id, email, name, kind, created_at) VALUES (?, ?, ?, 'customer', ?)", [i + 1, email, name, T0]);
    await w.exec('INSERT INTO pairs (id, store_id, buyer_id, token, created_at) VALUES (?, 1, ?, ?, ?)', [i + 1, i + 1, `t${i + 1}`, T0]);
  }
  await w.exec('INSERT INTO pairs (id, store_id, buyer_id, token, created_at) VALUES (7, 2, 1, ?, ?), (8, 2, 2, ?, ?)', ['t7', T0, 't8', T0]);
}

/** Four months of a support team's work. `full` adds what only the triggers can know (who marked what, staff replies from the admin). */
async function script(w: Writer, full: boolean): Promise<void> {
  const H = 3_600_000;
  const buyer = (pairId: number, at: number, subject: string, text: string, extra: Partial<Msg> = {}) => {
    const b = BUYERS[(pairId - 1) % 6] as readonly [string, string];
    return w.message({
      pairId,
      storeId: pairId > 6 ? 2 : 1,
      direction: 'buyer_to_store',
      source: 'smtp',
      author: b[0],
      subject,
      text,
      buyerName: b[1],
      at,
      ...extra,
    });
  };
  const store = (pairId: number, at: number, subject: string, text: string, extra: Partial<Msg> = {}) => {
    const b = BUYERS[(pairId - 1) % 6] as readonly [string, string];
    const s = pairId > 6 ? 2 : 1;
    return w.message({
      pairId,
      storeId: s,
      direction: 'store_to_buyer',
      source: 'smtp',
      author: `seller@${s === 1 ? 'one' : 'two'}.example`,
      senderId: s === 1 ? 2 : 3,
      subject,
      text,
      buyerName: b[1],
      at,
      ...extra,
    });
  };
  for (let d = 0; d < 120; d += 7) {
    const t = T0 + d * DAY;
    for (let p = 1; p <= 8; p++) {
      if ((d / 7 + p) % 3 === 0) continue;
      const first = await buyer(p, t + p * H, `Parcel ${d} late?`, `Where is my parcel ${d}? The José tracking says nothing. alice@example.com`);
      if (p % 2 === 0) await buyer(p, t + p * H + 600_000, 'Again', 'Hello again, still waiting');
      if (p === 3) await w.setCategory(first, 'refund');
      // Answers: by mail from the store's address, by an agent's own address, after a day, none.
      if (p % 4 === 1) await store(p, t + p * H + 25 * 60_000, `Re: Parcel ${d}`, 'It ships tomorrow', { file: d % 14 === 0 });
      if (p % 4 === 2) await store(p, t + p * H + 30 * H, `Re: Parcel ${d}`, 'Sorry for the wait', { author: 'agent@one.example', senderId: 1 });
      if (p === 6 && full)
        await store(p, t + p * H + 2 * H, `Re: Parcel ${d}`, 'Answered from the admin', { source: 'web', author: 'seller@one.example', staffUserId: 2 });
      if (p % 2 === 0) await w.readPair(p, t + p * H + H);
    }
    // Not answers: an out-of-office, a marketplace notice, a campaign mail.
    await store(5, t + 20 * H, 'Out of office', 'Away', { autoSubmitted: true });
    await buyer(4, t + 21 * H, 'Your A-to-z claim', 'A claim was filed', { author: 'no-reply@market.example', category: 'marketplace_notification' });
    await store(1, t + 22 * H, 'Spring sale', 'Everything half price', { source: 'campaign' });
    if (full && d % 21 === 0) await w.noResponseNeeded(7, 1, t + 23 * H);
    await w.order(1, BUYERS[(d / 7) % 6]![0], `N-${d}`, t + 12 * H, [
      ['KET', 'Kettle', 'kitchen', 1 + (d % 3)],
      ['LAMP', d % 2 ? 'Lamp' : 'Lamp v2', null, 1],
    ]);
  }
  await w.setRead(2, false, T0 + 121 * DAY);
  await w.setCategory(4, 'product_question');
  await w.exec("DELETE FROM order_items WHERE sku = 'LAMP' AND order_id IN (SELECT id FROM orders WHERE number IN ('N-0', 'N-7'))");
}

const DERIVED: Record<string, string> = {
  conversations: 'pair_id',
  response_clocks: 'id',
  response_daily: 'day, store_id, category, user_id, sender_id',
  message_daily: 'day, store_id, category, direction',
  response_blocks: 'span, day, store_id, category, user_id, sender_id',
  store_items: 'store_id, sku, category, manufacturer',
};

const rowsOf = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : v])));

async function pgRows(pool: pg.Pool, table: string): Promise<Record<string, unknown>[]> {
  return rowsOf((await pool.query(`SELECT * FROM ${table} ORDER BY ${DERIVED[table]}`)).rows);
}
const sqliteRows = (db: Db, table: string) => rowsOf(db.prepare(`SELECT * FROM ${table} ORDER BY ${DERIVED[table]}`).all() as Record<string, unknown>[]);

const int8 = {
  getTypeParser: ((oid: number, f?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, f as never))) as typeof pg.types.getTypeParser,
};

const SEARCHES = [
  'parcel',
  'PARCEL 14 late',
  'parc',
  'jose',
  'José tracking',
  'alice@example.com',
  'ávila',
  'avila',
  'celik',
  'half price',
  'again still',
  'nothing-here',
  'ship',
];

let dir: string;
let db: Db;
let pool: pg.Pool;
let upgraded: pg.Pool;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'maskgate-derived-'));
  db = openDb(dir);
  await seed(sqliteWriter(db));
  await script(sqliteWriter(db), true);

  pool = new pg.Pool({ connectionString: await freshDatabase(), types: int8 });
  await migratePg(pool);
  await seed(pgWriter(pool));
  await script(pgWriter(pool), true);
}, 120_000);

afterAll(async () => {
  db?.close();
  await pool?.end();
  await upgraded?.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('PostgreSQL schema 005 keeps the derived tables as SQLite does', () => {
  it('made something to compare: conversations, clocks answered and not, counts over many days, both block spans, store items', () => {
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(n('SELECT count(*) AS n FROM conversations')).toBe(8);
    expect(n('SELECT count(*) AS n FROM response_clocks WHERE answered_at IS NOT NULL')).toBeGreaterThan(20);
    expect(n('SELECT count(*) AS n FROM response_clocks WHERE not_needed_at IS NOT NULL')).toBeGreaterThan(0);
    expect(n('SELECT count(*) AS n FROM response_clocks WHERE responder_user_id = 2')).toBeGreaterThan(0);
    expect(n('SELECT count(DISTINCT day) AS n FROM message_daily')).toBeGreaterThan(30);
    expect(n('SELECT count(DISTINCT day) AS n FROM response_blocks WHERE span = 64')).toBeGreaterThanOrEqual(2);
    expect(n('SELECT count(*) AS n FROM conversations WHERE files > 0')).toBeGreaterThan(0);
    expect(n('SELECT count(*) AS n FROM conversations WHERE assignee_id IS NOT NULL')).toBe(2);
    expect(n("SELECT count(*) AS n FROM store_items WHERE sku = 'LAMP' AND name = 'Lamp v2'")).toBe(1);
  });

  for (const table of Object.keys(DERIVED)) {
    it(`gives the same ${table} rows, row for row`, async () => {
      expect(await pgRows(pool, table)).toEqual(sqliteRows(db, table));
    });
  }

  it('finds the same messages for the same words, newest first (prefix on the last word, accents and case ignored)', async () => {
    for (const q of SEARCHES) {
      const match = ftsQuery(q);
      const mine = match
        ? (db.prepare('SELECT rowid AS id FROM message_search WHERE message_search MATCH ? ORDER BY rowid DESC').all(match) as { id: number }[])
        : [];
      const theirs = await pgSearchHits(pool, q, Number.MAX_SAFE_INTEGER, 10_000);
      expect(
        theirs.map((h) => h.id),
        q,
      ).toEqual(mine.map((h) => h.id));
    }
    expect((await pgSearchHits(pool, 'parcel')).length).toBeGreaterThan(10);
    expect(await pgSearchHits(pool, 'nothing-here')).toEqual([]);
  });

  it('fills what schema 005 adds when a database written at schema 4 moves to it', async () => {
    // Schema 4 had no triggers: the writes leave every derived table empty until the upgrade.
    upgraded = new pg.Pool({ connectionString: await freshDatabase(), types: int8 });
    const c = await upgraded.connect();
    try {
      await c.query('BEGIN');
      await c.query('CREATE TABLE maskgate_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      for (const m of PG_MIGRATIONS.filter((m) => m.version <= 4)) {
        await c.query(m.sql);
        await c.query('INSERT INTO maskgate_schema (version, name, applied_at) VALUES ($1, $2, 0)', [m.version, m.name]);
      }
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    const w = pgWriter(upgraded, { schema4: true });
    await seed(w);
    await script(w, false);
    expect((await upgraded.query('SELECT count(*)::int AS n FROM conversations')).rows[0]?.n).toBe(0);
    expect(await migratePg(upgraded)).toBe(PG_MIGRATIONS.at(-1)?.version);

    const reference = mkdtempSync(join(tmpdir(), 'maskgate-derived-'));
    const ref = openDb(reference);
    try {
      await seed(sqliteWriter(ref));
      await script(sqliteWriter(ref), false);
      // What people set on a conversation (its status, round-robin's assignee) is not in the messages:
      // the upgrade, like SQLite's migration 012, derives the status from the messages' own and
      // leaves nobody assigned.
      const withoutPeople = (rows: Record<string, unknown>[]) => rows.map(({ status: _s, assignee_id: _a, ...r }) => r);
      // Triggers leave a summary row at zero when its last clock or message moves to another group;
      // summing again makes none. Zero rows add nothing to any report.
      const counters = new Set(['n', 'clocks', 'answered', 'answered_late', 'sum_ms', 'not_needed', 'not_needed_late']);
      const nonZero = (rows: Record<string, unknown>[]) =>
        rows.filter((r) => Object.entries(r).some(([k, v]) => (counters.has(k) || /^b\d+$/.test(k)) && v !== 0));
      for (const table of Object.keys(DERIVED)) {
        const [theirs, mine] = [await pgRows(upgraded, table), sqliteRows(ref, table)];
        if (table === 'conversations') expect(withoutPeople(theirs), table).toEqual(withoutPeople(mine));
        else if (/_daily|_blocks/.test(table)) expect(nonZero(theirs), table).toEqual(nonZero(mine));
        else expect(theirs, table).toEqual(mine);
      }
      // The search rows hold the snippet then (the whole text never reached PostgreSQL at schema 4).
      expect((await pgSearchHits(upgraded, 'parcel')).length).toBeGreaterThan(10);
      expect((await pgSearchHits(upgraded, 'ann avila')).length).toBeGreaterThan(0);
    } finally {
      ref.close();
      rmSync(reference, { recursive: true, force: true });
    }
  });
});

describe('retention on both databases', () => {
  it('blanks the search text of purged messages alike: their words find nothing on either, their subjects still do', async () => {
    const cutoffDays = 60;
    const now = T0 + 121 * DAY;
    const purged = purgeOldBodies(db, cutoffDays, now).messages;
    expect(purged).toBeGreaterThan(0);
    expect((await pgRetention(poolScope(pool)).purgeBodies(cutoffDays, now)).messages).toBe(purged);
    for (const q of [...SEARCHES, 'Parcel 0', 'tracking']) {
      const match = ftsQuery(q);
      const mine = match
        ? (db.prepare('SELECT rowid AS id FROM message_search WHERE message_search MATCH ? ORDER BY rowid DESC').all(match) as { id: number }[])
        : [];
      expect(
        (await pgSearchHits(pool, q, Number.MAX_SAFE_INTEGER, 10_000)).map((h) => h.id),
        q,
      ).toEqual(mine.map((h) => h.id));
    }
  });
});

describe('two nodes writing at once on PostgreSQL', () => {
  it('add up: one conversation written from both, new conversations assigned round-robin in turn, the day counted once per message', async () => {
    const url = await freshDatabase();
    const [a, b] = [new pg.Pool({ connectionString: url, types: int8 }), new pg.Pool({ connectionString: url, types: int8 })];
    try {
      await migratePg(a);
      await seed(pgWriter(a));
      for (let p = 101; p <= 120; p++) {
        await a.query("INSERT INTO buyers (id, email, name, kind, created_at) VALUES ($1, $2, 'New', 'customer', 0)", [p, `n${p}@buyer.example`]);
        await a.query('INSERT INTO pairs (id, store_id, buyer_id, token, created_at) VALUES ($1, 2, $1, $2, 0)', [p, `r${p}`]);
      }
      const [wa, wb] = [pgWriter(a, { node: 'a' }), pgWriter(b, { node: 'b' })];
      const at = T0 + 200 * DAY;
      const msg = (pairId: number, i: number): Msg => ({
        pairId,
        storeId: pairId > 100 ? 2 : 1,
        direction: 'buyer_to_store',
        source: 'smtp',
        author: 'cat@buyer.example',
        subject: `Question ${i}`,
        text: 'Is it in stock?',
        buyerName: 'Cat Çelik',
        at: at + i,
      });
      // Each node: 20 messages into conversation 1, and the first message of 10 new conversations of store 2.
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => wa.message(msg(1, i))),
        ...Array.from({ length: 20 }, (_, i) => wb.message(msg(1, 100 + i))),
        ...Array.from({ length: 10 }, (_, i) => wa.message(msg(101 + i, 200 + i))),
        ...Array.from({ length: 10 }, (_, i) => wb.message(msg(111 + i, 300 + i))),
      ]);
      const one = (await a.query('SELECT unread, last_message_id, last_buyer_id FROM conversations WHERE pair_id = 1')).rows[0];
      const max = (await a.query('SELECT max(id) AS m FROM messages WHERE pair_id = 1')).rows[0]?.m;
      expect(one).toEqual({ unread: 40, last_message_id: max, last_buyer_id: max });
      expect((await a.query('SELECT count(*)::int AS n FROM response_clocks WHERE pair_id = 1')).rows[0]?.n).toBe(1);
      const day = Math.floor(at / DAY);
      expect((await a.query('SELECT store_id, n FROM message_daily WHERE day = $1 ORDER BY store_id', [day])).rows).toEqual([
        { store_id: 1, n: 40 },
        { store_id: 2, n: 20 },
      ]);
      expect((await a.query('SELECT sum(clocks)::int AS n FROM response_daily WHERE day = $1', [day])).rows[0]?.n).toBe(21);
      // Store 2's agents (users 3 and 4) in turn: ten new conversations each, none unassigned.
      expect(
        (await a.query('SELECT assignee_id, count(*)::int AS n FROM conversations WHERE pair_id > 100 GROUP BY assignee_id ORDER BY assignee_id')).rows,
      ).toEqual([
        { assignee_id: 3, n: 10 },
        { assignee_id: 4, n: 10 },
      ]);
    } finally {
      await a.end();
      await b.end();
    }
  });
});

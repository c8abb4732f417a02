// Names in lists come in the same order on both databases (round 5 review). SQLite sorts text
// byte by byte ("Birch" before "acme"); PostgreSQL sorts by the database's collation, which on a
// database made with a language's locale (most installations: initdb takes the machine's) puts
// "acme" first and ignores case and punctuation. The test cluster is made with --no-locale, where
// the two agree by accident, so the PostgreSQL side here runs on a database with ICU's English
// collation, as a real installation's could be.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { openPgStorage } from '../../src/store/pg/storage.js';
import type { Storage } from '../../src/store/ports.js';
import { sqliteStorage } from '../../src/store/sqlite/storage.js';
import { freshDatabase } from '../helpers/postgres.js';

const NOW = Date.parse('2027-01-13T12:00:00Z');

interface Side {
  readonly storage: Storage;
  exec(sql: string, args?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

async function sqliteSide(): Promise<Side> {
  const dir = mkdtempSync(join(tmpdir(), 'maskgate-order-'));
  const db: Db = openDb(dir);
  return {
    storage: sqliteStorage(db, { sessionTtlMs: 3_600_000 }),
    exec: async (sql, args = []) => void db.prepare(sql).run(...args),
    async close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A database with a language's collation (ICU English) on the run's cluster. */
async function pgSide(): Promise<Side> {
  const base = await freshDatabase();
  const name = `icu_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client(base);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
  } finally {
    await admin.end();
  }
  const url = base.replace(/\/[^/]+$/, `/${name}`);
  const storage = await openPgStorage(url, { sessionTtlMs: 3_600_000 });
  return {
    storage,
    async exec(sql, args = []) {
      let n = 0;
      await storage.pool.query(
        sql.replace(/\?/g, () => `$${++n}`),
        args,
      );
    },
    close: () => storage.close(),
  };
}

/** The same writes on both: two stores, a buyer at both, staff, bought items, prospect lists. */
async function seed(side: Side) {
  const s = side.storage;
  const acme = (await s.market.createStore({ slug: 'acme', name: 'acme goods', mailbox: 'support@acme.example' }, NOW))!;
  const birch = (await s.market.createStore({ slug: 'birch', name: 'birch home', mailbox: 'help@birch.example' }, NOW))!;
  const cedar = (await s.market.createStore({ slug: 'cedar', name: 'Cedar Shop', mailbox: 'help@cedar.example' }, NOW))!;
  const jane = (await s.mail.ensurePair(acme.id, 'jane@buyer.example', 'Jane', 'customer', NOW)).view.pair.id;
  await s.mail.ensurePair(birch.id, 'jane@buyer.example', 'Jane', 'customer', NOW);
  await s.mail.ensurePair(cedar.id, 'jane@buyer.example', 'Jane', 'customer', NOW);
  for (const [id, name] of [
    [1, 'olga Owner'],
    [2, 'Zoe Owner'],
    [3, 'Adam Owner'],
  ] as const)
    await side.exec("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, 'owner', 'x', ?)", [
      id,
      `u${id}@shop.example`,
      name,
      NOW,
    ]);
  for (const [sku, category, manufacturer] of [
    ['b-200', 'lamps', 'Zenith'],
    ['B-100', 'Kettles', 'acme works'],
    ['a-300', 'chairs', 'Birchwood'],
  ] as const)
    await side.exec('INSERT INTO store_items (store_id, sku, category, manufacturer, name, quantity) VALUES (?, ?, ?, ?, ?, 5)', [
      acme.id,
      sku,
      category,
      manufacturer,
      sku,
    ]);
  for (const list of ['spring', 'Autumn', 'summer']) {
    const pair = (await s.mail.ensurePair(birch.id, `${list}@buyer.example`, '', 'customer', NOW)).view.pair.id;
    await side.exec('INSERT INTO prospects (pair_id, list, imported_at) VALUES (?, ?, ?)', [pair, list, NOW]);
  }
  return { acme: acme.id, birch: birch.id, cedar: cedar.id, jane };
}

type Seen = Record<string, unknown>;

async function read(side: Side, ids: Awaited<ReturnType<typeof seed>>): Promise<Seen> {
  const s = side.storage;
  const both = [ids.acme, ids.birch, ids.cedar];
  return {
    staff: (await s.inbox.assignable(both)).map((u) => u.name),
    otherStores: (await s.inbox.otherConversations(ids.jane, both)).map((o) => o.storeName),
    choices: await s.campaigns.choices(ids.acme),
    topItems: (await s.campaigns.topItems(ids.acme, 3)).map((i) => i.sku),
    lists: (await s.campaigns.lists(both)).map((l) => l.list),
  };
}

describe.each([
  ['SQLite', sqliteSide],
  ['PostgreSQL (ICU English collation)', pgSide],
] as const)('names listed on %s', (_name, make) => {
  let side: Side;
  beforeAll(async () => {
    side = await make();
  }, 120_000);
  afterAll(async () => side?.close());

  it('come in byte order: capitals before small letters', async () => {
    expect(await read(side, await seed(side))).toEqual({
      staff: ['Adam Owner', 'Zoe Owner', 'olga Owner'],
      otherStores: ['Cedar Shop', 'birch home'],
      choices: { categories: ['Kettles', 'chairs', 'lamps'], manufacturers: ['Birchwood', 'Zenith', 'acme works'] },
      topItems: ['B-100', 'a-300', 'b-200'],
      lists: ['Autumn', 'spring', 'summer'],
    });
  });
});

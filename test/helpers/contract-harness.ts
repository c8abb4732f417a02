// Two nodes on one database, for the port contract tests that run the same cases on both adapters:
// SQLite (a data dir, two connections) and PostgreSQL (a fresh database on the run's throwaway
// cluster, two pools). Seed with `exec` (SQL with `?` placeholders, explicit ids), then call
// `afterSeed` so PostgreSQL's identities continue after the seeded ids (as migrate-to-postgres does).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { openPgStorage } from '../../src/store/pg/storage.js';
import type { Storage } from '../../src/store/ports.js';
import { sqliteStorage } from '../../src/store/sqlite/storage.js';
import { freshDatabase } from './postgres.js';

export interface ContractHarness {
  readonly kind: 'sqlite' | 'postgres';
  /** Node A and node B: two connections (pools) to one database. */
  readonly a: Storage;
  readonly b: Storage;
  /** The SQLite connection of node A (null on PostgreSQL): for the synchronous repositories. */
  readonly db: Db | null;
  /** After rows were seeded with explicit ids: PostgreSQL's identities continue after them. */
  afterSeed(): Promise<void>;
  /** Runs SQL with `?` placeholders on the database (seeding and checks). */
  exec(sql: string, args?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Every row of every table, as text (bytes read as latin1): what an erasure check searches. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

const asText = (rows: Record<string, unknown>[]) =>
  rows
    .map((r) =>
      Object.values(r)
        .map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v)))
        .join('\u0001'),
    )
    .join('\n');

/** Admin sessions live an hour unless a test says otherwise (ms). */
const TTL = 3_600_000;
const SEEDED_TABLES = ['stores', 'buyers', 'pairs', 'messages', 'orders', 'campaigns', 'users', 'permitted_senders', 'events', 'tags', 'templates'];

export async function sqliteHarness(ttlMs = TTL): Promise<ContractHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'maskgate-contract-'));
  const dbs: Db[] = [openDb(dir), openDb(dir)];
  const [a, b] = dbs.map((db) => sqliteStorage(db, { sessionTtlMs: ttlMs })) as [Storage, Storage];
  return {
    kind: 'sqlite',
    a,
    b,
    db: dbs[0] as Db,
    afterSeed: async () => {},
    exec: async (sql, args = []) => {
      const s = (dbs[0] as Db).prepare(sql);
      return s.reader ? (s.all(...args) as Record<string, unknown>[]) : (s.run(...args), []);
    },
    async dump() {
      const db = dbs[0] as Db;
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      return tables.map((t) => asText(db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[])).join('\n');
    },
    async close() {
      for (const db of dbs) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function pgHarness(ttlMs = TTL): Promise<ContractHarness> {
  const url = await freshDatabase();
  const a = await openPgStorage(url, { sessionTtlMs: ttlMs });
  const b = await openPgStorage(url, { sessionTtlMs: ttlMs });
  const exec = async (sql: string, args: unknown[] = []) => {
    let n = 0;
    return (
      await a.pool.query(
        sql.replace(/\?/g, () => `$${++n}`),
        args,
      )
    ).rows as Record<string, unknown>[];
  };
  return {
    kind: 'postgres',
    a,
    b,
    db: null,
    async afterSeed() {
      for (const t of SEEDED_TABLES)
        await a.pool.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), coalesce((SELECT max(id) FROM ${t}), 0) + 1000, false)`);
    },
    exec,
    async dump() {
      const tables = (await exec("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'")).map((r) => String(r.t));
      const out: string[] = [];
      for (const t of tables) out.push(asText(await exec(`SELECT * FROM "${t}"`)));
      return out.join('\n');
    },
    async close() {
      await a.close();
      await b.close();
    },
  };
}

export const ADAPTERS: [string, () => Promise<ContractHarness>][] = [
  ['SQLite', () => sqliteHarness()],
  ['PostgreSQL', () => pgHarness()],
];

export const NOW = 1_800_000_000_000;

/** Store 1 ("shop", mailbox seller@shop.example) and buyers 1…`buyers` (`b<i>@buyer.example`, "Buyer <i>") with a pair each (token `tok<i>`). */
export async function seedShopBuyers(h: ContractHarness, buyers = 1): Promise<void> {
  await h.exec("INSERT INTO stores (id, slug, name, mailbox, created_at) VALUES (1, 'shop', 'Shop', 'seller@shop.example', ?)", [NOW]);
  for (let i = 1; i <= buyers; i++) {
    await h.exec("INSERT INTO buyers (id, email, name, kind, created_at) VALUES (?, ?, ?, 'customer', ?)", [i, `b${i}@buyer.example`, `Buyer ${i}`, NOW]);
    await h.exec('INSERT INTO pairs (id, store_id, buyer_id, token, created_at) VALUES (?, 1, ?, ?, ?)', [i, i, `tok${i}`, NOW]);
  }
}

/** Two stores, an owner and an agent (on store 1), two buyers with a pair each on store 1. */
export async function seedBasics(h: ContractHarness): Promise<void> {
  await seedShopBuyers(h, 2);
  await h.exec("INSERT INTO stores (id, slug, name, mailbox, created_at) VALUES (2, 'other', 'Other', 'seller@other.example', ?)", [NOW]);
  await h.exec("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (1, 'owner@staff.example', 'Olive Owner', 'owner', 'x', ?)", [NOW]);
  await h.exec("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (2, 'agent@staff.example', 'Ari Agent', 'agent', 'x', ?)", [NOW]);
  await h.exec('INSERT INTO user_stores (user_id, store_id) VALUES (2, 1)');
}

/**
 * The one setup of a describe.each(ADAPTERS) block: registers a beforeAll that makes the harness
 * (`make`) and seeds it (`seed`, then afterSeed) and an afterAll that closes it, so it must be
 * called in the describe's body. Returns the harness as tests read it: each member is the started
 * harness's; read before the beforeAll ran, it throws.
 */
export function contractHarnessForTests(make: () => Promise<ContractHarness>, seed: (h: ContractHarness) => Promise<void>): ContractHarness {
  let started: ContractHarness | undefined;
  beforeAll(async () => {
    started = await make();
    await seed(started);
    await started.afterSeed();
  }, 120_000);
  afterAll(async () => started?.close());
  return new Proxy({} as ContractHarness, {
    get(_target, key) {
      if (!started) throw new Error('the contract harness is read before its beforeAll made it');
      const value: unknown = Reflect.get(started, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(started) : value;
    },
  });
}

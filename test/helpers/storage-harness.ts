// Two "nodes" on one database, for contract tests that run the same cases on both adapters: SQLite
// (a data dir, a second connection as the other node) and PostgreSQL (a fresh database on the run's
// throwaway cluster, a second pool as the other node). `exec` runs SQL with `?` placeholders on it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/store/db.js';
import { openPgStorage } from '../../src/store/pg/storage.js';
import type { Storage } from '../../src/store/ports.js';
import { sqliteStorage } from '../../src/store/sqlite/storage.js';
import { freshDatabase } from './postgres.js';

export interface Harness {
  /** Node A and node B: two connections (pools) to one database. */
  readonly a: Storage;
  readonly b: Storage;
  /** After rows were seeded with explicit ids: PostgreSQL's identities continue after them (as migrate-to-postgres does). */
  afterSeed(): Promise<void>;
  /** Runs SQL with `?` placeholders on the database (seeding and checks). */
  exec(sql: string, args?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function sqliteHarness(ttlMs = 3_600_000): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'maskgate-contract-'));
  const dbs: Db[] = [openDb(dir), openDb(dir)];
  const [a, b] = dbs.map((db) => sqliteStorage(db, { sessionTtlMs: ttlMs })) as [Storage, Storage];
  return {
    a,
    b,
    afterSeed: async () => {},
    exec: async (sql, args = []) => {
      const s = (dbs[0] as Db).prepare(sql);
      return s.reader ? (s.all(...args) as Record<string, unknown>[]) : (s.run(...args), []);
    },
    async close() {
      for (const db of dbs) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function pgHarness(ttlMs = 3_600_000): Promise<Harness> {
  const url = await freshDatabase();
  const a = await openPgStorage(url, { sessionTtlMs: ttlMs });
  const b = await openPgStorage(url, { sessionTtlMs: ttlMs });
  return {
    a,
    b,
    async afterSeed() {
      for (const t of ['stores', 'buyers', 'pairs', 'messages', 'orders', 'campaigns', 'users', 'permitted_senders'])
        await a.pool.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), (SELECT max(id) FROM ${t}) + 1000, false)`);
    },
    exec: async (sql, args = []) => {
      let n = 0;
      return (
        await a.pool.query(
          sql.replace(/\?/g, () => `$${++n}`),
          args,
        )
      ).rows as Record<string, unknown>[];
    },
    async close() {
      await a.close();
      await b.close();
    },
  };
}

export const ADAPTERS: [string, () => Promise<Harness>][] = [
  ['SQLite', () => sqliteHarness()],
  ['PostgreSQL', () => pgHarness()],
];

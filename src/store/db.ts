// Owns the SQLite connection: WAL with synchronous=FULL (asserted — better-sqlite3 would leave a
// WAL database in NORMAL, where a committed row can vanish after a power cut) and migrations.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.js';

export type Db = Database.Database;

export const DB_FILE = 'maskgate.sqlite';

export function openDb(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, DB_FILE));
  // 16 KB pages: a quarter of the overflow pages for message bodies (1 MB commits 25% faster),
  // barely more for small rows. Takes effect only when the file is created.
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Every commit job runs in a savepoint, whose rollback journal would otherwise be a temporary
  // file written for each job; in memory a message commits about 15% cheaper.
  db.pragma('temp_store = MEMORY');
  // The page cache: better-sqlite3 builds SQLite with a 16 MB one per connection (cache_size
  // -16000), which fills with the pages of message bodies written once and seldom read again (the
  // delivery mostly sends the copy outbound/fresh-bodies.ts keeps) and stays in RSS. 2 MB keeps the
  // indexes' and tables' upper pages; a transaction may still hold 16 MB of dirty pages before it
  // writes any to the WAL early (cache_spill, in pages), as before: spilling a group commit of a few
  // 1 MiB messages at 2 MB cost ~1 ms of the SMTP thread's CPU a message (bench/commit-times.ts).
  // Round 12 (README "Speed"): peak RSS ~10 MB lower in the 10 KiB and 1 MiB tiers.
  db.pragma('cache_size = -2048');
  db.pragma(`cache_spill = ${Math.ceil((16 * 1024 * 1024) / Number(db.pragma('page_size', { simple: true })))}`);
  db.pragma('busy_timeout = 5000');
  // Messages are large: with the default 1000-page threshold a checkpoint would run every few
  // commits. 1024 pages of 16 KB (16 MB) batch the copying into the main file.
  db.pragma('wal_autocheckpoint = 1024');
  assertDurable(db);
  migrate(db);
  return db;
}

/** Refuses to run on a connection that could lose an acknowledged message. */
export function assertDurable(db: Db): void {
  const mode = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
  const sync = Number(db.pragma('synchronous', { simple: true }));
  if (mode !== 'wal') throw new Error(`database journal_mode is ${mode}, expected wal`);
  // 2 = FULL, 3 = EXTRA
  if (sync < 2) throw new Error(`database synchronous=${sync}, expected FULL (2)`);
}

export function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Runs every pending migration, each in its own transaction together with the version bump. */
export function migrate(db: Db): void {
  const current = schemaVersion(db);
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

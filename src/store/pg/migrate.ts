// Owns the PostgreSQL schema migrations (this directory's NNN-*.ts, append only): each runs in one
// transaction with its version row, under an advisory lock, so nodes starting together migrate once.
import type pg from 'pg';
import { sql as initial } from './001-initial.js';
import { sql as leases } from './002-leases.js';
import { sql as inboxIndexes } from './003-inbox-indexes.js';
import { sql as reportBlocks } from './004-report-blocks.js';
import { sql as derived } from './005-derived.js';
import { sql as rulesEventLock } from './009-rules-event-lock.js';
import { sql as unusedIndexes } from './011-unused-indexes.js';
import { sql as filesInCode } from './012-files-in-code.js';
import { sql as sharedBodies } from './013-shared-bodies.js';
import { sql as undeliverableReason } from './014-undeliverable-reason.js';
import { sql as bodyPieces } from './015-body-pieces.js';
import { transaction } from './db.js';

export const PG_MIGRATIONS: readonly { readonly version: number; readonly name: string; readonly sql: string }[] = [
  { version: 1, name: 'initial (SQLite schema 14)', sql: initial },
  { version: 2, name: 'leases (SQLite 016)', sql: leases },
  { version: 3, name: 'inbox indexes (SQLite 015)', sql: inboxIndexes },
  { version: 4, name: 'report blocks, order import uploads (SQLite 017)', sql: reportBlocks },
  { version: 5, name: 'derived tables kept by triggers, search (SQLite 002, 005, 011, 012, 017)', sql: derived },
  { version: 9, name: 'default category rules (as SQLite 002), events writer lock', sql: rulesEventLock },
  { version: 11, name: 'unused indexes (SQLite 024)', sql: unusedIndexes },
  { version: 12, name: 'files counted by the outbox insert (SQLite 023)', sql: filesInCode },
  { version: 13, name: 'a relay copy shares the original body (SQLite 025)', sql: sharedBodies },
  { version: 14, name: 'why a buyer is undeliverable (SQLite 026)', sql: undeliverableReason },
  { version: 15, name: 'a large original stored in pieces (SQLite 027)', sql: bodyPieces },
];

/** Any constant: the key of the advisory lock migrations hold. */
const MIGRATE_LOCK = 0x6d61736b;

export async function pgSchemaVersion(pool: pg.Pool): Promise<number> {
  const r = await pool.query<{ v: number | null }>(
    "SELECT CASE WHEN to_regclass('maskgate_schema') IS NULL THEN 0 ELSE (SELECT coalesce(max(version), 0) FROM maskgate_schema) END AS v",
  );
  return Number(r.rows[0]?.v ?? 0);
}

export async function migratePg(pool: pg.Pool): Promise<number> {
  return transaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
    await c.query('CREATE TABLE IF NOT EXISTS maskgate_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const r = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM maskgate_schema');
    const current = Number(r.rows[0]?.v ?? 0);
    for (const m of PG_MIGRATIONS) {
      if (m.version <= current) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO maskgate_schema (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
    }
    return PG_MIGRATIONS.at(-1)?.version ?? 0;
  });
}

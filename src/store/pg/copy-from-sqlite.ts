// Owns `maskgate migrate-to-postgres`: copies a SQLite installation into an empty PostgreSQL
// database, every row of every table (messages and their bodies, orders, aliases, the campaign
// ledger, settings with the secrets and the DKIM key, sessions, events, …) with the same ids, in
// one PostgreSQL transaction read from one SQLite snapshot. The tables PostgreSQL keeps by trigger
// (conversations, clocks, daily counts, blocks, store items) are copied as they are, with the
// triggers off for the copy (else every copied message would count twice); the FTS5 search index's
// text (subject, delivered text, buyer's name) goes into PostgreSQL's message_search (schema 005).
import type pg from 'pg';
import type { Db } from '../db.js';
import { migratePg } from './migrate.js';
import { type Queryable, safeQueryable, transaction } from './db.js';

export interface CopyReport {
  /** Rows copied per table, in copy order. */
  readonly tables: readonly { readonly table: string; readonly rows: number }[];
}

/** SQLite tables that are not data: the search index and its shadow tables. */
const DERIVED = /^(sqlite_|message_search)/;

/** The one table a fresh PostgreSQL schema fills (schema 009: the default category rules). */
const SEEDED = 'category_rules';

/** Rows per INSERT: PostgreSQL takes at most 65535 parameters a statement. */
const rowsPerInsert = (columns: number) => Math.max(1, Math.min(500, Math.floor(65_000 / columns)));

export async function copySqliteToPg(db: Db, pool: pg.Pool): Promise<CopyReport> {
  await migratePg(pool);
  const pgTables = await pool.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'maskgate_schema' ORDER BY table_name",
  );
  const targets = new Set(pgTables.rows.map((r) => r.table_name));
  const sources = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid").all() as { name: string }[])
    .map((r) => r.name)
    .filter((n) => !DERIVED.test(n));
  const missing = sources.filter((t) => !targets.has(t));
  if (missing.length) throw new Error(`the PostgreSQL schema lacks table(s) ${missing.join(', ')}: nothing was copied`);

  const tables: { table: string; rows: number }[] = [];
  // One snapshot of the SQLite file for every table.
  db.exec('BEGIN');
  try {
    await transaction(pool, async (client) => {
      // A NUL SQLite holds in a text column is copied as U+FFFD (db.ts textSafe).
      const c = safeQueryable(client);
      for (const t of [...sources, 'message_search']) {
        if (t === SEEDED) continue;
        const n = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`);
        if ((n.rows[0]?.n ?? 0) > 0) throw new Error(`the PostgreSQL database is not empty (table ${t} has rows): nothing was copied`);
      }
      // The defaults a fresh schema starts with give way to the installation's own list.
      await c.query(`DELETE FROM ${SEEDED}`);
      // Undone by the ENABLE below, or by the rollback; constraint (foreign key) triggers stay on.
      for (const t of targets) await c.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
      for (const t of sources) {
        const cols = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(t) as { name: string }[]).map((r) => r.name);
        const pgCols = new Set(
          (
            await c.query<{ column_name: string }>(
              'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
              [t],
            )
          ).rows.map((r) => r.column_name),
        );
        const lacking = cols.filter((col) => !pgCols.has(col));
        if (lacking.length) throw new Error(`the PostgreSQL table ${t} lacks column(s) ${lacking.join(', ')}: nothing was copied`);
        const per = rowsPerInsert(cols.length);
        const list = cols.map((col) => `"${col}"`).join(', ');
        let batch: unknown[][] = [];
        let rows = 0;
        const flush = async () => {
          if (!batch.length) return;
          const values: unknown[] = [];
          const tuples = batch.map((r) => `(${r.map((v) => (values.push(v), `$${values.length}`)).join(', ')})`);
          await c.query(`INSERT INTO ${t} (${list}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(', ')}`, values);
          rows += batch.length;
          batch = [];
        };
        for (const row of db.prepare(`SELECT ${list} FROM "${t}"`).raw().iterate() as IterableIterator<unknown[]>) {
          batch.push(row);
          if (batch.length >= per) await flush();
        }
        await flush();
        // Identity columns continue after the copied ids.
        if (cols.includes('id')) {
          await c.query(
            `SELECT setval(pg_get_serial_sequence('${t}', 'id'), coalesce(max(id), 0) + 1, false) FROM ${t} WHERE pg_get_serial_sequence('${t}', 'id') IS NOT NULL`,
          );
        }
        tables.push({ table: t, rows });
      }
      tables.push({ table: 'message_search', rows: await copySearch(db, c) });
      // The deferred foreign-key checks run now: a table with checks pending cannot be altered.
      await c.query('SET CONSTRAINTS ALL IMMEDIATE');
      for (const t of targets) await c.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
    });
  } finally {
    db.exec('COMMIT');
  }
  return { tables };
}

/** The FTS5 index's text, message by message (rowid = message id); returns the rows copied. */
async function copySearch(db: Db, c: Queryable): Promise<number> {
  let rows = 0;
  let batch: unknown[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const n = batch.length / 4;
    const tuples = Array.from({ length: n }, (_, i) => `($${4 * i + 1}, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`);
    await c.query(`INSERT INTO message_search (message_id, subject, body, buyer) VALUES ${tuples.join(', ')}`, batch);
    rows += n;
    batch = [];
  };
  for (const r of db.prepare('SELECT rowid, subject, body, buyer FROM message_search ORDER BY rowid').raw().iterate() as IterableIterator<unknown[]>) {
    batch.push(...r.map((v) => v ?? ''));
    if (batch.length >= 4 * 500) await flush();
  }
  await flush();
  return rows;
}

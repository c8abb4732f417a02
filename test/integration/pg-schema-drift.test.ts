// The PostgreSQL schema (src/store/pg/NNN-*.ts) is a hand-kept twin of the SQLite migrations: this
// fails as soon as they drift. Both are built for real (SQLite in a temp dir through every
// migration, PostgreSQL on the run's throwaway cluster through every schema version) and compared
// table by table, column by column: the same tables, the same columns, compatible types, the same
// NOT NULL, the same primary keys, and the same trigger-kept tables kept by trigger. What differs on
// purpose is listed below with the reason.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { migratePg } from '../../src/store/pg/migrate.js';
import { freshDatabase } from '../helpers/postgres.js';

interface Column {
  readonly type: string;
  readonly notNull: boolean;
}

/** Tables only one side has, and why. */
const ONLY_SQLITE: Record<string, string> = {
  message_search_data: "FTS5's shadow table (the index); PostgreSQL keeps it in message_search.words",
  message_search_idx: "FTS5's shadow table",
  message_search_content: "FTS5's shadow table (the indexed text; PostgreSQL's is message_search itself)",
  message_search_docsize: "FTS5's shadow table",
  message_search_config: "FTS5's shadow table",
};
const ONLY_PG: Record<string, string> = {
  maskgate_schema: 'the schema versions applied (SQLite keeps its version in PRAGMA user_version)',
};
/** Columns only one side has, as table.column, and why. */
const COLUMNS_ONLY_PG: Record<string, string> = {
  'message_search.message_id': "the message; SQLite's FTS5 table keys it by rowid",
  'message_search.words': 'the tsvector the search index holds (FTS5 keeps it in its shadow tables)',
};
/** Columns declared differently on purpose: FTS5 columns carry no type and no constraint; they hold text, never NULL (MessageRepo writes '' for none). */
const COLUMN_EXCEPTIONS: Record<string, Column> = {
  'message_search.subject': { type: 'text', notNull: true },
  'message_search.body': { type: 'text', notNull: true },
  'message_search.buyer': { type: 'text', notNull: true },
};

/** SQLite declared type -> the PostgreSQL type it must be (SQLite 001-initial's translation). */
const TYPES: Record<string, string> = { INTEGER: 'bigint', TEXT: 'text', BLOB: 'bytea' };

type Schema = Map<string, Map<string, Column>>;

let dir: string;
let db: Db;
let pool: pg.Pool;
let lite: Schema;
let post: Schema;
let litePk: Map<string, string[]>;
let postPk: Map<string, string[]>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'maskgate-drift-'));
  db = openDb(dir);
  pool = new pg.Pool({ connectionString: await freshDatabase() });
  await migratePg(pool);

  lite = new Map();
  litePk = new Map();
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
  for (const { name } of tables) {
    const cols = db.prepare('SELECT name, type, "notnull" AS nn, pk FROM pragma_table_info(?) ORDER BY cid').all(name) as {
      name: string;
      type: string;
      nn: number;
      pk: number;
    }[];
    // A primary key column is NOT NULL on PostgreSQL; on SQLite an INTEGER PRIMARY KEY is the rowid, never NULL.
    lite.set(
      name,
      new Map(
        cols.map((c) => [c.name, COLUMN_EXCEPTIONS[`${name}.${c.name}`] ?? { type: TYPES[c.type] ?? `sqlite:${c.type}`, notNull: c.nn === 1 || c.pk > 0 }]),
      ),
    );
    litePk.set(
      name,
      cols
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
    );
  }

  post = new Map();
  postPk = new Map();
  const cols = await pool.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = current_schema() ORDER BY c.table_name, c.ordinal_position`,
  );
  for (const c of cols.rows) {
    if (!post.has(c.table_name)) post.set(c.table_name, new Map());
    post.get(c.table_name)!.set(c.column_name, { type: c.data_type, notNull: c.is_nullable === 'NO' });
  }
  const pks = await pool.query<{ table_name: string; column_name: string }>(
    `SELECT tc.table_name, k.column_name FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
      WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'PRIMARY KEY' ORDER BY tc.table_name, k.ordinal_position`,
  );
  for (const r of pks.rows) postPk.set(r.table_name, [...(postPk.get(r.table_name) ?? []), r.column_name]);
}, 120_000);

afterAll(async () => {
  db?.close();
  await pool?.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the PostgreSQL schema and the SQLite migrations', () => {
  it('have the same tables, apart from the ones listed with a reason', () => {
    const a = [...lite.keys()].filter((t) => !(t in ONLY_SQLITE));
    const b = [...post.keys()].filter((t) => !(t in ONLY_PG));
    expect(
      b.filter((t) => !lite.has(t)),
      'tables only PostgreSQL has',
    ).toEqual([]);
    expect(
      a.filter((t) => !post.has(t)),
      'tables only SQLite has',
    ).toEqual([]);
    // The exceptions still exist (a stale entry would hide the next drift).
    for (const t of Object.keys(ONLY_SQLITE)) expect(lite.has(t), t).toBe(true);
    for (const t of Object.keys(ONLY_PG)) expect(post.has(t), t).toBe(true);
    expect(a.length).toBeGreaterThan(40);
  });

  it('have the same columns in every table, with compatible types and the same NOT NULL', () => {
    const drift: string[] = [];
    for (const [table, mine] of lite) {
      const theirs = post.get(table);
      if (!theirs) continue;
      for (const [col, c] of mine) {
        const t = theirs.get(col);
        if (!t) drift.push(`${table}.${col}: only on SQLite`);
        else if (t.type !== c.type) drift.push(`${table}.${col}: ${c.type} on SQLite, ${t.type} on PostgreSQL`);
        else if (t.notNull !== c.notNull) drift.push(`${table}.${col}: ${c.notNull ? 'NOT NULL' : 'nullable'} on SQLite, not on PostgreSQL`);
      }
      for (const col of theirs.keys()) if (!mine.has(col) && !(`${table}.${col}` in COLUMNS_ONLY_PG)) drift.push(`${table}.${col}: only on PostgreSQL`);
    }
    expect(drift).toEqual([]);
    for (const key of Object.keys(COLUMNS_ONLY_PG)) {
      const [table, col] = key.split('.') as [string, string];
      expect(post.get(table)?.has(col), key).toBe(true);
    }
  });

  it('have the same primary keys', () => {
    const drift: string[] = [];
    for (const [table, keys] of litePk) {
      if (!post.has(table) || table === 'message_search') continue;
      const theirs = postPk.get(table) ?? [];
      if (JSON.stringify(theirs) !== JSON.stringify(keys)) drift.push(`${table}: (${keys.join(', ')}) on SQLite, (${theirs.join(', ')}) on PostgreSQL`);
    }
    expect(drift).toEqual([]);
    expect(postPk.get('message_search')).toEqual(['message_id']);
  });

  it('keep the same tables by trigger', async () => {
    // Which tables a trigger writes: on SQLite read from the trigger text, on PostgreSQL from the
    // trigger functions' text. A table kept on one side only would be stale on the other.
    const written = (sql: string) =>
      new Set([...sql.matchAll(/\b(?:INSERT INTO|UPDATE|DELETE FROM)\s+([a-z_]+)/gi)].map((m) => (m[1] as string).toLowerCase()));
    const mine = new Set<string>();
    const onTables = new Set<string>();
    for (const t of db.prepare("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { tbl_name: string; sql: string }[]) {
      onTables.add(t.tbl_name);
      for (const w of written(t.sql.slice(t.sql.search(/\bBEGIN\b/)))) mine.add(w);
    }
    const theirs = new Set<string>();
    const theirOn = new Set<string>();
    // Schema 009's events_writer_lock writes no table: it takes the lock that orders the events feed
    // among several writers (pg/webhooks.ts), which SQLite's one writer does not need.
    const fns = await pool.query<{ tbl: string; src: string }>(
      `SELECT c.relname AS tbl, p.prosrc AS src FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
       WHERE NOT t.tgisinternal AND t.tgname <> 'events_writer_lock'`,
    );
    for (const f of fns.rows) {
      theirOn.add(f.tbl);
      for (const w of written(f.src)) theirs.add(w);
    }
    // SQLite's MessageRepo writes the search row itself; PostgreSQL's trigger does.
    theirs.delete('message_search');
    expect([...theirs].sort()).toEqual([...mine].sort());
    expect([...theirOn].sort()).toEqual([...onTables].sort());
    expect(mine.size).toBeGreaterThanOrEqual(7);
  });
});

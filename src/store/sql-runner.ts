// Owns one async way to run a statement on either database, for repositories whose SQL is the same
// in both dialects (written once with `?` placeholders): on SQLite through the cached prepared
// statements of the one connection (each call a settled promise), on PostgreSQL through a pool or a
// unit of work's connection with `?` numbered to `$n`. Where the dialects differ a repository
// branches on `dialect`, in one place.
import type { Db } from './db.js';
import type { PgScope, Queryable } from './pg/db.js';
import { stmt } from './statements.js';

export type Dialect = 'sqlite' | 'postgres';

export interface SqlRunner {
  readonly dialect: Dialect;
  /** Every row; values as the driver gives them (PostgreSQL's sum() of integers is a numeric string: Number() it). */
  all<T>(sql: string, args?: readonly unknown[]): Promise<T[]>;
  /** The first row; null when none. */
  get<T>(sql: string, args?: readonly unknown[]): Promise<T | null>;
  /** Runs a write; returns how many rows it changed. */
  run(sql: string, args?: readonly unknown[]): Promise<number>;
  /** Runs fn in one transaction (the caller's when it has one); rolled back when fn throws. */
  transaction<T>(fn: (r: SqlRunner) => Promise<T>): Promise<T>;
}

/**
 * `?` placeholders numbered `$1, $2, …` for PostgreSQL. The statements given here hold no `?`
 * inside a string literal (values always travel as parameters).
 */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** `n` placeholders joined by commas, for `IN (…)`. */
export const marks = (n: number): string => Array.from({ length: n }, () => '?').join(',');

/**
 * The SQLite runner. A transaction is BEGIN IMMEDIATE … COMMIT on the one connection; fn must
 * await only this runner (every call resolves at once, so nothing else runs inside it), as in
 * sqliteStorage's write. Inside an open transaction (a unit of work) fn runs in it.
 */
export function sqliteRunner(db: Db): SqlRunner {
  const r: SqlRunner = {
    dialect: 'sqlite',
    all: async <T>(sql: string, args: readonly unknown[] = []) => stmt(db, sql).all(...args) as T[],
    get: async <T>(sql: string, args: readonly unknown[] = []) => (stmt(db, sql).get(...args) as T | undefined) ?? null,
    run: async (sql, args = []) => stmt(db, sql).run(...args).changes,
    async transaction(fn) {
      if (db.inTransaction) return fn(r);
      db.exec('BEGIN IMMEDIATE');
      try {
        const value = await fn(r);
        db.exec('COMMIT');
        return value;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    },
  };
  return r;
}

function onQueryable(q: Queryable, scope: PgScope | null): SqlRunner {
  const r: SqlRunner = {
    dialect: 'postgres',
    all: async <T>(sql: string, args: readonly unknown[] = []) => (await q.query(numbered(sql), [...args])).rows as T[],
    get: async <T>(sql: string, args: readonly unknown[] = []) => ((await q.query(numbered(sql), [...args])).rows[0] as T | undefined) ?? null,
    run: async (sql, args = []) => (await q.query(numbered(sql), [...args])).rowCount ?? 0,
    transaction: (fn) => (scope ? scope.inTransaction((tq) => fn(onQueryable(tq, null))) : fn(r)),
  };
  return r;
}

/** The PostgreSQL runner over a scope (the pool: each call its own transaction; or a unit of work). */
export function pgRunner(s: PgScope): SqlRunner {
  return onQueryable(s.q, s);
}

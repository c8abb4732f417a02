// Owns the PostgreSQL connection pool (node-postgres): BIGINT columns come back as JS numbers (every
// id and time here is below 2^53), BYTEA as Buffer. `inTransaction` runs several statements as one
// unit on one pooled connection, or in the caller's transaction when it already has one.
import pg from 'pg';

/** A pool or one checked-out connection: what the repositories query through. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Where a repository runs: the pool (each call its own transaction) or a unit of work's connection. */
export interface PgScope {
  readonly q: Queryable;
  /** Runs fn in a transaction: this scope's own, or a new one on a pooled connection. */
  inTransaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
}

const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as never)) as typeof pg.types.getTypeParser,
};

export function openPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types });
  // An idle connection the server dropped must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs fn inside BEGIN … COMMIT on one pooled connection; ROLLBACK when it throws. */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** U+0000 in a string parameter becomes this: PostgreSQL text cannot hold NUL (SQLite can). */
export const NUL_STORED_AS = '\uFFFD';

function textSafeValue(v: unknown): unknown {
  // NaN (a Number() of something that was not one) is NULL, as SQLite binds it: a lookup finds
  // nothing instead of failing with 22P02 (node-postgres sends the text "NaN").
  if (typeof v === 'number' && Number.isNaN(v)) return null;
  if (typeof v === 'string') return v.includes('\u0000') ? v.replaceAll('\u0000', NUL_STORED_AS) : v;
  return Array.isArray(v) ? v.map(textSafeValue) : v;
}

/**
 * Query parameters PostgreSQL accepts as text: NaN as NULL (as SQLite binds it), every NUL character in a string (or an array of
 * strings) replaced by U+FFFD. Mail decodes to NUL easily (quoted-printable `=00`, encoded words);
 * unreplaced, the insert fails with 22021 and a message SQLite stores would be refused with 451
 * on every retry. BYTEA parameters (Buffers) are untouched.
 */
export function textSafe(values: unknown[] | undefined): unknown[] | undefined {
  return values?.map(textSafeValue);
}

/** q with its string parameters made text-safe (textSafe). */
export function safeQueryable(q: Queryable): Queryable {
  return { query: (text, values) => q.query(text, textSafe(values)) };
}

export function poolScope(pool: pg.Pool): PgScope {
  return { q: safeQueryable(pool), inTransaction: (fn) => transaction(pool, (client) => fn(safeQueryable(client))) };
}

export function txScope(client: Queryable): PgScope {
  const q = safeQueryable(client);
  return { q, inTransaction: (fn) => fn(q) };
}

/** SQL written once with SQLite's `?` placeholders, as PostgreSQL's `$1, $2, …` (for shared SQL with no `?` in its literals). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// Owns the one shape of the response-clock summaries: a clock row's share of response_daily (per UTC
// day of its start, SQLite migration 011) and of response_blocks (per aligned block of 8 or 64 days,
// SQLite migration 017), as SQL for either database. Migrations 011 and 017 were written before this
// file and are frozen (released migrations never change); response-tally.test.ts checks that this
// generator's SQLite text is exactly the body of their triggers, so the PostgreSQL schema (pg/005),
// which is built from it, cannot drift from them.
import { BUCKET_EDGES_MIN } from './migrations/011-response-clocks.js';

export type Dialect = 'sqlite' | 'pg';

const buckets = BUCKET_EDGES_MIN.map((_, i) => `b${i}`);
/** The counters of a summary row, after its key columns. */
export const TALLY_COLS: readonly string[] = ['clocks', 'answered', 'answered_late', 'sum_ms', 'not_needed', 'not_needed_late', ...buckets];
/** The spans of response_blocks, in days. */
export const BLOCK_SPANS = [8, 64] as const;

/** Where a share goes: the daily row, or the block of `span` days. */
export type TallyTarget = { readonly table: 'response_daily' } | { readonly table: 'response_blocks'; readonly span: number };

/** A condition as a 0/1 number: SQLite's comparisons are numbers already, PostgreSQL's are booleans. */
const num = (d: Dialect, cond: string) => (d === 'pg' ? `(${cond})::int` : `(${cond})`);

/**
 * The counters' values of clock row `r` (NEW, OLD or a table alias), each multiplied by `sign`
 * (1 added, -1 taken away), in TALLY_COLS order: one clock; answered; answered after a day; the
 * response time in ms; marked "no response needed" within a day / after; one in its time bucket.
 */
export function tallyValues(d: Dialect, r: string, sign: 1 | -1): string[] {
  return [
    `${sign}`,
    `${sign} * ${num(d, `${r}.answered_at IS NOT NULL`)}`,
    `${sign} * ${num(d, `${r}.response_ms IS NOT NULL AND ${r}.response_ms > 86400000`)}`,
    `${sign} * coalesce(${r}.response_ms, 0)`,
    `${sign} * ${num(d, `${r}.not_needed_at IS NOT NULL AND ${r}.answered_at IS NULL AND ${r}.not_needed_at - ${r}.started_at <= 86400000`)}`,
    `${sign} * ${num(d, `${r}.not_needed_at IS NOT NULL AND ${r}.answered_at IS NULL AND ${r}.not_needed_at - ${r}.started_at > 86400000`)}`,
    ...buckets.map((_, i) => `${sign} * ${num(d, `${r}.bucket IS NOT NULL AND ${r}.bucket = ${i}`)}`),
  ];
}

/** The day (or block start day) of clock row `r`, an SQL expression; ms since the epoch / 86 400 000, integer division on both databases. */
export function tallyDay(r: string, t: TallyTarget): string {
  return t.table === 'response_daily' ? `${r}.started_at / 86400000` : `${r}.started_at / 86400000 / ${t.span} * ${t.span}`;
}

/**
 * One statement adding clock row `r`'s share (times `sign`) to its summary row, creating the row
 * when missing: an upsert on the summary's key (span,) day, store, category, responder user and
 * sender (0 for none). On PostgreSQL the sum is taken on the locked row, so concurrent writers
 * from several nodes add up.
 */
export function tallySql(d: Dialect, r: string, sign: 1 | -1, t: TallyTarget): string {
  const span = t.table === 'response_blocks';
  const key = `${span ? 'span, ' : ''}day, store_id, category, user_id, sender_id`;
  const head = `${span ? `${t.span}, ` : ''}${tallyDay(r, t)}, ${r}.store_id, ${r}.category, coalesce(${r}.responder_user_id, 0), coalesce(${r}.responder_sender_id, 0)`;
  const vals = tallyValues(d, r, sign).join(', ');
  const target = d === 'pg' ? `${t.table} AS t` : t.table;
  const set = TALLY_COLS.map((c) => (d === 'pg' ? `${c} = t.${c} + excluded.${c}` : `${c} = ${c} + excluded.${c}`)).join(', ');
  return `INSERT INTO ${target} (${key}, ${TALLY_COLS.join(', ')})
    VALUES (${head}, ${vals})
    ON CONFLICT (${key}) DO UPDATE SET ${set};`;
}

/** Every target a clock row counts in: its day and each of its blocks. */
export const TALLY_TARGETS: readonly TallyTarget[] = [{ table: 'response_daily' }, ...BLOCK_SPANS.map((span) => ({ table: 'response_blocks' as const, span }))];

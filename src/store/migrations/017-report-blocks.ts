// Two things, both kept small:
//
// 1. response_blocks: the response-clock summaries of response_daily (migration 011) summed again
//    over aligned blocks of 8 and of 64 UTC days, kept by triggers on response_clocks in the same
//    transaction as the clock write, and backfilled from response_daily. A report window is a
//    suffix of days (from the start of the UTC day `days - 1` days ago to now), so it is the days up
//    to the next 8-day boundary, the 8-day blocks up to the next 64-day boundary and the 64-day
//    blocks from there: at most 7 + 7 + 2 rows per group instead of 90 (store/reports.ts). At a
//    million messages, summing the 90 daily rows of every group cost 100 ms of the 90-day report.
//    A block's `day` is its first day (a multiple of its span).
//
// 2. order_import_uploads: the admin's uploaded order file between the preview and the import,
//    kept on the server (it used to travel to the browser and back in a hidden field, so the import
//    could differ from the preview). A row is found by the SHA-256 of an unguessable token and only
//    for the user who uploaded it; it is removed by the import and after an hour
//    (store/order-import-uploads.ts).
import { BUCKET_EDGES_MIN } from './011-response-clocks.js';

const buckets = Array.from({ length: BUCKET_EDGES_MIN.length }, (_, i) => `b${i}`);
const COLS = ['clocks', 'answered', 'answered_late', 'sum_ms', 'not_needed', 'not_needed_late', ...buckets];
export const BLOCK_SPANS = [8, 64] as const;

/** One clock row's share of a block, added (sign 1) or taken away (-1): as 011's tally, per span. */
function tally(row: 'NEW' | 'OLD', sign: 1 | -1, span: number): string {
  const r = row;
  const vals = [
    `${sign}`,
    `${sign} * (${r}.answered_at IS NOT NULL)`,
    `${sign} * (${r}.response_ms IS NOT NULL AND ${r}.response_ms > 86400000)`,
    `${sign} * coalesce(${r}.response_ms, 0)`,
    `${sign} * (${r}.not_needed_at IS NOT NULL AND ${r}.answered_at IS NULL AND ${r}.not_needed_at - ${r}.started_at <= 86400000)`,
    `${sign} * (${r}.not_needed_at IS NOT NULL AND ${r}.answered_at IS NULL AND ${r}.not_needed_at - ${r}.started_at > 86400000)`,
    ...buckets.map((_, i) => `${sign} * (${r}.bucket IS NOT NULL AND ${r}.bucket = ${i})`),
  ];
  return `INSERT INTO response_blocks (span, day, store_id, category, user_id, sender_id, ${COLS.join(', ')})
    VALUES (${span}, ${r}.started_at / 86400000 / ${span} * ${span}, ${r}.store_id, ${r}.category, coalesce(${r}.responder_user_id, 0), coalesce(${r}.responder_sender_id, 0), ${vals.join(', ')})
    ON CONFLICT (span, day, store_id, category, user_id, sender_id) DO UPDATE SET ${COLS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')};`;
}

const each = (row: 'NEW' | 'OLD', sign: 1 | -1) => BLOCK_SPANS.map((s) => tally(row, sign, s)).join('\n  ');

export const sql = `
CREATE TABLE response_blocks (
  span INTEGER NOT NULL,
  day INTEGER NOT NULL,
  store_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  sender_id INTEGER NOT NULL,
  ${COLS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(',\n  ')},
  PRIMARY KEY (span, day, store_id, category, user_id, sender_id)
) WITHOUT ROWID;

${BLOCK_SPANS.map(
  (s) => `INSERT INTO response_blocks (span, day, store_id, category, user_id, sender_id, ${COLS.join(', ')})
  SELECT ${s}, day / ${s} * ${s}, store_id, category, user_id, sender_id, ${COLS.map((c) => `sum(${c})`).join(', ')}
  FROM response_daily GROUP BY 2, 3, 4, 5, 6;`,
).join('\n')}

CREATE TRIGGER response_blocks_add AFTER INSERT ON response_clocks BEGIN
  ${each('NEW', 1)}
END;
CREATE TRIGGER response_blocks_change AFTER UPDATE ON response_clocks BEGIN
  ${each('OLD', -1)}
  ${each('NEW', 1)}
END;
CREATE TRIGGER response_blocks_remove AFTER DELETE ON response_clocks BEGIN
  ${each('OLD', -1)}
END;

CREATE TABLE order_import_uploads (
  id INTEGER PRIMARY KEY,
  -- hex SHA-256 of the token the preview page carries
  token_hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL,
  store_id INTEGER NOT NULL,
  file_name TEXT NOT NULL,
  bytes BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX order_import_uploads_user ON order_import_uploads(user_id, created_at);
CREATE INDEX order_import_uploads_time ON order_import_uploads(created_at);
`;

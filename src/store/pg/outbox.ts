// The PostgreSQL outbox queue: claims take due rows with FOR UPDATE SKIP LOCKED (two nodes claiming
// at once pass each other instead of waiting or double-taking) and write the node id and lease end.
import { laterPiecesQuery } from '../body-pieces.js';
import { deliveredBytes, deliveredPieces, deliveredQuery, laterPiecesOf, outboxSize, type DeliveredRow } from '../outbox.js';
import type { OutboxQueue, OutboxRow } from '../ports.js';
import type { PgScope, Queryable } from './db.js';

export const OUTBOX_COLS = `id, message_id AS "messageId", kind, env_from AS "envFrom", env_to AS "envTo", status, attempts,
  next_attempt_at AS "nextAttemptAt", last_error AS "lastError", created_at AS "createdAt", updated_at AS "updatedAt",
  done_at AS "doneAt", size, at_most_once AS "atMostOnce"`;

/** message.sent / delivery.failed, written with the status change they report (as src/store/events.ts). */
const deliveryEvent = (type: 'message.sent' | 'delivery.failed') => `INSERT INTO events (type, store_id, data, created_at)
  SELECT '${type}', m.store_id, json_build_object('messageId', m.id, 'outboxId', o.id, 'alias', p.token, 'direction', m.direction,
    'status', o.status, 'attempts', o.attempts${type === 'delivery.failed' ? ", 'error', o.last_error" : ''})::text, $1
  FROM outbox o JOIN messages m ON m.id = o.message_id JOIN pairs p ON p.id = m.pair_id
  WHERE o.id = $2 AND o.kind = 'relay'`;

export function pgOutbox(s: PgScope): OutboxQueue {
  const one = async (q: Queryable, text: string, values: unknown[]) => (await q.query<OutboxRow>(text, values)).rows[0] ?? null;
  /** Row `id` of deliveredQuery, with the original's later pieces when its shared body reaches into them (as SQLite's). */
  const deliveredRow = async (id: number): Promise<DeliveredRow | undefined> => {
    const row = (await s.q.query<DeliveredRow>(deliveredQuery('$1'), [id])).rows[0];
    const pieced = laterPiecesOf(row);
    if (pieced === null) return row;
    return { ...(row as DeliveredRow), later: (await s.q.query<{ bytes: Buffer }>(laterPiecesQuery('$1'), [pieced])).rows.map((r) => r.bytes) };
  };
  return {
    enqueue: (row, now = Date.now()) =>
      s.inTransaction(async (q) => {
        const r = await q.query<{ id: number }>(
          `INSERT INTO outbox (message_id, kind, env_from, env_to, size, status, attempts, next_attempt_at, created_at, updated_at, at_most_once)
           VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $6, $6, $7) RETURNING id`,
          [row.messageId, row.kind, row.envFrom, row.envTo, outboxSize(row), now, row.atMostOnce ? 1 : 0],
        );
        const id = (r.rows[0] as { id: number }).id;
        // A copy that carries the original's body stores only its header block (store/outbox.ts originalBody).
        const shared = row.messageId !== null ? row.originalBody : undefined;
        await q.query('INSERT INTO outbox_bodies (outbox_id, raw, body_from, body_length) VALUES ($1, $2, $3, $4)', [
          id,
          Buffer.from(row.raw.buffer, row.raw.byteOffset, row.raw.byteLength),
          shared?.from ?? null,
          shared?.length ?? null,
        ]);
        // The inbox's paperclip, as the composer said (schema 12: no trigger scans the bytes).
        if (row.kind === 'relay' && row.messageId !== null && row.files === true)
          await q.query('UPDATE conversations SET files = files + 1 WHERE pair_id = (SELECT pair_id FROM messages WHERE id = $1)', [row.messageId]);
        return id;
      }),
    get: (id) => one(s.q, `SELECT ${OUTBOX_COLS} FROM outbox WHERE id = $1`, [id]),
    raw: async (id) => deliveredBytes(await deliveredRow(id)),
    delivered: async (id) => deliveredPieces(await deliveredRow(id)),
    async claim(owner, limit, leaseMs, now = Date.now()) {
      const r = await s.q.query<OutboxRow>(
        `UPDATE outbox o SET lease_owner = $1, lease_until = $2,
           attempt_started_at = CASE WHEN o.at_most_once = 1 THEN $3 ELSE o.attempt_started_at END
         FROM (SELECT id FROM outbox WHERE status IN ('queued', 'deferred') AND next_attempt_at <= $3
                 AND (lease_until IS NULL OR lease_until <= $3) AND NOT (at_most_once = 1 AND attempt_started_at IS NOT NULL)
               ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) due
         WHERE o.id = due.id
         RETURNING ${OUTBOX_COLS.replace(/(^|,\s*)(\w+)/g, '$1o.$2')}`,
        [owner, now + leaseMs, now, limit],
      );
      return r.rows.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
    },
    async extend(id, owner, leaseMs, now = Date.now()) {
      const r = await s.q.query('UPDATE outbox SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND lease_until > $4', [now + leaseMs, id, owner, now]);
      return (r.rowCount ?? 0) > 0;
    },
    async release(id, owner) {
      const r = await s.q.query('UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2', [id, owner]);
      return (r.rowCount ?? 0) > 0;
    },
    async releaseAll(owner) {
      const r = await s.q.query('UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1', [owner]);
      return r.rowCount ?? 0;
    },
    markDone: (id, status, attempts, now = Date.now()) =>
      s.inTransaction(async (q) => {
        await q.query(
          `UPDATE outbox SET status = $1, attempts = $2, last_error = NULL, attempt_started_at = NULL, lease_owner = NULL, lease_until = NULL,
             updated_at = $3, done_at = $3 WHERE id = $4`,
          [status, attempts, now, id],
        );
        await q.query(deliveryEvent('message.sent'), [now, id]);
      }),
    async markDeferred(id, attempts, nextAttemptAt, error, now = Date.now()) {
      await s.q.query(
        `UPDATE outbox SET status = 'deferred', attempts = $1, next_attempt_at = $2, last_error = $3, attempt_started_at = NULL,
           lease_owner = NULL, lease_until = NULL, updated_at = $4 WHERE id = $5`,
        [attempts, nextAttemptAt, error, now, id],
      );
    },
    markFailed: (id, attempts, error, now = Date.now()) =>
      s.inTransaction(async (q) => {
        await q.query(
          `UPDATE outbox SET status = 'failed', attempts = $1, last_error = $2, lease_owner = NULL, lease_until = NULL, updated_at = $3, done_at = $3
           WHERE id = $4`,
          [attempts, error, now, id],
        );
        await q.query(deliveryEvent('delivery.failed'), [now, id]);
      }),
    async pendingCount() {
      const r = await s.q.query<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE status IN ('queued', 'deferred')");
      return r.rows[0]?.n ?? 0;
    },
    async nextDueAt() {
      const r = await s.q.query<{ t: number | null }>("SELECT min(next_attempt_at) AS t FROM outbox WHERE status IN ('queued', 'deferred')");
      return r.rows[0]?.t ?? null;
    },
  };
}

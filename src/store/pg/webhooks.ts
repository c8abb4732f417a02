// The PostgreSQL adapter of the webhooks port (src/store/webhook-ports.ts): the same reads and
// writes as src/store/webhooks.ts and events.ts (the lease and cursor updates are the same
// statements, WEBHOOK_SQL), plus the feed's horizon.
//
// The horizon: an event id is taken (nextval) when its row is inserted, but the row is seen only
// when its transaction commits, so with several writers id 100 can become visible after id 101. A
// cursor moved past 101 would never send 100. Every statement that inserts events first takes a
// shared advisory lock (schema 009's statement trigger, which fires before any id is drawn), so a
// reader that takes the same lock exclusively has waited for every writer that may hold an id, and
// `max(id)` read then is a horizon below which no id can still appear. The wait is bounded
// (HORIZON_WAIT_MS: the mail commits queued behind the reader wait at most that long); when it runs
// out the last horizon is kept and the next poll tries again. The lock is taken only when a visible
// id lies above the last horizon and the read needs it: an idle poll, and a sender working through
// events below the horizon, take none.
import type { EventType, MarketEvent } from '../../core/event-types.js';
import { EVENT_COLS, presentEvent, type EventRow } from '../events.js';
import type { WebhookStore } from '../webhook-ports.js';
import { newWebhookSecret, toTarget, WEBHOOK_COLS, WEBHOOK_SQL, withoutSecret, type Row, type WebhookRow } from '../webhooks.js';
import type { PgScope } from './db.js';
import { pgPlaceholders } from './placeholders.js';

/** The advisory lock key event writers hold shared (schema 009) and the feed's reader exclusively. */
export const EVENTS_LOCK = 0x6d676576;
/** How long a reader waits for open event-writing transactions before keeping its last horizon. */
const HORIZON_WAIT_MS = 250;

const SQL = {
  lease: pgPlaceholders(WEBHOOK_SQL.lease),
  release: pgPlaceholders(WEBHOOK_SQL.release),
  advance: pgPlaceholders(WEBHOOK_SQL.advance),
  retryLater: pgPlaceholders(WEBHOOK_SQL.retryLater),
};

export function pgWebhooks(s: PgScope): WebhookStore {
  let lastHorizon = 0;
  /** The highest event id below which every id has committed or never will. */
  const horizon = async (): Promise<number> => {
    // Nothing visible above the last horizon (an idle poll): it still holds, and no lock is taken.
    const top = Number((await s.q.query<{ id: number }>('SELECT coalesce(max(id), 0) AS id FROM events')).rows[0]?.id ?? 0);
    if (top <= lastHorizon) return lastHorizon;
    try {
      return (lastHorizon = await s.inTransaction(async (q) => {
        await q.query("SELECT set_config('lock_timeout', $1, true)", [`${HORIZON_WAIT_MS}ms`]);
        await q.query('SELECT pg_advisory_xact_lock($1)', [EVENTS_LOCK]);
        return Number((await q.query<{ id: number }>('SELECT coalesce(max(id), 0) AS id FROM events')).rows[0]?.id ?? 0);
      }));
    } catch (err) {
      if ((err as { code?: string }).code === '55P03') return lastHorizon; // lock_not_available: writers still open
      throw err;
    }
  };
  const target = async (id: number) => {
    const r = (await s.q.query<Row>(`SELECT ${WEBHOOK_COLS} FROM webhooks WHERE id = $1`, [id])).rows[0];
    return r ? toTarget(r) : null;
  };
  return {
    async create(url, types, now = Date.now()) {
      const secret = newWebhookSecret();
      // Its cursor starts at the horizon: an event still committing below it is not this endpoint's.
      const cursor = await horizon();
      const r = await s.q.query<{ id: number }>('INSERT INTO webhooks (url, events, secret, cursor, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id', [
        url,
        JSON.stringify([...new Set(types)]),
        secret,
        cursor,
        now,
      ]);
      const row = await target(r.rows[0]?.id as number);
      return { row: withoutSecret(row as NonNullable<typeof row>), secret };
    },
    list: async () => (await s.q.query<Row>(`SELECT ${WEBHOOK_COLS} FROM webhooks ORDER BY id`)).rows.map((r) => withoutSecret(toTarget(r))),
    async get(id): Promise<WebhookRow | null> {
      const t = await target(id);
      return t ? withoutSecret(t) : null;
    },
    delete: async (id) => (await s.q.query('DELETE FROM webhooks WHERE id = $1', [id])).rowCount === 1,
    async due(now) {
      const h = await horizon();
      const r = await s.q.query<{ id: number }>(
        `SELECT w.id FROM webhooks w WHERE w.next_attempt_at <= $1 AND w.lease_until <= $1
           AND EXISTS (SELECT 1 FROM events e WHERE e.id > w.cursor AND e.id <= $2 AND e.type IN (SELECT jsonb_array_elements_text(w.events::jsonb)))
         ORDER BY w.id`,
        [now, h],
      );
      return r.rows.map((x) => x.id);
    },
    async lease(id, owner, leaseMs, now = Date.now()) {
      const won = (await s.q.query(SQL.lease, [owner, now + leaseMs, id, now, owner])).rowCount === 1;
      return won ? target(id) : null;
    },
    async release(id, owner) {
      await s.q.query(SQL.release, [id, owner]);
    },
    advance: async (id, owner, eventId, status, outcome, error, now = Date.now()) =>
      (await s.q.query(SQL.advance, [eventId, status, error, now, outcome === 'delivered' ? 1 : 0, outcome === 'dropped' ? 1 : 0, id, owner, now, eventId]))
        .rowCount === 1,
    async retryLater(id, owner, attempts, at, status, error, now = Date.now()) {
      await s.q.query(SQL.retryLater, [attempts, at, status, error.slice(0, 500), now, id, owner]);
    },
    async eventsAfter(afterId, limit, types?: readonly EventType[]): Promise<MarketEvent[]> {
      const read = async (h: number) =>
        (types
          ? await s.q.query<EventRow>(`SELECT ${EVENT_COLS} FROM events WHERE id > $1 AND id <= $2 AND type = ANY($3::text[]) ORDER BY id LIMIT $4`, [
              afterId,
              h,
              [...types],
              limit,
            ])
          : await s.q.query<EventRow>(`SELECT ${EVENT_COLS} FROM events WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3`, [afterId, h, limit])
        ).rows.map(presentEvent);
      // A full page below the horizon already known needs no new one (a sender working through a backlog).
      const known = lastHorizon;
      const first = await read(known);
      if (first.length >= limit) return first;
      const h = await horizon();
      return h > known ? read(h) : first;
    },
  };
}

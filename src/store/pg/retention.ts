// Retention on PostgreSQL (the RetentionStore port), as store/retention.ts does it on SQLite: old
// bodies go (the original, unless a delivery not yet ended sends its body; the delivered copy once
// delivery ended; the snippet) while the rows
// stay, and the text in the search index (schema 005) is blanked; old events go in batches.
import type { RetentionStore } from '../ports.js';
import type { PgScope } from './db.js';

/** Rows one purge transaction deletes, so mail commits never wait long behind it. */
const EVENT_BATCH = 5_000;

export function pgRetention(s: PgScope): RetentionStore {
  return {
    async purgeBodies(bodyDays, now = Date.now()) {
      const r = await s.q.query<{ n: number }>(
        `WITH old AS (SELECT m.id FROM messages m WHERE m.received_at < $1 AND EXISTS (SELECT 1 FROM message_bodies b WHERE b.message_id = m.id)
             AND NOT EXISTS (SELECT 1 FROM outbox o JOIN outbox_bodies ob ON ob.outbox_id = o.id
                             WHERE o.message_id = m.id AND o.status IN ('queued', 'deferred') AND ob.body_from IS NOT NULL)),
           bodies AS (DELETE FROM message_bodies WHERE message_id IN (SELECT id FROM old)),
           sent AS (DELETE FROM outbox_bodies WHERE outbox_id IN
             (SELECT id FROM outbox WHERE message_id IN (SELECT id FROM old) AND status IN ('sent', 'captured', 'failed'))),
           search AS (UPDATE message_search SET body = '' WHERE message_id IN (SELECT id FROM old)),
           snippets AS (UPDATE messages SET snippet = '' WHERE id IN (SELECT id FROM old))
         SELECT count(*) AS n FROM old`,
        [now - bodyDays * 86_400_000],
      );
      return { messages: r.rows[0]?.n ?? 0 };
    },
    async purgeEvents(eventDays, now = Date.now()) {
      let events = 0;
      for (;;) {
        const r = await s.q.query(`DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < $1 ORDER BY id LIMIT ${EVENT_BATCH})`, [
          now - eventDays * 86_400_000,
        ]);
        const n = r.rowCount ?? 0;
        events += n;
        if (n < EVENT_BATCH) return { events };
      }
    },
  };
}

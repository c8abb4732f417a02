// Owns retention: message bodies older than `retention.bodyDays` are purged — the raw original
// (kept while a delivery that sends its body has not ended), the delivered copy once delivery has ended, the text in the search index and the snippet —
// while the rows (who, when, subject, verdict, findings, delivery status) stay for the audit —
// and events older than `retention.eventDays` leave the marketplace feed.
import type { Db } from './db.js';

export function purgeOldBodies(db: Db, bodyDays: number, now = Date.now()): { messages: number } {
  const cutoff = now - bodyDays * 86_400_000;
  return db.transaction(() => {
    // An original whose body a delivery not yet ended sends (store/outbox.ts originalBody) waits
    // for that delivery: its bytes are the delivery's bytes. Purged at the first run after it ends.
    const old = `SELECT id FROM messages WHERE received_at < ? AND id IN (SELECT message_id FROM message_bodies)
      AND id NOT IN (SELECT o.message_id FROM outbox o JOIN outbox_bodies b ON b.outbox_id = o.id
                     WHERE o.status IN ('queued', 'deferred') AND b.body_from IS NOT NULL AND o.message_id IS NOT NULL)`;
    const ids = (db.prepare(old).all(cutoff) as { id: number }[]).map((r) => r.id);
    if (ids.length === 0) return { messages: 0 };
    const marks = ids.map(() => '?').join(',');
    db.prepare(`DELETE FROM message_bodies WHERE message_id IN (${marks})`).run(...ids);
    // A delivery still in progress keeps its bytes until it ends.
    db.prepare(
      `DELETE FROM outbox_bodies WHERE outbox_id IN (SELECT id FROM outbox WHERE message_id IN (${marks}) AND status IN ('sent', 'captured', 'failed'))`,
    ).run(...ids);
    db.prepare(`UPDATE message_search SET body = '' WHERE rowid IN (${marks})`).run(...ids);
    db.prepare(`UPDATE messages SET snippet = '' WHERE id IN (${marks})`).run(...ids);
    return { messages: ids.length };
  })();
}

/** Rows one purge transaction deletes, so mail commits never wait long behind it. */
const EVENT_BATCH = 5_000;

/**
 * Deletes events written before `now - eventDays`, oldest first, in batches of 5 000 rows, each its
 * own transaction. Events are written in time order, so the old ones are the start of the feed and
 * a batch finds them at once; the last batch reads the (30 days') table once to find none left. A
 * webhook endpoint whose cursor is behind simply goes on with the oldest event kept. Returns how
 * many events went.
 */
export function purgeOldEvents(db: Db, eventDays: number, now = Date.now()): { events: number } {
  const cutoff = now - eventDays * 86_400_000;
  const batch = db.prepare(`DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < ? ORDER BY id LIMIT ${EVENT_BATCH})`);
  let events = 0;
  for (;;) {
    const n = db.transaction(() => batch.run(cutoff).changes)();
    events += n;
    if (n < EVENT_BATCH) return { events };
  }
}

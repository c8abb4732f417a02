// Owns retention: message bodies older than `retention.bodyDays` are purged — the raw original,
// the delivered copy once delivery has ended, the text in the search index and the snippet —
// while the rows (who, when, subject, verdict, findings, delivery status) stay for the audit.
import type { Db } from './db.js';

export function purgeOldBodies(db: Db, bodyDays: number, now = Date.now()): { messages: number } {
  const cutoff = now - bodyDays * 86_400_000;
  return db.transaction(() => {
    const old = `SELECT id FROM messages WHERE received_at < ? AND id IN (SELECT message_id FROM message_bodies)`;
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

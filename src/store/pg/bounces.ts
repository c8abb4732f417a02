// Bounce reports and undeliverable buyers on PostgreSQL (the BounceStore port).
import type { BounceStore } from '../ports.js';
import type { PgScope } from './db.js';

export function pgBounces(s: PgScope): BounceStore {
  return {
    async record(r) {
      await s.q.query('INSERT INTO bounce_reports (outbox_id, received_at, outcome, reason, status, diagnostic) VALUES ($1, $2, $3, $4, $5, $6)', [
        r.outboxId,
        r.receivedAt,
        r.outcome,
        r.reason,
        r.status,
        r.diagnostic,
      ]);
    },
    async markUndeliverable(email, now = Date.now(), reason = null) {
      await s.q.query('UPDATE buyers SET undeliverable_at = $1, undeliverable_reason = $2 WHERE email = $3 AND undeliverable_at IS NULL', [
        now,
        reason,
        email.toLowerCase(),
      ]);
    },
    async clearUndeliverableAfterDelivery(email, messageId, now = Date.now()) {
      const marked = await s.q.query('SELECT 1 FROM buyers WHERE email = $1 AND undeliverable_at IS NOT NULL', [email.toLowerCase()]);
      if (marked.rowCount === 0) return false;
      return s.inTransaction(async (q) => {
        const changed = await q.query(
          'UPDATE buyers SET undeliverable_at = NULL, undeliverable_reason = NULL WHERE email = $1 AND undeliverable_at IS NOT NULL',
          [email.toLowerCase()],
        );
        if (changed.rowCount === 0) return false;
        await q.query(
          `INSERT INTO events (type, store_id, data, created_at)
           SELECT 'buyer.deliverable', p.store_id, jsonb_build_object('alias', p.token, 'via', 'delivery')::text, $1 FROM messages m JOIN pairs p ON p.id = m.pair_id WHERE m.id = $2`,
          [now, messageId],
        );
        return true;
      });
    },
  };
}

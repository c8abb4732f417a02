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
    async markUndeliverable(email, now = Date.now()) {
      await s.q.query('UPDATE buyers SET undeliverable_at = $1 WHERE email = $2 AND undeliverable_at IS NULL', [now, email.toLowerCase()]);
    },
  };
}

// The PostgreSQL campaign ledger: recipients are claimed with FOR UPDATE SKIP LOCKED, a node id and
// a lease end, so each recipient is taken by one node only, and only run-out claims are resolved.
import type { CampaignLedger, ClaimedLedgerRow } from '../ports.js';
import type { PgScope } from './db.js';

const COLS = 'id, campaign_id AS "campaignId", pair_id AS "pairId"';

export function pgLedger(s: PgScope): CampaignLedger {
  return {
    async claim(campaignId, owner, n, leaseMs, now = Date.now()) {
      const r = await s.q.query<ClaimedLedgerRow>(
        `UPDATE campaign_recipients r SET status = 'sending', claimed_at = $1, lease_owner = $2, lease_until = $3
         FROM (SELECT id FROM campaign_recipients WHERE campaign_id = $4 AND status = 'pending' ORDER BY id LIMIT $5 FOR UPDATE SKIP LOCKED) c
         WHERE r.id = c.id
         RETURNING r.id, r.campaign_id AS "campaignId", r.pair_id AS "pairId"`,
        [now, owner, now + leaseMs, campaignId, n],
      );
      return r.rows.sort((a, b) => a.id - b.id);
    },
    async markSent(id, messageId, outboxId, now = Date.now(), owner) {
      const r = await s.q.query(
        `UPDATE campaign_recipients SET status = 'sent', message_id = $1, outbox_id = $2, done_at = $3, reason = NULL, lease_owner = NULL, lease_until = NULL
         WHERE id = $4 AND ($5::text IS NULL OR (status = 'sending' AND lease_owner = $5))`,
        [messageId, outboxId, now, id, owner ?? null],
      );
      return r.rowCount === 1;
    },
    async markSkipped(id, reason, now = Date.now()) {
      await s.q.query("UPDATE campaign_recipients SET status = 'skipped', reason = $1, done_at = $2, lease_owner = NULL, lease_until = NULL WHERE id = $3", [
        reason,
        now,
        id,
      ]);
    },
    async expired(now = Date.now()) {
      const r = await s.q.query<ClaimedLedgerRow>(
        `SELECT ${COLS} FROM campaign_recipients WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= $1) ORDER BY id`,
        [now],
      );
      return r.rows;
    },
    async counts(campaignId) {
      const r = await s.q.query<{ status: string; n: number }>('SELECT status, count(*) AS n FROM campaign_recipients WHERE campaign_id = $1 GROUP BY status', [
        campaignId,
      ]);
      return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
    },
  };
}

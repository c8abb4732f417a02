// Owns campaigns and their ledger. A campaign's recipients are written once, when it starts (unique
// per campaign and pair); the sender claims pending rows in a transaction, and each row ends sent
// (with its message and outbox ids, written in the same transaction as the outbox row), skipped or
// failed with a reason. Rows found claimed after a crash are resolved from the stored messages.
import { createHash } from 'node:crypto';
import { normalizeAudience, type AudienceSpec } from '../core/audience.js';
import { audienceQuery } from './audience.js';
import type { Db } from './db.js';
import { EventRepo } from './events.js';
import { stmt } from './statements.js';

export type CampaignStatus = 'draft' | 'scheduled' | 'late' | 'sending' | 'paused' | 'done' | 'cancelled';
export type RecipientStatus = 'pending' | 'sending' | 'sent' | 'skipped' | 'failed' | 'unknown';

export interface CampaignExtras {
  readonly promoCode?: string | undefined;
  readonly promoItem?: string | undefined;
  /** One item per line, for the popular-products preset. */
  readonly items?: string | undefined;
}

export interface CampaignDraft {
  readonly storeId: number;
  readonly name: string;
  readonly preset: string;
  readonly subject: string;
  readonly body: string;
  readonly audience: AudienceSpec;
  readonly extras: CampaignExtras;
  readonly createdBy: number | null;
}

export interface Campaign extends Omit<CampaignDraft, 'createdBy'> {
  readonly id: number;
  readonly status: CampaignStatus;
  readonly scheduledAt: number | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly contentHash: string;
  readonly createdAt: number;
}

export interface ClaimedRecipient {
  readonly id: number;
  readonly pairId: number;
  readonly token: string;
  readonly buyerName: string;
  readonly hideName: boolean;
  readonly unsubscribed: boolean;
  readonly undeliverable: boolean;
  /** When this buyer last got another campaign from the store, if ever. */
  readonly lastCampaignAt: number | null;
  /** Not a buyer when the campaign started: the message costs credits. */
  readonly prospect: boolean;
}

export interface Progress {
  readonly total: number;
  readonly pending: number;
  readonly sent: number;
  readonly skipped: number;
  readonly failed: number;
  readonly unknown: number;
  readonly skippedBy: Readonly<Record<string, number>>;
  readonly failedBy: Readonly<Record<string, number>>;
  /** Rows handed to the outbox in the last 10 seconds, per second. */
  readonly ratePerSecond: number;
}

/**
 * The data of the `campaign.finished` event (docs/webhooks.md): the campaign, the status it ended
 * in ('done' or 'cancelled') and its totals at that moment. One shape for both databases.
 */
export function campaignFinishedData(campaignId: number, name: string, status: CampaignStatus, p: Progress): Record<string, unknown> {
  return { campaignId, name, status, total: p.total, sent: p.sent, skipped: p.skipped, failed: p.failed, unknown: p.unknown, pending: p.pending };
}

export interface CampaignRowData {
  id: number;
  storeId: number;
  name: string;
  preset: string;
  subject: string;
  body: string;
  audience: string;
  extras: string;
  status: CampaignStatus;
  scheduledAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  contentHash: string;
  createdAt: number;
}

/** The campaigns columns as a Campaign's fields (quoted aliases: the same text on SQLite and PostgreSQL). */
export const CAMPAIGN_COLS = `id, store_id AS "storeId", name, preset, subject, body, audience, extras, status, scheduled_at AS "scheduledAt",
  started_at AS "startedAt", finished_at AS "finishedAt", content_hash AS "contentHash", created_at AS "createdAt"`;
const COLS = CAMPAIGN_COLS;

export const toCampaign = (r: CampaignRowData): Campaign => ({
  ...r,
  audience: JSON.parse(r.audience) as AudienceSpec,
  extras: JSON.parse(r.extras) as CampaignExtras,
});

/** Same subject, body, extras and audience: the same campaign, whatever its name. */
export function contentHash(d: Pick<CampaignDraft, 'storeId' | 'subject' | 'body' | 'audience' | 'extras'>): string {
  return createHash('sha256')
    .update(JSON.stringify([d.storeId, d.subject.trim(), d.body.trim(), normalizeAudience(d.audience), d.extras]))
    .digest('hex');
}

/** The facts the campaign rules decide on, for the pair `pair` and the campaign `campaign` (SQL); needs `b` (buyers). */
export const exclusionCols = (pair: string, campaign: string) =>
  `EXISTS (SELECT 1 FROM campaign_unsubscribes u WHERE u.pair_id = ${pair}) AS unsubscribed,
   b.undeliverable_at IS NOT NULL AS undeliverable,
   (SELECT max(o.done_at) FROM campaign_recipients o WHERE o.pair_id = ${pair} AND o.status = 'sent' AND o.campaign_id != ${campaign}) AS "lastCampaignAt"`;

/** What sending needs of one ledger row (`?`: its id), for ClaimedRecipient; the same on both databases. */
export const CLAIMED_SQL = `SELECT r.id, r.pair_id AS "pairId", p.token, b.name AS "buyerName", p.hide_name AS "hideName", r.prospect, ${exclusionCols('r.pair_id', 'r.campaign_id')}
       FROM campaign_recipients r JOIN pairs p ON p.id = r.pair_id JOIN buyers b ON b.id = p.buyer_id`;

/** Ledger rows by status and reason (`?`: the campaign), and those sent since a time (`?`: campaign, since). */
export const PROGRESS_SQL = 'SELECT status, reason, count(*) AS n FROM campaign_recipients WHERE campaign_id = ? GROUP BY status, reason';
export const RECENT_SQL = "SELECT count(*) AS n FROM campaign_recipients WHERE campaign_id = ? AND status = 'sent' AND done_at >= ?";
export interface ProgressRow {
  status: RecipientStatus;
  reason: string | null;
  n: number;
}

/** The progress from the ledger's counts by status and reason, and the rows sent in the last 10 seconds. */
export function progressOf(rows: readonly ProgressRow[], recent: number): Progress {
  const by = (s: RecipientStatus) => rows.filter((r) => r.status === s).reduce((a, r) => a + r.n, 0);
  const reasons = (s: RecipientStatus) => Object.fromEntries(rows.filter((r) => r.status === s).map((r) => [r.reason ?? '', r.n]));
  return {
    total: rows.reduce((a, r) => a + r.n, 0),
    pending: by('pending') + by('sending'),
    sent: by('sent'),
    skipped: by('skipped'),
    failed: by('failed'),
    unknown: by('unknown'),
    skippedBy: reasons('skipped'),
    failedBy: reasons('failed'),
    ratePerSecond: recent / 10,
  };
}

export class CampaignRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  create(d: CampaignDraft, now = Date.now()): number {
    const audience = normalizeAudience(d.audience);
    return Number(
      stmt(
        this.#db,
        `INSERT INTO campaigns (store_id, name, preset, subject, body, audience, extras, status, content_hash, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?)`,
      ).run(d.storeId, d.name, d.preset, d.subject, d.body, JSON.stringify(audience), JSON.stringify(d.extras), contentHash(d), d.createdBy, now, now)
        .lastInsertRowid,
    );
  }

  /** Changes a draft (or a scheduled campaign, which goes back to draft). Returns false once it has started. */
  update(id: number, d: Omit<CampaignDraft, 'createdBy'>, now = Date.now()): boolean {
    const audience = normalizeAudience(d.audience);
    return (
      stmt(
        this.#db,
        `UPDATE campaigns SET store_id = ?, name = ?, preset = ?, subject = ?, body = ?, audience = ?, extras = ?, content_hash = ?, status = 'draft',
           scheduled_at = NULL, updated_at = ? WHERE id = ? AND status IN ('draft', 'scheduled', 'late')`,
      ).run(d.storeId, d.name, d.preset, d.subject, d.body, JSON.stringify(audience), JSON.stringify(d.extras), contentHash(d), now, id).changes === 1
    );
  }

  get(id: number): Campaign | null {
    const row = stmt(this.#db, `SELECT ${COLS} FROM campaigns WHERE id = ?`).get(id) as CampaignRowData | undefined;
    return row ? toCampaign(row) : null;
  }

  list(storeIds: readonly number[] | null): Campaign[] {
    const rows = (
      storeIds === null
        ? stmt(this.#db, `SELECT ${COLS} FROM campaigns ORDER BY id DESC LIMIT 200`).all()
        : this.#db
            .prepare(`SELECT ${COLS} FROM campaigns WHERE store_id IN (${storeIds.map(() => '?').join(',') || 'NULL'}) ORDER BY id DESC LIMIT 200`)
            .all(...storeIds)
    ) as CampaignRowData[];
    return rows.map(toCampaign);
  }

  withStatus(statuses: readonly CampaignStatus[]): Campaign[] {
    const rows = this.#db
      .prepare(`SELECT ${COLS} FROM campaigns WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY id`)
      .all(...statuses) as CampaignRowData[];
    return rows.map(toCampaign);
  }

  /** Moves a campaign from one of `from` to `to`; false when it was not in one of them. */
  transition(id: number, from: readonly CampaignStatus[], to: CampaignStatus, now = Date.now(), scheduledAt?: number): boolean {
    const finished = to === 'done' || to === 'cancelled' ? now : null;
    return this.#db.transaction(() => {
      const moved =
        this.#db
          .prepare(
            `UPDATE campaigns SET status = ?, updated_at = ?, finished_at = coalesce(?, finished_at), scheduled_at = coalesce(?, scheduled_at)
           WHERE id = ? AND status IN (${from.map(() => '?').join(',')})`,
          )
          .run(to, now, finished, scheduledAt ?? null, id, ...from).changes === 1;
      // campaign.finished is written with the status change it reports.
      if (moved && finished !== null) {
        const c = this.get(id);
        const p = this.progress(id, now);
        new EventRepo(this.#db).append('campaign.finished', c?.storeId ?? null, campaignFinishedData(id, c?.name ?? '', to, p), now);
      }
      return moved;
    })();
  }

  /** Another campaign of the store with the same content started within `sinceMs`. */
  recentTwin(c: Campaign, sinceMs: number, now = Date.now()): Campaign | null {
    const row = stmt(
      this.#db,
      `SELECT ${COLS} FROM campaigns WHERE store_id = ? AND content_hash = ? AND id != ? AND started_at >= ? ORDER BY started_at DESC LIMIT 1`,
    ).get(c.storeId, c.contentHash, c.id, now - sinceMs) as CampaignRowData | undefined;
    return row ? toCampaign(row) : null;
  }

  /**
   * Starts a draft or scheduled campaign: its audience, as of now, becomes the ledger (one row per
   * pair, unique), prospects among it (no order yet) are charged `price` credits each from the
   * store's balance, and the campaign is sending — all in one transaction. Returns the number of
   * recipients; `overdraw` when the balance does not cover the prospects (nothing changes); null
   * when the campaign was not startable (already started, cancelled, or taken by a concurrent start).
   */
  start(id: number, price: number, now = Date.now()): number | { overdraw: { prospects: number; cost: number; balance: number } } | null {
    const refused = new Error('overdraw');
    let overdraw: { prospects: number; cost: number; balance: number } | null = null;
    try {
      return this.#db.transaction(() => {
        const c = this.get(id);
        if (!c || !['draft', 'scheduled', 'late'].includes(c.status)) return null;
        const q = audienceQuery(c.storeId, c.audience);
        const n = this.#db
          .prepare(
            `INSERT OR IGNORE INTO campaign_recipients (campaign_id, pair_id, status, prospect)
             SELECT ?, m.pair_id, 'pending', NOT EXISTS (SELECT 1 FROM orders o WHERE o.pair_id = m.pair_id AND o.status NOT IN ('cancelled', 'refunded'))
             FROM (${q.sql}) m`,
          )
          .run(id, ...q.params).changes;
        const prospects = (stmt(this.#db, 'SELECT count(*) AS n FROM campaign_recipients WHERE campaign_id = ? AND prospect = 1').get(id) as { n: number }).n;
        const cost = prospects * price;
        if (cost > 0) {
          const balance = (stmt(this.#db, 'SELECT coalesce(sum(delta), 0) AS b FROM store_credits WHERE store_id = ?').get(c.storeId) as { b: number }).b;
          if (cost > balance) {
            overdraw = { prospects, cost, balance };
            throw refused; // rolls the ledger back
          }
          stmt(this.#db, 'INSERT INTO store_credits (store_id, delta, reason, campaign_id, created_at) VALUES (?, ?, ?, ?, ?)').run(
            c.storeId,
            -cost,
            `campaign "${c.name}": ${prospects} prospect message${prospects === 1 ? '' : 's'} × ${price}`,
            id,
            now,
          );
        }
        stmt(this.#db, "UPDATE campaigns SET status = 'sending', started_at = ?, updated_at = ?, prospect_price = ? WHERE id = ?").run(now, now, price, id);
        return n;
      })();
    } catch (err) {
      if (err === refused && overdraw) return { overdraw };
      throw err;
    }
  }

  /**
   * Refunds the prospects a campaign did not send to (skipped, failed, cancelled). Idempotent: it
   * settles the difference between what was charged and what the sent (or unknown) rows cost.
   */
  settleCredits(id: number, now = Date.now()): number {
    return this.#db.transaction(() => {
      const c = stmt(this.#db, 'SELECT store_id AS storeId, prospect_price AS price FROM campaigns WHERE id = ?').get(id) as
        { storeId: number; price: number | null } | undefined;
      if (!c?.price) return 0;
      const kept = (
        stmt(
          this.#db,
          "SELECT count(*) AS n FROM campaign_recipients WHERE campaign_id = ? AND prospect = 1 AND status IN ('sent', 'unknown', 'sending', 'pending')",
        ).get(id) as {
          n: number;
        }
      ).n;
      const net = -(stmt(this.#db, 'SELECT coalesce(sum(delta), 0) AS d FROM store_credits WHERE campaign_id = ?').get(id) as { d: number }).d;
      const refund = net - kept * c.price;
      if (refund > 0) {
        stmt(this.#db, 'INSERT INTO store_credits (store_id, delta, reason, campaign_id, created_at) VALUES (?, ?, ?, ?, ?)').run(
          c.storeId,
          refund,
          `refund: ${refund / c.price} prospect message${refund / c.price === 1 ? '' : 's'} not sent`,
          id,
          now,
        );
      }
      return Math.max(refund, 0);
    })();
  }

  /** What the campaign rules need to know of one pair now (for a test email's preview). */
  recipientFacts(campaignId: number, pairId: number): { unsubscribed: boolean; undeliverable: boolean; lastCampaignAt: number | null } | null {
    const r = stmt(this.#db, `SELECT ${exclusionCols('p.id', '?')} FROM pairs p JOIN buyers b ON b.id = p.buyer_id WHERE p.id = ?`).get(campaignId, pairId) as
      { unsubscribed: number; undeliverable: number; lastCampaignAt: number | null } | undefined;
    return r ? { unsubscribed: !!r.unsubscribed, undeliverable: !!r.undeliverable, lastCampaignAt: r.lastCampaignAt } : null;
  }

  /**
   * What the exclusions need of rows a claim took (the CampaignLedger port's claim: pending →
   * sending, leased to one node). Lowest id first; ids no longer in the ledger are left out.
   */
  claimed(ids: readonly number[]): ClaimedRecipient[] {
    if (ids.length === 0) return [];
    const detail = stmt(this.#db, `${CLAIMED_SQL} WHERE r.id = ?`);
    const rows = ids
      .map((id) => detail.get(id) as (Omit<ClaimedRecipient, 'hideName' | 'unsubscribed' | 'undeliverable' | 'prospect'> & Record<string, number>) | undefined)
      .filter((r) => r !== undefined)
      .sort((a, b) => a.id - b.id);
    return rows.map((r) => ({ ...r, hideName: !!r.hideName, unsubscribed: !!r.unsubscribed, undeliverable: !!r.undeliverable, prospect: !!r.prospect }));
  }

  /**
   * Claims up to `n` pending rows (pending → sending) with what the exclusions need. Returns only
   * the rows this call's UPDATE moved (`RETURNING`): a row another claimer took first is not sent
   * twice, whatever the isolation of the database. No lease: the gateway's sender claims through
   * the CampaignLedger port (node id and lease end); this stays for one-process tools and tests.
   */
  claim(campaignId: number, n: number, now = Date.now()): ClaimedRecipient[] {
    return this.#db.transaction(() => {
      const claimed = stmt(
        this.#db,
        `UPDATE campaign_recipients SET status = 'sending', claimed_at = ?
         WHERE status = 'pending' AND id IN (SELECT id FROM campaign_recipients WHERE campaign_id = ? AND status = 'pending' ORDER BY id LIMIT ?)
         RETURNING id`,
      ).all(now, campaignId, n) as { id: number }[];
      return this.claimed(claimed.map((c) => c.id));
    })();
  }

  /** The row is sent (see CampaignLedger.markSent: with `owner`, only while that owner holds it in `sending`). */
  markSent(recipientId: number, messageId: number, outboxId: number, now = Date.now(), owner?: string): boolean {
    return (
      stmt(
        this.#db,
        `UPDATE campaign_recipients SET status = 'sent', message_id = ?, outbox_id = ?, done_at = ?, reason = NULL, lease_owner = NULL, lease_until = NULL
         WHERE id = ? AND (? IS NULL OR (status = 'sending' AND lease_owner = ?))`,
      ).run(messageId, outboxId, now, recipientId, owner ?? null, owner ?? null).changes === 1
    );
  }

  /** Ledger rows whose delivery was interrupted by a crash: reported as unknown, never sent again. */
  markUnknown(outboxIds: readonly number[]): number {
    const mark = stmt(
      this.#db,
      "UPDATE campaign_recipients SET status = 'unknown', reason = 'the gateway stopped during delivery; it may or may not have arrived' WHERE outbox_id = ?",
    );
    return this.#db.transaction(() => outboxIds.reduce((n, id) => n + mark.run(id).changes, 0))();
  }

  finish(recipientId: number, status: 'skipped' | 'failed', reason: string, now = Date.now()): void {
    stmt(this.#db, 'UPDATE campaign_recipients SET status = ?, reason = ?, done_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?').run(
      status,
      reason,
      now,
      recipientId,
    );
  }

  /** Pending rows of a cancelled campaign are skipped as cancelled. */
  cancelPending(campaignId: number, now = Date.now()): number {
    return stmt(
      this.#db,
      "UPDATE campaign_recipients SET status = 'skipped', reason = 'cancelled', done_at = ? WHERE campaign_id = ? AND status = 'pending'",
    ).run(now, campaignId).changes;
  }

  /**
   * After a crash: a row still claimed either has its message stored (the commit happened: sent,
   * with its outbox id) or not (nothing was handed over: pending again). Nothing is sent blindly.
   * Only rows whose claim lease ran out (or that have none): a live node's claims are its own.
   */
  recover(now = Date.now()): { sent: number; pending: number } {
    return this.#db.transaction(() => {
      const claimed = stmt(this.#db, "SELECT id FROM campaign_recipients WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= ?)").all(now) as {
        id: number;
      }[];
      let sent = 0;
      let pending = 0;
      for (const { id } of claimed) {
        const m = stmt(
          this.#db,
          'SELECT m.id AS messageId, o.id AS outboxId, m.received_at AS at FROM messages m LEFT JOIN outbox o ON o.message_id = m.id WHERE m.campaign_recipient_id = ? LIMIT 1',
        ).get(id) as { messageId: number; outboxId: number | null; at: number } | undefined;
        if (m) {
          stmt(
            this.#db,
            "UPDATE campaign_recipients SET status = 'sent', message_id = ?, outbox_id = ?, done_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?",
          ).run(m.messageId, m.outboxId, m.at, id);
          sent++;
        } else {
          stmt(this.#db, "UPDATE campaign_recipients SET status = 'pending', claimed_at = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ?").run(id);
          pending++;
        }
      }
      return { sent, pending };
    })();
  }

  progress(campaignId: number, now = Date.now()): Progress {
    const rows = stmt(this.#db, PROGRESS_SQL).all(campaignId) as ProgressRow[];
    const recent = (stmt(this.#db, RECENT_SQL).get(campaignId, now - 10_000) as { n: number }).n;
    return progressOf(rows, recent);
  }
}

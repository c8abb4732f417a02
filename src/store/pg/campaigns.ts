// The PostgreSQL adapter of the campaign port (src/store/campaign-ports.ts). The audience query, the
// campaign columns, what sending needs of a ledger row and the audience's counts are the SQLite
// repositories' own SQL (store/audience.ts, campaigns.ts) with `?` numbered for PostgreSQL; the
// writes are PostgreSQL's: a start locks the campaign row (two nodes starting one campaign: one
// ledger), the ledger is written with ON CONFLICT DO NOTHING, a refused start rolls back to a
// savepoint, settling credits locks the campaign row (two nodes settling at once refund once), and
// recovery takes expired claims with FOR UPDATE SKIP LOCKED.
import { normalizeAudience } from '../../core/audience.js';
import { audienceQuery, choiceSql, membersSql, namelessSql, splitSql, topItemsSql } from '../audience.js';
import type { CampaignStore, Overdraw, Progress } from '../campaign-ports.js';
import {
  CAMPAIGN_COLS,
  campaignFinishedData,
  CLAIMED_SQL,
  contentHash,
  exclusionCols,
  PROGRESS_SQL,
  progressOf,
  RECENT_SQL,
  toCampaign,
  type CampaignRowData,
  type ClaimedRecipient,
  type ProgressRow,
} from '../campaigns.js';
import { DEFAULT_PROSPECT_PRICE, PROSPECT_EMAIL, PROSPECT_PRICE_KEY } from '../prospects.js';
import { numbered, txScope, type PgScope, type Queryable } from './db.js';
import { pgMail } from './mail.js';
import { pgMarket } from './market.js';
import { pgOutbox } from './outbox.js';

async function one<T>(q: Queryable, text: string, values: unknown[] = []): Promise<T | null> {
  return ((await q.query(text, values)).rows[0] as T | undefined) ?? null;
}

const UNKNOWN_REASON = 'the gateway stopped during delivery; it may or may not have arrived';
const INTERRUPTED_ERROR = 'outcome unknown: the gateway stopped during the delivery attempt; not repeated';

/** Thrown inside start's savepoint to roll the ledger back; never leaves this file. */
class Overdrawn extends Error {
  constructor(readonly o: Overdraw) {
    super('overdraw');
  }
}

export function pgCampaigns(s: PgScope): CampaignStore {
  const get = async (q: Queryable, id: number) => {
    const r = await one<CampaignRowData>(q, `SELECT ${CAMPAIGN_COLS} FROM campaigns WHERE id = $1`, [id]);
    return r ? toCampaign(r) : null;
  };
  const progress = async (q: Queryable, campaignId: number, now: number): Promise<Progress> =>
    progressOf(
      (await q.query<ProgressRow>(numbered(PROGRESS_SQL), [campaignId])).rows,
      (await one<{ n: number }>(q, numbered(RECENT_SQL), [campaignId, now - 10_000]))?.n ?? 0,
    );
  const balance = async (q: Queryable, storeId: number) =>
    (await one<{ b: number }>(q, 'SELECT CAST(coalesce(sum(delta), 0) AS BIGINT) AS b FROM store_credits WHERE store_id = $1', [storeId]))?.b ?? 0;
  const audience = (storeId: number, a: Parameters<typeof audienceQuery>[1]) => audienceQuery(storeId, a, 'postgres');

  return {
    async create(d, now = Date.now()) {
      const r = await one<{ id: number }>(
        s.q,
        `INSERT INTO campaigns (store_id, name, preset, subject, body, audience, extras, status, content_hash, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $10, $10) RETURNING id`,
        [
          d.storeId,
          d.name,
          d.preset,
          d.subject,
          d.body,
          JSON.stringify(normalizeAudience(d.audience)),
          JSON.stringify(d.extras),
          contentHash(d),
          d.createdBy,
          now,
        ],
      );
      return (r as { id: number }).id;
    },
    async update(id, d, now = Date.now()) {
      const r = await s.q.query(
        `UPDATE campaigns SET store_id = $1, name = $2, preset = $3, subject = $4, body = $5, audience = $6, extras = $7, content_hash = $8, status = 'draft',
           scheduled_at = NULL, updated_at = $9 WHERE id = $10 AND status IN ('draft', 'scheduled', 'late')`,
        [d.storeId, d.name, d.preset, d.subject, d.body, JSON.stringify(normalizeAudience(d.audience)), JSON.stringify(d.extras), contentHash(d), now, id],
      );
      return r.rowCount === 1;
    },
    get: (id) => get(s.q, id),
    async list(storeIds) {
      const r =
        storeIds === null
          ? await s.q.query<CampaignRowData>(`SELECT ${CAMPAIGN_COLS} FROM campaigns ORDER BY id DESC LIMIT 200`)
          : await s.q.query<CampaignRowData>(`SELECT ${CAMPAIGN_COLS} FROM campaigns WHERE store_id = ANY($1::bigint[]) ORDER BY id DESC LIMIT 200`, [
              [...storeIds],
            ]);
      return r.rows.map(toCampaign);
    },
    async withStatus(statuses) {
      const r = await s.q.query<CampaignRowData>(`SELECT ${CAMPAIGN_COLS} FROM campaigns WHERE status = ANY($1::text[]) ORDER BY id`, [[...statuses]]);
      return r.rows.map(toCampaign);
    },
    transition: (id, from, to, now = Date.now(), scheduledAt) =>
      s.inTransaction(async (q) => {
        const finished = to === 'done' || to === 'cancelled' ? now : null;
        const moved = await q.query(
          `UPDATE campaigns SET status = $1, updated_at = $2, finished_at = coalesce($3::bigint, finished_at), scheduled_at = coalesce($4::bigint, scheduled_at)
           WHERE id = $5 AND status = ANY($6::text[])`,
          [to, now, finished, scheduledAt ?? null, id, [...from]],
        );
        if (moved.rowCount !== 1) return false;
        // campaign.finished is written with the status change it reports.
        if (finished !== null) {
          const c = await get(q, id);
          const p = await progress(q, id, now);
          const data = campaignFinishedData(id, c?.name ?? '', to, p);
          await q.query("INSERT INTO events (type, store_id, data, created_at) VALUES ('campaign.finished', $1, $2, $3)", [
            c?.storeId ?? null,
            JSON.stringify(data),
            now,
          ]);
        }
        return true;
      }),
    async recentTwin(c, sinceMs, now = Date.now()) {
      const r = await one<CampaignRowData>(
        s.q,
        `SELECT ${CAMPAIGN_COLS} FROM campaigns WHERE store_id = $1 AND content_hash = $2 AND id != $3 AND started_at >= $4 ORDER BY started_at DESC LIMIT 1`,
        [c.storeId, c.contentHash, c.id, now - sinceMs],
      );
      return r ? toCampaign(r) : null;
    },
    start: (id, price, now = Date.now()) =>
      s.inTransaction(async (q) => {
        // The row lock makes a concurrent start (any node) wait, then find the campaign sending.
        const row = await one<CampaignRowData>(q, `SELECT ${CAMPAIGN_COLS} FROM campaigns WHERE id = $1 FOR UPDATE`, [id]);
        const c = row ? toCampaign(row) : null;
        if (!c || !['draft', 'scheduled', 'late'].includes(c.status)) return null;
        const a = audience(c.storeId, c.audience);
        await q.query('SAVEPOINT campaign_start');
        try {
          const n =
            (
              await q.query(
                numbered(
                  `INSERT INTO campaign_recipients (campaign_id, pair_id, status, prospect)
                   SELECT ?, m.pair_id, 'pending', CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.pair_id = m.pair_id AND o.status NOT IN ('cancelled', 'refunded')) THEN 0 ELSE 1 END
                   FROM (${a.sql}) m ON CONFLICT (campaign_id, pair_id) DO NOTHING`,
                ),
                [id, ...a.params],
              )
            ).rowCount ?? 0;
          const prospects =
            (await one<{ n: number }>(q, 'SELECT count(*) AS n FROM campaign_recipients WHERE campaign_id = $1 AND prospect = 1', [id]))?.n ?? 0;
          const cost = prospects * price;
          if (cost > 0) {
            const b = await balance(q, c.storeId);
            if (cost > b) throw new Overdrawn({ overdraw: { prospects, cost, balance: b } });
            await q.query('INSERT INTO store_credits (store_id, delta, reason, campaign_id, created_at) VALUES ($1, $2, $3, $4, $5)', [
              c.storeId,
              -cost,
              `campaign "${c.name}": ${prospects} prospect message${prospects === 1 ? '' : 's'} × ${price}`,
              id,
              now,
            ]);
          }
          await q.query("UPDATE campaigns SET status = 'sending', started_at = $1, updated_at = $1, prospect_price = $2 WHERE id = $3", [now, price, id]);
          await q.query('RELEASE SAVEPOINT campaign_start');
          return n;
        } catch (err) {
          await q.query('ROLLBACK TO SAVEPOINT campaign_start');
          if (err instanceof Overdrawn) return err.o;
          throw err;
        }
      }),
    settleCredits: (id, now = Date.now()) =>
      s.inTransaction(async (q) => {
        // Locked: two nodes settling one campaign at once refund it once.
        const c = await one<{ storeId: number; price: number | null }>(
          q,
          'SELECT store_id AS "storeId", prospect_price AS price FROM campaigns WHERE id = $1 FOR UPDATE',
          [id],
        );
        if (!c?.price) return 0;
        const kept =
          (
            await one<{ n: number }>(
              q,
              "SELECT count(*) AS n FROM campaign_recipients WHERE campaign_id = $1 AND prospect = 1 AND status IN ('sent', 'unknown', 'sending', 'pending')",
              [id],
            )
          )?.n ?? 0;
        const net = -(
          (await one<{ d: number }>(q, 'SELECT CAST(coalesce(sum(delta), 0) AS BIGINT) AS d FROM store_credits WHERE campaign_id = $1', [id]))?.d ?? 0
        );
        const refund = net - kept * c.price;
        if (refund > 0) {
          await q.query('INSERT INTO store_credits (store_id, delta, reason, campaign_id, created_at) VALUES ($1, $2, $3, $4, $5)', [
            c.storeId,
            refund,
            `refund: ${refund / c.price} prospect message${refund / c.price === 1 ? '' : 's'} not sent`,
            id,
            now,
          ]);
        }
        return Math.max(refund, 0);
      }),
    async recipientFacts(campaignId, pairId) {
      const r = await one<{ unsubscribed: boolean; undeliverable: boolean; lastCampaignAt: number | null }>(
        s.q,
        `SELECT ${exclusionCols('p.id', '$1')} FROM pairs p JOIN buyers b ON b.id = p.buyer_id WHERE p.id = $2`,
        [campaignId, pairId],
      );
      return r ? { unsubscribed: !!r.unsubscribed, undeliverable: !!r.undeliverable, lastCampaignAt: r.lastCampaignAt } : null;
    },
    async claimed(ids) {
      if (ids.length === 0) return [];
      const rows = (await s.q.query(`${CLAIMED_SQL} WHERE r.id = ANY($1::bigint[]) ORDER BY r.id`, [[...ids]])).rows as (Omit<
        ClaimedRecipient,
        'hideName' | 'unsubscribed' | 'undeliverable' | 'prospect'
      > & { hideName: number; unsubscribed: boolean; undeliverable: boolean; prospect: number })[];
      return rows.map((r) => ({ ...r, hideName: !!r.hideName, unsubscribed: !!r.unsubscribed, undeliverable: !!r.undeliverable, prospect: !!r.prospect }));
    },
    async finish(id, status, reason, now = Date.now()) {
      await s.q.query('UPDATE campaign_recipients SET status = $1, reason = $2, done_at = $3, lease_owner = NULL, lease_until = NULL WHERE id = $4', [
        status,
        reason,
        now,
        id,
      ]);
    },
    async cancelPending(campaignId, now = Date.now()) {
      const r = await s.q.query(
        "UPDATE campaign_recipients SET status = 'skipped', reason = 'cancelled', done_at = $1 WHERE campaign_id = $2 AND status = 'pending'",
        [now, campaignId],
      );
      return r.rowCount ?? 0;
    },
    recoverInterrupted: (now = Date.now()) =>
      s.inTransaction(async (q) => {
        // At-most-once deliveries a dead node began and never ended: failed, their ledger rows unknown.
        const cut = (
          await q.query<{ id: number; attempts: number }>(
            `SELECT id, attempts FROM outbox WHERE at_most_once = 1 AND attempt_started_at IS NOT NULL AND status IN ('queued', 'deferred')
               AND (lease_until IS NULL OR lease_until <= $1) ORDER BY id FOR UPDATE SKIP LOCKED`,
            [now],
          )
        ).rows;
        const outbox = pgOutbox(txScope(q));
        let unknown = 0;
        for (const o of cut) {
          await outbox.markFailed(o.id, o.attempts, INTERRUPTED_ERROR, now);
          unknown +=
            (await q.query("UPDATE campaign_recipients SET status = 'unknown', reason = $1 WHERE outbox_id = $2", [UNKNOWN_REASON, o.id])).rowCount ?? 0;
        }
        // Claims whose lease ran out: sent when their message was stored, else pending again.
        const claimed = (
          await q.query<{ id: number }>(
            "SELECT id FROM campaign_recipients WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= $1) ORDER BY id FOR UPDATE SKIP LOCKED",
            [now],
          )
        ).rows;
        let sent = 0;
        let pending = 0;
        for (const { id } of claimed) {
          const m = await one<{ messageId: number; outboxId: number | null; at: number }>(
            q,
            'SELECT m.id AS "messageId", o.id AS "outboxId", m.received_at AS at FROM messages m LEFT JOIN outbox o ON o.message_id = m.id WHERE m.campaign_recipient_id = $1 LIMIT 1',
            [id],
          );
          if (m) {
            await q.query(
              "UPDATE campaign_recipients SET status = 'sent', message_id = $1, outbox_id = $2, done_at = $3, lease_owner = NULL, lease_until = NULL WHERE id = $4",
              [m.messageId, m.outboxId, m.at, id],
            );
            sent++;
          } else {
            await q.query("UPDATE campaign_recipients SET status = 'pending', claimed_at = NULL, lease_owner = NULL, lease_until = NULL WHERE id = $1", [id]);
            pending++;
          }
        }
        return { deliveries: cut.length, unknown, sent, pending };
      }),
    progress: (campaignId, now = Date.now()) => progress(s.q, campaignId, now),
    async latestOrder(pairId, number) {
      const r =
        number === undefined
          ? await one<{ id: number }>(s.q, 'SELECT id FROM orders WHERE pair_id = $1 ORDER BY placed_at DESC, id DESC LIMIT 1', [pairId])
          : await one<{ id: number }>(s.q, 'SELECT id FROM orders WHERE pair_id = $1 AND number = $2', [pairId, number]);
      return r ? pgMarket(s).order(r.id) : null;
    },
    async split(storeId, a) {
      const q = audience(storeId, a);
      const r = (await one<{ total: number; prospects: number }>(s.q, numbered(splitSql(q)), [...q.params])) as { total: number; prospects: number };
      return { purchasers: r.total - r.prospects, prospects: r.prospects };
    },
    async nameless(storeId, a) {
      const q = audience(storeId, a);
      return (await one<{ n: number }>(s.q, numbered(namelessSql(q)), [...q.params]))?.n ?? 0;
    },
    async members(storeId, a, limit = -1) {
      const q = audience(storeId, a);
      return (await s.q.query(numbered(membersSql(q)), [...q.params, limit < 0 ? null : limit])).rows as never;
    },
    topItems: async (storeId, n = 4) => (await s.q.query(numbered(topItemsSql('postgres')), [storeId, n])).rows as never,
    async choices(storeId) {
      const col = async (c: 'category' | 'manufacturer') =>
        (await s.q.query<{ v: string }>(numbered(choiceSql(c, 'postgres')), [storeId])).rows.map((r) => r.v);
      return { categories: await col('category'), manufacturers: await col('manufacturer') };
    },
    importProspects: (storeId, list, people, relayDomains, now = Date.now()) =>
      s.inTransaction(async (q) => {
        const mail = pgMail(txScope(q));
        let imported = 0;
        let known = 0;
        const invalid: { line: number; reason: string }[] = [];
        for (const [i, p] of people.entries()) {
          const email = p.email.toLowerCase();
          if (!PROSPECT_EMAIL.test(email) || relayDomains.some((d) => email.endsWith(`@${d}`))) {
            invalid.push({ line: p.line ?? i + 1, reason: `not a usable address: ${email.slice(0, 60)}` });
            continue;
          }
          const { view, created } = await mail.ensurePair(storeId, email, p.name, 'visitor', now);
          const hasOrders = (await one(q, 'SELECT 1 FROM orders WHERE pair_id = $1 LIMIT 1', [view.pair.id])) !== null;
          if (!created && hasOrders) {
            known++;
            continue;
          }
          const added = await q.query('INSERT INTO prospects (pair_id, list, imported_at) VALUES ($1, $2, $3) ON CONFLICT (pair_id) DO NOTHING', [
            view.pair.id,
            list,
            now,
          ]);
          if (added.rowCount) imported++;
          else known++;
        }
        return { imported, known, invalid };
      }),
    async lists(storeIds) {
      if (storeIds.length === 0) return [];
      const r = await s.q.query<{ storeId: number; list: string; count: number }>(
        `SELECT p.store_id AS "storeId", x.list, count(*) AS count FROM prospects x JOIN pairs p ON p.id = x.pair_id
         WHERE p.store_id = ANY($1::bigint[]) GROUP BY p.store_id, x.list ORDER BY x.list COLLATE "C"`,
        [[...storeIds]],
      );
      return r.rows;
    },
    balance: (storeId) => balance(s.q, storeId),
    addCredits: (storeId, delta, reason, by, now = Date.now()) =>
      s.inTransaction(async (q) => {
        await q.query('INSERT INTO store_credits (store_id, delta, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5)', [
          storeId,
          delta,
          reason,
          by,
          now,
        ]);
        return balance(q, storeId);
      }),
    async price() {
      const v = (await one<{ value: string }>(s.q, 'SELECT value FROM settings WHERE key = $1', [PROSPECT_PRICE_KEY]))?.value ?? null;
      return v !== null && Number.isInteger(Number(v)) && Number(v) >= 0 ? Number(v) : DEFAULT_PROSPECT_PRICE;
    },
    async setPrice(credits) {
      await s.q.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
        PROSPECT_PRICE_KEY,
        String(credits),
      ]);
    },
    unsubscribe: (pairId, via, now = Date.now()) =>
      s.inTransaction(async (q) => {
        const fresh =
          (
            await q.query('INSERT INTO campaign_unsubscribes (pair_id, via, created_at) VALUES ($1, $2, $3) ON CONFLICT (pair_id) DO NOTHING', [
              pairId,
              via,
              now,
            ])
          ).rowCount === 1;
        if (fresh) await q.query(PAIR_EVENT, ['buyer.unsubscribed', JSON.stringify({ via }), now, pairId]);
        return fresh;
      }),
    async setPairChoices(pairId, o, now = Date.now()) {
      if (o.optOut !== undefined) {
        const optOut = o.optOut ? 1 : 0;
        await s.inTransaction(async (q) => {
          const changed = await q.query(
            'UPDATE pairs SET opted_out = $1, opted_out_at = CASE WHEN $1 = 1 THEN $2::bigint ELSE NULL END WHERE id = $3 AND opted_out != $1',
            [optOut, now, pairId],
          );
          if (changed.rowCount === 1)
            await q.query(PAIR_EVENT, ['buyer.opted_out', JSON.stringify({ optedOut: o.optOut, via: 'unsubscribe-page' }), now, pairId]);
        });
      }
      if (o.hideName !== undefined) await s.q.query('UPDATE pairs SET hide_name = $1 WHERE id = $2', [o.hideName ? 1 : 0, pairId]);
    },
    async pairForPage(pairId) {
      const r = await one<{ storeName: string; optedOut: number; hideName: number; unsubscribed: boolean }>(
        s.q,
        `SELECT s.name AS "storeName", p.opted_out AS "optedOut", p.hide_name AS "hideName",
                EXISTS (SELECT 1 FROM campaign_unsubscribes u WHERE u.pair_id = p.id) AS unsubscribed
         FROM pairs p JOIN stores s ON s.id = p.store_id WHERE p.id = $1`,
        [pairId],
      );
      return r ? { storeName: r.storeName, optedOut: !!r.optedOut, hideName: !!r.hideName, unsubscribed: !!r.unsubscribed } : null;
    },
  };
}

/** An event about one pair ($1 type, $2 data JSON, $3 time, $4 pair): `alias` and the store from the pair row, as EventRepo.appendForPair. */
const PAIR_EVENT = `INSERT INTO events (type, store_id, data, created_at)
  SELECT $1, p.store_id, (jsonb_build_object('alias', p.token) || $2::jsonb)::text, $3 FROM pairs p WHERE p.id = $4`;

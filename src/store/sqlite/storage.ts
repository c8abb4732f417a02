// The SQLite adapter of the storage ports (src/store/ports.ts): the embedded default. It wraps the
// synchronous repositories on the one better-sqlite3 connection; each port call returns a settled
// promise. A unit of work is BEGIN IMMEDIATE … COMMIT on that connection, and because every port
// call resolves at once, the callback runs to its end without giving the event loop a turn: no
// other statement (group commit included) can land inside it. A callback that awaits anything else
// is caught (a setImmediate canary fires), rolled back and refused.
import { generateKeyPairSync } from 'node:crypto';
import { joinedOriginal, laterPiecesQuery } from '../body-pieces.js';
import type { Db } from '../db.js';
import { OutboxRepo } from '../outbox.js';
import { purgeOldBodies, purgeOldEvents } from '../retention.js';
import { SessionRepo } from '../sessions.js';
import { getSetting, loadSecret, setSetting } from '../settings.js';
import { stmt } from '../statements.js';
import { sqliteMail } from './mail.js';
import { sqliteMarket } from './market.js';
import { sqliteAdmin } from './admin.js';
import { sqliteSettings } from './settings.js';
import { sqliteWebhooks } from './webhooks.js';
import { sqliteNotifications } from './notifications.js';
import { sqliteTemplates } from './templates.js';
import { sqliteTags } from './tags.js';
import { sqliteInbox } from './inbox.js';
import { sqliteCampaigns } from './campaigns.js';
import { sqliteImports } from './imports.js';
import { CampaignRepo } from '../campaigns.js';
import type {
  BounceStore,
  CampaignLedger,
  ClaimedLedgerRow,
  CountedTable,
  JobLeases,
  MessageRecord,
  OrderRecord,
  OutboxQueue,
  PairRecord,
  Records,
  Repositories,
  SecretStore,
  SessionStore,
  Storage,
  StoreRecord,
} from '../ports.js';
import { COUNTED_TABLES } from '../ports.js';

/** The settings key the DKIM private key is kept under. */
export const dkimSettingKey = (domain: string, selector: string) => `dkim_key:${domain.toLowerCase()}:${selector}`;

/** A new RSA 2048 DKIM key as PKCS#8 PEM. */
export function newDkimKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

const LEDGER_COLS = 'id, campaign_id AS campaignId, pair_id AS pairId';

/**
 * The gateway's group commit (relay/group-commit.ts), as the outbox needs it: `run` for a write a
 * client waits on, `runBatched` for bookkeeping nobody waits on. Each resolves once durable.
 */
export interface Committer {
  run<T>(fn: () => T): Promise<T>;
  runBatched<T>(fn: () => T): Promise<T>;
}

/** Each write in its own transaction, at once: without a group commit (the CLI, tests). */
function directCommitter(db: Db): Committer {
  const tx = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(db.inTransaction ? fn() : db.transaction(fn)());
    } catch (err) {
      return Promise.reject(err as Error);
    }
  };
  return { run: tx, runBatched: tx };
}

function outbox(db: Db, commit: Committer): OutboxQueue {
  const repo = new OutboxRepo(db);
  // Claims and lease extensions are waited on (delivery starts after them); status changes are
  // batched. All ride the group commit when there is one, so they share fsyncs with incoming mail as
  // before the ports, and none syncs the WAL on the SMTP thread (an extension in its own transaction
  // did: synchronous=FULL, 52 of them in a 1 MiB tier run of 300 messages, 241 ms of that thread
  // blocked, up to 43 ms at a time).
  return {
    enqueue: async (row, now = Date.now()) => commit.run(() => repo.enqueue(row, now)),
    get: async (id) => repo.get(id),
    raw: async (id) => repo.raw(id),
    delivered: async (id) => repo.delivered(id),
    claim: async (owner, limit, leaseMs, now = Date.now()) => commit.run(() => repo.claim(owner, limit, now + leaseMs, now)),
    extend: async (id, owner, leaseMs, now = Date.now()) =>
      commit.run(
        () => stmt(db, 'UPDATE outbox SET lease_until = ? WHERE id = ? AND lease_owner = ? AND lease_until > ?').run(now + leaseMs, id, owner, now).changes > 0,
      ),
    release: async (id, owner) =>
      stmt(db, 'UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?').run(id, owner).changes > 0,
    releaseAll: async (owner) => stmt(db, 'UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?').run(owner).changes,
    markDone: async (id, status, attempts, now = Date.now()) => commit.runBatched(() => repo.markDone(id, status, attempts, now)),
    markDeferred: async (id, attempts, next, error, now = Date.now()) => commit.runBatched(() => repo.markDeferred(id, attempts, next, error, now)),
    markFailed: async (id, attempts, error, now = Date.now()) => commit.runBatched(() => repo.markFailed(id, attempts, error, now)),
    pendingCount: async () => repo.pendingCount(),
    nextDueAt: async () => repo.nextDueAt(),
  };
}

function ledger(db: Db): CampaignLedger {
  return {
    async claim(campaignId, owner, n, leaseMs, now = Date.now()) {
      const rows = stmt(
        db,
        `UPDATE campaign_recipients SET status = 'sending', claimed_at = ?, lease_owner = ?, lease_until = ?
         WHERE status = 'pending' AND id IN (SELECT id FROM campaign_recipients WHERE campaign_id = ? AND status = 'pending' ORDER BY id LIMIT ?)
         RETURNING ${LEDGER_COLS}`,
      ).all(now, owner, now + leaseMs, campaignId, n) as ClaimedLedgerRow[];
      return rows.sort((a, b) => a.id - b.id);
    },
    markSent: async (id, messageId, outboxId, now = Date.now(), owner) => new CampaignRepo(db).markSent(id, messageId, outboxId, now, owner),
    async markSkipped(id, reason, now = Date.now()) {
      stmt(db, "UPDATE campaign_recipients SET status = 'skipped', reason = ?, done_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?").run(
        reason,
        now,
        id,
      );
    },
    async expired(now = Date.now()) {
      return stmt(db, `SELECT ${LEDGER_COLS} FROM campaign_recipients WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= ?) ORDER BY id`).all(
        now,
      ) as ClaimedLedgerRow[];
    },
    async counts(campaignId) {
      const rows = stmt(db, 'SELECT status, count(*) AS n FROM campaign_recipients WHERE campaign_id = ? GROUP BY status').all(campaignId) as {
        status: string;
        n: number;
      }[];
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
  };
}

function bounces(db: Db, commit: Committer): BounceStore {
  return {
    // Joins the next group commit when there is one (the bounce's sender may be waiting on it).
    record: async (r) =>
      commit.run(() => {
        stmt(db, 'INSERT INTO bounce_reports (outbox_id, received_at, outcome, reason, status, diagnostic) VALUES (?, ?, ?, ?, ?, ?)').run(
          r.outboxId,
          r.receivedAt,
          r.outcome,
          r.reason,
          r.status,
          r.diagnostic,
        );
      }),
    markUndeliverable: async (email, now = Date.now(), reason = null) =>
      commit.run(() => {
        stmt(db, 'UPDATE buyers SET undeliverable_at = ?, undeliverable_reason = ? WHERE email = ? AND undeliverable_at IS NULL').run(
          now,
          reason,
          email.toLowerCase(),
        );
      }),
    async clearUndeliverableAfterDelivery(email, messageId, now = Date.now()) {
      // A read first: almost every delivery goes to a buyer with no mark, and it should not cost a write.
      if (!stmt(db, 'SELECT 1 FROM buyers WHERE email = ? AND undeliverable_at IS NOT NULL').get(email.toLowerCase())) return false;
      return commit.run(() => {
        const changed = stmt(db, 'UPDATE buyers SET undeliverable_at = NULL, undeliverable_reason = NULL WHERE email = ? AND undeliverable_at IS NOT NULL').run(
          email.toLowerCase(),
        ).changes;
        if (changed === 0) return false;
        stmt(
          db,
          `INSERT INTO events (type, store_id, data, created_at)
           SELECT 'buyer.deliverable', p.store_id, json_object('alias', p.token, 'via', 'delivery'), ? FROM messages m JOIN pairs p ON p.id = m.pair_id WHERE m.id = ?`,
        ).run(now, messageId);
        return true;
      });
    },
  };
}

function secrets(db: Db): SecretStore {
  return {
    secret: async (name) => loadSecret(db, name),
    async dkimKey(domain, selector, imported) {
      const key = dkimSettingKey(domain, selector);
      const have = getSetting(db, key);
      if (have) return have;
      const pem = imported ?? newDkimKeyPem();
      stmt(db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING').run(key, pem);
      return getSetting(db, key) as string;
    },
    getSetting: async (key) => getSetting(db, key),
    setSetting: async (key, value) => setSetting(db, key, value),
  };
}

function leases(db: Db): JobLeases {
  return {
    async acquire(job, owner, leaseMs, now = Date.now()) {
      // Takes a free or run-out lease, or renews our own; another live holder keeps it.
      const r = stmt(
        db,
        `INSERT INTO job_leases (name, owner, lease_until) VALUES (?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
         WHERE job_leases.owner = excluded.owner OR job_leases.lease_until <= ?`,
      ).run(job, owner, now + leaseMs, now);
      return r.changes > 0;
    },
    async release(job, owner) {
      stmt(db, 'DELETE FROM job_leases WHERE name = ? AND owner = ?').run(job, owner);
    },
    async holder(job, now = Date.now()) {
      const row = stmt(db, 'SELECT owner FROM job_leases WHERE name = ? AND lease_until > ?').get(job, now) as { owner: string } | undefined;
      return row?.owner ?? null;
    },
  };
}

function sessions(db: Db, ttlMs: number): SessionStore {
  const repo = new SessionRepo(db, ttlMs);
  return {
    create: async (userId, now = Date.now()) => repo.create(userId, now),
    touch: async (token, now = Date.now()) => repo.touch(token, now),
    end: async (token) => repo.end(token),
    endAll: async (userId) => repo.endAll(userId),
  };
}

function records(db: Db): Records {
  const one = <T>(sql: string, ...args: unknown[]): T | null => (stmt(db, sql).get(...args) as T | undefined) ?? null;
  const STORE = 'SELECT id, slug, name, mailbox FROM stores';
  const PAIR = 'SELECT id, store_id AS storeId, buyer_id AS buyerId, token FROM pairs';
  return {
    store: async (id) => one<StoreRecord>(`${STORE} WHERE id = ?`, id),
    storeBySlug: async (slug) => one<StoreRecord>(`${STORE} WHERE slug = ?`, slug),
    pair: async (id) => one<PairRecord>(`${PAIR} WHERE id = ?`, id),
    pairByToken: async (token) => one<PairRecord>(`${PAIR} WHERE token = ?`, token),
    message: async (id) =>
      one<MessageRecord>(
        `SELECT id, pair_id AS pairId, store_id AS storeId, direction, subject, relay_message_id AS relayMessageId, received_at AS receivedAt
         FROM messages WHERE id = ?`,
        id,
      ),
    messageRaw: async (id) => {
      const first = one<{ raw: Buffer }>('SELECT raw FROM message_bodies WHERE message_id = ?', id)?.raw;
      if (!first) return null;
      // A large original's later pieces (store/body-pieces.ts); none for one stored whole.
      return joinedOriginal(
        first,
        (stmt(db, laterPiecesQuery('?')).all(id) as { bytes: Buffer }[]).map((r) => r.bytes),
      );
    },
    order: async (storeId, number) =>
      one<OrderRecord>(
        `SELECT id, store_id AS storeId, pair_id AS pairId, number, status, currency, total_minor AS totalMinor FROM orders WHERE store_id = ? AND number = ?`,
        storeId,
        number,
      ),
    async count(table: CountedTable) {
      if (!COUNTED_TABLES.includes(table)) throw new Error(`not a counted table: ${String(table)}`);
      return (stmt(db, `SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    },
  };
}

/**
 * At start on SQLite: one node owns the file, so every job lease left belongs to a process that
 * died (without this, its jobs would wait out the lease after a restart). Returns how many.
 */
export function clearJobLeases(db: Db): number {
  return stmt(db, 'DELETE FROM job_leases').run().changes;
}

/**
 * At start on SQLite (one node owns the file): every lease left belongs to a process that died, so
 * all are freed at once rather than waited out: job leases, outbox rows (delivered again, or for
 * an at-most-once row that was mid-attempt, reported unknown) and claimed campaign recipients
 * (resolved from the stored messages). Returns how many of each.
 */
export function clearDeadLeases(db: Db): { jobs: number; outbox: number; recipients: number } {
  return db.transaction(() => ({
    jobs: clearJobLeases(db),
    outbox: new OutboxRepo(db).releaseAllLeases(),
    recipients: stmt(db, "UPDATE campaign_recipients SET lease_owner = NULL, lease_until = NULL WHERE status = 'sending'").run().changes,
  }))();
}

export interface SqliteStorageOptions {
  /** Admin session lifetime (ms), sliding. */
  readonly sessionTtlMs: number;
  /**
   * The gateway's group commit: outbox claims and status changes join it (one fsync for many, as
   * the worker did before the ports). Without it each is its own transaction.
   */
  readonly commit?: Committer | undefined;
}

/** The ports over an open SQLite connection (openDb); close() does not close the connection. */
export function sqliteStorage(db: Db, o: SqliteStorageOptions): Storage {
  const direct = directCommitter(db);
  const repos = (commit: Committer): Repositories => ({
    outbox: outbox(db, commit),
    ledger: ledger(db),
    secrets: secrets(db),
    leases: leases(db),
    sessions: sessions(db, o.sessionTtlMs),
    records: records(db),
    bounces: bounces(db, commit),
    retention: {
      purgeBodies: async (days, now = Date.now()) => purgeOldBodies(db, days, now),
      purgeEvents: async (days, now = Date.now()) => purgeOldEvents(db, days, now),
    },
    mail: sqliteMail(db, commit),
    market: sqliteMarket(db),
    admin: sqliteAdmin(db),
    settings: sqliteSettings(db),
    webhooks: sqliteWebhooks(db),
    notifications: sqliteNotifications(db),
    templates: sqliteTemplates(db),
    tags: sqliteTags(db),
    inbox: sqliteInbox(db),
    campaigns: sqliteCampaigns(db),
    imports: sqliteImports(db),
  });
  // Inside a unit of work every call runs in its transaction at once (never in a later group commit).
  const inTx = repos(direct);
  let writing = false;
  return {
    kind: 'sqlite',
    ...repos(o.commit ?? direct),
    async write<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
      if (writing || db.inTransaction) throw new Error('storage.write: a write is already open on this connection');
      writing = true;
      let yielded = false;
      const canary = setImmediate(() => {
        yielded = true;
      });
      db.exec('BEGIN IMMEDIATE');
      try {
        const value = await fn(inTx);
        if (yielded) throw new Error('storage.write: the callback awaited something other than the storage ports; rolled back');
        db.exec('COMMIT');
        return value;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      } finally {
        writing = false;
        clearImmediate(canary);
      }
    },
    async close() {},
  };
}

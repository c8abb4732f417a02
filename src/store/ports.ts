// The storage seam: domain types and async repository interfaces per aggregate, a unit of work
// (`write(tx => …)`) and a queue with leases. Two adapters implement it: SQLite (the embedded
// default, src/store/sqlite/storage.ts, wrapping the synchronous repositories) and PostgreSQL
// (src/store/pg/storage.ts, for several nodes on one database). Contract tests
// (test/integration/storage-contract.test.ts) run the same cases against both.
//
// Times are integer milliseconds since the epoch (UTC). A lease is a node id plus a lease end: the
// holder may act on the row until then; after it, any node may take the row over. Node ids are
// opaque strings, unique per running process (see nodeId()).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { NewOutboxRow, OutboxRow, OutboxStatus } from './outbox.js';
import type { Session } from './sessions.js';
import type { MailStore } from './mail-ports.js';
import type { MarketStore } from './market-ports.js';
import type { AdminStore } from './admin-ports.js';
import type { SettingsStore } from './settings-ports.js';
import type { WebhookStore } from './webhook-ports.js';
import type { NotificationStore } from './notification-ports.js';
import type { TemplateStore } from './template-ports.js';
import type { TagStore } from './tag-ports.js';
import type { InboxStore } from './inbox-ports.js';
import type { CampaignStore } from './campaign-ports.js';
import type { ImportStore } from './import-ports.js';

export type { NewOutboxRow, OutboxRow, OutboxStatus, Session };
export type * from './mail-ports.js';
export type * from './market-ports.js';
export type * from './admin-ports.js';
export type * from './settings-ports.js';
export type * from './webhook-ports.js';
export type * from './notification-ports.js';
export type * from './template-ports.js';
export type * from './tag-ports.js';
export type * from './inbox-ports.js';
export type * from './campaign-ports.js';
export type * from './import-ports.js';

/** A process-unique node id: host name, pid and a random tail (a restarted process is a new node). */
export function nodeId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** The durable outbound queue, claimed with leases so two nodes never deliver one row at once. */
export interface OutboxQueue {
  /** Stores the row and its exact bytes; returns its id. */
  enqueue(row: NewOutboxRow, now?: number): Promise<number>;
  get(id: number): Promise<OutboxRow | null>;
  /** The stored bytes of a row; null when unknown. */
  raw(id: number): Promise<Buffer | null>;
  /**
   * The bytes a row delivers in the pieces sent one after another (its signed header block and the
   * original's body it shares, not joined: store/outbox.ts deliveredPieces), for the delivery
   * worker; null when unknown.
   */
  delivered(id: number): Promise<readonly Buffer[] | null>;
  /**
   * Leases up to `limit` due rows (oldest due first) to `owner` for `leaseMs`: rows nobody holds and
   * rows whose lease ran out (a dead node's), never a row another node holds. At-most-once rows get
   * their attempt start recorded in the same write. Returns the rows this call took.
   */
  claim(owner: string, limit: number, leaseMs: number, now?: number): Promise<OutboxRow[]>;
  /** Pushes the lease of a row `owner` holds to now + leaseMs; false when it no longer holds it. */
  extend(id: number, owner: string, leaseMs: number, now?: number): Promise<boolean>;
  /** Gives a held row back without an attempt (it stays due); false when `owner` did not hold it. */
  release(id: number, owner: string): Promise<boolean>;
  /** Gives back every row `owner` holds (a clean stop); returns how many. */
  releaseAll(owner: string): Promise<number>;
  /** Sent or captured: writes `message.sent` in the same transaction. */
  markDone(id: number, status: 'sent' | 'captured', attempts: number, now?: number): Promise<void>;
  markDeferred(id: number, attempts: number, nextAttemptAt: number, error: string, now?: number): Promise<void>;
  /** Writes `delivery.failed` in the same transaction. */
  markFailed(id: number, attempts: number, error: string, now?: number): Promise<void>;
  /** Rows waiting (queued or deferred). */
  pendingCount(): Promise<number>;
  /** Earliest next attempt among waiting rows; null when none waits. */
  nextDueAt(): Promise<number | null>;
}

/** A campaign ledger row a node took: send it once, then mark it. */
export interface ClaimedLedgerRow {
  readonly id: number;
  readonly campaignId: number;
  readonly pairId: number;
}

/** The campaign ledger (campaign_recipients): each recipient at most once across nodes. */
export interface CampaignLedger {
  /**
   * Moves up to `n` pending rows of a campaign to `sending`, leased to `owner` for `leaseMs`, and
   * returns exactly the rows this call moved (lowest id first).
   */
  claim(campaignId: number, owner: string, n: number, leaseMs: number, now?: number): Promise<ClaimedLedgerRow[]>;
  /**
   * Inside the write that stores the message and queues it. With `owner`, only a row `owner` still
   * holds in `sending` is marked (false otherwise: its lease ran out and it was resolved or taken
   * by another node, so the caller rolls its write back rather than send it twice).
   */
  markSent(id: number, messageId: number, outboxId: number, now?: number, owner?: string): Promise<boolean>;
  markSkipped(id: number, reason: string, now?: number): Promise<void>;
  /**
   * Rows in `sending` whose lease ran out (their node died between claim and commit): returned so
   * the caller resolves them from the stored messages; rows a live node holds are not touched.
   */
  expired(now?: number): Promise<ClaimedLedgerRow[]>;
  /** Ledger rows by status for one campaign. */
  counts(campaignId: number): Promise<Readonly<Record<string, number>>>;
}

/** One asynchronous bounce as bounce intake weighed it (outbound/bounce-intake.ts). */
export interface NewBounceReport {
  readonly outboxId: number;
  readonly receivedAt: number;
  readonly outcome: 'failed' | 'ignored';
  /** Why it was taken for that (core/bounce-report.ts judgeBounce). */
  readonly reason: string;
  /** The enhanced status code it gave (RFC 3463), e.g. `5.1.1`; null when none. */
  readonly status: string | null;
  /** The remote diagnostic, scrubbed, one line; null when none. */
  readonly diagnostic: string | null;
}

/** What a bounce to one of our signed addresses writes besides the outbox row. */
export interface BounceStore {
  /** Keeps the report (bounce_reports), whatever it was taken for. */
  record(r: NewBounceReport): Promise<void>;
  /**
   * The buyer with this real address is undeliverable from `now`, for `reason` (the status text as
   * staff see it: scrubbed, one line); an earlier mark is kept with its reason.
   */
  markUndeliverable(email: string, now?: number, reason?: string | null): Promise<void>;
  /**
   * A delivery of this relayed message to `email` was accepted by the smarthost: a buyer with that
   * address marked undeliverable is not any more, with a `buyer.deliverable` event on the message's
   * pair (`via: 'delivery'`). Returns whether a mark was cleared; no write when there was none.
   */
  clearUndeliverableAfterDelivery(email: string, messageId: number, now?: number): Promise<boolean>;
}

/** The retention job's purges (store/retention.ts says what goes and what stays). */
export interface RetentionStore {
  /** Bodies of messages received before now - bodyDays (a delivery in progress keeps its bytes). */
  purgeBodies(bodyDays: number, now?: number): Promise<{ messages: number }>;
  /** Events written before now - eventDays, in batches (each its own transaction). */
  purgeEvents(eventDays: number, now?: number): Promise<{ events: number }>;
}

/** Secrets and small settings kept in the database (shared by every node). */
export interface SecretStore {
  /** A 256-bit secret under `name`, made once: concurrent first calls (any node) all get the stored one. */
  secret(name: string): Promise<Buffer>;
  /**
   * The DKIM private key (PKCS#8 PEM) for domain + selector: the stored one; else `imported` (a key
   * file found on this node, so an upgrade keeps its published key); else a new RSA 2048 key. The
   * first writer wins under concurrency and everyone returns the stored key.
   */
  dkimKey(domain: string, selector: string, imported?: string | null): Promise<string>;
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
}

/** Leases for periodic jobs: one node at a time runs each job; another takes over after the lease. */
export interface JobLeases {
  /** Takes or renews the lease of `job` for `owner` until now + leaseMs; false while another node holds it. */
  acquire(job: string, owner: string, leaseMs: number, now?: number): Promise<boolean>;
  /** Gives the lease up (a clean stop), so another node takes over at once. */
  release(job: string, owner: string): Promise<void>;
  /** Who holds `job` now; null when nobody (or the lease ran out). */
  holder(job: string, now?: number): Promise<string | null>;
}

/** Admin sessions (cookie token hashes and CSRF tokens): in the database, so any node serves any session. */
export interface SessionStore {
  create(userId: number, now?: number): Promise<{ token: string; session: Session }>;
  /** The live session for a cookie token, its expiry slid forward; null when unknown or expired. */
  touch(token: string, now?: number): Promise<Session | null>;
  end(token: string): Promise<void>;
  endAll(userId: number): Promise<number>;
}

/** The records a second node reads first: how much of each exists, and one store / pair / message / order. */
export interface StoreRecord {
  readonly id: number;
  readonly slug: string;
  readonly name: string;
  readonly mailbox: string;
}
export interface PairRecord {
  readonly id: number;
  readonly storeId: number;
  readonly buyerId: number;
  readonly token: string;
}
export interface MessageRecord {
  readonly id: number;
  readonly pairId: number;
  readonly storeId: number;
  readonly direction: 'buyer_to_store' | 'store_to_buyer';
  readonly subject: string;
  readonly relayMessageId: string;
  readonly receivedAt: number;
}
export interface OrderRecord {
  readonly id: number;
  readonly storeId: number;
  readonly pairId: number;
  readonly number: string;
  readonly status: string;
  readonly currency: string;
  readonly totalMinor: number;
}

export interface Records {
  store(id: number): Promise<StoreRecord | null>;
  storeBySlug(slug: string): Promise<StoreRecord | null>;
  pair(id: number): Promise<PairRecord | null>;
  pairByToken(token: string): Promise<PairRecord | null>;
  message(id: number): Promise<MessageRecord | null>;
  /** The stored original bytes of a message; null when unknown or purged. */
  messageRaw(id: number): Promise<Buffer | null>;
  order(storeId: number, number: string): Promise<OrderRecord | null>;
  /** Row counts per table (the tables named), for checks and the migration report. */
  count(table: CountedTable): Promise<number>;
}

export const COUNTED_TABLES = ['stores', 'pairs', 'buyers', 'messages', 'orders', 'order_items', 'outbox', 'campaigns', 'campaign_recipients'] as const;
export type CountedTable = (typeof COUNTED_TABLES)[number];

/** What a unit of work sees: every repository, bound to the one transaction. */
export interface Repositories {
  readonly outbox: OutboxQueue;
  readonly ledger: CampaignLedger;
  readonly secrets: SecretStore;
  readonly leases: JobLeases;
  readonly sessions: SessionStore;
  readonly records: Records;
  readonly bounces: BounceStore;
  readonly retention: RetentionStore;
  /** What the pipeline stages read and write (src/store/mail-ports.ts). */
  readonly mail: MailStore;
  /** What the marketplace API's core writes: stores, permitted senders, orders (src/store/market-ports.ts). */
  readonly market: MarketStore;
  /** What the admin shell reads and writes: staff, the stores pages, operations (src/store/admin-ports.ts). */
  readonly admin: AdminStore;
  /** The owner's settings: banned words, category rules (src/store/settings-ports.ts). */
  readonly settings: SettingsStore;
  /** Webhook endpoints, their delivery state and the events feed (src/store/webhook-ports.ts). */
  readonly webhooks: WebhookStore;
  /** Staff notification rules and what each member was told (src/store/notification-ports.ts). */
  readonly notifications: NotificationStore;
  /** Reply templates (src/store/template-ports.ts). */
  readonly templates: TemplateStore;
  /** Tags, internal notes, reported messages (src/store/tag-ports.ts). */
  readonly tags: TagStore;
  /** The inbox, conversations, reply drafts, the report and erasure (src/store/inbox-ports.ts). */
  readonly inbox: InboxStore;
  /** Campaigns, their audience, prospects and credits, unsubscribes (src/store/campaign-ports.ts). */
  readonly campaigns: CampaignStore;
  /** The admin's uploaded order files, existing order numbers, one-time form keys (src/store/import-ports.ts). */
  readonly imports: ImportStore;
}

/**
 * A storage backend. Outside `write` each call is its own transaction. `write(fn)` runs fn with
 * repositories bound to one transaction: committed when fn resolves, rolled back when it throws.
 * On SQLite fn must await only the repositories it was given (no timers, sockets, other awaits):
 * the one connection cannot hold a transaction open across the event loop, and a write that
 * yields to it is rolled back and refused.
 */
export interface Storage extends Repositories {
  readonly kind: 'sqlite' | 'postgres';
  write<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

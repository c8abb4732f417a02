// The storage port of campaigns (re-exported by src/store/ports.ts): campaigns and their ledger's
// bookkeeping, the audience query, prospects and the store's credits, and a buyer's unsubscribe
// choices. Both adapters implement it (src/store/sqlite/campaigns.ts wraps the synchronous
// repositories campaigns.ts, audience.ts, prospects.ts, unsubscribes.ts; src/store/pg/campaigns.ts
// runs the same SQL on PostgreSQL); the contract cases are in
// test/integration/campaigns-contract.test.ts. Claiming recipients (pending → sending, with a node id
// and a lease) is the CampaignLedger port's (ports.ts), so each recipient is taken by one node only.
//
// Times are integer milliseconds since the epoch (UTC); credits are whole numbers.
import type { AudienceSpec } from '../core/audience.js';
import type { AudienceMember } from './audience.js';
import type { Campaign, CampaignDraft, CampaignStatus, ClaimedRecipient, Progress, RecipientStatus } from './campaigns.js';
import type { OrderRow } from './orders.js';
import type { ImportResult, ProspectInput } from './prospects.js';

export type { AudienceMember, Campaign, CampaignDraft, CampaignStatus, ClaimedRecipient, ImportResult, Progress, ProspectInput, RecipientStatus };

/** Why a start was refused: the prospects would cost more credits than the store has. */
export interface Overdraw {
  readonly overdraw: { readonly prospects: number; readonly cost: number; readonly balance: number };
}

/** What the campaign rules need to know of one pair now. */
export interface RecipientFacts {
  readonly unsubscribed: boolean;
  readonly undeliverable: boolean;
  /** When the buyer last got another campaign of the store (a sent ledger row), if ever. */
  readonly lastCampaignAt: number | null;
}

/** What the public unsubscribe page shows of a pair. */
export interface UnsubscribePage {
  readonly storeName: string;
  readonly optedOut: boolean;
  readonly hideName: boolean;
  readonly unsubscribed: boolean;
}

export interface CampaignStore {
  // --- campaigns ---
  /** A new draft; returns its id. */
  create(d: CampaignDraft, now?: number): Promise<number>;
  /** Changes a draft (a scheduled or late one goes back to draft); false once it has started. */
  update(id: number, d: Omit<CampaignDraft, 'createdBy'>, now?: number): Promise<boolean>;
  get(id: number): Promise<Campaign | null>;
  /** The 200 newest campaigns of the stores (null: every store), newest first. */
  list(storeIds: readonly number[] | null): Promise<Campaign[]>;
  /** Campaigns in one of the statuses, by id. */
  withStatus(statuses: readonly CampaignStatus[]): Promise<Campaign[]>;
  /**
   * Moves a campaign from one of `from` to `to` (with `scheduledAt` when given); false when it was in
   * none of them. Moving to done or cancelled writes `campaign.finished` in the same transaction.
   */
  transition(id: number, from: readonly CampaignStatus[], to: CampaignStatus, now?: number, scheduledAt?: number): Promise<boolean>;
  /** Another campaign of the store with the same content hash started within `sinceMs`; null when none. */
  recentTwin(c: Campaign, sinceMs: number, now?: number): Promise<Campaign | null>;
  /**
   * Starts a draft, scheduled or late campaign in one transaction: its audience as of now becomes the
   * ledger (one row per pair), prospects are charged `price` credits each, the campaign is sending.
   * Returns the number of recipients; an Overdraw (nothing written) when the balance does not cover
   * the prospects; null when it was not startable (started already, cancelled, or a concurrent start
   * on any node took it: the campaign row is locked, so only one start writes a ledger).
   */
  start(id: number, price: number, now?: number): Promise<number | Overdraw | null>;
  /** Refunds the prospects not sent to (idempotent: settles the difference); returns the refund. */
  settleCredits(id: number, now?: number): Promise<number>;
  /** The campaign rules' facts for one pair; null when the pair is unknown. */
  recipientFacts(campaignId: number, pairId: number): Promise<RecipientFacts | null>;
  /** What sending needs of ledger rows a claim took, lowest id first; unknown ids left out. */
  claimed(ids: readonly number[]): Promise<ClaimedRecipient[]>;
  /** A claimed row that was not sent. */
  finish(recipientId: number, status: 'skipped' | 'failed', reason: string, now?: number): Promise<void>;
  /** Pending rows of a cancelled campaign are skipped as cancelled; returns how many. */
  cancelPending(campaignId: number, now?: number): Promise<number>;
  /**
   * What dead nodes left half done, once their leases ran out: at-most-once outbox rows whose
   * attempt began and never ended fail (delivery.failed) and their ledger rows become unknown; rows
   * still claimed are resolved from the stored messages (sent with their ids, or pending again).
   */
  recoverInterrupted(now?: number): Promise<{ deliveries: number; unknown: number; sent: number; pending: number }>;
  /** Ledger counts by status and reason, and the rate of the last 10 seconds. */
  progress(campaignId: number, now?: number): Promise<Progress>;
  /** The pair's latest order (or its order `number`) with items; null when none. */
  latestOrder(pairId: number, number?: string): Promise<OrderRow | null>;

  // --- the audience ---
  /** Matching pairs, split into purchasers and prospects (no counted order: they cost credits). */
  split(storeId: number, a: AudienceSpec): Promise<{ purchasers: number; prospects: number }>;
  /** Matching pairs whose name a template cannot use (hidden, or never given). */
  nameless(storeId: number, a: AudienceSpec): Promise<number>;
  /** Matching pairs by pair id, with what the admin shows; `limit` for a sample (-1: all). */
  members(storeId: number, a: AudienceSpec, limit?: number): Promise<AudienceMember[]>;
  /** The store's best sellers by quantity. */
  topItems(storeId: number, n?: number): Promise<{ sku: string; name: string; quantity: number }[]>;
  /** Distinct categories and manufacturers the store sold (at most 200 each). */
  choices(storeId: number): Promise<{ categories: string[]; manufacturers: string[] }>;

  // --- prospects and credits ---
  /**
   * Adds people to a store's list, each with a pair (made when new, like a visitor's); an address on
   * a relay domain or not an address is refused per line. One transaction.
   */
  importProspects(
    storeId: number,
    list: string,
    people: readonly (ProspectInput & { line?: number })[],
    relayDomains: readonly string[],
    now?: number,
  ): Promise<ImportResult>;
  lists(storeIds: readonly number[]): Promise<{ storeId: number; list: string; count: number }[]>;
  balance(storeId: number): Promise<number>;
  /** Adds (or, negative, takes) credits; returns the new balance. */
  addCredits(storeId: number, delta: number, reason: string, by: number | null, now?: number): Promise<number>;
  /** Credits per message to a prospect (a setting; 3 unless set). */
  price(): Promise<number>;
  setPrice(credits: number): Promise<void>;

  // --- unsubscribes ---
  /** Records the unsubscribe with its buyer.unsubscribed event; false when it was already. */
  unsubscribe(pairId: number, via: string, now?: number): Promise<boolean>;
  /** The buyer's choices on the unsubscribe page (buyer.opted_out when that changed). */
  setPairChoices(pairId: number, o: { optOut?: boolean; hideName?: boolean }, now?: number): Promise<void>;
  pairForPage(pairId: number): Promise<UnsubscribePage | null>;
}

// The storage port of the mail path (re-exported by src/store/ports.ts): what the pipeline stages
// read (identify, decide, rewrite) and write (a first-time visitor's pair, the messages row with its
// message.received event inside the commit's unit of work, refusal events). Both adapters implement
// it (src/store/sqlite/mail.ts, src/store/pg/mail.ts); the contract cases are in
// test/integration/storage-contract.test.ts.
//
// Addresses are compared lower-cased (every adapter lower-cases what it is given). Times are
// integer milliseconds since the epoch (UTC).
import type { CategoryRule } from '../core/categorize.js';
import type { EventType } from '../core/event-types.js';
import type { IdMapping } from '../core/message-id-map.js';
import type { StorePolicy } from '../core/messaging-rules.js';
import type { CredentialCandidate } from './credentials.js';
import type { NewMessage } from './messages.js';
import type { OrderStatus } from './orders.js';
import type { PairView } from './pairs.js';
import type { PermittedSenderRow, StoreRow } from './stores.js';

export type { CategoryRule, CredentialCandidate, IdMapping, NewMessage, PairView, PermittedSenderRow, StorePolicy, StoreRow };

/** The counts and dates the messaging rules need for one seller → buyer message (core/policy.ts). */
export interface SendCounts {
  /** The store's seller → buyer messages in the hour before `now`. */
  readonly storeSentLastHour: number;
  /** This pair's seller → buyer messages in the day before `now`. */
  readonly pairSentLastDay: number;
  /** The store's critical messages to opted-out buyers in the day before `now`. */
  readonly criticalToOptedOutLastDay: number;
  /** When the buyer last wrote in this pair; null when never. */
  readonly lastBuyerMessageAt: number | null;
}

/** One of the pair's orders as the rules see it, newest placed first. */
export interface OrderSummary {
  readonly number: string;
  readonly status: OrderStatus;
  readonly completedAt: number | null;
}

/** An event row to append (core/event-types.ts names the types; `data` is its JSON payload). */
export interface NewEvent {
  readonly type: EventType;
  readonly storeId: number | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Who wrote a stored message, what the failure notice to its author needs. */
export interface MessageAuthor {
  readonly authorEmail: string;
  readonly pairId: number;
  readonly subject: string;
  readonly direction: 'buyer_to_store' | 'store_to_buyer';
  readonly autoSubmitted: boolean;
}

export interface MailStore {
  /** The pair with this alias token (any case), its store and buyer; null when unknown. */
  pairByToken(token: string): Promise<PairView | null>;
  /** The pair of the buyer with this real address at this store; null when none. */
  pairByStoreAndEmail(storeId: number, email: string): Promise<PairView | null>;
  /** The pair by id, its store and buyer; null when unknown. */
  pairById(id: number): Promise<PairView | null>;
  /** The author of a stored message (its address from our database, never from a header); null when unknown. */
  messageAuthor(messageId: number): Promise<MessageAuthor | null>;
  /** The store with this contact-address slug; null when unknown. */
  storeBySlug(slug: string): Promise<StoreRow | null>;
  /** One permitted sender by id (an authenticated submitter's); null when removed. */
  sender(id: number): Promise<PermittedSenderRow | null>;
  /** The store's permitted sender with this address (enabled or blocked); null when none. */
  findSender(storeId: number, email: string): Promise<PermittedSenderRow | null>;
  /** Every permitted sender of the store, by id. */
  senders(storeId: number): Promise<PermittedSenderRow[]>;
  /** The address of the first enabled owner account (where postmaster@ goes by default); null when none. */
  firstOwnerEmail(): Promise<string | null>;
  /** The store's messaging rules: its overrides over the defaults (core/messaging-rules.ts). */
  policy(storeId: number): Promise<StorePolicy>;
  /** The banned words for a store: the global ones and the store's own (store 0: global only). */
  bannedWords(storeId: number): Promise<string[]>;
  /** The pair's messages whose original or relay Message-ID is one of `ids` (the last 100 distinct). */
  idMappings(pairId: number, ids: readonly string[]): Promise<IdMapping[]>;
  sendCounts(storeId: number, pairId: number, now: number): Promise<SendCounts>;
  orderSummaries(pairId: number): Promise<OrderSummary[]>;
  /** The category rules in their order. */
  categoryRules(): Promise<CategoryRule[]>;
  /**
   * Finds or makes the buyer (by address) and their pair with the store; a new pair gets a fresh
   * CSPRNG token. Safe under concurrency: two nodes making the same pair at once both get the one
   * row. A display name is scrubbed of addresses before it is stored.
   */
  ensurePair(storeId: number, email: string, rawName: string, kind: 'customer' | 'visitor', now?: number): Promise<{ view: PairView; created: boolean }>;
  /**
   * The messages row, its original bytes and search text, and its message.received event; inside a
   * unit of work with the outbox row it belongs to. Returns the message id.
   */
  insertMessage(m: NewMessage): Promise<number>;
  /** Live submission credentials (app passwords) of every permitted sender with this address, at most 20. */
  submissionCandidates(email: string): Promise<CredentialCandidate[]>;
  /** Records that a credential was just used. */
  touchCredential(id: number, now?: number): Promise<void>;
  /** Appends events in one transaction of their own (refusal events: nothing else is stored). */
  appendEvents(events: readonly NewEvent[], now?: number): Promise<void>;
}

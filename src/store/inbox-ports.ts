// The storage port of the support team's reading and answering (re-exported by src/store/ports.ts):
// the unified inbox (filters, order, paging, search), one conversation (its thread, its state,
// assignment, snooze, reply drafts), the marketplace's read-back of a pair's messages, the
// response-time report, and a buyer's erasure. Both adapters implement it (src/store/sqlite/inbox.ts
// over the synchronous repositories, src/store/pg/inbox.ts in PostgreSQL's SQL); the contract
// cases are in test/integration/inbox-contract.test.ts.
//
// Every read and change of the admin is scoped to the store ids the caller passes (already
// intersected with what the user may see): access control is a WHERE clause. Times are integer
// milliseconds since the epoch (UTC).
import type { Category } from '../core/categorize.js';
import type { ErasureResult } from './erasure.js';
import type { Draft } from './drafts.js';
import type { ConversationState } from './conversations.js';
import type { ConversationMessage, ConversationStatus, InboxFilter, InboxRow, MessageStatus, PairHeader, StoredMessage } from './inbox.js';
import type { MessageFilter, MessageSummary } from './messages.js';
import type { PairMessage } from './pair-messages.js';
import type { ConversationClock, ReportScope, ResponseReport } from './reports.js';
import type { Tag } from './tags.js';

export type {
  ConversationClock,
  ConversationMessage,
  ConversationState,
  ConversationStatus,
  Draft,
  ErasureResult,
  InboxFilter,
  InboxRow,
  MessageFilter,
  MessageStatus,
  MessageSummary,
  PairHeader,
  PairMessage,
  ReportScope,
  ResponseReport,
  StoredMessage,
};

/** The inbox list and its sidebar. */
export interface InboxReads {
  /**
   * One page of conversations matching the filter, newest latest message first (or, sorted by
   * `due`, the response clock that runs out first). A search (`q`) is an alias or order number
   * first (those pairs), else full text: every word required, the last one a prefix; each
   * conversation shown with its newest matching message, newest match first. Paging: `beforeId`
   * is the last row's `id`.
   */
  list(f: InboxFilter): Promise<InboxRow[]>;
  /** Unread buyer messages per store among these. */
  unreadByStore(storeIds: readonly number[]): Promise<Map<number, number>>;
  /** Unread buyer messages per category among these stores. */
  unreadByCategory(storeIds: readonly number[]): Promise<Map<Category, number>>;
  /** The tags on any message of these conversations, per pair, by tag name. */
  tagsForPairs(pairIds: readonly number[]): Promise<Map<number, Tag[]>>;
  /** The newest message id in these stores; 0 when none (the live refresh compares it). */
  newestId(storeIds: readonly number[]): Promise<number>;
}

/** One conversation (a pair): its header and thread, and per-message marks. */
export interface ConversationReads {
  /** The pair's header (store, alias, buyer's shown name); null when unknown. */
  pair(pairId: number): Promise<PairHeader | null>;
  /** Every message of the pair, oldest first, each with its relay delivery's status. */
  conversation(pairId: number): Promise<ConversationMessage[]>;
  /**
   * One message as conversation() has it (with its relay delivery's status), and its pair and
   * store, if it is in one of these stores; null for another store's message or an unknown id.
   * The admin's one-message routes read it instead of the whole thread.
   */
  message(messageId: number, storeIds: readonly number[]): Promise<StoredMessage | null>;
  /** The same buyer's conversations with other stores among these, by store name. */
  otherConversations(pairId: number, storeIds: readonly number[]): Promise<{ pairId: number; storeName: string }[]>;
  /** The conversation's latest message and latest buyer message ids (null when none). */
  latest(pairId: number): Promise<{ last: number | null; lastBuyer: number | null }>;
  /** The pair's messages carrying this tag. */
  taggedMessages(pairId: number, tagId: number): Promise<number[]>;
  /** The relay Message-ID of a message, only if it belongs to this pair; null otherwise. */
  relayIdInPair(messageId: number, pairId: number): Promise<string | null>;
  /** Re-categorises one message within these stores; returns how many changed (0 or 1). */
  setMessageCategory(messageId: number, category: Category, storeIds: readonly number[]): Promise<number>;
  /** Marks every buyer message of the pair read (no store scope: the caller checked it). */
  markPairRead(pairId: number, now?: number): Promise<void>;
}

/** What the team sets on conversations (store/conversations.ts says the rules); counts are of conversations changed. */
export interface ConversationStates {
  state(pairId: number): Promise<ConversationState | null>;
  /** Of these pairs, the ones in these stores. */
  visible(pairIds: readonly number[], storeIds: readonly number[]): Promise<number[]>;
  /** Replied on platform is final; the answered buyer messages take the mark too. */
  setStatus(pairIds: readonly number[], status: ConversationStatus, storeIds: readonly number[], now?: number): Promise<number>;
  /** Read: every buyer message (and a snooze that is over ends); unread: the latest buyer message. */
  setRead(pairIds: readonly number[], read: boolean, storeIds: readonly number[], now?: number): Promise<number>;
  /** Read as shown: the buyer messages up to message `shownUpTo` (a newer one stays unread), and a snooze that is over ends; the number marked. */
  readShown(pairId: number, shownUpTo: number, storeIds: readonly number[], now?: number): Promise<number>;
  setCategory(pairIds: readonly number[], category: Category, storeIds: readonly number[]): Promise<number>;
  /** To a user who may see the conversation's store (an enabled owner, or an agent given it); null: nobody. */
  assign(pairIds: readonly number[], userId: number | null, storeIds: readonly number[], now?: number): Promise<number>;
  /** Hidden until `until` (ms), or back now (null). */
  snooze(pairIds: readonly number[], until: number | null, storeIds: readonly number[], now?: number): Promise<number>;
  /** Enabled users who may see any of these stores, by name. */
  assignable(storeIds: readonly number[]): Promise<{ id: number; name: string }[]>;
  roundRobin(storeId: number): Promise<boolean>;
  setRoundRobin(storeId: number, on: boolean): Promise<void>;
}

/** Reply drafts, per user and conversation (store/drafts.ts). */
export interface DraftStore {
  draft(userId: number, pairId: number): Promise<Draft | null>;
  /** Keeps the draft; an empty text removes it. */
  saveDraft(userId: number, pairId: number, d: { subject: string; body: string; orderNumber: string | null }, now?: number): Promise<void>;
  removeDraft(userId: number, pairId: number): Promise<void>;
}

/** The API's read-back of what was stored and delivered. */
export interface MessageReadBack {
  /** A pair's messages, newest first, ids below `beforeId`, at most `limit`, each with its relay delivery. */
  pairMessages(pairId: number, beforeId: number | undefined, limit: number): Promise<PairMessage[]>;
  /** One message of the pair; null when it is not the pair's. */
  pairMessage(pairId: number, messageId: number): Promise<PairMessage | null>;
  /** Stored messages (GET /api/v1/messages), newest first. */
  messages(f: MessageFilter): Promise<MessageSummary[]>;
}

/** The response-time report (store/reports.ts) and a conversation's clock. */
export interface ReportReads {
  responseTimes(scope: ReportScope): Promise<ResponseReport>;
  /** Every staff user by id (the report's agent filter); `disabled` ones are not offered. */
  staff(): Promise<{ id: number; name: string; disabled: boolean }[]>;
  /** The conversation's latest clock; null when a buyer never wrote. */
  conversationClock(pairId: number): Promise<ConversationClock | null>;
  /** Stops the running clock (and the inbox's due clock); false when none ran. */
  markNoResponseNeeded(pairId: number, userId: number, now?: number): Promise<boolean>;
}

/** A GDPR erasure (store/erasure.ts says what goes and what stays). */
export interface ErasureStore {
  /**
   * Erases the buyer with this address (any case) in one transaction: afterwards the address and
   * name are nowhere in the database's rows. `found` false when no buyer has it.
   */
  eraseBuyer(email: string): Promise<ErasureResult>;
}

export interface InboxStore extends InboxReads, ConversationReads, ConversationStates, DraftStore, MessageReadBack, ReportReads, ErasureStore {}

// The storage port of the admin shell (re-exported by src/store/ports.ts): staff accounts and the
// stores they may see, the stores pages (permitted senders, app passwords, messaging rules,
// round-robin, mailbox changes waiting for confirmation), the addresses the display scrub keeps,
// the settings swap the one-time setup link is spent with, and what the operations page and the
// doctor read. Both adapters implement it (src/store/sqlite/admin.ts wraps the synchronous
// repositories; src/store/pg/admin.ts is PostgreSQL's SQL); the contract cases are in
// test/integration/admin-contract.test.ts.
//
// Addresses are stored lower-cased. Times are integer milliseconds since the epoch (UTC). Passwords
// never reach this port in the clear: callers hash them first (store/passwords.ts, scrypt).
import type { StorePolicy } from '../core/messaging-rules.js';
import type { CredentialRow } from './credentials.js';
import type { ConfirmOutcome, MailboxChange } from './mailbox-changes.js';
import type { OutboxRow, OutboxStatus } from './outbox.js';
import type { PermittedSenderRow, StoreRow } from './stores.js';
import type { Role, User } from './users.js';

export type { ConfirmOutcome, CredentialRow, MailboxChange, Role, User };

export interface NewUser {
  /** Trimmed and lower-cased by the adapter. */
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  /** scrypt hash (store/passwords.ts hashPassword). */
  readonly passwordHash: string;
  /** An agent's stores; ignored ids of stores that do not exist are an error of the caller. */
  readonly storeIds?: readonly number[];
}

/** The setting that holds the setup link's state, its value as read, and the value that spends it. */
export interface SetupSwap {
  readonly key: string;
  readonly expected: string;
  readonly spent: string;
}

/** Staff accounts: the owner (every store) and agents (the stores they are given). */
export interface UserStore {
  get(id: number): Promise<User | null>;
  /** The user and their password hash, for logging in; email is trimmed and lower-cased. */
  withHash(email: string): Promise<(User & { passwordHash: string }) | null>;
  count(): Promise<number>;
  /** Every user, by id. */
  list(): Promise<User[]>;
  /** The stores a user may see: every store for the owner, the assigned ones for an agent (by id). */
  storeIds(user: User): Promise<number[]>;
  /** The user and their stores, in one transaction; null (nothing written) when the email has an account. */
  insert(input: NewUser, now?: number): Promise<User | null>;
  /**
   * The first owner, only while no user exists and only if the setup token's stored value is still
   * `expectedSetup` (it is swapped for `spentSetup` in the same transaction): of several requests
   * presenting the link at once, on any node, exactly one gets the user; the others null.
   */
  insertFirstOwner(input: Omit<NewUser, 'role' | 'storeIds'>, setup: SetupSwap, now?: number): Promise<User | null>;
  /** Replaces an agent's stores. */
  setStores(userId: number, storeIds: readonly number[]): Promise<void>;
  setPasswordHash(userId: number, passwordHash: string): Promise<void>;
  /** Disables (no login, sessions refused) or enables an account. */
  setDisabled(userId: number, disabled: boolean, now?: number): Promise<void>;
  /** An IANA zone, or null for the gateway's `admin.timeZone`. */
  setTimeZone(userId: number, timeZone: string | null): Promise<void>;
}

/** The stores pages: stores, their permitted senders and messaging rules, as staff change them. */
export interface StoreAdminStore {
  /** Every store, by id. */
  list(): Promise<StoreRow[]>;
  get(id: number): Promise<StoreRow | null>;
  /** Whether mail has arrived for the store. */
  bound(id: number): Promise<boolean>;
  /** Renames a store or changes its mailbox (which becomes an enabled permitted sender too); null when unknown. */
  update(id: number, input: { name: string; mailbox: string }, now?: number): Promise<StoreRow | null>;
  /** The store's permitted senders, by id. */
  senders(storeId: number): Promise<PermittedSenderRow[]>;
  sender(id: number): Promise<PermittedSenderRow | null>;
  /** The store's messaging rules: its overrides over the defaults (core/messaging-rules.ts). */
  policy(storeId: number): Promise<StorePolicy>;
  /** Merges `patch` into the store's overrides; returns the rules now in force. */
  setPolicy(storeId: number, patch: Partial<StorePolicy>): Promise<StorePolicy>;
  /** Removes a sender that never wrote (its app passwords with it); one on record is blocked instead. */
  removeSender(id: number, now?: number): Promise<'removed' | 'blocked'>;
  setSenderStatus(id: number, status: 'enabled' | 'blocked', now?: number): Promise<PermittedSenderRow | null>;
  /** Whether new conversations go to the store's agents in turn (store_assignment). */
  roundRobin(storeId: number): Promise<boolean>;
  setRoundRobin(storeId: number, on: boolean): Promise<void>;
}

/** App passwords of permitted senders for the submission port (only their scrypt hashes). */
export interface CredentialStore {
  insert(permittedSenderId: number, label: string, hash: string, now?: number): Promise<CredentialRow>;
  get(id: number): Promise<CredentialRow | null>;
  /** A sender's credentials, by id, revoked ones too. */
  list(permittedSenderId: number): Promise<CredentialRow[]>;
  /** Stops it (the row stays); the first revocation time is kept. */
  revoke(id: number, now?: number): Promise<CredentialRow | null>;
}

/** Mailbox changes waiting for the new mailbox's confirmation (store_mailbox_changes). */
export interface MailboxChangeStore {
  /** Records a request valid for ttlMs; the store's earlier open one is superseded in the same transaction. */
  request(storeId: number, mailbox: string, requestedBy: number | null, ttlMs: number, now?: number): Promise<MailboxChange>;
  get(id: number): Promise<MailboxChange | null>;
  /** The store's open request that can still be confirmed, if any. */
  pending(storeId: number, now?: number): Promise<MailboxChange | null>;
  /** Settles the request and moves the store's mail, in one transaction; a link confirms once across nodes. */
  confirm(id: number, now?: number): Promise<ConfirmOutcome>;
}

/** What the owner's operations page and the doctor read. */
export interface OperationsStore {
  /** Outbox rows, newest first: at most `limit`, only `status` when given, only ids below `beforeId` when given (the next page). */
  outbox(f: { status?: OutboxStatus | undefined; beforeId?: number | undefined; limit: number }): Promise<OutboxRow[]>;
  /** "Retry now": a waiting row becomes due at once; false when it is not waiting. */
  retryNow(id: number, now?: number): Promise<boolean>;
  /** The alias token of a buyer's pair (any), so the outbox never shows a buyer's address; null when none. */
  buyerToken(email: string): Promise<string | null>;
  /** Rows waiting and seconds since the oldest of them was queued (0 when none waits). */
  queue(now?: number): Promise<{ waiting: number; oldestAgeSeconds: number }>;
  /** The database's own health check: SQLite's quick_check on the file, PostgreSQL's answer and version. */
  databaseCheck(): Promise<{ ok: boolean; detail: string }>;
}

/** Everything the admin shell reads and writes (one line in Repositories). */
export interface AdminStore {
  readonly users: UserStore;
  readonly stores: StoreAdminStore;
  readonly credentials: CredentialStore;
  readonly mailboxChanges: MailboxChangeStore;
  readonly operations: OperationsStore;
  /**
   * The addresses the display scrub keeps (web/admin/display-scrub.ts): staff accounts, store
   * mailboxes and their pending replacements, permitted senders, sender category rules.
   */
  keptAddresses(): Promise<string[]>;
  /**
   * Sets the setting `key` to `next` only if its value is `expected` now (null: only if it has no
   * value yet); true when this call changed it. Of several nodes swapping at once one wins.
   */
  swapSetting(key: string, expected: string | null, next: string): Promise<boolean>;
}

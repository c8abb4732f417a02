// The storage port of staff notifications (re-exported by src/store/ports.ts): each staff member's
// notification rules, the buyer messages a member has not been considered for yet, and the record
// of what each was told (so a message is announced once per member, by whichever node runs the
// notifier). Both adapters implement it (src/store/sqlite/notifications.ts,
// src/store/pg/notifications.ts); the contract cases are in
// test/integration/notifications-contract.test.ts.
//
// Times are integer milliseconds since the epoch (UTC).
import type { NotificationRule } from '../core/notification-rules.js';
import type { Candidate, StoredRule } from './notifications.js';

export type { Candidate, NotificationRule, StoredRule };

/** What a digest needs of its recipient; `storeIds`: every store for an owner, an agent's own. */
export interface NotifiedMember {
  readonly id: number;
  readonly name: string;
  readonly email: string;
  readonly role: 'owner' | 'agent';
  /** null while the account is active. */
  readonly disabledAt: number | null;
  readonly storeIds: readonly number[];
}

/** How a message was settled for one member. */
export type NotificationOutcome = 'sent' | 'skipped_read' | 'no_rule';

export interface NotificationStore {
  /** Every rule, or one member's, by id. */
  rules(userId?: number): Promise<StoredRule[]>;
  /** One rule; null when unknown. */
  rule(id: number): Promise<StoredRule | null>;
  addRule(r: NotificationRule, now?: number): Promise<void>;
  removeRule(id: number): Promise<void>;
  /** The staff members who can have rules (id and name), by id; the admin's rule form lists them. */
  members(): Promise<{ readonly id: number; readonly name: string }[]>;
  /** One member as a digest needs them; null when unknown. */
  member(id: number): Promise<NotifiedMember | null>;
  /**
   * Buyer messages received in (from, to], not auto-submitted, that this member has not been
   * considered for yet: at most 500, oldest id first.
   */
  candidates(userId: number, from: number, to: number): Promise<Candidate[]>;
  /**
   * Records how each message was settled for the member; a message already recorded keeps its
   * first outcome (two nodes settling one message write one row). Put it in the unit of work that
   * queues the digest (OutboxEntry.post's `alongsideTx`), so the mail and the record land together.
   */
  record(userId: number, outcomes: readonly (readonly [messageId: number, outcome: NotificationOutcome])[], now?: number): Promise<void>;
}

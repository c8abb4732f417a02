// Owns the state the support team sets on a conversation (one pair): status, read/unread, category,
// assignee (by hand; round-robin per store is an option the triggers of migration 012 apply),
// snooze (a snooze that is over reads as awake and unread until the conversation is read). Every change is scoped to the store ids the
// caller passes in, like the inbox's reads. The triggers of migration 012 keep the rest (latest
// message, unread count, reopening on a buyer message).
import type { Category } from '../core/categorize.js';
import type { Db } from './db.js';
import type { ConversationStatus } from './inbox.js';
import { stmt } from './statements.js';

const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');

export interface ConversationState {
  readonly pairId: number;
  readonly storeId: number;
  readonly status: ConversationStatus;
  readonly lastMessageId: number;
  readonly unread: number;
  readonly assigneeId: number | null;
  readonly assignee: string | null;
  readonly snoozedUntil: number | null;
}

/** What a conversation status means for its buyer messages' own status (reports read those). */
const MESSAGE_STATUS: Partial<Record<ConversationStatus, string>> = {
  follow_up: 'follow_up',
  processed: 'processed',
  replied_on_platform: 'replied_on_platform',
};

export class ConversationRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  state(pairId: number): ConversationState | null {
    return (
      (stmt(
        this.#db,
        `SELECT c.pair_id AS pairId, c.store_id AS storeId, c.status, c.last_message_id AS lastMessageId, c.unread, c.assignee_id AS assigneeId, u.name AS assignee,
           c.snoozed_until AS snoozedUntil FROM conversations c LEFT JOIN users u ON u.id = c.assignee_id WHERE c.pair_id = ?`,
      ).get(pairId) as ConversationState | undefined) ?? null
    );
  }

  /** Of these pairs, the ones in these stores (access control for a bulk action). */
  visible(pairIds: readonly number[], storeIds: readonly number[]): number[] {
    if (pairIds.length === 0 || storeIds.length === 0) return [];
    const rows = stmt(
      this.#db,
      `SELECT pair_id AS id FROM conversations WHERE pair_id IN (${marks(pairIds.length)}) AND store_id IN (${marks(storeIds.length)})`,
    ).all(...pairIds, ...storeIds) as { id: number }[];
    return rows.map((r) => r.id);
  }

  /**
   * Sets the status of these conversations within the stores given; returns how many changed.
   * Replied on platform is final: set by hand only once (a new buyer message reopens it). The
   * answered buyer messages take the same mark, so message-level reports agree.
   */
  setStatus(pairIds: readonly number[], status: ConversationStatus, storeIds: readonly number[], now = Date.now()): number {
    const ids = this.visible(pairIds, storeIds);
    if (ids.length === 0) return 0;
    return this.#db.transaction(() => {
      const changed = stmt(
        this.#db,
        `UPDATE conversations SET status = ?, updated_at = ? WHERE pair_id IN (${marks(ids.length)}) AND status != 'replied_on_platform' AND status != ?`,
      ).run(status, now, ...ids, status).changes;
      const mirrored = MESSAGE_STATUS[status];
      if (mirrored)
        stmt(
          this.#db,
          `UPDATE messages SET status = ? WHERE pair_id IN (${marks(ids.length)}) AND direction = 'buyer_to_store' AND status IN ('pending', 'follow_up') AND status != ?`,
        ).run(mirrored, ...ids, mirrored);
      return changed;
    })();
  }

  /**
   * Marks every buyer message of these conversations read (and ends a snooze that is over: it
   * showed as unread), or the latest one unread.
   */
  setRead(pairIds: readonly number[], read: boolean, storeIds: readonly number[], now = Date.now()): number {
    const ids = this.visible(pairIds, storeIds);
    if (ids.length === 0) return 0;
    return this.#db.transaction(() => {
      stmt(this.#db, `UPDATE conversations SET snoozed_until = NULL WHERE pair_id IN (${marks(ids.length)}) AND snoozed_until <= ?`).run(...ids, now);
      const before = stmt(this.#db, `SELECT count(*) AS n FROM conversations WHERE pair_id IN (${marks(ids.length)}) AND unread > 0`).get(...ids) as {
        n: number;
      };
      if (read) {
        stmt(this.#db, `UPDATE messages SET read_at = ? WHERE pair_id IN (${marks(ids.length)}) AND direction = 'buyer_to_store' AND read_at IS NULL`).run(
          now,
          ...ids,
        );
        return before.n;
      }
      stmt(
        this.#db,
        `UPDATE messages SET read_at = NULL WHERE id IN (SELECT last_buyer_id FROM conversations WHERE pair_id IN (${marks(ids.length)}) AND unread = 0)`,
      ).run(...ids);
      return ids.length - before.n;
    })();
  }

  /**
   * Marks read what a person had on screen: the conversation's buyer messages up to and including
   * message `shownUpTo` (an id; one that came after it stays unread), and ends a snooze that is
   * over. Returns the number of messages marked read (0 outside `storeIds`).
   */
  readShown(pairId: number, shownUpTo: number, storeIds: readonly number[], now = Date.now()): number {
    if (this.visible([pairId], storeIds).length === 0) return 0;
    return this.#db.transaction(() => {
      stmt(this.#db, 'UPDATE conversations SET snoozed_until = NULL WHERE pair_id = ? AND snoozed_until <= ?').run(pairId, now);
      return stmt(this.#db, `UPDATE messages SET read_at = ? WHERE pair_id = ? AND direction = 'buyer_to_store' AND read_at IS NULL AND id <= ?`).run(
        now,
        pairId,
        shownUpTo,
      ).changes;
    })();
  }

  /** Sets the category of every buyer message in these conversations. */
  setCategory(pairIds: readonly number[], category: Category, storeIds: readonly number[]): number {
    const ids = this.visible(pairIds, storeIds);
    if (ids.length === 0) return 0;
    stmt(this.#db, `UPDATE messages SET category = ? WHERE pair_id IN (${marks(ids.length)}) AND direction = 'buyer_to_store' AND category != ?`).run(
      category,
      ...ids,
      category,
    );
    return ids.length;
  }

  /**
   * Assigns these conversations to a user (null: nobody): only those of a store that user may see
   * (an owner sees all; a disabled user none). Returns how many changed.
   */
  assign(pairIds: readonly number[], userId: number | null, storeIds: readonly number[], now = Date.now()): number {
    const ids = this.visible(pairIds, storeIds);
    if (ids.length === 0) return 0;
    if (userId === null)
      return stmt(
        this.#db,
        `UPDATE conversations SET assignee_id = NULL, updated_at = ? WHERE pair_id IN (${marks(ids.length)}) AND assignee_id IS NOT NULL`,
      ).run(now, ...ids).changes;
    return stmt(
      this.#db,
      `UPDATE conversations SET assignee_id = ?, updated_at = ? WHERE pair_id IN (${marks(ids.length)}) AND assignee_id IS NOT ?
         AND EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND u.disabled_at IS NULL AND (u.role = 'owner' OR conversations.store_id IN (SELECT store_id FROM user_stores WHERE user_id = u.id)))`,
    ).run(userId, now, ...ids, userId, userId).changes;
  }

  /** Hides these conversations until `until` (ms), or brings them back (null). */
  snooze(pairIds: readonly number[], until: number | null, storeIds: readonly number[], now = Date.now()): number {
    const ids = this.visible(pairIds, storeIds);
    if (ids.length === 0) return 0;
    return stmt(this.#db, `UPDATE conversations SET snoozed_until = ?, updated_at = ? WHERE pair_id IN (${marks(ids.length)})`).run(until, now, ...ids).changes;
  }

  /** Enabled users who may see any of these stores (owners, and agents given one), by name. */
  assignable(storeIds: readonly number[]): { id: number; name: string }[] {
    if (storeIds.length === 0) return [];
    return stmt(
      this.#db,
      `SELECT id, name FROM users u WHERE disabled_at IS NULL AND (role = 'owner' OR EXISTS (SELECT 1 FROM user_stores us WHERE us.user_id = u.id AND us.store_id IN (${marks(storeIds.length)}))) ORDER BY name`,
    ).all(...storeIds) as { id: number; name: string }[];
  }

  roundRobin(storeId: number): boolean {
    const row = stmt(this.#db, 'SELECT round_robin AS on_ FROM store_assignment WHERE store_id = ?').get(storeId) as { on_: number } | undefined;
    return row?.on_ === 1;
  }

  setRoundRobin(storeId: number, on: boolean): void {
    stmt(
      this.#db,
      'INSERT INTO store_assignment (store_id, round_robin) VALUES (?, ?) ON CONFLICT (store_id) DO UPDATE SET round_robin = excluded.round_robin',
    ).run(storeId, on ? 1 : 0);
  }
}

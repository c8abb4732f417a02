// Owns the state the support team sets on a conversation (one pair): status, read/unread, category,
// assignee (by hand or round-robin per store), snooze. Every change is scoped to the store ids the
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

  /** Marks every buyer message of these conversations read, or the latest one unread. */
  setRead(pairIds: readonly number[], read: boolean, storeIds: readonly number[], now = Date.now()): number {
    const ids = this.visible(pairIds, storeIds);
    if (ids.length === 0) return 0;
    return this.#db.transaction(() => {
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

  /**
   * Conversations whose snooze ended come back unread (their latest buyer message). Cheap when
   * nothing is due: a partial index holds only snoozed conversations. Returns how many woke.
   */
  wake(now = Date.now()): number {
    const due = stmt(this.#db, 'SELECT pair_id AS id, last_buyer_id AS buyer FROM conversations WHERE snoozed_until IS NOT NULL AND snoozed_until <= ?').all(
      now,
    ) as { id: number; buyer: number | null }[];
    if (due.length === 0) return 0;
    this.#db.transaction(() => {
      for (const d of due) {
        stmt(this.#db, 'UPDATE conversations SET snoozed_until = NULL, updated_at = ? WHERE pair_id = ?').run(now, d.id);
        if (d.buyer !== null) stmt(this.#db, 'UPDATE messages SET read_at = NULL WHERE id = ?').run(d.buyer);
      }
    })();
    return due.length;
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

  /**
   * Round-robin: gives every unassigned open conversation of a store that has the option on to the
   * next enabled user who may see the store, in turn (by user id, after the last one given one).
   * Run when the inbox is read, so no hook in the mail path is needed. Returns how many were given.
   */
  assignRoundRobin(now = Date.now()): number {
    const stores = stmt(this.#db, 'SELECT store_id AS storeId, last_user_id AS lastUserId FROM store_assignment WHERE round_robin = 1').all() as {
      storeId: number;
      lastUserId: number | null;
    }[];
    let given = 0;
    for (const s of stores) {
      const waiting = stmt(
        this.#db,
        "SELECT pair_id AS id FROM conversations WHERE store_id = ? AND assignee_id IS NULL AND status = 'open' AND last_buyer_id IS NOT NULL ORDER BY last_message_id LIMIT 500",
      ).all(s.storeId) as { id: number }[];
      if (waiting.length === 0) continue;
      const users = (
        stmt(
          this.#db,
          `SELECT id FROM users WHERE disabled_at IS NULL AND (role = 'owner' AND NOT EXISTS (SELECT 1 FROM users a JOIN user_stores us ON us.user_id = a.id WHERE us.store_id = ? AND a.disabled_at IS NULL AND a.role = 'agent')
             OR id IN (SELECT user_id FROM user_stores WHERE store_id = ?)) ORDER BY id`,
        ).all(s.storeId, s.storeId) as { id: number }[]
      ).map((u) => u.id);
      if (users.length === 0) continue;
      let at = s.lastUserId === null ? -1 : users.findIndex((u) => u > s.lastUserId!) - 1;
      if (at < -1) at = -1;
      this.#db.transaction(() => {
        for (const w of waiting) {
          at = (at + 1) % users.length;
          stmt(this.#db, 'UPDATE conversations SET assignee_id = ?, updated_at = ? WHERE pair_id = ? AND assignee_id IS NULL').run(users[at], now, w.id);
          given++;
        }
        stmt(this.#db, 'UPDATE store_assignment SET last_user_id = ? WHERE store_id = ?').run(users[at], s.storeId);
      })();
    }
    return given;
  }
}

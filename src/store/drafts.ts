// Owns reply drafts: the subject and text a user is typing in one conversation's reply box, kept
// server-side (per user and conversation) until it is sent or emptied, so a reload, a crash or
// another device finds it again. Erasure of a buyer removes their drafts with the rest.
import type { Db } from './db.js';
import { stmt } from './statements.js';

export interface Draft {
  readonly subject: string;
  readonly body: string;
  readonly orderNumber: string | null;
  readonly updatedAt: number;
}

/** The statements, the same on both databases (the PostgreSQL adapter, pg/conversations.ts, runs them too). */
export const DRAFT_SQL = {
  get: 'SELECT subject, body, order_number AS "orderNumber", updated_at AS "updatedAt" FROM conversation_drafts WHERE user_id = ? AND pair_id = ?',
  save: `INSERT INTO conversation_drafts (user_id, pair_id, subject, body, order_number, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id, pair_id) DO UPDATE SET subject = excluded.subject, body = excluded.body, order_number = excluded.order_number, updated_at = excluded.updated_at`,
  remove: 'DELETE FROM conversation_drafts WHERE user_id = ? AND pair_id = ?',
} as const;

export class DraftRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  get(userId: number, pairId: number): Draft | null {
    return (stmt(this.#db, DRAFT_SQL.get).get(userId, pairId) as Draft | undefined) ?? null;
  }

  /** Keeps the draft; an empty text removes it. */
  save(userId: number, pairId: number, d: { subject: string; body: string; orderNumber: string | null }, now = Date.now()): void {
    if (!d.body.trim()) return this.remove(userId, pairId);
    stmt(this.#db, DRAFT_SQL.save).run(userId, pairId, d.subject, d.body, d.orderNumber, now);
  }

  remove(userId: number, pairId: number): void {
    stmt(this.#db, DRAFT_SQL.remove).run(userId, pairId);
  }

  /** Every user's drafts in these conversations (erasure). */
  removePairs(pairIds: readonly number[]): void {
    if (pairIds.length === 0) return;
    stmt(this.#db, `DELETE FROM conversation_drafts WHERE pair_id IN (${pairIds.map(() => '?').join(',')})`).run(...pairIds);
  }
}

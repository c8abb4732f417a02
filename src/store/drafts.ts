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

export class DraftRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  get(userId: number, pairId: number): Draft | null {
    return (
      (stmt(
        this.#db,
        'SELECT subject, body, order_number AS orderNumber, updated_at AS updatedAt FROM conversation_drafts WHERE user_id = ? AND pair_id = ?',
      ).get(userId, pairId) as Draft | undefined) ?? null
    );
  }

  /** Keeps the draft; an empty text removes it. */
  save(userId: number, pairId: number, d: { subject: string; body: string; orderNumber: string | null }, now = Date.now()): void {
    if (!d.body.trim()) return this.remove(userId, pairId);
    stmt(
      this.#db,
      `INSERT INTO conversation_drafts (user_id, pair_id, subject, body, order_number, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id, pair_id) DO UPDATE SET subject = excluded.subject, body = excluded.body, order_number = excluded.order_number, updated_at = excluded.updated_at`,
    ).run(userId, pairId, d.subject, d.body, d.orderNumber, now);
  }

  remove(userId: number, pairId: number): void {
    stmt(this.#db, 'DELETE FROM conversation_drafts WHERE user_id = ? AND pair_id = ?').run(userId, pairId);
  }

  /** Every user's drafts in these conversations (erasure). */
  removePairs(pairIds: readonly number[]): void {
    if (pairIds.length === 0) return;
    stmt(this.#db, `DELETE FROM conversation_drafts WHERE pair_id IN (${pairIds.map(() => '?').join(',')})`).run(...pairIds);
  }
}

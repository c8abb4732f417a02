// Owns notification rules and the record of what each staff member was told, so a message is
// considered once per user.
import type { Category } from '../core/categorize.js';
import type { NotificationRule } from '../core/notification-rules.js';
import type { Db } from './db.js';
import { stmt } from './statements.js';

export interface StoredRule extends NotificationRule {
  readonly id: number;
}

export interface Candidate {
  readonly id: number;
  readonly pairId: number;
  readonly storeId: number;
  readonly storeName: string;
  readonly buyerName: string;
  readonly subject: string;
  readonly category: Category;
  readonly receivedAt: number;
  readonly read: boolean;
}

export class NotificationRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  rules(userId?: number): StoredRule[] {
    const cols = 'id, user_id AS userId, category, store_id AS storeId, weekdays, start_minute AS startMinute, end_minute AS endMinute';
    return (
      userId === undefined
        ? stmt(this.#db, `SELECT ${cols} FROM notification_rules ORDER BY id`).all()
        : stmt(this.#db, `SELECT ${cols} FROM notification_rules WHERE user_id = ? ORDER BY id`).all(userId)
    ) as StoredRule[];
  }

  addRule(r: NotificationRule, now = Date.now()): void {
    stmt(
      this.#db,
      'INSERT INTO notification_rules (user_id, category, store_id, weekdays, start_minute, end_minute, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(r.userId, r.category, r.storeId, r.weekdays, r.startMinute, r.endMinute, now);
  }

  removeRule(id: number): void {
    stmt(this.#db, 'DELETE FROM notification_rules WHERE id = ?').run(id);
  }

  rule(id: number): StoredRule | undefined {
    return this.rules().find((r) => r.id === id);
  }

  /** Buyer messages in (from, to] that this user has not been considered for yet. */
  candidates(userId: number, from: number, to: number): Candidate[] {
    const rows = stmt(
      this.#db,
      `SELECT m.id, m.pair_id AS pairId, m.store_id AS storeId, s.name AS storeName, b.name AS buyerName, m.subject, m.category,
         m.received_at AS receivedAt, m.read_at IS NOT NULL AS read
       FROM messages m JOIN pairs p ON p.id = m.pair_id JOIN buyers b ON b.id = p.buyer_id JOIN stores s ON s.id = m.store_id
       WHERE m.direction = 'buyer_to_store' AND m.received_at > ? AND m.received_at <= ? AND m.auto_submitted = 0
         AND NOT EXISTS (SELECT 1 FROM notifications_sent n WHERE n.user_id = ? AND n.message_id = m.id)
       ORDER BY m.id LIMIT 500`,
    ).all(from, to, userId) as (Omit<Candidate, 'read'> & { read: number })[];
    return rows.map((r) => ({ ...r, read: r.read === 1 }));
  }

  record(userId: number, messageId: number, outcome: 'sent' | 'skipped_read' | 'no_rule', now = Date.now()): void {
    stmt(this.#db, 'INSERT OR IGNORE INTO notifications_sent (user_id, message_id, outcome, at) VALUES (?, ?, ?, ?)').run(userId, messageId, outcome, now);
  }
}

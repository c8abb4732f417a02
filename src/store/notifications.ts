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

const RULE_COLS = 'id, user_id AS "userId", category, store_id AS "storeId", weekdays, start_minute AS "startMinute", end_minute AS "endMinute"';

/** The statements both adapters run, with `?` placeholders (PostgreSQL numbers them, pg/placeholders.ts). */
export const NOTIFICATION_SQL = {
  rules: `SELECT ${RULE_COLS} FROM notification_rules ORDER BY id`,
  rulesOf: `SELECT ${RULE_COLS} FROM notification_rules WHERE user_id = ? ORDER BY id`,
  rule: `SELECT ${RULE_COLS} FROM notification_rules WHERE id = ?`,
  /** ruleValues(r, now) */
  addRule: 'INSERT INTO notification_rules (user_id, category, store_id, weekdays, start_minute, end_minute, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  removeRule: 'DELETE FROM notification_rules WHERE id = ?',
  /** from, to, userId */
  candidates: `SELECT m.id, m.pair_id AS "pairId", m.store_id AS "storeId", s.name AS "storeName", b.name AS "buyerName", m.subject, m.category,
      m.received_at AS "receivedAt", (m.read_at IS NOT NULL) AS read
    FROM messages m JOIN pairs p ON p.id = m.pair_id JOIN buyers b ON b.id = p.buyer_id JOIN stores s ON s.id = m.store_id
    WHERE m.direction = 'buyer_to_store' AND m.received_at > ? AND m.received_at <= ? AND m.auto_submitted = 0
      AND NOT EXISTS (SELECT 1 FROM notifications_sent n WHERE n.user_id = ? AND n.message_id = m.id)
    ORDER BY m.id LIMIT 500`,
  /** userId, messageId, outcome, at: the first outcome stays. */
  record: 'INSERT INTO notifications_sent (user_id, message_id, outcome, at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, message_id) DO NOTHING',
} as const;

export function ruleValues(r: NotificationRule, now: number): unknown[] {
  return [r.userId, r.category, r.storeId, r.weekdays, r.startMinute, r.endMinute, now];
}

/** A candidate as read: `read` is 0/1 on SQLite, a boolean on PostgreSQL. */
export type CandidateRow = Omit<Candidate, 'read'> & { read: number | boolean };

export function toCandidate(r: CandidateRow): Candidate {
  return { ...r, read: r.read === 1 || r.read === true };
}

export class NotificationRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  rules(userId?: number): StoredRule[] {
    return (userId === undefined ? stmt(this.#db, NOTIFICATION_SQL.rules).all() : stmt(this.#db, NOTIFICATION_SQL.rulesOf).all(userId)) as StoredRule[];
  }

  addRule(r: NotificationRule, now = Date.now()): void {
    stmt(this.#db, NOTIFICATION_SQL.addRule).run(...ruleValues(r, now));
  }

  removeRule(id: number): void {
    stmt(this.#db, NOTIFICATION_SQL.removeRule).run(id);
  }

  rule(id: number): StoredRule | undefined {
    return stmt(this.#db, NOTIFICATION_SQL.rule).get(id) as StoredRule | undefined;
  }

  /** Buyer messages in (from, to] that this user has not been considered for yet. */
  candidates(userId: number, from: number, to: number): Candidate[] {
    return (stmt(this.#db, NOTIFICATION_SQL.candidates).all(from, to, userId) as CandidateRow[]).map(toCandidate);
  }

  record(userId: number, messageId: number, outcome: 'sent' | 'skipped_read' | 'no_rule', now = Date.now()): void {
    stmt(this.#db, NOTIFICATION_SQL.record).run(userId, messageId, outcome, now);
  }
}

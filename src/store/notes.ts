// Owns internal notes on a conversation (never sent to anyone) and reports of a message for the
// owner to review.
import type { Db } from './db.js';
import { stmt } from './statements.js';

export interface Note {
  readonly id: number;
  readonly author: string;
  readonly body: string;
  readonly createdAt: number;
}

export interface Report {
  readonly id: number;
  readonly messageId: number;
  readonly pairId: number;
  readonly subject: string;
  readonly storeId: number;
  readonly reporter: string;
  readonly reason: string;
  readonly createdAt: number;
}

/** The statements both adapters run, with `?` placeholders (PostgreSQL numbers them, pg/placeholders.ts). */
export const NOTE_SQL = {
  forPair: 'SELECT n.id, u.name AS author, n.body, n.created_at AS "createdAt" FROM notes n JOIN users u ON u.id = n.user_id WHERE n.pair_id = ? ORDER BY n.id',
  add: 'INSERT INTO notes (pair_id, user_id, body, created_at) VALUES (?, ?, ?, ?)',
  report: 'INSERT INTO reports (message_id, user_id, reason, created_at) VALUES (?, ?, ?, ?)',
  openReports: `SELECT r.id, r.message_id AS "messageId", m.pair_id AS "pairId", m.subject, m.store_id AS "storeId", u.name AS reporter, r.reason,
      r.created_at AS "createdAt"
    FROM reports r JOIN messages m ON m.id = r.message_id JOIN users u ON u.id = r.user_id WHERE r.resolved_at IS NULL ORDER BY r.id DESC`,
  resolve: 'UPDATE reports SET resolved_at = ? WHERE id = ?',
} as const;

export class NoteRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  forPair(pairId: number): Note[] {
    return stmt(this.#db, NOTE_SQL.forPair).all(pairId) as Note[];
  }

  add(pairId: number, userId: number, body: string, now = Date.now()): void {
    stmt(this.#db, NOTE_SQL.add).run(pairId, userId, body, now);
  }

  report(messageId: number, userId: number, reason: string, now = Date.now()): void {
    stmt(this.#db, NOTE_SQL.report).run(messageId, userId, reason, now);
  }

  reportedIds(messageIds: readonly number[]): Set<number> {
    if (messageIds.length === 0) return new Set();
    const rows = stmt(
      this.#db,
      `SELECT DISTINCT message_id AS id FROM reports WHERE resolved_at IS NULL AND message_id IN (${messageIds.map(() => '?').join(',')})`,
    ).all(...messageIds) as { id: number }[];
    return new Set(rows.map((r) => r.id));
  }

  openReports(): Report[] {
    return stmt(this.#db, NOTE_SQL.openReports).all() as Report[];
  }

  resolve(id: number, now = Date.now()): void {
    stmt(this.#db, NOTE_SQL.resolve).run(now, id);
  }
}

// Owns banned words and phrases: a global list (store_id NULL) and one per store.
import type { Db } from './db.js';
import { stmt } from './statements.js';

export interface BannedWordRow {
  readonly id: number;
  readonly storeId: number | null;
  readonly word: string;
  readonly createdAt: number;
}

/** The row's columns as BannedWordRow (quoted aliases: the same text in SQLite and PostgreSQL). */
export const BANNED_WORD_COLS = 'id, store_id AS "storeId", word, created_at AS "createdAt"';
const COLS = BANNED_WORD_COLS;

export class BannedWordRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  add(word: string, storeId: number | null, now = Date.now()): BannedWordRow {
    const info = stmt(this.#db, 'INSERT INTO banned_words (store_id, word, created_at) VALUES (?, ?, ?)').run(storeId, word.toLowerCase(), now);
    return stmt(this.#db, `SELECT ${COLS} FROM banned_words WHERE id = ?`).get(Number(info.lastInsertRowid)) as BannedWordRow;
  }

  remove(id: number): boolean {
    return stmt(this.#db, 'DELETE FROM banned_words WHERE id = ?').run(id).changes > 0;
  }

  /** Global words, and the store's own when a store is given. */
  list(storeId: number | null): BannedWordRow[] {
    return stmt(this.#db, `SELECT ${COLS} FROM banned_words WHERE store_id IS NULL OR store_id = ? ORDER BY word`).all(storeId ?? -1) as BannedWordRow[];
  }

  /** Every word: the global ones and every store's. */
  all(): BannedWordRow[] {
    return stmt(this.#db, `SELECT ${COLS} FROM banned_words ORDER BY store_id IS NOT NULL, store_id, word`).all() as BannedWordRow[];
  }

  wordsFor(storeId: number): string[] {
    return this.list(storeId).map((r) => r.word);
  }
}

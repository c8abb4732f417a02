// Owns one-time form keys: a form submitted twice (a double click, a retried request) acts once.
import type { Db } from './db.js';
import { stmt } from './statements.js';

export class FormSubmissionRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Claims the key for this user; false when it was claimed before (the form already acted). */
  claim(key: string, userId: number, now = Date.now()): boolean {
    return (
      stmt(this.#db, 'INSERT OR IGNORE INTO form_submissions (key, user_id, result, created_at) VALUES (?, ?, ?, ?)').run(key, userId, 'pending', now).changes >
      0
    );
  }

  /** Gives the key back (the action was refused, the user may fix the form and send again). */
  release(key: string): void {
    stmt(this.#db, 'DELETE FROM form_submissions WHERE key = ?').run(key);
  }

  done(key: string, result: unknown): void {
    stmt(this.#db, 'UPDATE form_submissions SET result = ? WHERE key = ?').run(JSON.stringify(result), key);
  }
}

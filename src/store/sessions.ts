// Owns admin sessions: a random cookie token (only its SHA-256 is stored), a CSRF token per session,
// sliding expiry, and "log out everywhere".
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import { stmt } from './statements.js';

export interface Session {
  readonly userId: number;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

export class SessionRepo {
  readonly #db: Db;
  readonly #ttlMs: number;
  constructor(db: Db, ttlMs: number) {
    this.#db = db;
    this.#ttlMs = ttlMs;
  }

  /** Starts a session; returns the cookie token (shown to the browser only). */
  create(userId: number, now = Date.now()): { token: string; session: Session } {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = now + this.#ttlMs;
    stmt(this.#db, 'INSERT INTO sessions (token_sha256, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      sha256(token),
      userId,
      csrfToken,
      now,
      now,
      expiresAt,
    );
    return { token, session: { userId, csrfToken, expiresAt } };
  }

  /** The live session for a cookie token, its expiry slid forward; null when unknown or expired. */
  touch(token: string, now = Date.now()): Session | null {
    const key = sha256(token);
    const row = stmt(
      this.#db,
      'SELECT user_id AS userId, csrf_token AS csrfToken, expires_at AS expiresAt, last_seen_at AS lastSeenAt FROM sessions WHERE token_sha256 = ?',
    ).get(key) as (Session & { lastSeenAt: number }) | undefined;
    if (!row || row.expiresAt <= now) return null;
    // Slide at most once a minute: a page load is not a write.
    if (now - row.lastSeenAt > 60_000) {
      stmt(this.#db, 'UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_sha256 = ?').run(now, now + this.#ttlMs, key);
    }
    return { userId: row.userId, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
  }

  end(token: string): void {
    stmt(this.#db, 'DELETE FROM sessions WHERE token_sha256 = ?').run(sha256(token));
  }

  endAll(userId: number): number {
    return stmt(this.#db, 'DELETE FROM sessions WHERE user_id = ?').run(userId).changes;
  }
}

// Admin sessions on PostgreSQL, the same rules as src/store/sessions.ts: only the token's SHA-256 is
// stored, a CSRF token per session, expiry slid at most once a minute.
import { createHash, randomBytes } from 'node:crypto';
import type { Session, SessionStore } from '../ports.js';
import type { PgScope } from './db.js';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

export function pgSessions(s: PgScope, ttlMs: number): SessionStore {
  return {
    async create(userId, now = Date.now()) {
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const expiresAt = now + ttlMs;
      await s.q.query('INSERT INTO sessions (token_sha256, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)', [
        sha256(token),
        userId,
        csrfToken,
        now,
        expiresAt,
      ]);
      return { token, session: { userId, csrfToken, expiresAt } };
    },
    async touch(token, now = Date.now()) {
      const key = sha256(token);
      const r = await s.q.query<Session & { lastSeenAt: number }>(
        'SELECT user_id AS "userId", csrf_token AS "csrfToken", expires_at AS "expiresAt", last_seen_at AS "lastSeenAt" FROM sessions WHERE token_sha256 = $1',
        [key],
      );
      const row = r.rows[0];
      if (!row || row.expiresAt <= now) return null;
      if (now - row.lastSeenAt > 60_000) {
        await s.q.query('UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_sha256 = $3', [now, now + ttlMs, key]);
      }
      return { userId: row.userId, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
    },
    async end(token) {
      await s.q.query('DELETE FROM sessions WHERE token_sha256 = $1', [sha256(token)]);
    },
    async endAll(userId) {
      return (await s.q.query('DELETE FROM sessions WHERE user_id = $1', [userId])).rowCount ?? 0;
    },
  };
}

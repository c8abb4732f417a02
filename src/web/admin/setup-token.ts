// Owns the one-time setup link that creates the first owner: made at start while no user exists,
// valid for 24 hours, only its SHA-256 kept; spent atomically, so it creates one owner however many
// requests present it at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../store/db.js';
import { getSetting, setSetting } from '../../store/settings.js';
import { stmt } from '../../store/statements.js';

const KEY = 'setup_token';
const TTL_MS = 24 * 3600 * 1000;
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

export function newSetupToken(db: Db, now = Date.now()): string {
  const token = randomBytes(24).toString('base64url');
  setSetting(db, KEY, JSON.stringify({ sha256: sha(token), expiresAt: now + TTL_MS }));
  return token;
}

export function setupTokenValid(db: Db, token: string, now = Date.now()): boolean {
  const raw = getSetting(db, KEY);
  if (!raw || !token) return false;
  const { sha256, expiresAt } = JSON.parse(raw) as { sha256: string; expiresAt: number };
  const a = Buffer.from(sha(token));
  const b = Buffer.from(sha256);
  return expiresAt > now && a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Spends the token if it is still valid: a conditional UPDATE on the stored value, so of several
 * requests presenting it at once exactly one gets true. Call it in the transaction that uses it.
 */
export function spendSetupToken(db: Db, token: string, now = Date.now()): boolean {
  const raw = getSetting(db, KEY);
  if (!raw || !setupTokenValid(db, token, now)) return false;
  const spent = JSON.stringify({ sha256: '', expiresAt: 0 });
  return stmt(db, 'UPDATE settings SET value = ? WHERE key = ? AND value = ?').run(spent, KEY, raw).changes === 1;
}

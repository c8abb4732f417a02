// Owns the one-time setup link that creates the first owner: made at start while no user exists,
// valid for 24 hours from when it was first made, used once. A restart within those 24 hours gives
// the same link again (the one already printed keeps working): the token is an HMAC of its expiry
// under a secret kept in the database, and only its SHA-256 and the expiry are stored beside it. It is
// spent atomically, so it creates one owner however many requests present it at once.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../store/db.js';
import { getSetting, loadSecret, setSetting } from '../../store/settings.js';
import { stmt } from '../../store/statements.js';

const KEY = 'setup_token';
const SECRET_KEY = 'setup_secret';
export const SETUP_TTL_MS = 24 * 3600 * 1000;
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

interface Stored {
  readonly sha256: string;
  readonly expiresAt: number;
}

function stored(db: Db): Stored | null {
  const raw = getSetting(db, KEY);
  return raw ? (JSON.parse(raw) as Stored) : null;
}

const secret = (db: Db): Buffer => loadSecret(db, SECRET_KEY);

const tokenFor = (db: Db, expiresAt: number) => createHmac('sha256', secret(db)).update(`setup.${expiresAt}`).digest('base64url').slice(0, 32);

/**
 * The setup link's token for this start and when it stops working (ms): the one made by an earlier
 * start while it is still valid and unused, otherwise a new one valid for 24 hours.
 */
export function currentSetupToken(db: Db, now = Date.now()): { token: string; expiresAt: number } {
  const s = stored(db);
  if (s && s.sha256 !== '' && s.expiresAt > now) {
    const token = tokenFor(db, s.expiresAt);
    if (sha(token) === s.sha256) return { token, expiresAt: s.expiresAt };
  }
  const expiresAt = now + SETUP_TTL_MS;
  const token = tokenFor(db, expiresAt);
  setSetting(db, KEY, JSON.stringify({ sha256: sha(token), expiresAt }));
  return { token, expiresAt };
}

export function setupTokenValid(db: Db, token: string, now = Date.now()): boolean {
  const s = stored(db);
  if (!s || !token) return false;
  const a = Buffer.from(sha(token));
  const b = Buffer.from(s.sha256);
  return s.expiresAt > now && a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Spends the token if it is still valid: a conditional UPDATE on the stored value, so of several
 * requests presenting it at once exactly one gets true; then a new secret, so no later link can be
 * derived from the old one. Call it in the transaction that uses it.
 */
export function spendSetupToken(db: Db, token: string, now = Date.now()): boolean {
  const raw = getSetting(db, KEY);
  if (!raw || !setupTokenValid(db, token, now)) return false;
  const spent = JSON.stringify({ sha256: '', expiresAt: 0 });
  if (stmt(db, 'UPDATE settings SET value = ? WHERE key = ? AND value = ?').run(spent, KEY, raw).changes !== 1) return false;
  setSetting(db, SECRET_KEY, randomBytes(32).toString('hex'));
  return true;
}

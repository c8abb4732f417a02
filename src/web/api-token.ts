// Owns the API bearer token: generated at first start (shown once) or set by config; only its
// SHA-256 is stored, and requests are compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/db.js';
import { getSetting, setSetting } from '../store/settings.js';

const KEY = 'api_token_sha256';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function newApiToken(): string {
  return `mg_${randomBytes(24).toString('base64url')}`;
}

/**
 * Makes sure a token is in force. A configured token wins (and replaces the stored hash); without
 * one, the first start generates one. Returns the plain token only when it was just generated.
 */
export function ensureApiToken(db: Db, configured: string | null): { generated: string | null } {
  if (configured) {
    setSetting(db, KEY, hashToken(configured).toString('hex'));
    return { generated: null };
  }
  if (getSetting(db, KEY)) return { generated: null };
  const token = newApiToken();
  setSetting(db, KEY, hashToken(token).toString('hex'));
  return { generated: token };
}

export function rotateApiToken(db: Db): string {
  const token = newApiToken();
  setSetting(db, KEY, hashToken(token).toString('hex'));
  return token;
}

export function tokenMatches(db: Db, presented: string): boolean {
  const stored = getSetting(db, KEY);
  if (!stored) return false;
  const expected = Buffer.from(stored, 'hex');
  const actual = hashToken(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

// Owns the API bearer token: generated at first start (shown once) or set by config; only its
// SHA-256 is stored, and requests are compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Db } from '../store/db.js';
import type { SecretStore } from '../store/ports.js';
import { getSetting, setSetting } from '../store/settings.js';
import { apiError } from './api-error.js';
import { API_TOKEN_CALLER } from '../usecases/store-rights.js';
import './api/caller.js';

/** The settings key of the token's SHA-256 (hex), on both databases. */
export const API_TOKEN_KEY = 'api_token_sha256';
const KEY = API_TOKEN_KEY;

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

export function tokenMatches(db: Db, presented: string): boolean {
  return hashMatches(getSetting(db, KEY), presented);
}

/** Whether `presented` hashes to `stored` (hex SHA-256; null: no token in force, nothing matches), in constant time. */
export function hashMatches(stored: string | null, presented: string): boolean {
  if (!stored) return false;
  const expected = Buffer.from(stored, 'hex');
  const actual = hashToken(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Makes a configured token the one in force through the settings port (a PostgreSQL node, where
 * nothing is generated: with no configured token the stored one, if any, stays). True when a token
 * is in force afterwards.
 */
export async function storeApiToken(settings: Pick<SecretStore, 'getSetting' | 'setSetting'>, configured: string | null): Promise<boolean> {
  if (configured) await settings.setSetting(KEY, hashToken(configured).toString('hex'));
  return (await settings.getSetting(KEY)) !== null;
}

/**
 * Whether the request's `authorization: Bearer …` matches the token in force, read through the
 * settings port now (so a rotation on one node holds on every node). False without the header.
 */
export async function bearerMatches(settings: Pick<SecretStore, 'getSetting'>, authorization: string | undefined): Promise<boolean> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match !== null && hashMatches(await settings.getSetting(KEY), match[1] as string);
}

/**
 * The API's door, for every /api/v1 route on both databases: the bearer token checked against the
 * stored hash (read through the settings port on each request, so a rotation on one node holds on
 * every node), then a 1 MiB body limit. 401 UNAUTHORIZED / 413 PAYLOAD_TOO_LARGE otherwise.
 */
export function apiGuard(settings: Pick<SecretStore, 'getSetting'>): MiddlewareHandler {
  const limit = bodyLimit({ maxSize: 1024 * 1024, onError: (c) => apiError(c, 'PAYLOAD_TOO_LARGE', 'the request body is larger than 1 MiB') });
  return async (c, next) => {
    if (!(await bearerMatches(settings, c.req.header('authorization')))) return apiError(c, 'UNAUTHORIZED');
    // The one API token carries the owner's rights (usecases/store-rights.ts).
    c.set('caller', API_TOKEN_CALLER);
    return limit(c, next);
  };
}

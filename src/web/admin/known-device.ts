// Owns the "known device" cookie: a browser that once logged in to an account carries a value signed
// for that account (HMAC-SHA256 with a secret kept in the database), so a lock placed on the account
// by guesses from elsewhere (login-throttle.ts, the per-account limit) does not lock its owner out.
// It proves nothing else: the password is still checked, and the per-client limits still apply.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Db } from '../../store/db.js';
import { loadSecret } from '../../store/settings.js';

const COOKIE = 'mg_device';
const MAX_AGE_S = 180 * 86_400;

export class KnownDevices {
  readonly #secret: Buffer;
  constructor(db: Db) {
    this.#secret = loadSecret(db, 'known_device_secret');
  }

  #mac(account: string): string {
    return createHmac('sha256', this.#secret).update(`device\n${account}`).digest('base64url');
  }

  /** Whether the request carries the cookie for `account` (lower-cased email). */
  isKnown(c: Context, account: string): boolean {
    const presented = Buffer.from(getCookie(c, COOKIE) ?? '');
    const expected = Buffer.from(this.#mac(account));
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }

  remember(c: Context, account: string, secure: boolean): void {
    setCookie(c, COOKIE, this.#mac(account), { httpOnly: true, sameSite: 'Lax', secure, path: '/login', maxAge: MAX_AGE_S });
  }
}

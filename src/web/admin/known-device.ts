// Owns the "known device" cookie: a browser that once logged in to an account carries a value signed
// for that account (HMAC-SHA256 with a secret kept in the database, so every node signs and checks
// alike), so a lock placed on the account by guesses from elsewhere (login-throttle.ts, the
// per-account limit) does not lock its owner out. It proves nothing else: the password is still
// checked, and the per-client limits still apply.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { SecretStore } from '../../store/ports.js';

const COOKIE = 'mg_device';
const MAX_AGE_S = 180 * 86_400;

export class KnownDevices {
  readonly #secrets: Pick<SecretStore, 'secret'>;
  #secret: Promise<Buffer> | null = null;
  constructor(secrets: Pick<SecretStore, 'secret'>) {
    this.#secrets = secrets;
  }

  async #mac(account: string): Promise<string> {
    // Read once per process (made once in the database, the same on every node); a failed read is tried again.
    this.#secret ??= this.#secrets.secret('known_device_secret').catch((err: unknown) => {
      this.#secret = null;
      throw err;
    });
    return createHmac('sha256', await this.#secret)
      .update(`device\n${account}`)
      .digest('base64url');
  }

  /** Whether the request carries the cookie for `account` (lower-cased email). */
  async isKnown(c: Context, account: string): Promise<boolean> {
    const presented = Buffer.from(getCookie(c, COOKIE) ?? '');
    const expected = Buffer.from(await this.#mac(account));
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }

  async remember(c: Context, account: string, secure: boolean): Promise<void> {
    setCookie(c, COOKIE, await this.#mac(account), { httpOnly: true, sameSite: 'Lax', secure, path: '/login', maxAge: MAX_AGE_S });
  }
}

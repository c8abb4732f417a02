// Owns the signed, expiring envelope sender of every delivered message (VERP): it names the outbox
// row, so an asynchronous bounce can be tied to it, and an HMAC proves we made it. Bounces to an
// address we did not make, or made too long ago, are refused (RFC 3834 / backscatter hygiene).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { tokenFromBytes } from '../core/alias-token.js';
import type { Db } from '../store/db.js';
import { loadSecret } from '../store/settings.js';

const PATTERN = /^bnc-([0-9a-z]{1,12})-([0-9a-z]{1,10})-([a-z2-7]{20})$/;
/** The settings key of the bounce-address secret (the same on every node and both databases). */
export const BOUNCE_SECRET_KEY = 'bounce_secret';

export function loadBounceSecret(db: Db): Buffer {
  return loadSecret(db, BOUNCE_SECRET_KEY);
}

export class BounceAddresses {
  readonly #secret: Buffer;
  readonly #domain: string;
  readonly #validitySeconds: number;

  constructor(secret: Buffer, domain: string, validitySeconds: number) {
    this.#secret = secret;
    this.#domain = domain;
    this.#validitySeconds = validitySeconds;
  }

  #sig(id: string, exp: string): string {
    return tokenFromBytes(createHmac('sha256', this.#secret).update(`${id}.${exp}`).digest());
  }

  make(outboxId: number, now = Date.now()): string {
    const id = outboxId.toString(36);
    const exp = Math.floor(now / 1000 + this.#validitySeconds).toString(36);
    return `bnc-${id}-${exp}-${this.#sig(id, exp)}@${this.#domain}`;
  }

  /** The outbox id a bounce address names, or why it is not ours. */
  verify(local: string, now = Date.now()): { outboxId: number } | { error: 'malformed' | 'bad-signature' | 'expired' } {
    const m = PATTERN.exec(local.toLowerCase());
    if (!m) return { error: 'malformed' };
    const [, id, exp, sig] = m as unknown as [string, string, string, string];
    const expected = Buffer.from(this.#sig(id, exp));
    if (!timingSafeEqual(expected, Buffer.from(sig))) return { error: 'bad-signature' };
    if (parseInt(exp, 36) * 1000 < now) return { error: 'expired' };
    return { outboxId: parseInt(id, 36) };
  }

  static looksLike(local: string): boolean {
    return local.toLowerCase().startsWith('bnc-');
  }
}

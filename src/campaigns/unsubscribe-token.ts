// Owns the unsubscribe tokens in campaign mail: `<pair>.<campaign>.<mac>`, the MAC an HMAC-SHA256
// under a secret kept in the database, in lowercase base32 so it survives a mail address's local
// part (mailto: unsubscribe) where case may be lost. Only a token we made opens the page.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { tokenFromBytes } from '../core/alias-token.js';
import type { SecretStore } from '../store/ports.js';

const SECRET_KEY = 'campaign.unsubscribe-secret';

/** The unsubscribe secret, made once in the database (every node signs and checks with the same one). */
export function loadUnsubscribeSecret(secrets: SecretStore): Promise<Buffer> {
  return secrets.secret(SECRET_KEY);
}

export interface UnsubscribeTarget {
  readonly pairId: number;
  readonly campaignId: number;
}

export class UnsubscribeTokens {
  readonly #secret: Buffer;
  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  #mac(pairId: number, campaignId: number): string {
    return tokenFromBytes(createHmac('sha256', this.#secret).update(`unsubscribe:${pairId}:${campaignId}`).digest().subarray(0, 16));
  }

  sign(t: UnsubscribeTarget): string {
    return `${t.pairId}.${t.campaignId}.${this.#mac(t.pairId, t.campaignId)}`;
  }

  verify(token: string): UnsubscribeTarget | null {
    const m = /^(\d{1,12})\.(\d{1,12})\.([a-z2-7]{20,40})$/.exec(token.toLowerCase());
    if (!m) return null;
    const pairId = Number(m[1]);
    const campaignId = Number(m[2]);
    const want = Buffer.from(this.#mac(pairId, campaignId));
    const got = Buffer.from(m[3] as string);
    return want.length === got.length && timingSafeEqual(want, got) ? { pairId, campaignId } : null;
  }
}

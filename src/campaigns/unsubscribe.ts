// Owns what an unsubscribe does, from the public page, the RFC 8058 one-click POST or the mailto:
// address: the pair stops getting campaigns from the store (and, if the buyer chooses, every
// non-critical message, and the store stops seeing their name).
import type { Logger } from 'pino';
import type { UnsubscribeHandler } from '../relay/pipeline.js';
import type { CampaignStore, UnsubscribePage } from '../store/ports.js';
import type { UnsubscribeTokens } from './unsubscribe-token.js';

export interface UnsubscribeChoices {
  readonly optOut?: boolean;
  readonly hideName?: boolean;
}

export class Unsubscribes implements UnsubscribeHandler {
  readonly #tokens: UnsubscribeTokens;
  readonly #repo: Pick<CampaignStore, 'unsubscribe' | 'setPairChoices' | 'pairForPage'>;
  readonly #log: Logger;
  constructor(tokens: UnsubscribeTokens, repo: Pick<CampaignStore, 'unsubscribe' | 'setPairChoices' | 'pairForPage'>, log: Logger) {
    this.#tokens = tokens;
    this.#repo = repo;
    this.#log = log;
  }

  verify(token: string): boolean {
    return this.#tokens.verify(token) !== null;
  }

  /** What the page shows for a token; null for a token we did not make. */
  async page(token: string): Promise<UnsubscribePage | null> {
    const t = this.#tokens.verify(token);
    return t ? this.#repo.pairForPage(t.pairId) : null;
  }

  /** Applies the unsubscribe (and the choices); false for a token we did not make. */
  async apply(token: string, via: 'page' | 'one-click' | 'mailto', choices: UnsubscribeChoices = {}): Promise<boolean> {
    const t = this.#tokens.verify(token);
    if (!t) return false;
    const fresh = await this.#repo.unsubscribe(t.pairId, via);
    await this.#repo.setPairChoices(t.pairId, choices);
    // The pair id, never the address: buyer addresses stay out of the logs.
    this.#log.info({ event: 'campaign.unsubscribed', pairId: t.pairId, campaignId: t.campaignId, via, fresh, ...choices }, 'unsubscribed');
    return true;
  }

  handle(token: string): Promise<void> {
    return this.apply(token, 'mailto').then(() => undefined);
  }
}

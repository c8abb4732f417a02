// Owns what an unsubscribe does, from the public page, the RFC 8058 one-click POST or the mailto:
// address: the pair stops getting campaigns from the store (and, if the buyer chooses, every
// non-critical message, and the store stops seeing their name).
import type { Logger } from 'pino';
import type { UnsubscribeHandler } from '../relay/pipeline.js';
import type { UnsubscribeRepo } from '../store/unsubscribes.js';
import type { UnsubscribeTokens } from './unsubscribe-token.js';

export interface UnsubscribeChoices {
  readonly optOut?: boolean;
  readonly hideName?: boolean;
}

export class Unsubscribes implements UnsubscribeHandler {
  readonly #tokens: UnsubscribeTokens;
  readonly #repo: UnsubscribeRepo;
  readonly #log: Logger;
  constructor(tokens: UnsubscribeTokens, repo: UnsubscribeRepo, log: Logger) {
    this.#tokens = tokens;
    this.#repo = repo;
    this.#log = log;
  }

  verify(token: string): boolean {
    return this.#tokens.verify(token) !== null;
  }

  /** What the page shows for a token; null for a token we did not make. */
  page(token: string): { storeName: string; optedOut: boolean; hideName: boolean; unsubscribed: boolean } | null {
    const t = this.#tokens.verify(token);
    return t ? this.#repo.pairForPage(t.pairId) : null;
  }

  apply(token: string, via: 'page' | 'one-click' | 'mailto', choices: UnsubscribeChoices = {}): boolean {
    const t = this.#tokens.verify(token);
    if (!t) return false;
    const fresh = this.#repo.unsubscribe(t.pairId, via);
    this.#repo.setPairChoices(t.pairId, choices);
    // The pair id, never the address: buyer addresses stay out of the logs.
    this.#log.info({ event: 'campaign.unsubscribed', pairId: t.pairId, campaignId: t.campaignId, via, fresh, ...choices }, 'unsubscribed');
    return true;
  }

  handle(token: string): void {
    this.apply(token, 'mailto');
  }
}

// Stage 3 of 6, decide: the facts each identified recipient's rules need (the store's policy,
// content rules, permitted senders, the pair's counts and orders, the cited messages), looked up
// here and handed to the pure core/policy.ts. One refused recipient refuses the whole message:
// one reply answers the whole DATA, so the sender's own server bounces it and nothing is
// half-delivered.
import type { ContentRules } from '../../core/filters/content-rules.js';
import type { Identity } from '../../core/identify.js';
import { latestCited, type IdMapping } from '../../core/message-id-map.js';
import { decide as decidePolicy } from '../../core/policy.js';
import type { Finding, PermittedSenderFacts } from '../../core/types.js';
import type { Refusal } from '../../core/verdicts.js';
import type { MailStore } from '../../store/ports.js';
import type { RelayOptions } from '../pipeline-types.js';
import type { Addressed, Identified } from './identify.js';

/** One recipient the rules let through, with what the rewrite needs from the rules' lookups. */
export interface Ruled extends Addressed {
  readonly findings: readonly Finding[];
  readonly critical: boolean;
  readonly criticalToOptedOut: boolean;
  /** Delivered, but the sender's domain did not authenticate it. */
  readonly suspicious: boolean;
  readonly content: ContentRules;
  /** The store's permitted senders (their addresses are hidden from buyers). */
  readonly senders: readonly PermittedSenderFacts[];
  /** The cited Message-IDs this pair knows (threading). */
  readonly mappings: readonly IdMapping[];
}

export interface Decided {
  readonly identified: Identified;
  readonly ruled: readonly Ruled[];
}

export interface DecideDeps {
  readonly options: RelayOptions;
  /** Policies, banned words, permitted senders, threading ids, counts and orders, through the storage port. */
  readonly mail: MailStore;
}

export class Decide {
  readonly #d: DecideDeps;

  constructor(deps: DecideDeps) {
    this.#d = deps;
  }

  /** The content rules for a store; store 0 (mail for the owner) has the global banned words only. */
  async #content(storeId: number): Promise<ContentRules> {
    return { ...this.#d.options.filters, keepEmailDomains: this.#d.options.domains, bannedWords: await this.#d.mail.bannedWords(storeId) };
  }

  /** Rules every recipient; the first refusal is the answer for the whole message. */
  async decide(identified: Identified): Promise<Decided | Refusal> {
    const { mail, proof, input } = identified.received;
    const cited = [...mail.inReplyTo, ...mail.references];
    const ruled: Ruled[] = [];
    for (const a of identified.addressed) {
      const id: Identity = a.identity;
      const storeId = id.direction === 'to_owner' ? 0 : id.store.id;
      const content = await this.#content(storeId);
      const senders = id.direction === 'to_owner' ? [] : await this.#d.mail.senders(storeId);
      const mappings = id.direction !== 'to_owner' && id.pair ? await this.#d.mail.idMappings(id.pair.id, cited) : [];
      let rules;
      if (id.direction === 'store_to_buyer') {
        const now = Date.now();
        rules = {
          now,
          policy: await this.#d.mail.policy(id.store.id),
          optedOut: id.pair.optedOut,
          repliesToBuyerAt: latestCited(cited, 'buyer', mappings),
          orders: await this.#d.mail.orderSummaries(id.pair.id),
          // Campaigns keep their own rate; the per-store and per-pair counts do not apply to them.
          ...(input.campaign
            ? { lastBuyerMessageAt: null, criticalToOptedOutLastDay: 0, storeSentLastHour: 0, pairSentLastDay: 0 }
            : await this.#d.mail.sendCounts(id.store.id, id.pair.id, now)),
          // Campaign rules only with the campaign's handover (its unsubscribe headers and ledger).
          campaign: input.campaign?.recipient,
        };
      }
      const decision = decidePolicy(mail, { identity: id, proof, permittedSenders: senders, rules, content });
      if (decision.verdict === 'reject') return decision.refusal;
      ruled.push({
        ...a,
        findings: decision.findings,
        critical: decision.critical,
        criticalToOptedOut: decision.criticalToOptedOut,
        suspicious: decision.suspicious,
        content,
        senders,
        mappings,
      });
    }
    return { identified, ruled };
  }
}

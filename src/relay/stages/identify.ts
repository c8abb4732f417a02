// Stage 2 of 6, identify: who each recipient is (a pair alias, a store's contact address,
// postmaster@/abuse@, a signed bounce address, a campaign's unsubscribe address) and who writes to
// it. Recipients are resolved twice: at RCPT (read-only, from the envelope alone) and again after
// DATA, when the From of the header reading names the writer (a sender may have been blocked since).
import { isRefusal, parseRecipient } from '../../core/alias-token.js';
import { envelopeRefusal, identifySender, identifySubmitter, normalizeEmail, type Identity, type Target } from '../../core/identify.js';
import { refusal, type Refusal } from '../../core/verdicts.js';
import type { MailStore } from '../../store/ports.js';
import type { ResolvedUnsubscribe, UnsubscribeHandler } from '../campaign-handover.js';
import type { BounceHandler, ResolvedBounce, ResolvedRecipient, Submitter } from '../pipeline-types.js';
import type { Received } from './receive.js';

/** One recipient the message is for, and who writes to it. */
export interface Addressed {
  readonly address: string;
  readonly identity: Identity;
}

export interface Identified {
  readonly received: Received;
  /** Conversations (one per pair or store) and role mailboxes (one per role), in RCPT order. */
  readonly addressed: readonly Addressed[];
  /** Reports to our signed bounce addresses: they take effect after the commit (deliver). */
  readonly bounces: readonly ResolvedBounce[];
  /** mailto: unsubscribes with a token we signed: applied after the commit (deliver). */
  readonly unsubscribes: readonly ResolvedUnsubscribe[];
}

export interface IdentifyDeps {
  readonly domains: readonly string[];
  /** Pairs, stores, permitted senders and the owner account, read through the storage port. */
  readonly mail: MailStore;
  /** Where postmaster@ and abuse@ mail goes; null/undefined: the first enabled owner account. */
  readonly postmaster: string | null | undefined;
  readonly bounces: BounceHandler;
  /** Set once at start by the campaign module; without it unsubscribe addresses are unknown. */
  readonly unsubscribe: () => UnsubscribeHandler | null;
}

export class Identify {
  readonly #d: IdentifyDeps;

  constructor(deps: IdentifyDeps) {
    this.#d = deps;
  }

  /** Where postmaster@ and abuse@ mail goes: smtp.postmaster, else the first owner account. */
  async #postmaster(): Promise<string | null> {
    return this.#d.postmaster ?? (await this.#d.mail.firstOwnerEmail());
  }

  /** One recipient for one envelope sender. Read-only: safe at RCPT time. */
  async resolve(recipient: string, envelopeFrom: string, submitter?: Submitter): Promise<ResolvedRecipient | ResolvedBounce | ResolvedUnsubscribe | Refusal> {
    const parsed = parseRecipient(recipient, this.#d.domains);
    if (isRefusal(parsed)) return parsed;
    if (parsed.kind === 'unsubscribe') {
      // Anyone may write here (the buyer's mail client), but only with a token we signed.
      return this.#d.unsubscribe()?.verify(parsed.token) ? { unsubscribe: true, address: recipient, token: parsed.token } : refusal('UNKNOWN_ALIAS');
    }
    if (submitter) return this.#resolveForSubmitter(recipient, parsed, submitter);
    if (parsed.kind === 'role') {
      // RFC 5321 §4.5.1: postmaster must be accepted, from anyone (the null sender too).
      const deliverTo = await this.#postmaster();
      return deliverTo ? { address: recipient, target: { kind: 'role', role: parsed.role, deliverTo } } : refusal('NO_POSTMASTER');
    }
    if (parsed.kind === 'bounce') {
      // Anyone may bounce (bounces come from <>), but only to an address we signed, in time.
      const v = this.#d.bounces.verify(parsed.local);
      return 'outboxId' in v ? { bounce: true, address: recipient, outboxId: v.outboxId } : refusal('BAD_BOUNCE_ADDRESS');
    }
    let target: Target;
    if (parsed.kind === 'alias') {
      const view = await this.#d.mail.pairByToken(parsed.token);
      if (!view) return refusal('UNKNOWN_ALIAS');
      target = { kind: 'pair', store: view.store, pair: view.pair, buyer: view.buyer };
    } else {
      const store = await this.#d.mail.storeBySlug(parsed.slug);
      if (!store) return refusal('UNKNOWN_ALIAS');
      target = { kind: 'store', store, existing: null };
    }
    // Who writes is the authenticated From, known only after DATA; the envelope alone decides
    // just a null sender and a loop.
    const early = envelopeRefusal(envelopeFrom, this.#d.domains);
    if (early) return early;
    return { address: recipient, target };
  }

  /**
   * An authenticated submitter writes as their own permitted sender, and only to aliases of their
   * own store. An unknown alias and another store's alias get the same answer (no oracle).
   */
  async #resolveForSubmitter(
    recipient: string,
    parsed: Exclude<ReturnType<typeof parseRecipient>, Refusal>,
    submitter: Submitter,
  ): Promise<ResolvedRecipient | Refusal> {
    const view = parsed.kind === 'alias' ? await this.#d.mail.pairByToken(parsed.token) : null;
    const target: Target | null = view ? { kind: 'pair', store: view.store, pair: view.pair, buyer: view.buyer } : null;
    const identity = identifySubmitter(target, await this.#d.mail.sender(submitter.permittedSenderId), submitter.storeId);
    if (isRefusal(identity)) return identity;
    return { address: recipient, target: target as Target };
  }

  /** Who writes to one resolved recipient: the From of the header reading, or the submitter. */
  async #identity(target: Target, writer: string, envelopeFrom: string, submitter: Submitter | undefined): Promise<Identity | Refusal> {
    if (submitter) return identifySubmitter(target, await this.#d.mail.sender(submitter.permittedSenderId), submitter.storeId);
    const email = normalizeEmail(writer);
    if (target.kind === 'role') return identifySender(writer, envelopeFrom, target, null, this.#d.domains);
    if (target.kind === 'store') {
      const existing = await this.#d.mail.pairByStoreAndEmail(target.store.id, email);
      target = { ...target, existing: existing ? { pair: existing.pair, buyer: existing.buyer } : null };
    }
    const permitted = await this.#d.mail.findSender(target.store.id, email);
    return identifySender(writer, envelopeFrom, target, permitted, this.#d.domains);
  }

  /** Every recipient of a received message, once each; the first refusal refuses the message. */
  async identify(received: Received): Promise<Identified | Refusal> {
    const { input, header } = received;
    const addressed: Addressed[] = [];
    const bounces: ResolvedBounce[] = [];
    const unsubscribes: ResolvedUnsubscribe[] = [];
    const seen = new Set<string>();
    for (const rcpt of input.recipients) {
      const r = await this.resolve(rcpt, input.envelopeFrom, input.submitter);
      if (isRefusal(r)) return r;
      if ('unsubscribe' in r) {
        unsubscribes.push(r);
        continue;
      }
      if (r.bounce) {
        bounces.push(r);
        continue;
      }
      const t = r.target;
      const key = t.kind === 'pair' ? `pair:${t.pair.id}` : t.kind === 'store' ? `store:${t.store.id}` : `role:${t.role}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const identity = await this.#identity(t, header.from.address, input.envelopeFrom, input.submitter);
      if (isRefusal(identity)) return identity;
      addressed.push({ address: r.address, identity });
    }
    return { received, addressed, bounces, unsubscribes };
  }
}

// Owns the one pipeline every message travels, as its six stages (one file each in stages/):
//
//   receive → identify → decide → rewrite → commit → deliver
//
// Shells (the SMTP listeners, the admin's reply box, the API, campaigns, website messages) call
// resolveRecipient at RCPT time and accept once the bytes are in; preview is the same pipeline run
// up to rewrite, stopped before commit. Nothing is written before a message is accepted; a
// visitor's new pair is the only row made before the commit, and only for mail that passed every
// rule.
import { aliasAddress, isRefusal } from '../core/alias-token.js';
import { refusal, type Refusal } from '../core/verdicts.js';
import type { Storage } from '../store/ports.js';
import type { ResolvedUnsubscribe, UnsubscribeHandler } from './campaign-handover.js';
import { newRelayMessageId, type OutboxEntry } from './outbox-entry.js';
import type { AcceptInput, Accepted, BounceHandler, Preview, RelayOptions, ResolvedBounce, ResolvedRecipient, Submitter } from './pipeline-types.js';
import { RefusalEvents } from './refusal-events.js';
import { commit, type CommitDeps } from './stages/commit.js';
import { Decide, type Decided } from './stages/decide.js';
import { deliver, type DeliverDeps } from './stages/deliver.js';
import { Identify } from './stages/identify.js';
import { receive, type ReceiveDeps } from './stages/receive.js';
import { needsNewPair, Rewrite, type Rewritten } from './stages/rewrite.js';
import { inlineWork, type RelayWork } from './work.js';

export type { CampaignHandover, ResolvedUnsubscribe, UnsubscribeHandler } from './campaign-handover.js';
export type {
  AcceptInput,
  Accepted,
  BounceHandler,
  Preview,
  ProofSource,
  RelayOptions,
  ResolvedBounce,
  ResolvedRecipient,
  Submitter,
} from './pipeline-types.js';
export { newRelayMessageId };

export class Relay {
  readonly #options: RelayOptions;
  readonly #refusals: RefusalEvents;
  #unsubscribe: UnsubscribeHandler | null = null;
  readonly #receive: ReceiveDeps;
  readonly #identify: Identify;
  readonly #decide: Decide;
  readonly #rewrite: Rewrite;
  readonly #commit: CommitDeps;
  readonly #deliver: DeliverDeps;

  /**
   * storage: what the stages read and write (its mail port; SQLite or PostgreSQL). outbox: the one
   * way into the outbox (signs, queues with the messages rows, wakes the worker). work: where
   * parse, rewrite and compose run (the gateway's worker threads; in-process by default).
   */
  constructor(storage: Pick<Storage, 'mail'>, options: RelayOptions, bounces: BounceHandler, outbox: OutboxEntry, work: RelayWork = inlineWork) {
    this.#options = options;
    const { mail } = storage;
    this.#refusals = new RefusalEvents(mail, options.domains);
    const unsubscribe = () => this.#unsubscribe;
    this.#receive = { work, parseTimeoutMs: options.parseTimeoutMs };
    this.#identify = new Identify({ domains: options.domains, mail, postmaster: options.postmaster, bounces, unsubscribe });
    this.#decide = new Decide({ options, mail });
    this.#rewrite = new Rewrite({ domain: this.primaryDomain, work, mail });
    this.#commit = { outbox };
    this.#deliver = { bounces, unsubscribe };
  }

  get primaryDomain(): string {
    return this.#options.domains[0] as string;
  }

  aliasAddress(token: string): string {
    return aliasAddress(token, this.primaryDomain);
  }

  /** Set once at start by the campaign module; without it unsubscribe addresses are unknown. */
  setUnsubscribeHandler(h: UnsubscribeHandler): void {
    this.#unsubscribe = h;
  }

  /** Identify one recipient for one envelope sender. Read-only: safe at RCPT time. */
  resolveRecipient(
    recipient: string,
    envelopeFrom: string,
    submitter?: Submitter,
  ): Promise<ResolvedRecipient | ResolvedBounce | ResolvedUnsubscribe | Refusal> {
    return this.#identify.resolve(recipient, envelopeFrom, submitter);
  }

  /** receive → identify → decide → rewrite: everything up to (not including) the commit. */
  async #toRewrite(input: AcceptInput, before?: (d: Decided) => Refusal | null): Promise<Rewritten | Refusal> {
    const received = await receive(input, this.#receive);
    if (isRefusal(received)) return received;
    // The rewrite's last prepare lets go of the message the reading thread kept; a message refused
    // (or failed) before that is let go here, so it holds nothing on that thread until KEEP_FOR_MS.
    let handedOn = false;
    try {
      // Re-resolved at the end of DATA: a sender may have been blocked since RCPT.
      const identified = await this.#identify.identify(received);
      if (isRefusal(identified)) return identified;
      const decided = await this.#decide.decide(identified);
      if (isRefusal(decided)) return decided;
      const stop = before?.(decided);
      if (stop) return stop;
      const rewritten = await this.#rewrite.rewrite(decided);
      handedOn = decided.ruled.length > 0;
      return rewritten;
    } finally {
      if (!handedOn && received.kept) this.#receive.work.release?.(received.kept);
    }
  }

  /** Runs the whole pipeline for one received message. Resolves only after the commit. */
  async accept(input: AcceptInput): Promise<Accepted | Refusal> {
    const rewritten = await this.#toRewrite(input);
    if (isRefusal(rewritten)) {
      // The refusal stores nothing; its message.refused event is its own small commit.
      if (!input.campaign) await this.#refusals.record(input, rewritten);
      return rewritten;
    }
    return deliver(await commit(rewritten, this.#commit), this.#deliver, input.log);
  }

  /**
   * The same rules, filters and rewrite as accept, for a message to existing pairs: the pipeline
   * stopped before commit, so nothing is signed, stored or sent. What the recipient would get, or
   * the refusal.
   */
  async preview(input: AcceptInput): Promise<Preview | Refusal> {
    // A first-time visitor's pair would be the one row made before the commit: never for a preview.
    const rewritten = await this.#toRewrite(input, (d) => (d.ruled.some((r) => needsNewPair(r.identity)) ? refusal('UNKNOWN_ALIAS') : null));
    if (isRefusal(rewritten)) return rewritten;
    return { messages: rewritten.mails.map((m) => ({ message: m.message, changes: m.changes })) };
  }
}

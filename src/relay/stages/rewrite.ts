// Stage 4 of 6, rewrite: each ruled recipient's message as its recipient receives it — masked,
// filtered, headers by allow-list, threading translated, from the alias (core/rewrite.ts through
// the work pool) — composed as RFC 5322 bytes, with the envelope from our database (never from
// headers of the incoming mail). Nothing is stored or sent here: a preview is the pipeline
// run to this stage.
import { aliasAddress } from '../../core/alias-token.js';
import { categorize, type Category } from '../../core/categorize.js';
import type { ConversationIdentity, Identity } from '../../core/identify.js';
import { translateThreading } from '../../core/message-id-map.js';
import type { Change, OutgoingMail } from '../../core/types.js';
import type { CategoryRule, MailStore } from '../../store/ports.js';
import { newRelayMessageId } from '../outbox-entry.js';
import { addressedToOwner, roleRewriteContext } from '../role-mail.js';
import type { PrepareInput, RelayWork } from '../work.js';
import type { Decided, Ruled } from './decide.js';

/** A conversation message, ready to be stored and queued. */
export interface ConversationMail {
  readonly kind: 'conversation';
  readonly ruled: Ruled & { readonly identity: ConversationIdentity };
  readonly pairId: number;
  /** Our Message-ID for it (RFC 5322 §3.6.4), random on the relay domain. */
  readonly relayId: string;
  readonly buyerName: string;
  readonly category: Category;
  /** What the recipient gets, and what was changed on the way. */
  readonly message: OutgoingMail;
  readonly changes: readonly Change[];
  /** message composed (CRLF); DKIM-signed already when `signed` (the pool thread held the key), else the outbox entry signs it. */
  readonly bytes: Uint8Array;
  readonly signed: boolean;
  /** Set when `bytes` is only the signed header block and the body is the bytes received from `from` (work.ts Prepared.sharedBody). */
  readonly sharedBody: { readonly from: number; readonly length: number } | null;
  readonly envelope: { readonly from: string; readonly to: string };
}

/** Mail to postmaster@/abuse@, for the owner: queued from the null sender, not stored as a message. */
export interface OwnerMail {
  readonly kind: 'owner';
  readonly ruled: Ruled;
  readonly message: OutgoingMail;
  readonly changes: readonly Change[];
  readonly envelope: { readonly from: ''; readonly to: string };
}

export interface Rewritten {
  readonly decided: Decided;
  readonly mails: readonly (ConversationMail | OwnerMail)[];
}

export interface RewriteDeps {
  /** The relay domain aliases and Message-IDs are on. */
  readonly domain: string;
  readonly work: RelayWork;
  /** A first-time visitor's pair and the category rules, through the storage port. */
  readonly mail: MailStore;
}

/**
 * True when the recipient is a store's contact address and the writer a first-time visitor: their
 * pair is the one row made before the commit (by rewrite, for mail that passed every rule), so a
 * preview, which writes nothing, stops before it.
 */
export function needsNewPair(id: Identity): boolean {
  return id.direction === 'buyer_to_store' && (id.pair === null || id.buyer === null);
}

export class Rewrite {
  readonly #d: RewriteDeps;

  constructor(deps: RewriteDeps) {
    this.#d = deps;
  }

  async rewrite(decided: Decided): Promise<Rewritten> {
    const mails: (ConversationMail | OwnerMail)[] = [];
    const categoryRules = await this.#d.mail.categoryRules();
    const { kept } = decided.identified.received;
    for (const [i, r] of decided.ruled.entries()) {
      // The pool thread that parsed the message rewrites it from its own copy; the last one lets it go.
      const from = kept ? { mail: kept, release: i === decided.ruled.length - 1 } : null;
      mails.push(r.identity.direction === 'to_owner' ? await this.#forOwner(decided, r, from) : await this.#conversation(decided, r, categoryRules, from));
    }
    return { decided, mails };
  }

  async #forOwner(decided: Decided, r: Ruled, kept: PrepareInput['kept']): Promise<OwnerMail> {
    const id = r.identity as Extract<Identity, { direction: 'to_owner' }>;
    const { mail } = decided.identified.received;
    const ctx = roleRewriteContext(mail, id, this.#d.domain, r.content, newRelayMessageId(this.#d.domain), new Date());
    // Composed by the outbox entry, after the owner's headers are set.
    const { message, changes } = await this.#d.work.prepare({ mail, kept, ctx, campaign: null, compose: false, raw: decided.identified.received.input.raw });
    return {
      kind: 'owner',
      ruled: r,
      message: addressedToOwner(message, mail.from?.address ?? '', id, this.#d.domain),
      changes,
      envelope: { from: '', to: id.deliverTo },
    };
  }

  async #conversation(decided: Decided, r: Ruled, categoryRules: readonly CategoryRule[], kept: PrepareInput['kept']): Promise<ConversationMail> {
    const { mail, input } = decided.identified.received;
    const id = r.identity as ConversationIdentity;
    let pair = id.pair;
    let buyer = id.buyer;
    if (!pair || !buyer) {
      const { view } = await this.#d.mail.ensurePair(id.store.id, id.senderEmail, mail.from?.name ?? '', 'visitor');
      pair = view.pair;
      buyer = view.buyer;
    }
    const from = id.direction === 'buyer_to_store' ? 'buyer' : 'store';
    const threading = translateThreading(mail.inReplyTo, mail.references, from, r.mappings);
    const hide =
      id.direction === 'buyer_to_store'
        ? { addresses: [id.senderEmail, buyer.email, mail.from?.address ?? '', mail.sender?.address ?? '', input.envelopeFrom], names: [] }
        : {
            addresses: [
              id.senderEmail,
              id.store.mailbox,
              mail.from?.address ?? '',
              mail.sender?.address ?? '',
              input.envelopeFrom,
              ...r.senders.map((s) => s.email),
            ],
            names: [mail.from?.name ?? '', mail.sender?.name ?? ''].filter(Boolean),
            // A full staff name ("John Smith", "Smith, John"), from From: or from Sender: for
            // "on behalf of" mail, is hidden everywhere; a first name alone is a choice.
            fullNames: [mail.from?.name ?? '', mail.sender?.name ?? ''].filter((n) => /\S[\s,]+\S/.test(n)),
          };
    const relayId = newRelayMessageId(this.#d.domain);
    const alias = aliasAddress(pair.token, this.#d.domain);
    // Rewrite, the campaign's parts and compose run on a worker thread (plain data in and out).
    const { message, changes, bytes, signed, sharedBody } = await this.#d.work.prepare({
      mail,
      kept,
      ctx: {
        direction: id.direction,
        aliasAddress: alias,
        store: id.store,
        buyer: { name: buyer.name, email: buyer.email },
        hide,
        messageId: relayId,
        threading,
        now: new Date(),
        content: r.content,
      },
      campaign: input.campaign ? { headers: input.campaign.headers, footer: input.campaign.footer } : null,
      compose: true,
      sizeHint: input.raw.byteLength,
      raw: input.raw,
    });
    if (!bytes) throw new Error('the message was not composed');
    return {
      kind: 'conversation',
      ruled: { ...r, identity: id },
      pairId: pair.id,
      relayId,
      buyerName: buyer.name,
      category: categorize(categoryRules, { direction: id.direction, subject: mail.subject, sender: id.senderEmail }),
      message,
      changes,
      bytes,
      signed,
      sharedBody: sharedBody ?? null,
      // The envelope comes from our database, never from headers of the incoming mail.
      envelope: { from: alias, to: id.direction === 'buyer_to_store' ? id.store.mailbox : buyer.email },
    };
  }
}

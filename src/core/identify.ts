// Owns "who is writing": from the recipient (a pair alias or a store's contact address) and the
// writer's address, decide the direction or refuse. Pure: the relay hands in what the store knows.
//
// The writer is the From mailbox of the one header reading (core/header-block.ts), proven later
// by DMARC (or aligned SPF/DKIM) for its domain; the SMTP envelope sender is only where bounces go.
// A helpdesk's return path, SRS forwarding, BATV/PRVS tags and Microsoft 365's envelopes therefore
// change nothing. The envelope alone decides only two things, early at RCPT: a null sender (no
// conversation mail comes from <>) and our own relay domain (a loop).
import type { RoleMailbox } from './alias-token.js';
import type { BuyerFacts, PairFacts, PermittedSenderFacts, StoreFacts } from './types.js';
import { refusal, type Refusal } from './verdicts.js';

/** What the relay looked up for one recipient before asking. */
export type Target =
  | { readonly kind: 'pair'; readonly store: StoreFacts; readonly pair: PairFacts; readonly buyer: BuyerFacts }
  | {
      readonly kind: 'store';
      readonly store: StoreFacts;
      /** The sender's existing pair with this store, if the sender is a known buyer. */
      readonly existing: { readonly pair: PairFacts; readonly buyer: BuyerFacts } | null;
    }
  /** postmaster@ or abuse@ a relay domain (RFC 5321 §4.5.1, RFC 2142 §2): the owner reads it. */
  | { readonly kind: 'role'; readonly role: RoleMailbox; readonly deliverTo: string };

export type Identity =
  | {
      readonly direction: 'buyer_to_store';
      readonly store: StoreFacts;
      /** null when a visitor writes to the store address for the first time: created at commit. */
      readonly pair: PairFacts | null;
      readonly buyer: BuyerFacts | null;
      readonly senderEmail: string;
    }
  | {
      readonly direction: 'store_to_buyer';
      readonly store: StoreFacts;
      readonly pair: PairFacts;
      readonly buyer: BuyerFacts;
      readonly sender: PermittedSenderFacts;
      readonly senderEmail: string;
    }
  | {
      /** Mail to postmaster@/abuse@: for the owner, not a conversation (no pair, no message row). */
      readonly direction: 'to_owner';
      readonly role: RoleMailbox;
      /** The owner's address (smtp.postmaster, or the first owner account's). */
      readonly deliverTo: string;
      readonly senderEmail: string;
      /**
       * Sent from the null sender (a DSN, a feedback-loop report): there is no envelope domain to
       * check and no proof to ask for, so such reports are passed on.
       */
      readonly nullSender: boolean;
    };

/** The identities that are one buyer–store conversation (stored, threaded, masked both ways). */
export type ConversationIdentity = Exclude<Identity, { readonly direction: 'to_owner' }>;

export function normalizeEmail(address: string): string {
  return address.trim().toLowerCase();
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

/**
 * The form two addresses of "the same buyer" share: lowercased as a whole (no provider treats
 * case as meaningful, whatever RFC 5321 allows), and a `+tag` in the local part ignored
 * (`Jane+shop@Mail.example` is `jane@mail.example`): an order placed with a tagged address and a
 * reply from the plain one are one person. Only the alias's own buyer is matched this way; a
 * visitor at a store's contact address is keyed by the lowercased address as written.
 */
export function buyerKey(address: string): string {
  const n = normalizeEmail(address);
  const at = n.lastIndexOf('@');
  if (at < 0) return n;
  const plus = n.indexOf('+');
  return plus > 0 && plus < at ? n.slice(0, plus) + n.slice(at) : n;
}

/** What the envelope sender alone decides, at RCPT: null when it decides nothing. */
export function envelopeRefusal(envelopeFrom: string, relayDomains: readonly string[]): Refusal | null {
  const sender = normalizeEmail(envelopeFrom);
  if (sender === '') return refusal('NULL_SENDER');
  if (relayDomains.includes(domainOf(sender))) return refusal('LOOP_DETECTED');
  return null;
}

/**
 * Decides the direction from the writer (the From address of the header reading). The buyer of
 * the pair wins over a permitted sender with the same address (a seller testing with their own
 * address reaches their mailbox).
 */
export function identifySender(
  writer: string,
  envelopeFrom: string,
  target: Target,
  permitted: PermittedSenderFacts | null,
  relayDomains: readonly string[],
): Identity | Refusal {
  // Anyone may write to postmaster@, the null sender too (RFC 5321 §4.5.1): decide judges them.
  if (target.kind === 'role') {
    return { direction: 'to_owner', role: target.role, deliverTo: target.deliverTo, senderEmail: normalizeEmail(writer), nullSender: envelopeFrom === '' };
  }
  const early = envelopeRefusal(envelopeFrom, relayDomains);
  if (early) return early;
  const sender = normalizeEmail(writer);
  if (relayDomains.includes(domainOf(sender))) return refusal('LOOP_DETECTED');
  if (target.kind === 'pair') {
    if (buyerKey(sender) === buyerKey(target.buyer.email)) {
      return { direction: 'buyer_to_store', store: target.store, pair: target.pair, buyer: target.buyer, senderEmail: sender };
    }
    if (permitted?.status === 'enabled') {
      return { direction: 'store_to_buyer', store: target.store, pair: target.pair, buyer: target.buyer, sender: permitted, senderEmail: sender };
    }
    if (permitted?.status === 'blocked') return refusal('SENDER_BLOCKED', `the sender is blocked from writing as ${target.store.name}`);
    return refusal('SENDER_UNKNOWN');
  }
  if (permitted?.status === 'blocked') return refusal('SENDER_BLOCKED', `the sender is blocked from writing as ${target.store.name}`);
  if (permitted) return refusal('STAFF_TO_STORE_ADDRESS');
  return {
    direction: 'buyer_to_store',
    store: target.store,
    pair: target.existing?.pair ?? null,
    buyer: target.existing?.buyer ?? null,
    senderEmail: sender,
  };
}

/**
 * The identity of a writer who proved who they are by logging in (the submission port, the admin,
 * the API): always their own permitted sender, and only towards a pair of that sender's store. An
 * unknown alias and another store's alias get the same answer (no oracle).
 */
export function identifySubmitter(
  target: Target | null,
  sender: (PermittedSenderFacts & { readonly storeId: number }) | null,
  storeId: number,
): Identity | Refusal {
  if (!target || target.kind !== 'pair' || target.store.id !== storeId) return refusal('NOT_YOUR_ALIAS');
  if (!sender || sender.storeId !== storeId) return refusal('AUTH_INVALID');
  if (sender.status !== 'enabled') return refusal('SENDER_BLOCKED', `the sender is blocked from writing as ${target.store.name}`);
  return {
    direction: 'store_to_buyer',
    store: target.store,
    pair: target.pair,
    buyer: target.buyer,
    sender: { id: sender.id, email: sender.email, status: sender.status },
    senderEmail: sender.email,
  };
}

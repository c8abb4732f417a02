// Owns the store rules both shells apply — the admin's forms and the JSON API call these, so each
// rule exists once: what a store needs (a name, a slug that can be an address, a real mailbox
// outside the relay domains), that a slug is taken once, and who may be a permitted sender.
// Answers are a result or a problem naming the field, its kind and a sentence for people; each
// shell turns a problem into its own answer (a form with the error, a JSON error with a status).
// They read and write through the storage ports, so the same rule holds on SQLite and PostgreSQL.
import { isValidSlug } from '../core/alias-token.js';
import type { MailStore, MarketStore } from '../store/ports.js';
import type { PermittedSenderRow, StoreRow } from '../store/stores.js';

/** What the store rules read and write: the ports' store and permitted-sender calls. */
export type StoreWrites = Pick<MailStore, 'storeBySlug' | 'findSender'> & Pick<MarketStore, 'createStore' | 'addSender'>;

export interface Problem {
  readonly field: 'name' | 'slug' | 'mailbox' | 'email';
  /** invalid: fix the value (400/422); conflict: it is taken (409). */
  readonly kind: 'invalid' | 'conflict';
  /** One sentence for people, naming the value (the admin shows it). */
  readonly text: string;
  /** The rule, as `<field>: <rule>` reads (the API's message). */
  readonly rule: string;
}

/**
 * A plain address as staff type it (a mailbox, a permitted sender): no quotes, comments, routes or
 * percent hacks; the API's schema checks the same expression.
 */
export const PLAIN_EMAIL = /^[^\s"'<>()[\]\\,;:%!@]+@[a-z0-9.-]+\.[a-z]{2,}$/i;
const EMAIL = PLAIN_EMAIL;

function onRelayDomain(address: string, domains: readonly string[]): boolean {
  const a = address.toLowerCase();
  return domains.some((d) => a.endsWith(`@${d.toLowerCase()}`));
}

/** Where a store's buyer mail goes: a real mailbox, outside the relay domains (a loop otherwise). */
export function mailboxProblem(mailbox: string, domains: readonly string[]): Problem | null {
  if (!EMAIL.test(mailbox) || onRelayDomain(mailbox, domains)) {
    return {
      field: 'mailbox',
      kind: 'invalid',
      text: `${mailbox || 'That'} is not a real mailbox outside the relay domains.`,
      rule: 'must be a real mailbox outside the relay domains',
    };
  }
  return null;
}

export interface NewStore {
  readonly name: string;
  readonly slug: string;
  readonly mailbox: string;
}

/** The slug rule (core/alias-token.ts isValidSlug: 1–32 lowercase letters, digits, inner dashes, not alias-like). */
export function slugProblem(slug: string): Problem | null {
  return isValidSlug(slug)
    ? null
    : {
        field: 'slug',
        kind: 'invalid',
        text: 'A store needs a name and a slug of 1–32 lowercase letters, digits and inner dashes.',
        rule: 'must be 1–32 lowercase letters, digits or inner hyphens (and not look like an alias)',
      };
}

/** Creates a store, or says which rule it breaks. Name and mailbox are trimmed, slug and mailbox lowercased. */
export async function createStore(stores: StoreWrites, domains: readonly string[], input: NewStore): Promise<{ store: StoreRow } | { problem: Problem }> {
  const name = input.name.trim();
  const slug = input.slug.trim().toLowerCase();
  const mailbox = input.mailbox.trim().toLowerCase();
  if (!name)
    return {
      problem: {
        field: 'name',
        kind: 'invalid',
        text: 'A store needs a name and a slug of 1–32 lowercase letters, digits and inner dashes.',
        rule: 'must not be empty',
      },
    };
  const bad = slugProblem(slug) ?? mailboxProblem(mailbox, domains);
  if (bad) return { problem: bad };
  const taken = {
    problem: { field: 'slug', kind: 'conflict', text: `A store with slug "${slug}" already exists.`, rule: `a store with slug "${slug}" already exists` },
  } as const;
  if (await stores.storeBySlug(slug)) return taken;
  // Two creations at once: the unique index decides (the port answers null).
  const store = await stores.createStore({ slug, name, mailbox });
  return store ? { store } : taken;
}

/** Who may write to a store's buyers: a real address outside the relay domains, once per store. */
export async function addPermittedSender(
  stores: StoreWrites,
  domains: readonly string[],
  storeId: number,
  email: string,
  status: 'enabled' | 'blocked' = 'enabled',
): Promise<{ sender: PermittedSenderRow } | { problem: Problem }> {
  const address = email.trim().toLowerCase();
  if (!EMAIL.test(address) || onRelayDomain(address, domains)) {
    return {
      problem: {
        field: 'email',
        kind: 'invalid',
        text: `${address || 'That'} is not an address that can be a permitted sender.`,
        rule: 'a permitted sender cannot be an address on the relay domain',
      },
    };
  }
  const taken = {
    problem: {
      field: 'email',
      kind: 'conflict',
      text: `${address} is already a permitted sender of this store.`,
      rule: `${address} is already a permitted sender of this store; PATCH it to change its status`,
    },
  } as const;
  if (await stores.findSender(storeId, address)) return taken;
  const sender = await stores.addSender(storeId, address, status);
  return sender ? { sender } : taken;
}

// Owns who may change what of a store, for every shell: the admin's forms and pages and the JSON API
// ask this one table. A store's identity and policy are the owner's: its name (the From: display
// name buyers see), where its mail goes, who may write as it (permitted senders, app passwords),
// its messaging rules and assignment, and the webhooks that carry its events out. The day's work
// (replying, assigning, notes, using templates) and taking trust away (blocking or removing a
// sender, revoking an app password) stay with every staff member of the store.
import { refusal, type Refusal } from '../core/verdicts.js';

/** Who is asking: a staff user (the admin), or the API token, which carries the owner's rights. */
export interface Caller {
  readonly role: 'owner' | 'agent';
}

/** The API token: made at first start for the one who installed the gateway, or set in config. */
export const API_TOKEN_CALLER: Caller = Object.freeze({ role: 'owner' });

interface ActionRule {
  /** owner: the owner only; staff: anyone who works in the store. */
  readonly who: 'owner' | 'staff';
  /** The sentence a refused caller reads (the admin's 403 page, the API's message). */
  readonly refusal: string;
}

/** Every change to a store's settings, and who may make it: policy as data. */
export const STORE_ACTIONS = {
  'create-store': { who: 'owner', refusal: 'Only the owner adds stores.' },
  rename: { who: 'owner', refusal: 'Only the owner renames a store: its name is the From: name every buyer sees.' },
  mailbox: { who: 'owner', refusal: "Only the owner changes where a store's mail goes." },
  policy: { who: 'owner', refusal: 'Only the owner changes messaging rules.' },
  assignment: { who: 'owner', refusal: 'Only the owner changes how conversations are assigned.' },
  'add-sender': { who: 'owner', refusal: 'Only the owner adds permitted senders: one writes as the store to every buyer.' },
  'enable-sender': { who: 'owner', refusal: 'Only the owner enables permitted senders: one writes as the store to every buyer.' },
  'issue-app-password': { who: 'owner', refusal: 'Only the owner issues app passwords: one is a login that sends as the store.' },
  webhooks: { who: 'owner', refusal: 'Only the owner manages webhooks: they carry every store event to another system.' },
  // Taking trust away does not wait for the owner.
  'block-sender': { who: 'staff', refusal: '' },
  'remove-sender': { who: 'staff', refusal: '' },
  'revoke-app-password': { who: 'staff', refusal: '' },
} as const satisfies Record<string, ActionRule>;

export type StoreAction = keyof typeof STORE_ACTIONS;

/** The actions only the owner may take (for docs and tests). */
export const OWNER_ACTIONS = (Object.keys(STORE_ACTIONS) as StoreAction[]).filter((a) => STORE_ACTIONS[a].who === 'owner');

/**
 * Null when `caller` may take `action`; else the OWNER_ONLY refusal with its sentence. No caller
 * (a shell that forgot to say who asks) is refused: the rule fails closed.
 */
export function storeActionRefusal(caller: Caller | null | undefined, action: StoreAction): Refusal | null {
  const rule: ActionRule = STORE_ACTIONS[action];
  if (caller && (rule.who === 'staff' || caller.role === 'owner')) return null;
  return refusal('OWNER_ONLY', rule.refusal || undefined);
}

export function mayTake(caller: Caller | null | undefined, action: StoreAction): boolean {
  return storeActionRefusal(caller, action) === null;
}

/** What `caller` may do, for a page to show only the controls that work. */
export function allowedActions(caller: Caller | null | undefined): ReadonlySet<StoreAction> {
  return new Set((Object.keys(STORE_ACTIONS) as StoreAction[]).filter((a) => mayTake(caller, a)));
}

// Owns what each of a store's messaging rules may be set to, as data: its kind, its bounds, and how
// it reads to a person. The JSON API (PATCH /stores/{id}/policy) and the store page in the admin
// both check a change here, so a rule has one set of limits; core/messaging-rules.ts applies them.
import type { StorePolicy } from './messaging-rules.js';

export interface PolicyLimit {
  readonly key: keyof StorePolicy;
  /** What the admin's form calls it. */
  readonly label: string;
  /** One sentence on what it does. */
  readonly help: string;
  readonly kind: 'boolean' | 'count';
  /** Inclusive bounds of a count. */
  readonly min?: number;
  readonly max?: number;
  /** The unit a count is in, after the number ("per hour"). */
  readonly unit?: string;
}

export const POLICY_LIMITS: readonly PolicyLimit[] = [
  {
    key: 'optOut',
    label: 'Respect opt-outs',
    help: 'A buyer who opted out only gets replies to their own messages, and messages marked [Important] in the subject.',
    kind: 'boolean',
  },
  {
    key: 'criticalPerDay',
    label: '[Important] messages to opted-out buyers',
    help: 'How many critical messages the store may send to buyers who opted out.',
    kind: 'count',
    min: 0,
    max: 1000,
    unit: 'per 24 hours',
  },
  {
    key: 'windowDays',
    label: 'Messaging window',
    help: 'Messaging stays open while an order is open, and this long after an order was completed or the buyer last wrote.',
    kind: 'count',
    min: 1,
    max: 3650,
    unit: 'days',
  },
  {
    key: 'requireOrderId',
    label: 'Require an order number',
    help: 'A message that does not answer the buyer must name one of their order numbers.',
    kind: 'boolean',
  },
  {
    key: 'storePerHour',
    label: 'Messages from the store',
    help: 'Seller → buyer messages of the whole store; over it, senders are told to try later.',
    kind: 'count',
    min: 1,
    max: 1_000_000,
    unit: 'per hour',
  },
  {
    key: 'pairPerDay',
    label: 'Messages to one buyer',
    help: 'Seller → buyer messages to any one buyer; over it, senders are told to try later.',
    kind: 'count',
    min: 1,
    max: 10_000,
    unit: 'per 24 hours',
  },
];

export type PolicyCheck = { readonly ok: Partial<StorePolicy> } | { readonly error: string };

/**
 * Checks a change to a store's rules: only known rules, booleans for switches, whole numbers within
 * the bounds for counts, at least one rule. The error names the rule and its bounds, e.g.
 * "windowDays: must be a whole number from 1 to 3650".
 */
export function checkPolicyChange(input: unknown): PolicyCheck {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { error: 'the rules must be an object' };
  const out: Record<string, boolean | number> = {};
  for (const [key, value] of Object.entries(input)) {
    const limit = POLICY_LIMITS.find((l) => l.key === key);
    if (!limit) return { error: `${key}: no such rule (the rules are ${POLICY_LIMITS.map((l) => l.key).join(', ')})` };
    if (limit.kind === 'boolean') {
      if (typeof value !== 'boolean') return { error: `${key}: must be true or false` };
    } else if (typeof value !== 'number' || !Number.isInteger(value) || value < (limit.min ?? 0) || value > (limit.max ?? Number.MAX_SAFE_INTEGER)) {
      return { error: `${key}: must be a whole number from ${limit.min} to ${limit.max}` };
    }
    out[key] = value;
  }
  if (Object.keys(out).length === 0) return { error: 'give at least one rule to change' };
  return { ok: out as Partial<StorePolicy> };
}

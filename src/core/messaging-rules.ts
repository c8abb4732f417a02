// Owns the messaging rules for seller → buyer mail: opt-out (with [Important] critical messages),
// the messaging window, the order id in proactive messages, and rate limits. Pure: the relay
// gathers the facts (counts, dates, orders) and each store's policy.
import type { Finding } from './types.js';
import { refusal, type Refusal } from './verdicts.js';

export interface StorePolicy {
  /** Refuse unsolicited messages to buyers who opted out. */
  readonly optOut: boolean;
  /** Critical ([Important]) messages a store may send to opted-out buyers per 24 hours. */
  readonly criticalPerDay: number;
  /** Days after an order's completion, or the buyer's last message, that messaging stays open. */
  readonly windowDays: number;
  /** A message that is not a reply to the buyer must name one of the pair's order numbers. */
  readonly requireOrderId: boolean;
  /** Seller → buyer messages per store per hour. */
  readonly storePerHour: number;
  /** Seller → buyer messages per pair per 24 hours. */
  readonly pairPerDay: number;
}

export const DEFAULT_POLICY: StorePolicy = Object.freeze({
  optOut: true,
  criticalPerDay: 5,
  windowDays: 30,
  requireOrderId: true,
  storePerHour: 500,
  pairPerDay: 20,
});

export interface OrderFacts {
  readonly number: string;
  readonly status: string;
  readonly completedAt: number | null;
}

export interface RuleFacts {
  readonly now: number;
  readonly policy: StorePolicy;
  readonly optedOut: boolean;
  readonly subject: string;
  /** Text of the message (text part, or HTML), to look for an order number. */
  readonly body: string;
  /** When the latest buyer message this one answers (by In-Reply-To/References) arrived, if any. */
  readonly repliesToBuyerAt: number | null;
  readonly lastBuyerMessageAt: number | null;
  readonly orders: readonly OrderFacts[];
  readonly criticalToOptedOutLastDay: number;
  readonly storeSentLastHour: number;
  readonly pairSentLastDay: number;
  /**
   * Set for a campaign message, with what is known of its recipient at send time. Consent is the
   * campaign's (unsubscribe link, these exclusions, its own rate), so the window, the order id and
   * the store/pair rates do not apply; an opt-out still refuses it, and a campaign is never critical.
   */
  readonly campaign?: CampaignRecipientFacts | undefined;
}

/** Who must not get a campaign at all, looked up when the message is sent. */
export interface CampaignRecipientFacts {
  readonly unsubscribed: boolean;
  /** The buyer's address bounced permanently. */
  readonly undeliverable: boolean;
  /** When the buyer last got another campaign from the store, if ever. */
  readonly lastCampaignAt: number | null;
  /** A buyer who got a campaign within this many days is spared another. */
  readonly repeatDays: number;
}

export interface RulesOutcome {
  readonly refusal: Refusal | null;
  readonly findings: readonly Finding[];
  /** A critical message to an opted-out buyer: counted against the daily allowance. */
  readonly criticalToOptedOut: boolean;
}

const DAY = 86_400_000;
const IMPORTANT = '[important]';
const CLOSED_ORDER = new Set(['cancelled', 'refunded']);

export function isCritical(subject: string): boolean {
  return subject.toLowerCase().includes(IMPORTANT);
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
}

/** An order number standing on its own (not inside a longer number), case-insensitively. */
export function mentionsOrder(text: string, number: string): boolean {
  const hay = text.toLowerCase();
  const needle = number.toLowerCase();
  if (needle === '') return false;
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    if (!isWordChar(hay[at - 1]) && !isWordChar(hay[at + needle.length])) return true;
  }
  return false;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function checkMessagingRules(f: RuleFacts): RulesOutcome {
  const findings: Finding[] = [];
  const p = f.policy;
  const reject = (r: Refusal, criticalToOptedOut = false): RulesOutcome => ({ refusal: r, findings, criticalToOptedOut });

  if (f.campaign) {
    const c = f.campaign;
    findings.push({ rule: 'campaign', result: 'window, order id and rates do not apply' });
    if (c.unsubscribed) {
      findings.push({ rule: 'campaign.unsubscribed', result: 'refused' });
      return reject(refusal('UNSUBSCRIBED'));
    }
    if (c.undeliverable) {
      findings.push({ rule: 'campaign.undeliverable', result: 'refused' });
      return reject(refusal('UNDELIVERABLE'));
    }
    if (c.lastCampaignAt !== null && f.now - c.lastCampaignAt < c.repeatDays * DAY) {
      findings.push({ rule: 'campaign.repeat', result: 'refused', detail: `last campaign ${isoDate(c.lastCampaignAt)}` });
      return reject(refusal('RECENT_CAMPAIGN', `the buyer had a campaign from this store in the last ${c.repeatDays} days`));
    }
    if (f.optedOut) {
      findings.push({ rule: 'opt-out', result: 'refused' });
      return reject(refusal('OPTED_OUT'));
    }
    return { refusal: null, findings, criticalToOptedOut: false };
  }

  if (f.storeSentLastHour >= p.storePerHour) {
    findings.push({ rule: 'rate.store', result: 'over', detail: `${f.storeSentLastHour}/${p.storePerHour} per hour` });
    return reject(refusal('RATE_LIMITED', `the store has sent ${p.storePerHour} messages in the last hour; try again later`));
  }
  if (f.pairSentLastDay >= p.pairPerDay) {
    findings.push({ rule: 'rate.pair', result: 'over', detail: `${f.pairSentLastDay}/${p.pairPerDay} per day` });
    return reject(refusal('RATE_LIMITED', `this buyer got ${p.pairPerDay} messages from the store in the last 24 hours; try again later`));
  }

  const windowMs = p.windowDays * DAY;
  const isReply = f.repliesToBuyerAt !== null && f.now - f.repliesToBuyerAt <= windowMs;
  findings.push({ rule: 'reply', result: isReply ? 'reply to the buyer' : 'proactive' });

  const critical = isCritical(f.subject);
  let criticalToOptedOut = false;
  if (p.optOut && f.optedOut && !isReply) {
    if (!critical) {
      findings.push({ rule: 'opt-out', result: 'refused' });
      return reject(refusal('OPTED_OUT'));
    }
    if (f.criticalToOptedOutLastDay >= p.criticalPerDay) {
      findings.push({ rule: 'opt-out', result: 'critical allowance used', detail: `${f.criticalToOptedOutLastDay}/${p.criticalPerDay}` });
      return reject(refusal('CRITICAL_LIMIT', `the store has sent its ${p.criticalPerDay} critical messages to opted-out buyers in the last 24 hours`));
    }
    criticalToOptedOut = true;
    findings.push({ rule: 'opt-out', result: 'passed as critical', detail: `${f.criticalToOptedOutLastDay + 1}/${p.criticalPerDay}` });
  }
  if (critical) findings.push({ rule: 'critical', result: 'yes' });

  // The window: an open order, an order completed within the window, or a recent buyer message.
  const openOrder = f.orders.some((o) => o.completedAt === null && !CLOSED_ORDER.has(o.status));
  const anchors = [
    ...f.orders.map((o) => o.completedAt).filter((t): t is number => t !== null),
    ...(f.lastBuyerMessageAt !== null ? [f.lastBuyerMessageAt] : []),
  ];
  const latest = anchors.length ? Math.max(...anchors) : null;
  if (!openOrder && (latest === null || f.now - latest > windowMs)) {
    findings.push({ rule: 'window', result: 'closed' });
    const when = latest === null ? '' : ` on ${isoDate(latest + windowMs)}`;
    return reject(
      refusal('WINDOW_CLOSED', `the messaging window with this buyer closed${when} (${p.windowDays} days after the last completed order or buyer message)`),
    );
  }
  findings.push({ rule: 'window', result: openOrder ? 'open order' : `open until ${isoDate((latest as number) + windowMs)}` });

  if (p.requireOrderId && !isReply) {
    const found = f.orders.find((o) => mentionsOrder(f.subject, o.number) || mentionsOrder(f.body, o.number));
    if (!found) {
      findings.push({ rule: 'order-id', result: 'missing' });
      const hint = f.orders.length ? ` (for example ${f.orders[0]?.number})` : '';
      return reject(refusal('ORDER_ID_MISSING', `a message that does not answer the buyer must name one of their order numbers${hint}`));
    }
    findings.push({ rule: 'order-id', result: 'found', detail: found.number });
  }
  return { refusal: null, findings, criticalToOptedOut };
}

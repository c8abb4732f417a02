import { describe, expect, it } from 'vitest';
import { checkMessagingRules, DEFAULT_POLICY, mentionsOrder, type RuleFacts } from './messaging-rules.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-23T12:00:00Z');
const base: RuleFacts = {
  now: NOW,
  policy: DEFAULT_POLICY,
  optedOut: false,
  subject: 'About order A-1001',
  body: 'Hello',
  repliesToBuyerAt: null,
  lastBuyerMessageAt: null,
  orders: [{ number: 'A-1001', status: 'placed', completedAt: null }],
  criticalToOptedOutLastDay: 0,
  storeSentLastHour: 0,
  pairSentLastDay: 0,
};
const campaign = (over: Partial<NonNullable<RuleFacts['campaign']>> = {}): Partial<RuleFacts> => ({
  campaign: { unsubscribed: false, undeliverable: false, lastCampaignAt: null, repeatDays: 7, ...over },
});
const completed = (daysAgo: number) => [{ number: 'A-1001', status: 'completed', completedAt: NOW - daysAgo * DAY }];

describe('messaging rules (golden table: situation → verdict)', () => {
  it.each<[string, Partial<RuleFacts>, string]>([
    ['proactive with the order number, open order', {}, 'accept'],
    ['proactive without an order number', { subject: 'Hello there' }, 'ORDER_ID_MISSING'],
    ['order number in the body counts', { subject: 'Hi', body: 'Your order A-1001 shipped' }, 'accept'],
    ['order number inside a longer number does not count', { subject: 'Hi', body: 'ref XA-10012' }, 'ORDER_ID_MISSING'],
    ['reply to the buyer needs no order number', { subject: 'Re: hi', repliesToBuyerAt: NOW - DAY }, 'accept'],
    ['order number rule switched off', { subject: 'Hello', policy: { ...DEFAULT_POLICY, requireOrderId: false } }, 'accept'],
    ['opted out, proactive', { optedOut: true }, 'OPTED_OUT'],
    ['opted out, reply to the buyer within 30 days', { optedOut: true, repliesToBuyerAt: NOW - 10 * DAY, lastBuyerMessageAt: NOW - 10 * DAY }, 'accept'],
    ['opted out, reply to a buyer message 40 days old', { optedOut: true, repliesToBuyerAt: NOW - 40 * DAY }, 'OPTED_OUT'],
    ['opted out, [Important] passes', { optedOut: true, subject: '[Important] Recall of order A-1001' }, 'accept'],
    ['opted out, [important] any case', { optedOut: true, subject: '[IMPORTANT] recall A-1001' }, 'accept'],
    ['opted out, 6th critical of the day', { optedOut: true, subject: '[Important] A-1001', criticalToOptedOutLastDay: 5 }, 'CRITICAL_LIMIT'],
    ['opt-out rule switched off', { optedOut: true, policy: { ...DEFAULT_POLICY, optOut: false } }, 'accept'],
    ['order completed 29 days ago', { orders: completed(29) }, 'accept'],
    ['order completed 31 days ago', { orders: completed(31) }, 'WINDOW_CLOSED'],
    ['order completed 31 days ago, buyer wrote 3 days ago', { orders: completed(31), lastBuyerMessageAt: NOW - 3 * DAY }, 'accept'],
    ['cancelled order does not keep the window open', { orders: [{ number: 'A-1001', status: 'cancelled', completedAt: null }] }, 'WINDOW_CLOSED'],
    ['store over its hourly limit', { storeSentLastHour: 500 }, 'RATE_LIMITED'],
    ['pair over its daily limit', { pairSentLastDay: 20 }, 'RATE_LIMITED'],
    ['campaign: window, order id and rates do not apply', { ...campaign(), subject: 'News', orders: completed(90), storeSentLastHour: 500 }, 'accept'],
    ['campaign to an unsubscribed buyer', campaign({ unsubscribed: true }), 'UNSUBSCRIBED'],
    ['campaign to an address that bounced hard', campaign({ undeliverable: true }), 'UNDELIVERABLE'],
    ['campaign 6 days after the last one', campaign({ lastCampaignAt: NOW - 6 * DAY }), 'RECENT_CAMPAIGN'],
    ['campaign 8 days after the last one', campaign({ lastCampaignAt: NOW - 8 * DAY }), 'accept'],
    ['campaign 2 days after the last one, repeat rule at 1 day', campaign({ lastCampaignAt: NOW - 2 * DAY, repeatDays: 1 }), 'accept'],
    ['campaign to an opted-out buyer', { ...campaign(), optedOut: true }, 'OPTED_OUT'],
    ['campaign marked [Important] to an opted-out buyer: never critical', { ...campaign(), optedOut: true, subject: '[Important] sale' }, 'OPTED_OUT'],
  ])('%s → %s', (_name, over, expected) => {
    const r = checkMessagingRules({ ...base, ...over });
    expect(r.refusal?.code ?? 'accept').toBe(expected);
    expect(r.findings.length).toBeGreaterThan(0);
  });

  it('names the date the window closed', () => {
    const r = checkMessagingRules({ ...base, orders: completed(45) });
    expect(r.refusal?.detail).toBe('the messaging window with this buyer closed on 2026-11-08 (30 days after the last completed order or buyer message)');
  });

  it('counts a critical message to an opted-out buyer, not one to a buyer who did not opt out', () => {
    expect(checkMessagingRules({ ...base, optedOut: true, subject: '[Important] A-1001' }).criticalToOptedOut).toBe(true);
    expect(checkMessagingRules({ ...base, subject: '[Important] A-1001' }).criticalToOptedOut).toBe(false);
  });

  it('finds order numbers in linear time on hostile input', () => {
    expect(mentionsOrder(`${'A-1001'.repeat(20_000)}x`, 'A-1001')).toBe(false);
    expect(mentionsOrder('see A-1001.', 'a-1001')).toBe(true);
  });
});

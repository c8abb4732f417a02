import { describe, expect, it } from 'vitest';
import { categorize, DEFAULT_CATEGORY_RULES, dueText } from './categorize.js';

describe('categorize (golden table, default rules)', () => {
  it.each([
    ['buyer_to_store', 'Where is my parcel?', 'jane@buyer.example', 'buyer_message'],
    ['buyer_to_store', 'Question about the kettle', 'jane@buyer.example', 'product_question'],
    ['buyer_to_store', 'REFUND please', 'jane@buyer.example', 'refund'],
    ['buyer_to_store', 'A-to-z Guarantee claim opened', 'jane@buyer.example', 'a_to_z_claim'],
    ['buyer_to_store', 'Your order', 'no-reply@marketplace.example', 'marketplace_notification'],
    ['store_to_buyer', 'Refund issued', 'cs@store.example', 'sent'],
  ] as const)('%s "%s" from %s → %s', (direction, subject, sender, expected) => {
    expect(categorize(DEFAULT_CATEGORY_RULES, { direction, subject, sender })).toBe(expected);
  });

  it('takes the first matching rule, so the order is the priority', () => {
    const rules = [
      { category: 'refund' as const, field: 'subject' as const, pattern: 'kettle' },
      { category: 'product_question' as const, field: 'subject' as const, pattern: 'kettle' },
    ];
    expect(categorize(rules, { direction: 'buyer_to_store', subject: 'kettle', sender: 'a@b.c' })).toBe('refund');
  });

  it('gives 24 hours to answer, 48 for an A-to-z claim, and none once answered', () => {
    const t = Date.UTC(2026, 0, 1);
    expect(dueText(t, 'buyer_message', t + 3_600_000, false)).toEqual({ text: 'due in 23 h', overdue: false });
    expect(dueText(t, 'a_to_z_claim', t + 3_600_000, false)).toEqual({ text: 'due in 47 h', overdue: false });
    expect(dueText(t, 'refund', t + 26 * 3_600_000, false)).toEqual({ text: 'overdue by 2 h', overdue: true });
    expect(dueText(t, 'refund', t + 26 * 3_600_000, true)).toBeNull();
  });
});

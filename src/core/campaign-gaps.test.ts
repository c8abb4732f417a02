import { describe, expect, it } from 'vitest';
import { campaignGaps } from './campaign-gaps.js';
import { PRESETS } from './campaign-presets.js';

describe('campaignGaps', () => {
  it('warns that a bare {{order.number}} is empty for the prospects of the audience, and a bare {{buyer.name}} for the nameless', () => {
    const gaps = campaignGaps(
      { subject: 'Hi {{buyer.name}}', body: 'Like your order {{order.number}}) you will love this' },
      { total: 10, prospects: 3, nameless: 1 },
    );
    expect(gaps.map((g) => [g.variable, g.empty])).toEqual([
      ['buyer.name', 1],
      ['order.number', 3],
    ]);
    expect(gaps[1]!.text).toBe(
      '{{order.number}} is empty for the 3 prospects in this audience (no order yet): put it inside {{#order.number}}…{{/order.number}}, or give a fallback ({{order.number | …}}).',
    );
  });

  it('says nothing when every recipient has what the text uses', () => {
    expect(campaignGaps({ subject: 'Hi {{buyer.name}}', body: 'Order {{order.number}}' }, { total: 10, prospects: 0, nameless: 0 })).toEqual([]);
  });

  it('names promo variables the campaign has not filled in', () => {
    expect(campaignGaps({ subject: '', body: 'Use {{promo.code}}', promoCode: '' }, { total: 2, prospects: 0, nameless: 0 })[0]!.text).toBe(
      '{{promo.code}} is empty for everyone: fill it in above.',
    );
  });

  it.each(PRESETS.map((p) => [p.label, p] as const))('finds no gap in the preset %s for an audience of prospects without names', (_label, p) => {
    expect(campaignGaps({ ...p, promoCode: 'X', promoItem: 'Y', items: 'Z' }, { total: 5, prospects: 5, nameless: 5 })).toEqual([]);
  });
});

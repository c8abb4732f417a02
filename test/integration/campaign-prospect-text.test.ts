// Regression (issue 15, broken 4): campaign text to prospects (who never bought) said "like your
// order )" and "You get this because you bought from …". The ready-made texts fit both kinds of
// recipient, and the footer says why this recipient gets the mail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetById } from '../../src/core/campaign-presets.js';
import { startHarness, type Harness } from '../helpers/gateway.js';

let h: Harness;
let storeId: number;

beforeAll(async () => {
  h = await startHarness({ campaigns: { ratePerSecond: 1000, pollIntervalMs: 20, repeatDays: 7, lateAfterHours: 6, maxQueued: 2000 } });
  storeId = (await h.api('POST', '/api/v1/stores', { slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' })).body.id;
  const o = await h.api('POST', '/api/v1/orders', {
    storeId,
    number: 'A-1001',
    buyer: { email: 'ann@buyer.example', name: 'Ann' },
    items: [{ sku: 'KET-1', name: 'Kettle', category: 'Kitchen', manufacturer: 'Boil Co', unitPrice: 30, quantity: 1 }],
    total: 30,
    currency: 'EUR',
    placedAt: '2026-10-01T10:00:00Z',
    completedAt: null,
  });
  expect(o.status).toBe(201);
  const p = await h.api('POST', `/api/v1/stores/${storeId}/prospects`, { list: 'wishlist', prospects: [{ email: 'pia@buyer.example', name: 'Pia' }] });
  expect(p.body.imported).toBe(1);
  await h.api('POST', `/api/v1/stores/${storeId}/credits`, { delta: 10, reason: 'test' });
});
afterAll(() => h.close());

const text = (to: string) => {
  const m = h.sink!.messages.find((x) => x.to.includes(to));
  // quoted-printable soft breaks and =XX escapes do not matter for what a reader sees here
  return m!.raw.toString().replace(/=\r\n/g, '');
};

describe('campaign text fits buyers and prospects', () => {
  it('sends the Popular products preset to a buyer with their order and to a prospect without a gap, each with a true footer', async () => {
    const preset = presetById('popular')!;
    const c = await h.api('POST', '/api/v1/campaigns', {
      storeId,
      name: 'Popular',
      preset: 'popular',
      subject: preset.subject,
      body: preset.body,
      audience: { prospectLists: ['wishlist'] },
      extras: { items: 'Kettle\nToaster' },
    });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    expect((await h.api('GET', `/api/v1/campaigns/${c.body.id}/audience`)).body.gaps).toEqual([]);
    expect((await h.api('POST', `/api/v1/campaigns/${c.body.id}/start`, {})).status).toBe(200);
    await h.sink!.waitFor(2);

    const ann = text('ann@buyer.example');
    expect(ann).toContain('like your order A-1001) also');
    expect(ann).toContain('You get this because you bought from Acme Store.');
    expect(ann).not.toContain('mailing list');

    const pia = text('pia@buyer.example');
    expect(pia).toContain('What our customers like most right now:');
    expect(pia).not.toMatch(/your order|order \)|\(\s*\)/);
    expect(pia).toContain('You get this because you are on a mailing list of Acme Store.');
    expect(pia).not.toContain('bought from');
  });

  it('tells an API caller which variables are empty for part of the audience', async () => {
    const c = await h.api('POST', '/api/v1/campaigns', {
      storeId,
      name: 'Gappy',
      subject: 'News',
      body: 'Like your order {{order.number}}) you will love this.',
      audience: { prospectLists: ['wishlist'] },
    });
    expect((await h.api('GET', `/api/v1/campaigns/${c.body.id}/audience`)).body.gaps).toEqual([
      '{{order.number}} is empty for the 1 prospect in this audience (no order yet): put it inside {{#order.number}}…{{/order.number}}, or give a fallback ({{order.number | …}}).',
    ]);
  });
});

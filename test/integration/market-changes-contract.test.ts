// The market port's order changes and opt-out (src/store/market-ports.ts updateOrder, setOptOut),
// the same cases on SQLite and on PostgreSQL, with two nodes (two connections) on one database:
// one completion rule on both, and a buyer opted out from both nodes at once gets one change and
// one buyer.opted_out event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type ContractHarness as Harness } from '../helpers/contract-harness.js';

const NOW = 1_800_000_000_000;

describe.each(ADAPTERS)('order changes and opt-out on %s', (_name, make) => {
  let h: Harness;
  let orderId = 0;
  let pairId = 0;

  beforeAll(async () => {
    h = await make();
    const store = (await h.a.market.createStore({ slug: 'shop', name: 'Shop', mailbox: 'seller@shop.example' }, NOW))!;
    const made = (await h.a.market.createOrder(
      {
        storeId: store.id,
        number: 'A-1',
        buyer: { email: 'jane@buyer.example', name: 'Jane' },
        items: [{ sku: 'K', name: 'Kettle', category: null, manufacturer: null, unitPriceMinor: 1000, quantity: 1 }],
        totalMinor: 1000,
        currency: 'EUR',
        placedAt: NOW - 1000,
        completedAt: null,
        status: 'placed',
      },
      NOW,
    ))!;
    orderId = made.order.id;
    pairId = made.pair.pair.id;
  });
  afterAll(async () => h?.close());

  it('completes an order at now when no time is given, and a completion time alone means completed', async () => {
    expect(await h.a.market.updateOrder(orderId, { status: 'shipped' }, NOW + 1)).toMatchObject({ status: 'shipped', completedAt: null });
    expect(await h.b.market.updateOrder(orderId, { status: 'completed' }, NOW + 2)).toMatchObject({ status: 'completed', completedAt: NOW + 2 });
    expect(await h.a.market.updateOrder(orderId, { completedAt: null, status: 'refunded' }, NOW + 3)).toMatchObject({ status: 'refunded', completedAt: null });
    expect(await h.b.market.updateOrder(orderId, { completedAt: NOW + 4 }, NOW + 5)).toMatchObject({ status: 'completed', completedAt: NOW + 4 });
    expect((await h.a.market.order(orderId))?.items).toHaveLength(1);
    expect(await h.a.market.updateOrder(999_999, { status: 'completed' }, NOW)).toBeNull();
  });

  it('opts a buyer out once when both nodes ask at once, with one event, and back in', async () => {
    const results = await Promise.all([h.a.market.setOptOut(pairId, true, 'api', NOW), h.b.market.setOptOut(pairId, true, 'api', NOW)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await h.b.mail.pairById(pairId))?.pair.optedOut).toBe(true);
    const events = await h.a.webhooks.eventsAfter(0, 10, ['buyer.opted_out']);
    expect(events.map((e) => e.data)).toEqual([{ alias: expect.any(String), optedOut: true, via: 'api' }]);
    expect(await h.a.market.setOptOut(pairId, false, 'api', NOW + 1)).toBe(true);
    expect((await h.a.mail.pairById(pairId))?.pair.optedOut).toBe(false);
    expect(await h.b.market.setOptOut(999_999, true, 'api', NOW)).toBe(false);
  });
});

// The campaign port's contract (src/store/campaign-ports.ts), the same cases on SQLite and on
// PostgreSQL, with two nodes (two connections, two pools) on one database where a row is created or
// claimed once: a campaign started from both nodes at once gets one ledger; settling its credits from
// both refunds once; a recipient is claimed by one node, marked sent only by the node that holds
// it, and a dead node's claims are resolved from the stored messages once their lease ran out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AudienceSpec } from '../../src/core/audience.js';
import type { CampaignDraft } from '../../src/store/ports.js';
import { ADAPTERS, type ContractHarness as Harness } from '../helpers/contract-harness.js';

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
const BUYERS = 12;

const draft = (storeId: number, over: Partial<CampaignDraft> = {}): CampaignDraft => ({
  storeId,
  name: 'Spring',
  preset: 'custom',
  subject: 'Hello {{buyer.name}}',
  body: 'Our spring offer.',
  audience: {},
  extras: {},
  createdBy: null,
  ...over,
});

describe.each(ADAPTERS)('the campaign port on %s', (_name, make) => {
  let h: Harness;
  let storeId: number;
  /** Pair ids of buyers 0..BUYERS-1 (buyer i: an order of category kettles for even i, mugs for odd; total (i + 1) × 10 EUR). */
  const pairs: number[] = [];

  beforeAll(async () => {
    h = await make();
    const store = await h.a.market.createStore({ slug: 'shop', name: 'Shop', mailbox: 'seller@shop.example' }, NOW);
    storeId = store!.id;
    for (let i = 0; i < BUYERS; i++) {
      const made = await h.a.market.createOrder(
        {
          storeId,
          number: `A-${i}`,
          buyer: { email: `b${i}@buyer.example`, name: i === 3 ? '' : `Buyer ${i}` },
          items: [
            {
              sku: i % 2 ? 'MUG' : 'KETTLE',
              name: i % 2 ? 'Mug' : 'Kettle',
              category: i % 2 ? 'mugs' : 'kettles',
              manufacturer: 'Acme',
              unitPriceMinor: (i + 1) * 1000,
              quantity: i % 2 ? 3 : 1,
            },
          ],
          totalMinor: (i + 1) * 1000,
          currency: 'EUR',
          placedAt: NOW - (BUYERS - i) * DAY,
          completedAt: null,
          status: 'placed',
        },
        NOW,
      );
      pairs.push(made!.pair.pair.id);
    }
    // Buyer 0's only other order was refunded: it does not count for "bought MUG".
    await h.a.market.createOrder(
      {
        storeId,
        number: 'R-0',
        buyer: { email: 'b0@buyer.example', name: 'Buyer 0' },
        items: [{ sku: 'MUG', name: 'Mug', category: 'mugs', manufacturer: 'Acme', unitPriceMinor: 500, quantity: 1 }],
        totalMinor: 500,
        currency: 'EUR',
        placedAt: NOW - DAY,
        completedAt: null,
        status: 'refunded',
      },
      NOW,
    );
  }, 120_000);
  afterAll(async () => h?.close());

  it('keeps a draft as written, lists it, and changes it only before it starts', async () => {
    const id = await h.a.campaigns.create(draft(storeId, { extras: { promoCode: 'SPRING' } }), NOW);
    const c = await h.b.campaigns.get(id);
    expect(c).toMatchObject({ id, storeId, name: 'Spring', status: 'draft', extras: { promoCode: 'SPRING' }, scheduledAt: null, createdAt: NOW });
    expect(c?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await h.b.campaigns.list([storeId])).map((x) => x.id)).toContain(id);
    expect(await h.b.campaigns.list([storeId + 1000])).toEqual([]);
    expect((await h.b.campaigns.withStatus(['draft'])).map((x) => x.id)).toContain(id);
    expect(await h.a.campaigns.update(id, { ...draft(storeId), name: 'Spring, again' }, NOW + 1)).toBe(true);
    expect((await h.b.campaigns.get(id))?.name).toBe('Spring, again');
    expect(await h.a.campaigns.start(id, 3, NOW + 2)).toBe(BUYERS);
    expect(await h.a.campaigns.update(id, draft(storeId), NOW + 3)).toBe(false);
    expect(await h.a.campaigns.get(999_999)).toBeNull();
  });

  it('counts and lists the audience by the same filters on both databases', async () => {
    const both: AudienceSpec = {};
    expect(await h.a.campaigns.split(storeId, both)).toEqual({ purchasers: BUYERS, prospects: 0 });
    expect(await h.a.campaigns.split(storeId, { categories: ['kettles'] })).toEqual({ purchasers: BUYERS / 2, prospects: 0 });
    expect(await h.a.campaigns.split(storeId, { amountMin: 50, amountMax: 80 })).toEqual({ purchasers: 4, prospects: 0 });
    // Buyer 0's refunded MUG does not make them a MUG buyer.
    expect((await h.a.campaigns.members(storeId, { boughtAll: ['MUG'] })).map((m) => m.pairId)).toEqual(pairs.filter((_, i) => i % 2 === 1));
    expect((await h.a.campaigns.members(storeId, { boughtNone: ['MUG'] })).map((m) => m.pairId)).toEqual(pairs.filter((_, i) => i % 2 === 0));
    expect(await h.a.campaigns.split(storeId, { noPurchasers: true })).toEqual({ purchasers: 0, prospects: 0 });
    expect(await h.a.campaigns.nameless(storeId, both)).toBe(1);
    const sample = await h.a.campaigns.members(storeId, both, 2);
    expect(sample).toEqual([
      { pairId: pairs[0], token: expect.any(String), name: 'Buyer 0', email: 'b0@buyer.example', orders: 2, lastOrderAt: NOW - DAY },
      { pairId: pairs[1], token: expect.any(String), name: 'Buyer 1', email: 'b1@buyer.example', orders: 1, lastOrderAt: NOW - (BUYERS - 1) * DAY },
    ]);
    expect(await h.a.campaigns.members(storeId, both)).toHaveLength(BUYERS);
    expect(await h.a.campaigns.topItems(storeId, 1)).toEqual([{ sku: 'MUG', name: 'Mug', quantity: 18 + 1 }]);
    expect(await h.a.campaigns.choices(storeId)).toEqual({ categories: ['kettles', 'mugs'], manufacturers: ['Acme'] });
  });

  it('imports prospects once each, refuses unusable lines, and charges them when a campaign starts (refusing an overdraw with nothing written)', async () => {
    const r = await h.a.campaigns.importProspects(
      storeId,
      'fair',
      [
        { email: 'New1@Prospect.example', name: 'New One' },
        { email: 'new2@prospect.example', name: 'New Two' },
        { email: 'b1@buyer.example', name: 'Buyer 1' },
        { email: 'not an address', name: 'x', line: 7 },
        { email: 'someone@relay.example', name: 'Alias' },
      ],
      ['relay.example'],
      NOW,
    );
    expect(r).toEqual({
      imported: 2,
      known: 1,
      invalid: [
        { line: 7, reason: 'not a usable address: not an address' },
        { line: 5, reason: 'not a usable address: someone@relay.example' },
      ],
    });
    expect(await h.b.campaigns.importProspects(storeId, 'fair', [{ email: 'new1@prospect.example', name: 'Again' }], [], NOW)).toEqual({
      imported: 0,
      known: 1,
      invalid: [],
    });
    expect(await h.b.campaigns.lists([storeId])).toEqual([{ storeId, list: 'fair', count: 2 }]);
    const audience: AudienceSpec = { categories: ['mugs'], prospectLists: ['fair'] };
    expect(await h.b.campaigns.split(storeId, audience)).toEqual({ purchasers: BUYERS / 2, prospects: 2 });

    expect(await h.a.campaigns.price()).toBe(3);
    await h.a.campaigns.setPrice(5);
    expect(await h.b.campaigns.price()).toBe(5);
    expect(await h.a.campaigns.addCredits(storeId, 7, 'top-up', null, NOW)).toBe(7);
    const id = await h.a.campaigns.create(draft(storeId, { name: 'Prospects', audience }), NOW);
    expect(await h.a.campaigns.start(id, 5, NOW)).toEqual({ overdraw: { prospects: 2, cost: 10, balance: 7 } });
    expect(await h.b.campaigns.get(id)).toMatchObject({ status: 'draft', startedAt: null });
    expect(await h.b.campaigns.progress(id, NOW)).toMatchObject({ total: 0 });
    expect(await h.b.campaigns.balance(storeId)).toBe(7);

    expect(await h.b.campaigns.addCredits(storeId, 3, 'top-up', null, NOW)).toBe(10);
    expect(await h.a.campaigns.start(id, 5, NOW)).toBe(BUYERS / 2 + 2);
    expect(await h.b.campaigns.balance(storeId)).toBe(0);
    // Both prospects skipped: settling from both nodes at once refunds them once.
    const taken = await h.a.ledger.claim(id, 'node-a', 100, 60_000, NOW);
    const rows = await h.a.campaigns.claimed(taken.map((t) => t.id));
    for (const row of rows.filter((x) => x.prospect)) await h.a.campaigns.finish(row.id, 'skipped', 'unsubscribed', NOW);
    const refunds = await Promise.all([h.a.campaigns.settleCredits(id, NOW), h.b.campaigns.settleCredits(id, NOW)]);
    expect(refunds.filter((r) => r > 0)).toEqual([10]);
    expect(await h.b.campaigns.balance(storeId)).toBe(10);
    expect(await h.a.campaigns.settleCredits(id, NOW)).toBe(0);
  });

  it('starts a campaign started from two nodes at once once: one ledger, one row per recipient', async () => {
    const id = await h.a.campaigns.create(draft(storeId, { name: 'Race' }), NOW);
    const results = await Promise.all([h.a.campaigns.start(id, 0, NOW), h.b.campaigns.start(id, 0, NOW)]);
    expect(results.filter((r) => r === null)).toHaveLength(1);
    expect(results.filter((r) => r === BUYERS)).toHaveLength(1);
    expect((await h.a.campaigns.progress(id, NOW)).total).toBe(BUYERS);
    expect(await h.a.campaigns.get(id)).toMatchObject({ status: 'sending', startedAt: NOW });
    expect(await h.b.campaigns.start(id, 0, NOW)).toBeNull();
  });

  it('tells what sending needs of claimed rows, records who was skipped, and writes campaign.finished with the move to done', async () => {
    const id = await h.a.campaigns.create(draft(storeId, { name: 'Facts', audience: { categories: ['kettles'] } }), NOW);
    await h.a.campaigns.start(id, 0, NOW);
    expect(await h.a.campaigns.unsubscribe(pairs[0] as number, 'page', NOW)).toBe(true);
    expect(await h.b.campaigns.unsubscribe(pairs[0] as number, 'one-click', NOW)).toBe(false);
    const a = await h.a.ledger.claim(id, 'node-a', 3, 60_000, NOW);
    const b = await h.b.ledger.claim(id, 'node-b', 10, 60_000, NOW);
    expect(a).toHaveLength(3);
    expect(b).toHaveLength(BUYERS / 2 - 3);
    expect(new Set([...a, ...b].map((r) => r.id)).size).toBe(BUYERS / 2);
    const rows = await h.b.campaigns.claimed([...b, ...a].map((r) => r.id));
    expect(rows.map((r) => r.id)).toEqual([...a, ...b].map((r) => r.id).sort((x, y) => x - y));
    expect(rows[0]).toEqual({
      id: a[0]?.id,
      pairId: pairs[0],
      token: expect.any(String),
      buyerName: 'Buyer 0',
      hideName: false,
      prospect: false,
      unsubscribed: true,
      undeliverable: false,
      lastCampaignAt: null,
    });
    expect(await h.a.campaigns.recipientFacts(id, pairs[0] as number)).toEqual({ unsubscribed: true, undeliverable: false, lastCampaignAt: null });
    expect(await h.a.campaigns.recipientFacts(id, 999_999)).toBeNull();

    // Only the node holding a row marks it sent.
    const first = a[0]!;
    expect(await h.b.ledger.markSent(first.id, 0, 0, NOW, 'node-b')).toBe(false);
    for (const r of rows) await h.a.campaigns.finish(r.id, 'skipped', r.unsubscribed ? 'unsubscribed' : 'had a campaign in the last 7 days', NOW);
    const p = await h.b.campaigns.progress(id, NOW);
    expect(p).toMatchObject({
      total: BUYERS / 2,
      pending: 0,
      sent: 0,
      skipped: BUYERS / 2,
      skippedBy: { unsubscribed: 1, 'had a campaign in the last 7 days': 5 },
    });
    expect(await h.a.campaigns.transition(id, ['sending'], 'done', NOW + 5)).toBe(true);
    expect(await h.b.campaigns.transition(id, ['sending'], 'done', NOW + 6)).toBe(false);
    expect(await h.b.campaigns.get(id)).toMatchObject({ status: 'done', finishedAt: NOW + 5 });
    const events = await h.exec("SELECT store_id, data FROM events WHERE type = 'campaign.finished'");
    expect(events).toHaveLength(1);
    expect(Number(events[0]?.store_id)).toBe(storeId);
    expect(JSON.parse(events[0]?.data as string)).toEqual({
      campaignId: id,
      name: 'Facts',
      status: 'done',
      total: 6,
      sent: 0,
      skipped: 6,
      failed: 0,
      unknown: 0,
      pending: 0,
    });
    const unsubscribed = await h.exec("SELECT data FROM events WHERE type = 'buyer.unsubscribed'");
    expect(unsubscribed).toHaveLength(1);
    expect(JSON.parse(unsubscribed[0]?.data as string)).toEqual({ alias: rows[0]?.token, via: 'page' });
  });

  it("resolves a dead node's claims after their lease from the stored messages, and leaves a live node's alone", async () => {
    const id = await h.a.campaigns.create(draft(storeId, { name: 'Crash', audience: { categories: ['mugs'] } }), NOW);
    await h.a.campaigns.start(id, 0, NOW);
    const dead = await h.a.ledger.claim(id, 'dead-node', 2, 1_000, NOW);
    const live = await h.b.ledger.claim(id, 'live-node', 1, 3_600_000, NOW);
    // The dead node stored the first one's message before it died (the commit marks the row sent;
    // here the row is still `sending`, as if the mark were lost: the message is what counts).
    const stored = await h.exec(
      `INSERT INTO messages (pair_id, store_id, direction, source, author_email, subject, relay_message_id, verdict, findings, changes, size, received_at, campaign_recipient_id)
       VALUES (?, ?, 'store_to_buyer', 'campaign', 'seller@shop.example', 'Hi', '<c1@relay.example>', 'accept', '[]', '[]', 5, ?, ?) RETURNING id`,
      [dead[0]?.pairId, storeId, NOW + 10, dead[0]?.id],
    );
    const messageId = Number(stored[0]?.id);
    expect(await h.b.campaigns.recoverInterrupted(NOW + 500)).toEqual({ deliveries: 0, unknown: 0, sent: 0, pending: 0 });
    expect(await h.b.campaigns.recoverInterrupted(NOW + 2_000)).toEqual({ deliveries: 0, unknown: 0, sent: 1, pending: 1 });
    const rows = await h.exec('SELECT id, status, message_id, lease_owner FROM campaign_recipients WHERE campaign_id = ? ORDER BY id', [id]);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    expect(byId.get(dead[0]!.id)).toMatchObject({ status: 'sent', lease_owner: null });
    expect(Number(byId.get(dead[0]!.id)?.message_id)).toBe(messageId);
    expect(byId.get(dead[1]!.id)).toMatchObject({ status: 'pending', lease_owner: null });
    expect(byId.get(live[0]!.id)).toMatchObject({ status: 'sending', lease_owner: 'live-node' });
    // The dead node's late commit finds its claim gone.
    expect(await h.a.ledger.markSent(dead[1]!.id, messageId, 0, NOW + 3_000, 'dead-node')).toBe(false);
    expect(await h.b.ledger.markSent(live[0]!.id, messageId, 0, NOW + 3_000, 'live-node')).toBe(true);
  });

  it('fails an at-most-once delivery a dead node began and reports its ledger row unknown', async () => {
    const id = await h.a.campaigns.create(draft(storeId, { name: 'Cut', audience: { categories: ['kettles'] } }), NOW);
    await h.a.campaigns.start(id, 0, NOW);
    const [row] = await h.a.ledger.claim(id, 'dead-node', 1, 1_000, NOW);
    const outboxId = await h.a.outbox.enqueue(
      { messageId: null, kind: 'relay', envFrom: 'x@relay.example', envTo: 'b@buyer.example', raw: Buffer.from('m'), atMostOnce: true },
      NOW,
    );
    expect(await h.a.ledger.markSent(row!.id, 0, outboxId, NOW, 'dead-node')).toBe(true);
    // The dead node took the row and began its attempt.
    expect((await h.a.outbox.claim('dead-node', 10, 1_000, NOW)).map((o) => o.id)).toContain(outboxId);
    expect((await h.b.campaigns.recoverInterrupted(NOW + 500)).deliveries).toBe(0);
    expect(await h.b.campaigns.recoverInterrupted(NOW + 2_000)).toMatchObject({ deliveries: 1, unknown: 1 });
    expect(await h.b.outbox.get(outboxId)).toMatchObject({ status: 'failed' });
    expect((await h.b.campaigns.progress(id, NOW + 2_000)).unknown).toBe(1);
  });

  it("records a buyer's choices on the unsubscribe page, with buyer.opted_out only when it changed", async () => {
    const pair = pairs[5] as number;
    expect(await h.a.campaigns.pairForPage(pair)).toEqual({ storeName: 'Shop', optedOut: false, hideName: false, unsubscribed: false });
    await h.a.campaigns.setPairChoices(pair, { optOut: true, hideName: true }, NOW);
    await h.b.campaigns.setPairChoices(pair, { optOut: true }, NOW);
    expect(await h.b.campaigns.pairForPage(pair)).toEqual({ storeName: 'Shop', optedOut: true, hideName: true, unsubscribed: false });
    const events = await h.exec("SELECT data FROM events WHERE type = 'buyer.opted_out'");
    expect(events.map((e) => JSON.parse(e.data as string))).toEqual([{ alias: expect.any(String), optedOut: true, via: 'unsubscribe-page' }]);
    expect(await h.a.campaigns.pairForPage(999_999)).toBeNull();
  });

  it("finds a buyer's latest order, or the one named, with its items", async () => {
    expect(await h.a.campaigns.latestOrder(pairs[0] as number)).toMatchObject({ number: 'R-0', status: 'refunded', items: [{ sku: 'MUG' }] });
    expect(await h.a.campaigns.latestOrder(pairs[0] as number, 'A-0')).toMatchObject({ number: 'A-0', items: [{ sku: 'KETTLE', quantity: 1 }] });
    expect(await h.a.campaigns.latestOrder(pairs[0] as number, 'nope')).toBeNull();
  });
});

// Regression (issue 15, broken 5): "bought all of X" and "bought none of Z" counted cancelled and
// refunded orders, although the per-order filters did not; and campaign mail's DKIM signature did
// not cover List-Unsubscribe-Post (RFC 8058 §4: both List-Unsubscribe headers must be signed).
import { dkimVerify } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN, startHarness, type Harness, publishedResolver } from '../helpers/gateway.js';

let h: Harness;
let storeId: number;

async function order(buyer: string, number: string, skus: string[], status?: 'cancelled' | 'refunded') {
  const r = await h.api('POST', '/api/v1/orders', {
    storeId,
    number,
    buyer: { email: `${buyer}@buyer.example`, name: buyer[0]!.toUpperCase() + buyer.slice(1) },
    items: skus.map((sku) => ({ sku, name: `Item ${sku}`, category: 'Kitchen', manufacturer: 'Boil Co', unitPrice: 10, quantity: 1 })),
    total: skus.length * 10,
    currency: 'EUR',
    placedAt: '2026-05-01T10:00:00Z',
    completedAt: null,
    ...(status ? { status } : {}),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

beforeAll(async () => {
  h = await startHarness({ campaigns: { ratePerSecond: 1000, pollIntervalMs: 20, repeatDays: 7, lateAfterHours: 6, maxQueued: 2000 } });
  storeId = (await h.api('POST', '/api/v1/stores', { slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' })).body.id;
  await order('ann', 'O-1', ['KET-1', 'TOA-1']); // bought both, both count
  await order('bob', 'O-2', ['KET-1']);
  await order('bob', 'O-3', ['TOA-1'], 'refunded'); // the toaster went back
  await order('cat', 'O-4', ['KET-1']);
  await order('cat', 'O-5', ['LAM-1'], 'cancelled'); // the lamp never happened
  await order('dan', 'O-6', ['KET-1', 'LAM-1']);
});
afterAll(() => h.close());

async function audience(a: Record<string, unknown>): Promise<string[]> {
  const c = await h.api('POST', '/api/v1/campaigns', { storeId, name: 'A', subject: 'Hi', body: 'Hi {{buyer.name | there}}', audience: a });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const r = await h.api('GET', `/api/v1/campaigns/${c.body.id}/audience`);
  await h.api('POST', `/api/v1/campaigns/${c.body.id}/cancel`);
  expect(r.body.count).toBe(r.body.sample.length);
  return r.body.sample.map((s: { name: string }) => s.name.toLowerCase()).sort();
}

describe('bought all / bought none ignore cancelled and refunded orders', () => {
  it('leaves out a buyer whose only order of X was refunded from "bought all of KET-1 and TOA-1"', async () => {
    expect(await audience({ boughtAll: ['KET-1', 'TOA-1'] })).toEqual(['ann']);
  });

  it('keeps a buyer whose only order of Z was cancelled in "bought none of LAM-1"', async () => {
    expect(await audience({ boughtNone: ['LAM-1'] })).toEqual(['ann', 'bob', 'cat']);
  });

  it('agrees with the per-order SKU filter, which never counted them', async () => {
    expect(await audience({ skus: ['TOA-1'] })).toEqual(['ann']);
    expect(await audience({ skus: ['LAM-1'] })).toEqual(['dan']);
  });
});

describe('DKIM of campaign mail', () => {
  it('signs both List-Unsubscribe headers and oversigns From, Reply-To, Subject and both List-Unsubscribe headers, as h= shows', async () => {
    const c = await h.api('POST', '/api/v1/campaigns', {
      storeId,
      name: 'Signed',
      subject: 'News',
      body: 'Hello {{buyer.name | there}}',
      audience: { skus: ['TOA-1'] },
    });
    await h.api('POST', `/api/v1/campaigns/${c.body.id}/start`, {});
    const [msg] = await h.sink!.waitFor(1);
    const raw = msg!.raw.toString();
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    const sig = /^DKIM-Signature: ((?:.*)(?:\r\n[ \t].*)*)/m.exec(raw)![1]!.replace(/\r\n[ \t]/g, '');
    const hTag = /(?:^|;)\s*h=([^;]+)/.exec(sig)![1]!.replace(/\s+/g, '');
    const names = hTag.toLowerCase().split(':');
    const count = (n: string) => names.filter((x) => x === n).length;
    // one for the header present, one more so a copy added later breaks the signature
    for (const n of ['from', 'reply-to', 'subject', 'list-unsubscribe', 'list-unsubscribe-post']) expect(count(n), `${n} in h=${hTag}`).toBe(2);
    for (const n of ['to', 'date', 'message-id', 'mime-version', 'content-type']) expect(count(n), `${n} in h=${hTag}`).toBe(1);

    const dns = (await h.api('GET', '/api/v1/dns')).body.records as { type: string; name: string; value: string }[];
    const resolver = publishedResolver(dns);
    const result = await dkimVerify(msg!.raw, { resolver });
    expect(result.results.map((r) => [r.status.result, r.signingDomain])).toEqual([['pass', DOMAIN]]);
    // A List-Unsubscribe-Post added on the way breaks it (the header is oversigned).
    const tampered = Buffer.from(raw.replace('\r\n\r\n', '\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\n'));
    expect((await dkimVerify(tampered, { resolver })).results[0]!.status.result).not.toBe('pass');
  });
});

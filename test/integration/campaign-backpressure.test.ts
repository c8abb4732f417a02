// A smarthost that answers 4xx makes a campaign wait, not fail: deliveries are deferred and retried
// by the outbox, the sender hands over no more than `campaigns.maxQueued` meanwhile, and once the
// smarthost takes mail again every recipient gets the message once. /metrics counts the sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEST_TOKEN, type Harness } from '../helpers/gateway.js';

const BUYERS = 30;
let h: Harness;
let storeId: number;
let refusing = true;

beforeAll(async () => {
  h = await startHarness({ campaigns: { ratePerSecond: 1000, pollIntervalMs: 20, repeatDays: 7, lateAfterHours: 6, maxQueued: 5 } });
  h.sink!.answer = () => (refusing ? { code: 451, message: '4.7.1 Try again later' } : null);
  storeId = (await h.api('POST', '/api/v1/stores', { slug: 'acme', name: 'Acme', mailbox: 'support@acme.example' })).body.id;
  for (let i = 0; i < BUYERS; i++) {
    const r = await h.api('POST', '/api/v1/orders', {
      storeId,
      number: `B-${i}`,
      buyer: { email: `b${i}@buyer.example`, name: `B${i}` },
      total: 5,
      currency: 'EUR',
      placedAt: '2026-10-01T00:00:00Z',
    });
    expect(r.status).toBe(201);
  }
});
afterAll(() => h.close());

describe('campaign back-pressure', () => {
  it('waits while the smarthost answers 4xx, then delivers to everyone once; nothing fails', async () => {
    const c = await h.api('POST', '/api/v1/campaigns', { storeId, name: 'Patient', subject: 'Hello {{buyer.name}}', body: 'News.' });
    expect((await h.api('POST', `/api/v1/campaigns/${c.body.id}/start`, {})).status).toBe(200);
    // Wait (bounded) until the smarthost has been tried and deferred us, however slow the machine.
    const deferredCount = () => (h.gw.db.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'deferred'").get() as { n: number }).n;
    const until = Date.now() + 15_000;
    while ((h.sink!.attempts === 0 || deferredCount() === 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // room for the sender to overfill, if it would
    const waiting = (await h.api('GET', `/api/v1/campaigns/${c.body.id}`)).body;
    expect(waiting.status).toBe('sending');
    expect(waiting.progress.sent).toBeLessThanOrEqual(5); // no more than the queue has room for
    expect(waiting.progress.failed).toBe(0);
    expect(h.sink!.attempts).toBeGreaterThan(0); // the smarthost was tried, and deferred us
    expect(deferredCount()).toBeGreaterThan(0);

    refusing = false;
    const deadline = Date.now() + 20_000;
    let state = waiting;
    while (state.status !== 'done' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await h.api('GET', `/api/v1/campaigns/${c.body.id}`)).body;
    }
    expect(state.progress).toMatchObject({ total: BUYERS, sent: BUYERS, failed: 0, skipped: 0 });
    await h.sink!.waitFor(BUYERS + 1);
    const toBuyers = h.sink!.messages.filter((m) => m.to[0]!.endsWith('@buyer.example')).map((m) => m.to[0]);
    expect(toBuyers).toHaveLength(BUYERS);
    expect(new Set(toBuyers).size).toBe(BUYERS);

    const metrics = await (await fetch(`http://127.0.0.1:${h.gw.httpPort}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text();
    expect(metrics).toContain(`maskgate_campaign_messages_total{outcome="sent"} ${BUYERS}`);
  }, 60_000);
});

// The webhooks port (src/store/webhook-ports.ts) on both adapters: endpoints, the lease that lets
// one node at a time work an endpoint, the cursor only its holder moves, the events feed; two
// senders on one database deliver every event once, in order; and on PostgreSQL the feed never
// passes an event id whose transaction has not committed yet.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookSender } from '../../src/outbound/webhook-sender.js';
import { openPgStorage } from '../../src/store/pg/storage.js';
import { ADAPTERS, NOW, seedBasics, type ContractHarness } from '../helpers/contract-harness.js';
import { freshDatabase } from '../helpers/postgres.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

const log = pino({ level: 'silent' });

const event = (h: ContractHarness, type: string, storeId: number | null, data: object, at = NOW) =>
  h.exec('INSERT INTO events (type, store_id, data, created_at) VALUES (?, ?, ?, ?)', [type, storeId, JSON.stringify(data), at]);

const lastEventId = async (h: ContractHarness) => Number((await h.exec('SELECT max(id) AS id FROM events'))[0]?.id ?? 0);

describe.each(ADAPTERS)('the webhooks port on %s', (_name, make) => {
  let h: ContractHarness;
  beforeAll(async () => {
    h = await make();
    await seedBasics(h);
    await h.afterSeed();
  }, 120_000);
  afterAll(async () => h?.close());

  it('registers an endpoint that hears events from now on, shows it without its secret, and deletes it', async () => {
    await event(h, 'buyer.unsubscribed', 1, { alias: 'old' });
    const before = await lastEventId(h);
    const { row, secret } = await h.a.webhooks.create('https://hooks.example/in', ['message.sent', 'message.sent', 'buyer.unsubscribed'], NOW);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(row).toMatchObject({ url: 'https://hooks.example/in', events: ['message.sent', 'buyer.unsubscribed'], cursor: before, attempts: 0, createdAt: NOW });
    expect(row).not.toHaveProperty('secret');
    expect(await h.b.webhooks.get(row.id)).toEqual(row);
    expect((await h.b.webhooks.list()).map((w) => w.id)).toContain(row.id);
    // Nothing after its cursor yet: not due.
    expect(await h.b.webhooks.due(NOW)).not.toContain(row.id);
    expect(await h.b.webhooks.delete(row.id)).toBe(true);
    expect(await h.b.webhooks.delete(row.id)).toBe(false);
    expect(await h.a.webhooks.get(row.id)).toBeNull();
  });

  it('hands out the feed in id order, of the asked types only, as the API shows it', async () => {
    const from = await lastEventId(h);
    await event(h, 'message.sent', 1, { messageId: 7 }, NOW + 1);
    await event(h, 'campaign.finished', 1, { campaignId: 2 }, NOW + 2);
    await event(h, 'message.sent', null, { messageId: 8 }, NOW + 3);
    const all = await h.b.webhooks.eventsAfter(from, 10);
    expect(all.map((e) => [e.type, e.storeId, e.data])).toEqual([
      ['message.sent', 1, { messageId: 7 }],
      ['campaign.finished', 1, { campaignId: 2 }],
      ['message.sent', null, { messageId: 8 }],
    ]);
    expect(all[0]?.createdAt).toBe(new Date(NOW + 1).toISOString());
    expect((await h.b.webhooks.eventsAfter(from, 10, ['campaign.finished'])).map((e) => e.id)).toEqual([all[1]?.id]);
    expect((await h.b.webhooks.eventsAfter(from, 2)).map((e) => e.id)).toEqual([all[0]?.id, all[1]?.id]);
  });

  it('lets one owner at a time hold an endpoint; an owner that lost its lease cannot move the cursor', async () => {
    const { row } = await h.a.webhooks.create('https://hooks.example/lease', ['message.refused'], NOW);
    await event(h, 'message.refused', 1, { number: 'A-1' });
    const id = await lastEventId(h);
    const t = NOW + 10_000;
    expect(await h.a.webhooks.due(t)).toContain(row.id);
    expect(await h.a.webhooks.lease(row.id, 'node-a', 1000, t)).toMatchObject({ id: row.id, secret: expect.stringMatching(/^whsec_/) });
    expect(await h.b.webhooks.lease(row.id, 'node-b', 1000, t + 500)).toBeNull();
    expect(await h.b.webhooks.due(t + 500)).not.toContain(row.id);
    // node-a stalls past its lease; node-b takes over.
    expect(await h.b.webhooks.lease(row.id, 'node-b', 1000, t + 1500)).not.toBeNull();
    expect(await h.a.webhooks.advance(row.id, 'node-a', id, 200, 'delivered', null, t + 1600)).toBe(false);
    expect(await h.b.webhooks.advance(row.id, 'node-b', id, 200, 'delivered', null, t + 1600)).toBe(true);
    expect(await h.a.webhooks.get(row.id)).toMatchObject({ cursor: id, delivered: 1, lastStatus: 200, lastAttemptAt: t + 1600 });
    await h.b.webhooks.release(row.id, 'node-b');
    expect(await h.a.webhooks.due(t + 5000)).not.toContain(row.id);
    await h.a.webhooks.delete(row.id);
  });

  it('keeps a failed attempt for later, cut to 500 characters, and counts a given-up event as dropped', async () => {
    const { row } = await h.a.webhooks.create('https://hooks.example/retry', ['message.refused'], NOW);
    await event(h, 'message.refused', 1, { number: 'A-2' });
    const id = await lastEventId(h);
    const t = NOW + 20_000;
    await h.a.webhooks.lease(row.id, 'node-a', 60_000, t);
    await h.a.webhooks.retryLater(row.id, 'node-a', 1, t + 30_000, 503, 'x'.repeat(600), t);
    await h.a.webhooks.retryLater(row.id, 'node-b', 9, t + 1, 500, 'not the holder', t);
    expect(await h.b.webhooks.get(row.id)).toMatchObject({ attempts: 1, nextAttemptAt: t + 30_000, lastStatus: 503, lastError: 'x'.repeat(500) });
    await h.a.webhooks.release(row.id, 'node-a');
    expect(await h.b.webhooks.due(t + 29_000)).not.toContain(row.id);
    expect(await h.b.webhooks.due(t + 30_000)).toContain(row.id);
    await h.b.webhooks.lease(row.id, 'node-b', 60_000, t + 30_000);
    expect(await h.b.webhooks.advance(row.id, 'node-b', id, null, 'dropped', 'ECONNREFUSED', t + 30_001)).toBe(true);
    expect(await h.a.webhooks.get(row.id)).toMatchObject({ cursor: id, attempts: 0, dropped: 1, delivered: 0, lastError: 'ECONNREFUSED' });
    await h.a.webhooks.delete(row.id);
  });

  it('delivers every event once and in order when two nodes run a sender each on one database', async () => {
    const rx = await startReceiver();
    try {
      const { row, secret } = await h.a.webhooks.create(rx.url, ['message.received'], Date.now());
      rx.secret = secret;
      const options = { pollIntervalMs: 10, retrySchedule: [0.05], retryFor: 3600, timeoutMs: 5000 };
      const senders = [new WebhookSender(h.a.webhooks, options, log), new WebhookSender(h.b.webhooks, options, log)];
      for (const s of senders) s.start();
      const ids: number[] = [];
      try {
        for (let i = 0; i < 30; i++) {
          await event(h, 'message.received', 1, { n: i }, Date.now());
          ids.push(await lastEventId(h));
          if (i % 10 === 0) await event(h, 'message.refused', 1, { skipped: i }, Date.now());
        }
        await rx.waitFor((r) => r.filter((x) => x.answered === 200).length >= ids.length, 30_000);
        // Both senders keep polling a while longer: nothing more may arrive.
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        await Promise.all(senders.map((s) => s.stop()));
      }
      expect(rx.received.map((x) => x.eventId)).toEqual(ids);
      expect(rx.received.every((x) => x.verified && x.type === 'message.received')).toBe(true);
      expect(await h.a.webhooks.get(row.id)).toMatchObject({ cursor: ids.at(-1), delivered: 30, dropped: 0 });
    } finally {
      await rx.close();
    }
  }, 60_000);
});

describe('the events feed on PostgreSQL with transactions committing out of id order', () => {
  it('never passes an id whose transaction is still open, so a cursor moved past it cannot skip it', async () => {
    const url = await freshDatabase();
    const a = await openPgStorage(url, { sessionTtlMs: 0 });
    const b = await openPgStorage(url, { sessionTtlMs: 0 });
    const slow = await a.pool.connect();
    try {
      await b.pool.query("INSERT INTO events (type, store_id, data, created_at) VALUES ('message.refused', NULL, '{}', $1)", [NOW]);
      const first = (await b.webhooks.eventsAfter(0, 10)).map((e) => e.id);
      expect(first).toHaveLength(1);
      // A writer takes the next id and has not committed; another commits the id after it.
      await slow.query('BEGIN');
      await slow.query("INSERT INTO events (type, store_id, data, created_at) VALUES ('message.refused', NULL, '{\"late\":true}', $1)", [NOW]);
      await b.pool.query("INSERT INTO events (type, store_id, data, created_at) VALUES ('message.refused', NULL, '{\"early\":true}', $1)", [NOW]);
      // The later id is committed and visible to a plain SELECT, but the feed stops before the open one.
      expect(Number((await b.pool.query('SELECT count(*) AS n FROM events')).rows[0].n)).toBe(2);
      expect((await b.webhooks.eventsAfter(first[0] as number, 10)).map((e) => e.data)).toEqual([]);
      await slow.query('COMMIT');
      expect((await b.webhooks.eventsAfter(first[0] as number, 10)).map((e) => e.data)).toEqual([{ late: true }, { early: true }]);
    } finally {
      slow.release();
      await a.close();
      await b.close();
    }
  }, 60_000);
});

// Retention: bodies older than the configured age are purged; the rows stay for the audit, and a
// delivery still in progress keeps its bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { EventRepo } from '../../src/store/events.js';
import { purgeOldBodies, purgeOldEvents } from '../../src/store/retention.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeAll(async () => {
  // Webhooks give an event up a year after it was written here, not a day: the sender, which polls
  // on its own clock, would otherwise drop the 29-45-day-old events of the feed test the moment its
  // POST to the dead endpoint fails, moving the endpoint's cursor past them while the test reads it.
  h = await startHarness({ retention: { bodyDays: 30 }, webhooks: { retryFor: 365 * 86_400 } });
});
afterAll(async () => {
  await h.close();
});

describe('retention', () => {
  it('purges old bodies and keeps the rows, the subject and the delivery status', async () => {
    const pair = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    await c.send(
      'jane@buyer.example',
      [pair.address],
      buildMessage({ from: 'jane@buyer.example', to: pair.address, subject: 'Old question', body: 'secret text' }),
    );
    await c.quit();
    await h.sink!.waitFor(1);
    await expect.poll(async () => (await h.api('GET', '/api/v1/outbox?status=sent')).body.items.length).toBe(1);
    const db = h.gw.db;
    // Nothing is old yet.
    expect(purgeOldBodies(db, 30)).toEqual({ messages: 0 });
    // Thirty-one days later.
    expect(purgeOldBodies(db, 30, Date.now() + 31 * 86_400_000)).toEqual({ messages: 1 });
    const [m] = (await h.api('GET', '/api/v1/messages')).body.items;
    expect(m).toMatchObject({ subject: 'Old question', status: 'sent', verdict: 'accept' });
    expect(db.prepare('SELECT count(*) AS n FROM message_bodies').get()).toEqual({ n: 0 });
    expect((await h.api('GET', `/api/v1/outbox/${m.outboxIds[0]}/raw`)).status).toBe(404);
    expect(db.prepare("SELECT count(*) AS n FROM message_search WHERE message_search MATCH 'secret'").get()).toEqual({ n: 0 });
  });

  it('keeps the bytes of a delivery that has not ended', async () => {
    const pair = await seedPair(h, { buyerEmail: 'kim@buyer.example' });
    h.sink!.answer = () => ({ code: 451, message: '4.3.0 try later' });
    const c = await SmtpClient.connect(h.gw.smtpPort);
    await c.send('kim@buyer.example', [pair.address], buildMessage({ from: 'kim@buyer.example', to: pair.address, subject: 'Pending', body: 'still going' }));
    await c.quit();
    await expect.poll(async () => (await h.api('GET', '/api/v1/outbox?status=deferred')).body.items.length).toBe(1);
    purgeOldBodies(h.gw.db, 30, Date.now() + 31 * 86_400_000);
    const [row] = (await h.api('GET', '/api/v1/outbox?status=deferred')).body.items;
    expect((await h.api('GET', `/api/v1/outbox/${row.id}/raw`)).status).toBe(200);
    h.sink!.answer = () => null;
  });

  it('drops events older than retention.eventDays from the feed and a webhook behind them goes on with the oldest kept', async () => {
    expect(loadConfig({ env: {} }).retention.eventDays).toBe(30);
    const events = new EventRepo(h.gw.db);
    const day = 86_400_000;
    const now = Date.now();
    const hook = await h.api('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/never', events: ['buyer.unsubscribed'] });
    const old1 = events.append('buyer.unsubscribed', null, { alias: 'old-one', via: 'page' }, now - 45 * day);
    const old2 = events.append('buyer.unsubscribed', null, { alias: 'old-two', via: 'page' }, now - 31 * day);
    const young = events.append('buyer.unsubscribed', null, { alias: 'young', via: 'page' }, now - 29 * day);
    const before = (await h.api('GET', '/api/v1/events?after=0&limit=1000&type=buyer.unsubscribed')).body.items.map((e: { id: number }) => e.id);
    expect(before).toEqual([old1, old2, young]);

    expect(purgeOldEvents(h.gw.db, 30, now)).toEqual({ events: 2 });
    const after = await h.api('GET', '/api/v1/events?after=0&limit=1000');
    expect(after.body.items.map((e: { id: number }) => e.id)).not.toContain(old1);
    expect(after.body.items.map((e: { id: number }) => e.id)).not.toContain(old2);
    expect(after.body.items.filter((e: { type: string }) => e.type === 'buyer.unsubscribed').map((e: { data: { alias: string } }) => e.data.alias)).toEqual([
      'young',
    ]);
    // The endpoint registered before them (cursor behind the purged ones) still finds the young one due.
    expect(events.after((await h.api('GET', `/api/v1/webhooks/${hook.body.id}`)).body.cursor, 1, ['buyer.unsubscribed'])[0]?.id).toBe(young);
    // Nothing older is left: a second pass deletes nothing.
    expect(purgeOldEvents(h.gw.db, 30, now)).toEqual({ events: 0 });
    await h.api('DELETE', `/api/v1/webhooks/${hook.body.id}`);
  });
});

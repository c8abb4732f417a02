// Retention: bodies older than the configured age are purged; the rows stay for the audit, and a
// delivery still in progress keeps its bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeOldBodies } from '../../src/store/retention.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ retention: { bodyDays: 30 } });
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
});

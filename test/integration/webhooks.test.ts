// The marketplace hears what happened without polling: events written with what they report,
// an ordered feed, and signed webhooks retried until the receiver takes them — checked with a
// real HTTP receiver that verifies every signature.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

let h: Harness;
let rx: Receiver;
let pair: Awaited<ReturnType<typeof seedPair>>;
let webhookId: number;

beforeAll(async () => {
  h = await startHarness({ webhooks: { pollIntervalMs: 50, retrySchedule: [0.05], retryFor: 86_400, timeoutMs: 2000 } });
  rx = await startReceiver();
  pair = await seedPair(h);
});
afterAll(async () => {
  await h.close();
  await rx.close();
});

async function buyerWrites(subject: string): Promise<void> {
  const c = await SmtpClient.connect(h.gw.smtpPort);
  const { reply } = await c.send('jane@buyer.example', [pair.address], buildMessage({ from: 'jane@buyer.example', to: pair.address, subject, body: 'Hello' }));
  expect(reply.code).toBe(250);
  await c.quit();
}

const feed = async (after = 0, type?: string) =>
  (await h.api('GET', `/api/v1/events?after=${after}&limit=1000${type ? `&type=${type}` : ''}`)).body as { items: any[]; next: number };

describe('webhooks', () => {
  it('registers an endpoint and shows its signing secret only in the answer to the POST', async () => {
    const res = await h.api('POST', '/api/v1/webhooks', {
      url: rx.url,
      events: ['message.received', 'message.sent', 'message.refused', 'buyer.opted_out', 'delivery.failed'],
    });
    expect(res.status).toBe(201);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    rx.secret = res.body.secret;
    webhookId = res.body.id;
    const list = await h.api('GET', '/api/v1/webhooks');
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret);
    expect((await h.api('GET', `/api/v1/webhooks/${webhookId}`)).body.url).toBe(rx.url);
  });

  it('refuses a URL that is not http(s) and unknown event types', async () => {
    expect((await h.api('POST', '/api/v1/webhooks', { url: 'ftp://x.example/', events: ['message.sent'] })).status).toBe(400);
    expect((await h.api('POST', '/api/v1/webhooks', { url: 'https://x.example/', events: ['message.exploded'] })).status).toBe(400);
  });

  it('retries an event the receiver answered 500 twice, with a valid signature each time, until it answers 200', async () => {
    rx.answer = (n) => (n < 2 ? 500 : 200);
    await buyerWrites('Where is my kettle?');
    await rx.waitFor((r) => r.some((x) => x.type === 'message.received' && x.answered === 200));
    const attempts = rx.received.filter((x) => x.type === 'message.received');
    expect(attempts.map((x) => x.answered)).toEqual([500, 500, 200]);
    expect(attempts.every((x) => x.verified)).toBe(true);
    expect(new Set(attempts.map((x) => x.eventId)).size).toBe(1);
    expect(attempts[2]!.body).toMatchObject({
      type: 'message.received',
      storeId: pair.storeId,
      data: { alias: pair.alias, direction: 'buyer_to_store', source: 'smtp', subject: 'Where is my kettle?' },
    });
    // The delivery to the store's mailbox follows, in order.
    await rx.waitFor((r) => r.some((x) => x.type === 'message.sent' && x.answered === 200));
    const sent = rx.received.find((x) => x.type === 'message.sent')!;
    expect(sent.eventId).toBeGreaterThan(attempts[0]!.eventId);
    expect(sent.body.data).toMatchObject({ messageId: attempts[2]!.body.data.messageId, alias: pair.alias, status: 'sent' });
    const state = (await h.api('GET', `/api/v1/webhooks/${webhookId}`)).body;
    expect(state).toMatchObject({ failedAttempts: 0, delivered: 2, dropped: 0 });
  });

  it('a receiver that was down catches up from the feed, and then gets every event it missed, in order', async () => {
    const seen = Math.max(...rx.received.filter((x) => x.answered === 200).map((x) => x.eventId));
    rx.down = true;
    await h.api('PUT', `/api/v1/pairs/${pair.alias}/opt-out`, { optedOut: true });
    await buyerWrites('Are you there?');
    await rx.waitFor((r) => r.some((x) => x.answered === 'dropped'));
    // What it missed is in the feed, oldest first (the delivery to the mailbox last).
    let missed = await feed(seen);
    for (let i = 0; i < 200 && missed.items.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 25));
      missed = await feed(seen);
    }
    expect(missed.items.map((e) => e.type)).toEqual(['buyer.opted_out', 'message.received', 'message.sent']);
    expect(missed.items[0].data).toMatchObject({ alias: pair.alias, optedOut: true, via: 'api' });
    expect(missed.next).toBe(missed.items[2].id);
    expect((await feed(missed.next)).items).toEqual([]);
    rx.down = false;
    await rx.waitFor((r) => r.filter((x) => x.answered === 200 && x.eventId > seen).length === 3);
    const delivered = rx.received.filter((x) => x.answered === 200 && x.eventId > seen);
    expect(delivered.map((x) => x.eventId)).toEqual(missed.items.map((e) => e.id));
    expect(delivered.map((x) => x.body)).toEqual(missed.items);
    await h.api('PUT', `/api/v1/pairs/${pair.alias}/opt-out`, { optedOut: false });
  });

  it('reports a refused message with its verdict, and writes no message and no message.received for it', async () => {
    const before = await feed();
    const senderId = (await h.api('GET', `/api/v1/stores/${pair.storeId}/permitted-senders`)).body.items[0].id;
    const res = await h.api('POST', `/api/v1/pairs/${pair.alias}/messages`, { senderId, subject: 'News', text: 'No order number here' });
    expect(res.status).toBe(400);
    await rx.waitFor((r) => r.some((x) => x.type === 'message.refused' && x.answered === 200));
    const refused = rx.received.find((x) => x.type === 'message.refused')!;
    expect(refused.body).toMatchObject({
      storeId: pair.storeId,
      data: { alias: pair.alias, source: 'api', code: 'ORDER_ID_MISSING', httpStatus: 400, smtpReply: '550 5.7.1' },
    });
    const after = await feed(before.next);
    expect(after.items.map((e) => e.type)).toEqual(['message.refused']);
  });

  it('every stored message has exactly one message.received event, and every such event a stored message', async () => {
    const received = (await feed(0, 'message.received')).items.map((e) => e.data.messageId).sort();
    const messages = (await h.api('GET', '/api/v1/messages?limit=500')).body.items.map((m: { id: number }) => m.id).sort();
    expect(received).toEqual(messages);
    const rows = h.gw.db.prepare("SELECT count(*) AS n FROM events WHERE type = 'message.received'").get() as { n: number };
    expect(rows.n).toBe(messages.length);
  });

  it('stops sending to an endpoint once it is deleted', async () => {
    expect((await h.api('DELETE', `/api/v1/webhooks/${webhookId}`)).status).toBe(204);
    expect((await h.api('GET', `/api/v1/webhooks/${webhookId}`)).status).toBe(404);
    const count = rx.received.length;
    await buyerWrites('After the endpoint went');
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.received.length).toBe(count);
  });
});

describe('the other events', () => {
  it('reports a message refused at the end of SMTP DATA', async () => {
    const before = (await feed()).next;
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const { reply } = await c.send(
      'jane@buyer.example',
      [pair.address],
      buildMessage({ from: 'someone-else@buyer.example', to: pair.address, subject: 'Spoofed', body: 'Hello' }),
    );
    await c.quit();
    expect(reply.code).toBe(550);
    const after = await feed(before);
    expect(after.items).toHaveLength(1);
    expect(after.items[0]).toMatchObject({
      type: 'message.refused',
      data: { alias: pair.alias, source: 'smtp', code: 'SENDER_UNKNOWN', smtpReply: '550 5.7.1' },
    });
  });

  it('reports a finished campaign with its totals, and a buyer who unsubscribed with its one-click link', async () => {
    const before = (await feed()).next;
    const sunk = h.sink!.messages.length;
    const created = await h.api('POST', '/api/v1/campaigns', {
      storeId: pair.storeId,
      name: 'Hello all',
      subject: 'News',
      body: 'Hello {{buyer.name | there}}',
    });
    expect(created.status).toBe(201);
    await h.api('POST', `/api/v1/campaigns/${created.body.id}/start`, {});
    let done = await feed(before, 'campaign.finished');
    for (let i = 0; i < 400 && done.items.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      done = await feed(before, 'campaign.finished');
    }
    expect(done.items[0]).toMatchObject({ storeId: pair.storeId, data: { campaignId: created.body.id, status: 'done', total: 1, sent: 1, skipped: 0 } });
    const [mail] = (await h.sink!.waitFor(sunk + 1)).slice(sunk).filter((m) => m.to.includes('jane@buyer.example'));
    const url = /List-Unsubscribe: <([^>]+)>/.exec(mail!.raw.toString())![1]!;
    expect((await fetch(url, { method: 'POST', body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) })).status).toBe(200);
    const unsubscribed = await feed(before, 'buyer.unsubscribed');
    expect(unsubscribed.items.map((e) => e.data)).toEqual([{ alias: pair.alias, via: 'one-click' }]);
  });
});

describe('erasure', () => {
  it("blanks the subjects the feed kept for an erased buyer's messages", async () => {
    const subjects = async () => (await feed(0, 'message.received')).items.filter((e) => e.data.alias === pair.alias).map((e) => e.data.subject as string);
    expect(await subjects()).toContain('Where is my kettle?');
    expect((await h.api('DELETE', `/api/v1/buyers/${encodeURIComponent('jane@buyer.example')}`)).status).toBe(200);
    expect(new Set(await subjects())).toEqual(new Set(['[erased]']));
  });
});

describe('docs/webhooks.md', () => {
  it('documents exactly the event types the gateway writes', async () => {
    const { readFileSync } = await import('node:fs');
    const { EVENT_TYPES } = await import('../../src/core/event-types.js');
    const doc = readFileSync(new URL('../../docs/webhooks.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^### `([a-z]+\.[a-z_]+)`$/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(EVENT_TYPES).sort());
  });
});

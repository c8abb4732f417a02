// Messages sent through the API go through the same pipeline as mail from Outlook: the same rules
// answer, with the verdict's HTTP status, and nothing is stored when they refuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let pair: Awaited<ReturnType<typeof seedPair>>;
let senderId: number;
beforeAll(async () => {
  h = await startHarness();
  pair = await seedPair(h);
  senderId = (await h.api('GET', `/api/v1/stores/${pair.storeId}/permitted-senders`)).body.items[0].id;
});
afterAll(async () => {
  await h.close();
});

const send = (body: Record<string, unknown>, alias = pair.alias) => h.api('POST', `/api/v1/pairs/${alias}/messages`, { senderId, ...body });
const count = async () => (await h.api('GET', `/api/v1/messages?alias=${pair.alias}`)).body.items.length as number;

describe('POST /api/v1/pairs/{alias}/messages', () => {
  it('delivers a proactive message naming the order to the buyer, masked, and returns it', async () => {
    const res = await send({ subject: `Your order ${pair.number}`, text: 'It ships today. Write to support@acme.example with questions.' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ source: 'api', direction: 'store_to_buyer', subject: `Your order ${pair.number}` });
    const [m] = await h.sink!.waitFor(1);
    expect(m!.to).toEqual(['jane@buyer.example']);
    expect(m!.raw.toString()).not.toContain('support@acme.example');
  });

  it('answers with the rule that refused, and stores nothing', async () => {
    const before = await count();
    const noOrder = await send({ subject: 'A new product you may like', text: 'Hello' });
    expect(noOrder.status).toBe(400);
    expect(noOrder.body.code).toBe('ORDER_ID_MISSING');
    await h.api('POST', '/api/v1/banned-words', { word: 'cheap', storeId: pair.storeId });
    const banned = await send({ subject: `Order ${pair.number}`, text: 'A cheap offer' });
    expect(banned.status).toBe(400);
    expect(banned.body).toMatchObject({ code: 'BANNED_WORDS', message: expect.stringContaining('cheap') });
    await h.api('PUT', `/api/v1/pairs/${pair.alias}/opt-out`, { optedOut: true });
    const optedOut = await send({ subject: `Order ${pair.number}`, text: 'Hello again' });
    expect(optedOut.status).toBe(403);
    expect(optedOut.body.code).toBe('OPTED_OUT');
    await h.api('PUT', `/api/v1/pairs/${pair.alias}/opt-out`, { optedOut: false });
    expect(await count()).toBe(before);
  });

  it('threads a reply to a buyer message, which needs no order number', async () => {
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const original = '<question-1@buyer.example>';
    await c.send(
      'jane@buyer.example',
      [pair.address],
      buildMessage({ from: 'jane@buyer.example', to: pair.address, subject: 'Colour?', body: 'Is it blue?', messageId: original }),
    );
    await c.quit();
    const buyerMessage = (await h.api('GET', `/api/v1/messages?alias=${pair.alias}&direction=buyer_to_store`)).body.items[0];
    const res = await send({ subject: 'Re: Colour?', text: 'Yes, blue.', inReplyTo: buyerMessage.id });
    expect(res.status).toBe(201);
    const delivered = (await h.sink!.waitFor(3)).find((m) => m.to.includes('jane@buyer.example') && m.raw.toString().includes('Re: Colour?'));
    expect(delivered!.raw.toString()).toContain(`In-Reply-To: ${original}`);
  });

  it('answers 429 over the pair limit, and 400 for a sender or message outside the pair', async () => {
    await h.api('PATCH', `/api/v1/stores/${pair.storeId}/policy`, { pairPerDay: 2 });
    const limited = await send({ subject: `Order ${pair.number}`, text: 'One more' });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    const other = await seedPair(h, { slug: 'rival', storeName: 'Rival', mailbox: 'help@rival.example', buyerEmail: 'bo@buyer.example' });
    const otherSender = (await h.api('GET', `/api/v1/stores/${other.storeId}/permitted-senders`)).body.items[0].id;
    const foreign = await h.api('POST', `/api/v1/pairs/${pair.alias}/messages`, { senderId: otherSender, subject: 's', text: 't' });
    expect(foreign.status).toBe(400);
    expect(foreign.body.message).toMatch(/^senderId/);
    const wrongThread = await send({ subject: 's', text: 't', inReplyTo: 999_999 });
    expect(wrongThread.status).toBe(400);
    expect((await h.api('POST', '/api/v1/pairs/aaaaaaaaaaaaaaaaaaaa/messages', { senderId, subject: 's', text: 't' })).status).toBe(404);
  });
});

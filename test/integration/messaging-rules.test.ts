// The seller → buyer messaging rules over real SMTP: opt-out and [Important], the window, the
// order id in proactive messages, and rate limits, each configurable per store through the API.
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let pair: Awaited<ReturnType<typeof seedPair>>;
beforeEach(async () => {
  h = await startHarness();
  pair = await seedPair(h);
});
afterEach(async () => {
  await h.close();
});

async function staff(subject: string, extra: { inReplyTo?: string; body?: string } = {}) {
  const c = await SmtpClient.connect(h.gw.smtpPort);
  try {
    const msg = buildMessage({
      from: 'support@acme.example',
      to: pair.address,
      subject,
      body: extra.body ?? 'Hello',
      ...(extra.inReplyTo ? { inReplyTo: extra.inReplyTo } : {}),
    });
    return (await c.send('support@acme.example', [pair.address], msg)).reply;
  } finally {
    await c.quit();
  }
}

async function stored(): Promise<any[]> {
  return (await h.api('GET', `/api/v1/messages?alias=${pair.alias}`)).body.items;
}

describe('messaging rules', () => {
  it('refuses a proactive message to an opted-out buyer, lets [Important] through up to the daily allowance', async () => {
    await h.api('PUT', `/api/v1/pairs/${pair.alias}/opt-out`, { optedOut: true });
    const refused = await staff(`Your order ${pair.number} review`);
    expect(refused.code).toBe(550);
    expect(refused.text).toMatch(/^5\.7\.1 the buyer has opted out of messages from this store/);
    expect(await stored()).toHaveLength(0);

    expect((await h.api('PATCH', `/api/v1/stores/${pair.storeId}/policy`, { criticalPerDay: 1 })).body.criticalPerDay).toBe(1);
    const critical = await staff(`[Important] Safety recall for order ${pair.number}`);
    expect(critical.code).toBe(250);
    const [msg] = await stored();
    expect(msg.findings).toEqual(
      expect.arrayContaining([{ rule: 'critical', result: 'yes' }, expect.objectContaining({ rule: 'opt-out', result: 'passed as critical' })]),
    );
    const second = await staff(`[Important] Another notice for ${pair.number}`);
    expect(second.code).toBe(550);
    expect(second.text).toMatch(/critical messages to opted-out buyers/);
  });

  it('lets a reply to the buyer through an opt-out and without an order number', async () => {
    const c = await SmtpClient.connect(h.gw.smtpPort);
    await c.send('jane@buyer.example', [pair.address], buildMessage({ from: 'jane@buyer.example', to: pair.address, subject: 'question', body: 'hi' }));
    await c.quit();
    const [received] = await h.sink!.waitFor(1);
    const relayId = (await simpleParser(received!.raw)).messageId!;
    await h.api('PUT', `/api/v1/pairs/${pair.alias}/opt-out`, { optedOut: true });
    const reply = await staff('Re: question', { inReplyTo: relayId });
    expect(reply.code).toBe(250);
  });

  it('refuses a proactive message without an order number, naming what is missing', async () => {
    const r = await staff('Hello there', { body: 'We have a sale!' });
    expect(r.code).toBe(550);
    expect(r.text).toBe(`5.7.1 a message that does not answer the buyer must name one of their order numbers (for example ${pair.number})`);
    expect((await staff('Hello there', { body: `About your order ${pair.number}` })).code).toBe(250);
  });

  it('refuses once the window closed 30 days after completion, giving the date', async () => {
    const completed = new Date(Date.now() - 40 * 86_400_000);
    await h.api('PATCH', `/api/v1/orders/${pair.orderId}`, { completedAt: completed.toISOString() });
    const r = await staff(`Order ${pair.number}`);
    expect(r.code).toBe(550);
    const closed = new Date(completed.getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
    expect(r.text).toContain(`closed on ${closed}`);
    // The buyer writing again reopens it.
    const c = await SmtpClient.connect(h.gw.smtpPort);
    await c.send('jane@buyer.example', [pair.address], buildMessage({ from: 'jane@buyer.example', to: pair.address, subject: 'still there?', body: 'hi' }));
    await c.quit();
    expect((await staff(`Order ${pair.number}`)).code).toBe(250);
  });

  it('answers 451 4.7.0 over the per-pair limit, so the sender tries later', async () => {
    await h.api('PATCH', `/api/v1/stores/${pair.storeId}/policy`, { pairPerDay: 1 });
    expect((await staff(`Order ${pair.number}`)).code).toBe(250);
    const r = await staff(`Order ${pair.number} again`);
    expect(r.code).toBe(451);
    expect(r.text).toMatch(/^4\.7\.0 this buyer got 1 messages from the store in the last 24 hours/);
  });

  it('validates policy changes', async () => {
    expect((await h.api('PATCH', `/api/v1/stores/${pair.storeId}/policy`, { windowDays: 0 })).status).toBe(400);
    expect((await h.api('PATCH', `/api/v1/stores/${pair.storeId}/policy`, { bogus: 1 })).status).toBe(400);
    expect((await h.api('PATCH', `/api/v1/stores/${pair.storeId}/policy`, {})).status).toBe(400);
    expect((await h.api('GET', '/api/v1/stores/9999/policy')).status).toBe(404);
    expect((await h.api('GET', `/api/v1/stores/${pair.storeId}/policy`)).body).toEqual({
      optOut: true,
      criticalPerDay: 5,
      windowDays: 30,
      requireOrderId: true,
      storePerHour: 500,
      pairPerDay: 20,
    });
  });
});

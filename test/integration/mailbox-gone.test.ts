// A recipient's server saying the mailbox is gone marks the buyer undeliverable the same way
// however it says it: a permanent refusal from the smarthost at delivery (RCPT TO answered
// `550 5.1.1`) or a mailed bounce quoting our Message-ID. One table decides which enhanced status
// codes mean "gone" (core/mailbox-gone.ts): a full mailbox or a policy refusal fails the delivery
// but leaves the buyer reachable. A campaign then skips the marked buyer.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dsnHeadLines } from '../fixtures/dsn.js';
import { campaignShop, LAMP } from '../helpers/campaign-shop.js';
import { startHarness, type Harness } from '../helpers/gateway.js';
import { refusingSmarthost, type Smarthost } from '../helpers/refusing-smarthost.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let host: Smarthost;
const shop = campaignShop(() => (method, path, body) => h.api(method, path, body));

beforeEach(async () => {
  host = await refusingSmarthost();
  h = await startHarness(
    {
      outbound: { smarthost: host.url, pollIntervalMs: 50, retrySchedule: [0.2, 0.2, 0.2], retryThereafter: 0.2 },
      campaigns: { ratePerSecond: 1000, pollIntervalMs: 20, repeatDays: 7, lateAfterHours: 6, maxQueued: 2000 },
    },
    { sink: false },
  );
  await shop.open();
  // A buyer whose order was completed an hour ago: the messaging window is open.
  await shop.order('gus', 'O-9', [LAMP], new Date(Date.now() - 3600_000).toISOString());
});
afterEach(async () => {
  await h.close();
  await host.close();
});

const buyer = async (name: string) => (await h.api('GET', `/api/v1/pairs/${encodeURIComponent(shop.alias[name]!)}`)).body.buyer;

/** The store writes to a buyer about their order; resolves with the outbox row once it failed for good. */
async function writeAndFail(name: string, number: string) {
  const r = await SmtpClient.sendOnce(
    h.gw.smtpPort,
    'support@acme.example',
    shop.alias[name]!,
    buildMessage({ from: 'support@acme.example', to: shop.alias[name]!, subject: `Order ${number}`, body: 'shipped' }),
  );
  expect(r.reply.code, r.reply.text).toBe(250);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const failed = (await h.api('GET', '/api/v1/outbox?status=failed')).body.items;
    if (failed.length > 0) return failed[0];
    if (Date.now() > deadline) throw new Error(`no failed row: ${JSON.stringify((await h.api('GET', '/api/v1/outbox')).body.items)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('a permanent refusal from the smarthost at delivery', () => {
  it('marks the buyer undeliverable when RCPT TO is answered 550 5.1.1, and a campaign skips them', async () => {
    host.refuse.set('gus@buyer.example', { code: 550, message: '5.1.1 <gus@buyer.example>: Recipient address rejected: User unknown' });
    const row = await writeAndFail('gus', 'O-9');
    expect(row.lastError).toMatch(/^550 5\.1\.1 /);
    expect(row.lastError).not.toContain('gus@buyer.example');
    expect((await buyer('gus')).undeliverableSince).toMatch(/^\d{4}-/);
    // Nobody else was marked.
    expect((await buyer('fay')).undeliverableSince).toBeNull();

    const id = await shop.campaign({ name: 'Lamps', audience: { skus: [LAMP.sku] } });
    await h.api('POST', `/api/v1/campaigns/${id}/start`, {});
    const done = await shop.finished(id);
    // dan, eve, fay and gus bought the lamp: gus is skipped as hard bounced, before any delivery.
    expect(done.progress).toMatchObject({ total: 4, sent: 3, skipped: 1, failed: 0 });
    expect(done.progress.skippedBy).toEqual({ 'hard bounced': 1 });
  });

  for (const [code, status, words] of [
    [551, '5.1.6', 'mailbox has moved, no forwarding address'],
    [553, '5.1.3', 'bad recipient address syntax'],
  ] as const) {
    it(`marks the buyer undeliverable on ${code} ${status}`, async () => {
      host.refuse.set('gus@buyer.example', { code, message: `${status} ${words}` });
      await writeAndFail('gus', 'O-9');
      expect((await buyer('gus')).undeliverableSince).toMatch(/^\d{4}-/);
    });
  }

  for (const [code, status, words] of [
    [552, '5.2.2', 'mailbox full'],
    [554, '5.7.1', 'message refused by policy'],
    [550, null, 'no'],
  ] as const) {
    it(`fails the delivery but leaves the buyer reachable on ${code} ${status ?? 'without an enhanced status code'}`, async () => {
      host.refuse.set('gus@buyer.example', { code, message: status ? `${status} ${words}` : words });
      const row = await writeAndFail('gus', 'O-9');
      expect(row.lastError).toMatch(new RegExp(`^${code} `));
      expect((await buyer('gus')).undeliverableSince).toBeNull();
    });
  }
});

/** The store writes to gus; resolves with what the smarthost accepted (its bounce address and headers). */
async function deliveredToGus() {
  const r = await SmtpClient.sendOnce(
    h.gw.smtpPort,
    'support@acme.example',
    shop.alias.gus!,
    buildMessage({ from: 'support@acme.example', to: shop.alias.gus!, subject: 'Order O-9', body: 'shipped' }),
  );
  expect(r.reply.code, r.reply.text).toBe(250);
  const deadline = Date.now() + 15_000;
  while (!host.received.some((m) => m.to.includes('gus@buyer.example'))) {
    if (Date.now() > deadline) throw new Error('not delivered');
    await new Promise((res) => setTimeout(res, 50));
  }
  return host.received.find((m) => m.to.includes('gus@buyer.example'))!;
}

/** A DSN (RFC 3464) for gus with `status`, returning the headers we sent (RFC 3462). */
const dsn = (to: string, status: string, returned: string) =>
  [
    ...dsnHeadLines({ to, recipient: 'gus@buyer.example', status, diagnostic: `550 ${status} refused` }),
    '--b',
    'Content-Type: text/rfc822-headers',
    '',
    returned,
    '--b--',
    '',
  ].join('\r\n');

describe('a mailed bounce, read by the same table', () => {
  for (const [status, marked] of [
    ['5.1.1', true],
    ['5.2.2', false],
    ['5.7.1', false],
  ] as const) {
    it(`${marked ? 'marks' : 'does not mark'} the buyer on a DSN with ${status}, and fails the delivery either way`, async () => {
      const m = await deliveredToGus();
      const r = await SmtpClient.sendOnce(h.gw.smtpPort, '', m.from, dsn(m.from, status, m.raw.toString('latin1').split('\r\n\r\n')[0]!));
      expect(r.reply.code).toBe(250);
      const failed = (await h.api('GET', '/api/v1/outbox?status=failed')).body.items;
      expect(failed).toHaveLength(1);
      expect(failed[0].lastError).toMatch(new RegExp(`^bounced after delivery: ${status.replace(/\./g, '\\.')}`));
      const since = (await buyer('gus')).undeliverableSince;
      if (marked) expect(since).toMatch(/^\d{4}-/);
      else expect(since).toBeNull();
    });
  }
});

// Round-17 attack on the mailed bounce that marks a buyer (core/mailbox-gone.ts, final-failure.ts):
// a buyer whose mailbox forwards elsewhere (a .forward, a provider's forwarding without SRS keeps
// our signed bounce address as the envelope sender) gets a DSN back when the forwarding target is
// gone: it quotes our Message-ID, says 5.1.1, and names the target as Final-Recipient. The buyer's
// own mailbox took the message and is fine, but was marked undeliverable (campaigns and replies
// then skip them). A DSN marks the buyer only when its Final-Recipient is the address we sent to
// (or it names none); the delivery still fails, as the remote side said.
import { dsnHeadLines } from '../fixtures/dsn.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
const dsn = (to: string, status: string, returned: string, finalRecipient: string, original?: string) =>
  [
    ...dsnHeadLines({ to, recipient: finalRecipient, status, diagnostic: `550 ${status} refused`, original }),
    '--b',
    'Content-Type: text/rfc822-headers',
    '',
    returned,
    '--b--',
    '',
  ].join('\r\n');

describe('a DSN for a forwarding target (round-17 attack)', () => {
  it('does not mark the buyer when the Final-Recipient is another address', async () => {
    const m = await deliveredToGus();
    const headers = m.raw.toString('latin1').split('\r\n\r\n')[0]!;
    const r = await SmtpClient.sendOnce(h.gw.smtpPort, '', m.from, dsn(m.from, '5.1.1', headers, 'gus.old@othermail.example', 'gus@buyer.example'));
    expect(r.reply.code).toBe(250);
    expect((await h.api('GET', '/api/v1/outbox?status=failed')).body.items).toHaveLength(1);
    expect((await buyer('gus')).undeliverableSince).toBeNull();
  });

  it('still marks the buyer when the Final-Recipient is the address we sent to (any case)', async () => {
    const m = await deliveredToGus();
    const headers = m.raw.toString('latin1').split('\r\n\r\n')[0]!;
    const r = await SmtpClient.sendOnce(h.gw.smtpPort, '', m.from, dsn(m.from, '5.1.1', headers, '<Gus@Buyer.example>'));
    expect(r.reply.code).toBe(250);
    expect((await buyer('gus')).undeliverableSince).toMatch(/^\d{4}-/);
  });
});

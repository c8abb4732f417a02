// A buyer the smarthost refused for good (`550 5.1.1`), as a support agent meets them in a real
// browser: the notice in the conversation, the button that clears it (htmx), and a campaign that
// reaches the buyer again once cleared.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { htmxSettled, launch, logIn, screenshot } from '../helpers/browser.js';
import { campaignShop, LAMP } from '../helpers/campaign-shop.js';
import { startHarness, type Harness } from '../helpers/gateway.js';
import { refusingSmarthost, type Smarthost } from '../helpers/refusing-smarthost.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let host: Smarthost;
let browser: Browser;
let page: Page;
let base: string;
let pairId: number;
const shop = campaignShop(() => (method, path, body) => h.api(method, path, body));
const GUS = 'gus@buyer.example';

beforeAll(async () => {
  host = await refusingSmarthost();
  h = await startHarness(
    {
      outbound: { smarthost: host.url, pollIntervalMs: 50, retrySchedule: [0.2], retryThereafter: 0.2 },
      campaigns: { ratePerSecond: 1000, pollIntervalMs: 20, repeatDays: 7, lateAfterHours: 6, maxQueued: 2000 },
    },
    { sink: false },
  );
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  await shop.open();
  await shop.order('gus', 'O-9', [LAMP], new Date(Date.now() - 3600_000).toISOString());
  const pair = h.gw.db.prepare('SELECT id, store_id AS storeId FROM pairs WHERE token = ?').get(shop.alias.gus!.split('@')[0]) as {
    id: number;
    storeId: number;
  };
  pairId = pair.id;
  await new UserRepo(h.gw.db).create({
    email: 'amy@seller.example',
    name: 'Amy Agent',
    role: 'agent',
    password: 'agent password 123',
    storeIds: [pair.storeId],
  });
  browser = await launch();
  page = await browser.newPage();
  await logIn(page, base, 'amy@seller.example', 'agent password 123');
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await host?.close();
});

const buyer = async () => (await h.api('GET', `/api/v1/pairs/${encodeURIComponent(shop.alias.gus!)}`)).body.buyer;

describe('an undeliverable buyer, seen and cleared by an agent', { timeout: 120_000 }, () => {
  it('shows the notice after a real 550 5.1.1, clears it with the button, and a campaign reaches the buyer again', async () => {
    host.refuse.set(GUS, { code: 550, message: '5.1.1 <gus@buyer.example>: Recipient address rejected: User unknown' });
    const r = await SmtpClient.sendOnce(
      h.gw.smtpPort,
      'support@acme.example',
      shop.alias.gus!,
      buildMessage({ from: 'support@acme.example', to: shop.alias.gus!, subject: 'Order O-9', body: 'shipped' }),
    );
    expect(r.reply.code, r.reply.text).toBe(250);
    await expect.poll(async () => (await buyer()).undeliverableSince, { timeout: 15_000 }).not.toBeNull();
    host.refuse.delete(GUS);

    await page.goto(`${base}/conversations/${pairId}`);
    const notice = page.locator('#undeliverable');
    expect(await notice.textContent()).toContain("Messages to this buyer can't be delivered: their mailbox no longer exists (550 5.1.1), since");
    expect(await page.content()).not.toContain(GUS);
    await screenshot(page, 'undeliverable-notice');

    await page.getByRole('button', { name: 'Mark as deliverable again' }).click();
    await htmxSettled(page);
    await expect.poll(() => page.locator('#undeliverable').textContent()).toBe('');
    await page.reload();
    expect(await page.locator('#undeliverable').textContent()).toBe('');
    expect((await buyer()).undeliverableSince).toBeNull();

    const id = await shop.campaign({ name: 'Lamps', audience: { skus: [LAMP.sku] } });
    await h.api('POST', `/api/v1/campaigns/${id}/start`, {});
    const done = await shop.finished(id);
    expect(done.progress).toMatchObject({ total: 4, sent: 4, skipped: 0, failed: 0 });
    // The refused reply never arrived; the campaign's message did.
    await expect.poll(() => host.received.filter((m) => m.to.includes(GUS)).length, { timeout: 15_000 }).toBe(1);
  });
});

// Campaigns in a real headless browser against the real gateway and an SMTP sink: build one from a
// template with a live audience count, export the audience, send a test email, schedule, send,
// watch the progress, and unsubscribe from the mail that arrived.
import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOwner } from '../helpers/admin-harness.js';
import { launch, logIn, screenshot } from '../helpers/browser.js';
import { startHarness, type Harness } from '../helpers/gateway.js';

let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
let storeId: number;
let campaignUrl = '';

async function order(buyer: string, number: string, sku: string) {
  const r = await h.api('POST', '/api/v1/orders', {
    storeId,
    number,
    buyer: { email: `${buyer}@buyer.example`, name: buyer },
    items: [{ sku, name: sku === 'KET-1' ? 'Boil Co kettle' : 'Glow lamp', category: 'Kitchen', manufacturer: 'Boil Co', unitPrice: 30, quantity: 1 }],
    total: 30,
    currency: 'EUR',
    placedAt: '2026-10-01T10:00:00Z',
    completedAt: '2026-10-03T10:00:00Z',
  });
  expect(r.status).toBe(201);
}

beforeAll(async () => {
  h = await startHarness({ campaigns: { ratePerSecond: 5, pollIntervalMs: 50, repeatDays: 7, lateAfterHours: 6, maxQueued: 2000 } });
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  storeId = (await h.api('POST', '/api/v1/stores', { slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' })).body.id;
  await order('Ann', 'K-1', 'KET-1');
  await order('Bob', 'K-2', 'KET-1');
  await order('Cat', 'L-1', 'LAM-1');
  await addOwner(h, 'Olivia Owner');
  browser = await launch();
  page = await browser.newPage({ acceptDownloads: true });
  await logIn(page, base, 'olivia@seller.example', 'correct horse battery staple');
});
afterAll(async () => {
  await browser?.close();
  await h.close();
});

describe('campaigns in the admin', () => {
  it('builds a campaign from a template, counts its audience live, and saves it as a draft', async () => {
    await page.click('nav a:has-text("Campaigns"), header a:has-text("Campaigns")');
    await page.click('[data-preset="promo_item"]');
    expect(await page.inputValue('input[name=subject]')).toBe('A code for {{promo.item}}');
    await page.fill('input[name=promoCode]', 'KETTLE10');
    await page.fill('input[name=promoItem]', 'the Boil Co kettle');
    await page.fill('input[name=skus]', 'KET-1');
    await page.click('[data-refresh]');
    await expect.poll(() => page.locator('[data-audience-count]').getAttribute('data-audience-count')).toBe('2');
    const sample = await page.locator('#audience').innerText();
    expect(sample).toContain('Ann');
    expect(sample).not.toContain('@buyer.example');
    await page.click('[data-save]');
    await page.waitForURL(/\/campaigns\/\d+\?saved=1$/);
    campaignUrl = page.url().replace(/\?.*$/, '');
    expect(await page.locator('[role=status]').innerText()).toBe('Saved as a draft.');
    await screenshot(page, 'campaign-builder');
  });

  it('exports the audience as CSV with aliases, never real addresses, and sends nothing', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export]')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('alias,name,orders,last_order');
    expect(lines).toHaveLength(3);
    expect(csv).toMatch(/"[a-z2-7]{20}@relay\.localhost","Ann","1","2026-10-01"/);
    expect(csv).not.toContain('@buyer.example');
    expect(h.sink!.messages).toHaveLength(0);
  });

  it('sends a test email rendered for a real buyer, without touching the ledger', async () => {
    await page.selectOption('[data-test-form] select[name=to]', 'olivia@seller.example');
    await page.click('[data-test-form] button');
    expect(await page.locator('[role=status]').innerText()).toMatch(/^Test email queued to olivia@seller\.example, rendered for Ann\.$/);
    const [test] = await h.sink!.waitFor(1);
    const raw = test!.raw.toString();
    expect(test!.to).toEqual(['olivia@seller.example']);
    expect(raw).toContain('Subject: [Test] A code for the Boil Co kettle');
    expect(raw).toContain('KETTLE10');
    expect(raw).toContain('order K-1');
    expect(h.gw.db.prepare('SELECT count(*) AS n FROM campaign_recipients').get()).toEqual({ n: 0 });
    // A buyer and an order picked by hand.
    const bob = h.gw.db.prepare("SELECT p.token FROM pairs p JOIN buyers b ON b.id = p.buyer_id WHERE b.email = 'bob@buyer.example'").get() as {
      token: string;
    };
    await page.selectOption('[data-test-form] select[name=to]', 'olivia@seller.example');
    await page.fill('[data-test-form] input[name=alias]', `${bob.token}@relay.localhost`);
    await page.fill('[data-test-form] input[name=order]', 'K-2');
    await page.click('[data-test-form] button');
    expect(await page.locator('[role=status]').innerText()).toBe('Test email queued to olivia@seller.example, rendered for Bob and order K-2.');
    const [, second] = await h.sink!.waitFor(2);
    expect(second!.raw.toString()).toContain('order K-2');

    // The test runs the real rules: a banned word in the text is shown, and nothing is sent.
    const banned = await h.api('POST', '/api/v1/banned-words', { word: 'KETTLE10', storeId });
    await page.selectOption('[data-test-form] select[name=to]', 'olivia@seller.example');
    await page.click('[data-test-form] button');
    expect(await page.locator('[role=alert]').innerText()).toBe('The real message would be refused: the message contains banned words: kettle10.');
    await h.api('DELETE', `/api/v1/banned-words/${banned.body.id}`);
    expect(h.sink!.messages).toHaveLength(2);
  });

  it('schedules it in the admin time zone, then sends it now and shows the progress until done', async () => {
    await page.fill('[data-schedule-form] input[name=at]', '2030-01-15T09:30');
    await page.click('[data-schedule-form] button');
    await page.waitForURL(/\?scheduled=1$/);
    expect(await page.locator('main, body').first().innerText()).toContain('Status: scheduled, for 15 Jan 2030, 09:30 (UTC)');
    // Send now asks first, with how many it goes to; nothing starts before "yes".
    await page.click('[data-send]');
    expect(await page.locator('[data-confirm] [role=alert]').innerText()).toBe(
      'Please confirm: send now to its audience of 2, skipping anyone unsubscribed or opted out.',
    );
    expect(h.gw.db.prepare("SELECT status FROM campaigns WHERE name = 'Promo code for an item'").get()).toEqual({ status: 'scheduled' });
    await page.click('[data-confirm] button');
    await page.waitForURL(campaignUrl);
    await expect.poll(() => page.locator('[data-progress]').getAttribute('data-status'), { timeout: 15_000 }).toBe('done');
    expect(await page.locator('[data-count=sent]').innerText()).toBe('2');
    expect(await page.locator('[data-count=pending]').innerText()).toBe('0');
    await screenshot(page, 'campaign-progress');
    // Ann and Bob, and the completion notice to the store (after the two test emails).
    const all = await h.sink!.waitFor(5);
    const toBuyers = all.filter((m) => m.to[0]!.endsWith('@buyer.example'));
    expect(toBuyers.map((m) => m.to[0]).sort()).toEqual(['ann@buyer.example', 'bob@buyer.example']);
    await page.goto(`${base}/campaigns`);
    expect(await page.locator('tr[data-campaign="Promo code for an item"]').innerText()).toMatch(/done\s+2 \/ 2/);
  });

  it('lets the buyer unsubscribe from the link in the mail: the page asks first, then also opts out of other messages', async () => {
    const mail = h.sink!.messages.find((m) => m.to[0] === 'bob@buyer.example')!.raw.toString();
    const link = /Unsubscribe: (http:\/\/\S+)/.exec(mail.replace(/=\r\n/g, ''))![1]!;
    const buyer = await browser.newPage();
    await buyer.goto(link);
    expect(await buyer.locator('h1').innerText()).toBe('Emails from Acme Store');
    expect(h.gw.db.prepare('SELECT count(*) AS n FROM campaign_unsubscribes').get()).toEqual({ n: 0 });
    await buyer.check('input[name=optOut]');
    await buyer.click('[data-unsubscribe] button');
    expect(await buyer.locator('[data-done]').innerText()).toContain('You will get no more offers from Acme Store');
    await screenshot(buyer, 'unsubscribe');
    const pair = h.gw.db
      .prepare(
        "SELECT p.opted_out AS optedOut, EXISTS (SELECT 1 FROM campaign_unsubscribes u WHERE u.pair_id = p.id) AS unsubscribed FROM pairs p JOIN buyers b ON b.id = p.buyer_id WHERE b.email = 'bob@buyer.example'",
      )
      .get();
    expect(pair).toEqual({ optedOut: 1, unsubscribed: 1 });
    await buyer.close();
  });

  it('asks for a confirmation before a copy goes to the same audience again', async () => {
    await page.goto(`${base}/campaigns/new?preset=promo_item`);
    await page.fill('input[name=name]', 'Copy');
    await page.fill('input[name=promoCode]', 'KETTLE10');
    await page.fill('input[name=promoItem]', 'the Boil Co kettle');
    await page.fill('input[name=skus]', 'KET-1');
    await page.click('[data-save]');
    await page.waitForURL(/\?saved=1$/);
    await page.click('[data-send]');
    expect(await page.locator('[data-confirm] [role=alert]').innerText()).toMatch(
      /^Please confirm: send now to its audience of 2, skipping anyone unsubscribed or opted out; the same message went to the same audience on .*\(campaign "Promo code for an item"\)\.$/,
    );
    expect(h.gw.db.prepare("SELECT status FROM campaigns WHERE name = 'Copy'").get()).toEqual({ status: 'draft' });
  });

  it('imports prospects from CSV, shows what they cost against the credits, and lets the owner add credits', async () => {
    await page.goto(`${base}/campaigns`);
    await page.fill('[data-import] input[name=list]', 'wishlist');
    await page.setInputFiles('[data-import] input[name=file]', {
      name: 'wishlist.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('email,name\npia@buyer.example,Pia\nquin@buyer.example,"Quin, Jr."\nnot-an-address,X\n'),
    });
    await page.click('[data-import] button');
    expect(await page.locator('[role=status]').innerText()).toBe('Imported 2 prospect(s); 0 already known; 1 line(s) not usable.');
    expect(await page.locator('tr[data-store-credits="Acme Store"]').innerText()).toMatch(/Acme Store\s+0\s+wishlist \(2\)/);

    await page.goto(`${base}/campaigns/new?preset=blank`);
    await page.fill('input[name=name]', 'Wishlist nudge');
    await page.fill('input[name=subject]', 'Still thinking about it?');
    await page.fill('textarea[name=body]', 'Hello {{buyer.name | there}}, the lamp is back.');
    await page.check('[data-prospect-lists] input[value=wishlist]');
    await page.check('[data-prospect-lists] input[name=noPurchasers]');
    await page.click('[data-refresh]');
    await expect.poll(() => page.locator('[data-audience-count]').getAttribute('data-audience-count')).toBe('2');
    expect(await page.locator('[data-cost]').innerText()).toBe('2 of them are prospects: 2 × 3 = 6 credits; the store has 0 — not enough to send.');
    await page.click('[data-save]');
    await page.waitForURL(/\?saved=1$/);
    const draft = page.url().replace(/\?.*$/, '');
    await page.click('[data-send]');
    await page.click('[data-confirm] button');
    expect(await page.locator('[role=alert]').innerText()).toBe('not enough credits: 2 prospect messages cost 6 credits and the store has 0');

    await page.goto(`${base}/campaigns`);
    await page.fill('[data-add-credits] input[name=delta]', '10');
    await page.fill('[data-add-credits] input[name=reason]', 'invoice 2026-118');
    await page.click('[data-add-credits] button');
    expect(await page.locator('tr[data-store-credits="Acme Store"] [data-balance]').innerText()).toBe('10');
    await page.goto(draft);
    await page.click('[data-send]');
    expect(await page.locator('[data-confirm] [role=alert]').innerText()).toBe(
      'Please confirm: send now to its audience of 2 (2 prospects: 6 credits), skipping anyone unsubscribed or opted out.',
    );
    await page.click('[data-confirm] button');
    await page.waitForURL(draft);
    await expect.poll(() => page.locator('[data-progress]').getAttribute('data-status'), { timeout: 15_000 }).toBe('done');
    expect(await page.locator('[data-count=sent]').innerText()).toBe('2');
    await page.goto(`${base}/campaigns`);
    expect(await page.locator('tr[data-store-credits="Acme Store"] [data-balance]').innerText()).toBe('4');
    await screenshot(page, 'campaigns');
  });

  it('warns in the builder about variables that are empty for the prospects of the audience', async () => {
    await page.goto(`${base}/campaigns/new?preset=blank`);
    await page.fill('input[name=subject]', 'News');
    await page.fill('textarea[name=body]', 'Customers (like your order {{order.number}}) also liked the lamp.');
    await page.check('[data-prospect-lists] input[value=wishlist]');
    await page.click('[data-refresh]');
    await expect.poll(() => page.locator('[data-audience-count]').getAttribute('data-audience-count')).toBe('5');
    expect(await page.locator('[data-gaps] li').allInnerTexts()).toEqual([
      '{{order.number}} is empty for the 2 prospects in this audience (no order yet): put it inside {{#order.number}}…{{/order.number}}, or give a fallback ({{order.number | …}}).',
    ]);
    await page.fill('textarea[name=body]', 'Customers{{#order.number}} (like your order {{order.number}}){{/order.number}} also liked the lamp.');
    await page.click('[data-refresh]');
    await expect.poll(() => page.locator('[data-gaps]').count()).toBe(0);
  });
});

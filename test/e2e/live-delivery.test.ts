// An agent's reply in a real browser (Debian's chromium via playwright-core) against the real
// gateway and a sink that defers it at first: the new message's badge says it is not delivered
// yet, and turns to "sent" by itself once the smarthost takes it, without a reload.
import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { launch, logIn, screenshot } from '../helpers/browser.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';

let h: Harness;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let base: string;
let acme: Awaited<ReturnType<typeof seedPair>>;
/** While true, the sink answers the buyer's copy with 451 (a busy mailbox): the reply stays deferred. */
let busy = false;

beforeAll(async () => {
  h = await startHarness();
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  h.sink!.answer = (_raw, _attempt, to) => (busy && to.includes('jane@buyer.example') ? { code: 451, message: '4.2.0 Mailbox busy, try later' } : null);
  acme = await seedPair(h, { number: 'A-100', buyerEmail: 'jane@buyer.example', buyerName: 'Jane Doe' });
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: h.gw.smtpPort, secure: false, ignoreTLS: true });
  await t.sendMail({ from: 'jane@buyer.example', to: acme.address, subject: 'Where is my kettle?', text: 'Hello, order A-100 has not arrived.' });
  t.close();
  await h.sink!.waitFor(1);
  await new UserRepo(h.gw.db).create({
    email: 'alex@seller.example',
    name: 'Alex Agent',
    role: 'agent',
    password: 'agent password 123',
    storeIds: [acme.storeId],
  });
  browser = await launch();
  ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  page = await ctx.newPage();
  await logIn(page, base, 'alex@seller.example', 'agent password 123');
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.close();
});

describe("the reply's delivery status", () => {
  it('turns from deferred to sent on the page, without a reload', async () => {
    const pairId = (h.gw.db.prepare('SELECT id FROM pairs WHERE token = ?').get(acme.alias) as { id: number }).id;
    // The page's timers run on a clock the test moves on (the badge's rechecks fire at once); the
    // requests and swaps are the real ones.
    await ctx.clock.install();
    await page.goto(`${base}/conversations/${pairId}`);
    busy = true;
    await page.fill('.reply textarea', 'It left our warehouse today.');
    await page.click('.reply button[name=after][value=""]');
    await page.waitForURL(/sent=1/);
    // The newest reply's card; its first badge is the delivery state (as before this feature).
    const card = page.locator('article.message.store_to_buyer').last();
    const badge = card.locator('.badge').first();
    // The smarthost deferred it: the page says so.
    await expect
      .poll(
        async () => {
          const sinkTried = h.sink!.attempts;
          return sinkTried >= 2 ? await badge.innerText() : '';
        },
        { timeout: 15_000 },
      )
      .toMatch(/queued|deferred/);
    let navigations = 0;
    page.on('framenavigated', (f) => void (f === page.mainFrame() && navigations++));
    // The mailbox takes it now; the badge shows that by itself.
    busy = false;
    await expect
      .poll(
        async () => {
          const now = await badge.innerText();
          if (!now.includes('sent')) await ctx.clock.fastForward(5_000);
          return now;
        },
        { timeout: 20_000 },
      )
      .toBe('sent');
    expect(navigations).toBe(0);
    // Final: the badge no longer asks.
    expect(await card.locator('.delivery').getAttribute('hx-trigger')).toBeNull();
    expect(await page.content()).not.toContain('jane@buyer.example');
    await screenshot(page, 'live-delivery');
  }, 90_000);
});

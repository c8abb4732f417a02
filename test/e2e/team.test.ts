// Team management in a real browser (issue 15): the owner adds an agent with a store, the agent logs
// in with the password shown once and sees only that store; the owner disables the agent and resets
// their password; a user picks their own time zone and the admin's times follow it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInZone } from '../../src/core/display-time.js';
import { UserRepo } from '../../src/store/users.js';
import { launch, screenshot, submitLogin } from '../helpers/browser.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
let agentPassword = '';

async function login(p: Page, email: string, password: string) {
  await submitLogin(p, base, email, password);
}

beforeAll(async () => {
  h = await startHarness();
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  const acme = await seedPair(h, { number: 'A-1' });
  const rival = await seedPair(h, { slug: 'rival', storeName: 'Rival Goods', mailbox: 'help@rival.example', buyerEmail: 'bo@buyer.example', buyerName: 'Bo' });
  for (const [from, to, subject] of [
    ['jane@buyer.example', acme.address, 'Where is my kettle?'],
    ['bo@buyer.example', rival.address, 'Refund please'],
  ] as const) {
    const c = await SmtpClient.connect(h.gw.smtpPort);
    await c.send(from, [to], buildMessage({ from, to, subject, body: 'Hello' }));
    await c.quit();
  }
  await new UserRepo(h.gw.db).create({ email: 'olivia@seller.example', name: 'Olivia Owner', role: 'owner', password: 'owner password 123' });
  browser = await launch();
  page = await browser.newPage();
  // Disabling an agent and resetting a password ask first (test/e2e/admin-ops.test.ts checks "no"): yes.
  page.on('dialog', (d) => void d.accept());
  await login(page, 'olivia@seller.example', 'owner password 123');
  await page.waitForURL(`${base}/inbox`);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.close();
});

// Generous limits: each step is a page load, and the shared machine is often busy.
describe('team management', { timeout: 120_000 }, () => {
  it('lets the owner add an agent for one store, who then logs in with the password shown once and sees only that store', async () => {
    await page.click('header summary:has-text("More")');
    await page.click('header a:has-text("Team")');
    await page.waitForURL(`${base}/team`);
    const form = page.locator('form[data-add-agent]');
    await form.locator('input[name=name]').fill('Alex Agent');
    await form.locator('input[name=email]').fill('alex@seller.example');
    await form.locator('label:has-text("Rival Goods") input').check();
    await form.locator('button:has-text("Add agent")').click();
    await page.locator('[data-shown-password] code').waitFor();
    agentPassword = (await page.locator('[data-shown-password] code').innerText()).trim();
    expect(agentPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(await page.locator('tr[data-member="alex@seller.example"]').innerText()).toContain('agent');
    await screenshot(page, 'team');
    // Only a hash is kept.
    const stored = h.gw.db.prepare('SELECT password_hash AS h FROM users WHERE email = ?').get('alex@seller.example') as { h: string };
    expect(stored.h).toMatch(/^scrypt\$/);
    expect(stored.h).not.toContain(agentPassword);
    // Reloading the page does not show the password again.
    await page.goto(`${base}/team`);
    expect(await page.locator('[data-shown-password]').count()).toBe(0);

    const ctx = await browser.newContext();
    const agent = await ctx.newPage();
    await login(agent, 'alex@seller.example', agentPassword);
    await agent.waitForURL(`${base}/inbox`);
    const rows = await agent.locator('table.list tbody').innerText();
    expect(rows).toContain('Refund please');
    expect(rows).not.toContain('kettle');
    expect(await agent.locator('header a:has-text("Team")').count()).toBe(0);
    expect((await agent.request.get(`${base}/team`)).status()).toBe(403);
    await ctx.close();
  });

  it('disables an agent, which ends their sessions, and resets a password so only the new one works', async () => {
    const ctx = await browser.newContext();
    const agent = await ctx.newPage();
    await login(agent, 'alex@seller.example', agentPassword);
    await agent.waitForURL(`${base}/inbox`);
    await page.goto(`${base}/team`);
    await page.locator('tr[data-member="alex@seller.example"] button:has-text("Disable")').click();
    await page.locator('tr[data-member="alex@seller.example"] button:has-text("Enable")').waitFor();
    await agent.goto(`${base}/inbox`);
    expect(agent.url()).toMatch(/\/login/);
    await login(agent, 'alex@seller.example', agentPassword);
    expect(await agent.locator('.error').innerText()).toContain('Wrong email or password');

    await page.locator('tr[data-member="alex@seller.example"] button:has-text("Enable")').click();
    await page.locator('tr[data-member="alex@seller.example"] button:has-text("Reset password")').click();
    await page.locator('[data-shown-password] code').waitFor();
    const fresh = (await page.locator('[data-shown-password] code').innerText()).trim();
    expect(fresh).not.toBe(agentPassword);
    await login(agent, 'alex@seller.example', agentPassword);
    expect(await agent.locator('.error').innerText()).toContain('Wrong email or password');
    await login(agent, 'alex@seller.example', fresh);
    await agent.waitForURL(`${base}/inbox`);
    agentPassword = fresh;
    await ctx.close();
  });

  it('lets a user change their own time zone, and times across the admin follow it', async () => {
    // The inbox shows today's rows by their time and older ones by their date, in the viewer's zone.
    const shown = (ms: number, zone: string) => {
      const full = formatInZone(ms, zone);
      return full.slice(0, 10) === formatInZone(Date.now(), zone).slice(0, 10) ? full.slice(11) : full.slice(0, 10);
    };
    const ctx = await browser.newContext();
    const agent = await ctx.newPage();
    await login(agent, 'alex@seller.example', agentPassword);
    await agent.waitForURL(`${base}/inbox`);
    const receivedAt = (h.gw.db.prepare("SELECT received_at AS t FROM messages WHERE subject = 'Refund please'").get() as { t: number }).t;
    const row = agent.locator('table.list tbody tr:has-text("Refund please")');
    expect(await row.innerText()).toContain(shown(receivedAt, 'UTC'));
    await agent.click('header a[data-account]');
    await agent.waitForURL(`${base}/account`);
    await agent.selectOption('select[name=timeZone]', 'Asia/Tokyo');
    await agent.click('button:has-text("Save time zone")');
    await agent.waitForURL(/\/account\?saved=zone/);
    expect(await agent.locator('[role=status]').innerText()).toContain('Time zone saved');
    await screenshot(agent, 'account');
    await agent.goto(`${base}/inbox`);
    expect(await row.innerText()).toContain(shown(receivedAt, 'Asia/Tokyo'));
    // The owner's pages stay in the gateway's zone (UTC here).
    await page.goto(`${base}/inbox`);
    expect(await page.locator('table.list tbody tr:has-text("Refund please")').innerText()).toContain(shown(receivedAt, 'UTC'));
    await ctx.close();
  });

  it("labels times on the conversation with the viewer's zone, and snoozes until a time given in that zone", async () => {
    // The agent chose Asia/Tokyo (UTC+9, no daylight saving) above.
    const ctx = await browser.newContext();
    const agent = await ctx.newPage();
    await login(agent, 'alex@seller.example', agentPassword);
    await agent.waitForURL(`${base}/inbox`);
    const m = h.gw.db.prepare("SELECT pair_id AS pairId, received_at AS t FROM messages WHERE subject = 'Refund please'").get() as {
      pairId: number;
      t: number;
    };
    expect(await agent.locator('table.list thead').innerText()).not.toContain('UTC');
    await agent.goto(`${base}/conversations/${m.pairId}`);
    const card = await agent.locator('article.message').first().innerText();
    expect(card).toContain(`${formatInZone(m.t, 'Asia/Tokyo')} Asia/Tokyo`);
    expect(card).not.toContain('UTC');
    // 09:00 in Tokyo tomorrow is 00:00 UTC tomorrow.
    const tomorrow = formatInZone(Date.now() + 2 * 86_400_000, 'Asia/Tokyo').slice(0, 10);
    await agent.fill('input[name=until]', `${tomorrow}T09:00`);
    await agent.click('button:has-text("Snooze")');
    await agent.waitForURL(`${base}/inbox`);
    const until = (h.gw.db.prepare('SELECT snoozed_until AS u FROM conversations WHERE pair_id = ?').get(m.pairId) as { u: number }).u;
    expect(new Date(until).toISOString()).toBe(`${tomorrow}T00:00:00.000Z`);
    await agent.goto(`${base}/conversations/${m.pairId}`);
    expect(await agent.locator('.conv-bar').innerText()).toContain(`snoozed until ${tomorrow} 09:00 Asia/Tokyo`);
    await ctx.close();
  });

  it("changes a user's own password after checking the current one, and logs their other sessions out", async () => {
    const other = await browser.newContext();
    const elsewhere = await other.newPage();
    await login(elsewhere, 'alex@seller.example', agentPassword);
    await elsewhere.waitForURL(`${base}/inbox`);
    const ctx = await browser.newContext();
    const agent = await ctx.newPage();
    await login(agent, 'alex@seller.example', agentPassword);
    await agent.goto(`${base}/account`);
    await agent.fill('input[name=current]', 'not my password');
    await agent.fill('input[name=password]', 'my own new password');
    await agent.click('button:has-text("Change password")');
    expect(await agent.locator('.error').innerText()).toContain('current password is wrong');
    await agent.fill('input[name=current]', agentPassword);
    await agent.fill('input[name=password]', 'my own new password');
    await agent.click('button:has-text("Change password")');
    await agent.waitForURL(/\/account\?saved=password/);
    // This browser stays logged in; the other one is out.
    await agent.goto(`${base}/inbox`);
    expect(agent.url()).toBe(`${base}/inbox`);
    await elsewhere.goto(`${base}/inbox`);
    expect(elsewhere.url()).toMatch(/\/login/);
    await other.close();
    await ctx.close();
  });
});

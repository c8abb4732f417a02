// An agent's store page in a real browser (usecases/store-rights.ts): no control to rename the store
// (its name is the From: buyers see), move its mail, or change its rules and assignment; and a POST
// the page does not offer, forged with the agent's own session and CSRF token, is refused with the
// admin's 403 page and changes nothing.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { launch, logIn, screenshot } from '../helpers/browser.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';

let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
let storeId: number;

beforeAll(async () => {
  h = await startHarness();
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  storeId = (await seedPair(h, { number: 'A-1' })).storeId;
  await new UserRepo(h.gw.db).create({ email: 'alex@seller.example', name: 'Alex Agent', role: 'agent', password: 'agent password 123', storeIds: [storeId] });
  browser = await launch();
  page = await browser.newPage();
  await logIn(page, base, 'alex@seller.example', 'agent password 123');
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.close();
});

describe("an agent and the store's identity", { timeout: 120_000 }, () => {
  it('shows the agent no rename, mailbox, rules or assignment control, only what they are and who changes them', async () => {
    await page.goto(`${base}/stores/${storeId}`);
    await expect.poll(() => page.locator('h1').textContent()).toContain('Acme Store');
    expect(await page.locator(`form[action="/stores/${storeId}"]`).count()).toBe(0);
    expect(await page.locator('input[name=name], input[name=mailbox]').count()).toBe(0);
    expect(await page.locator(`form[action="/stores/${storeId}/policy"], form[action="/stores/${storeId}/assignment"]`).count()).toBe(0);
    expect(await page.locator('[data-policy] input, [data-assignment] input').count()).toBe(0);
    expect(await page.locator('[data-store-identity]').textContent()).toContain('Only the owner renames the store');
    expect(await page.locator('[data-policy]').textContent()).toContain('Only the owner changes these.');
    await screenshot(page, 'store-rights-agent');
  });

  it("refuses a rename forged with the agent's own session and CSRF token, with the 403 page, and keeps the name", async () => {
    const csrf = await page.locator('input[name=_csrf]').first().inputValue();
    expect(csrf).not.toBe('');
    const forged = await page.request.post(`${base}/stores/${storeId}`, {
      form: { _csrf: csrf, name: 'Acme Refunds Desk', mailbox: 'support@acme.example' },
      headers: { origin: base, accept: 'text/html' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    const body = await forged.text();
    expect(body).toContain('Only the owner renames a store');
    expect(body).toMatch(/^<!DOCTYPE html>/);
    const policy = await page.request.post(`${base}/stores/${storeId}/policy`, {
      form: { _csrf: csrf, windowDays: '365', optOut: '' },
      headers: { origin: base, accept: 'text/html' },
      maxRedirects: 0,
    });
    expect(policy.status()).toBe(403);
    expect((await h.api('GET', `/api/v1/stores/${storeId}`)).body.name).toBe('Acme Store');
    expect((await h.api('GET', `/api/v1/stores/${storeId}/policy`)).body.windowDays).toBe(30);
    // The browser shows the same refusal inside the admin's frame.
    await page.goto(`${base}/webhooks`);
    expect(await page.locator('body').textContent()).toContain('Only the owner manages webhooks');
  });
});

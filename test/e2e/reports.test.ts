// The Reports page in a real browser on the hand-computed week of test/helpers/response-fixture.ts:
// the owner sees the figures and downloads the CSV; an agent sees only their store, answers a late
// conversation in the reply box and is counted for it; "No response needed" on a conversation
// leaves that clock out of the numbers.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, logIn, screenshot } from '../helpers/browser.js';
import { startHarness, type Harness } from '../helpers/gateway.js';
import { MessageRepo } from '../../src/store/messages.js';
import { seedResponseFixture, type ResponseFixture } from '../helpers/response-fixture.js';

let h: Harness;
let f: ResponseFixture;
let browser: Browser;
let owner: Page;
let agent: Page;
let base: string;

async function login(email: string, password: string): Promise<Page> {
  const p = await (await browser.newContext({ acceptDownloads: true, viewport: { width: 1366, height: 768 } })).newPage();
  await logIn(p, base, email, password);
  return p;
}

/** A row of a report table as its cells' text. */
async function row(p: Page, table: string, name: string): Promise<string[]> {
  return p
    .locator(`#${table} tbody tr`, { has: p.locator(`td:text-is("${name}")`) })
    .locator('td')
    .allInnerTexts();
}

beforeAll(async () => {
  h = await startHarness();
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  f = await seedResponseFixture(h.gw.db, Date.now());
  browser = await launch();
  owner = await login('olga@acme.example', f.passwords.owner);
  agent = await login('alex@acme.example', f.passwords.alex);
}, 120_000); // a gateway, two scrypt hashes, chromium and two logins on a shared 2-core machine
afterAll(async () => {
  await browser?.close();
  await h.close();
});

describe('the Reports page', () => {
  it('shows the owner the hand-computed figures for the last 7 days, per store, agent and category', async () => {
    await owner.click('header nav a:text-is("Reports")');
    await owner.waitForURL(`${base}/reports/response-times`);
    await owner.selectOption('select[name=days]', '7');
    await owner.click('form.filters button:has-text("Show")');
    await owner.waitForURL(/days=7/);
    const figure = (name: string) => owner.locator(`[data-figure="${name}"]`).innerText();
    expect(await figure('late-rate')).toBe('57.1 %'); // 4 of 7
    expect(await figure('average')).toBe('16 h 42 min'); // (4 + 30 + 2 + 47 + 0.5) / 5 h
    expect(await figure('median')).toBe('4 h');
    expect(await figure('not-needed')).toBe('1');
    expect(await figure('waiting')).toBe('1');
    // name, counted, late, late rate, average, median, no response needed, waiting
    expect(await row(owner, 'by-store', 'Acme Store')).toEqual(['Acme Store', '4', '2', '50 %', '12 h', '4 h', '1', '0']);
    expect(await row(owner, 'by-store', 'Birch Home')).toEqual(['Birch Home', '3', '2', '66.7 %', '23 h 45 min', '23 h 45 min', '0', '1']);
    expect(await row(owner, 'by-agent', 'Alex Agent')).toEqual(['Alex Agent', '2', '1', '50 %', '17 h', '17 h', '0', '0']);
    expect(await row(owner, 'by-category', 'Refund')).toEqual(['Refund', '2', '2', '100 %', '30 h', '30 h', '0', '0']);
    expect(await row(owner, 'volume-by-category', 'Buyer message')).toEqual(['Buyer message', '7']);
    expect(await owner.locator('svg.chart rect').count()).toBe(7);
    await screenshot(owner, 'reports');
    // On a 390 px phone the report's tables scroll inside themselves; the report never pushes the page wider.
    await owner.setViewportSize({ width: 390, height: 844 });
    expect(await owner.locator('section.report-page').evaluate((e) => e.scrollWidth <= e.ownerDocument.documentElement.clientWidth)).toBe(true);
    await screenshot(owner, 'reports-phone');
    await owner.setViewportSize({ width: 1366, height: 768 });
  });

  it('downloads the same figures as CSV', async () => {
    const [download] = await Promise.all([owner.waitForEvent('download'), owner.click('a:has-text("Download CSV")')]);
    expect(download.suggestedFilename()).toMatch(/^response-times-7d-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toBe(
      '"section","name","counted","late","late_rate","average_minutes","median_minutes","answered","no_response_needed","waiting","received","replies"',
    );
    expect(csv).toContain('"all","All","7","4","0.5714","1002","240","5","1","1","",""');
    expect(csv).toContain('"store","Acme Store","4","2","0.5","720","240","3","1","0","",""');
    expect(csv).toContain('"agent","help@birch.example (mail)","1","1","1","2820","2820","1","0","0","",""');
    expect(csv.filter((l) => l.startsWith('"day"'))).toHaveLength(7);
  });

  it('shows an agent only their store, and counts the late answer they send from the reply box', async () => {
    await agent.goto(`${base}/reports/response-times?days=7`);
    expect(await agent.locator('#by-store tbody tr').allInnerTexts()).toEqual([expect.stringContaining('Acme Store')]);
    expect(await agent.locator('select[name=storeId] option').allInnerTexts()).toEqual(['All my stores', 'Acme Store']);
    expect((await agent.request.get(`${base}/reports/response-times?storeId=${f.stores.birch}`)).status()).toBe(404);
    // Milo (P4) has waited 30 hours: the clock says so; Alex answers.
    await agent.goto(`${base}/conversations/${f.pairs.p4}`);
    await expect.poll(() => agent.locator('#response-clock').innerText()).toMatch(/late by 6 h/);
    await agent.fill('.reply textarea', 'Sorry for the wait, Milo: it ships today.');
    await agent.click('.reply button[name=after][value=""]');
    await expect.poll(() => agent.locator('#response-clock').innerText(), { timeout: 15_000 }).toMatch(/Answered in 30 h/);
    await agent.goto(`${base}/reports/response-times?days=7`);
    // Acme: P4's clock was already late while open; now it is a late answer, by Alex.
    expect(await row(agent, 'by-store', 'Acme Store')).toEqual(['Acme Store', '4', '2', '50 %', '16 h 30 min', '17 h', '1', '0']);
    expect((await row(agent, 'by-agent', 'Alex Agent')).slice(0, 4)).toEqual(['Alex Agent', '3', '2', '66.7 %']);
  });

  it('leaves a conversation marked "No response needed" out of the numbers', async () => {
    await owner.goto(`${base}/conversations/${f.pairs.p6}`);
    await expect.poll(() => owner.locator('#response-clock').innerText()).toMatch(/answer within 13 h/);
    await owner.click('#response-clock button:has-text("No response needed")');
    await expect.poll(() => owner.locator('#response-clock').innerText()).toMatch(/No response needed \(Olga Owner/);
    // Without the page's CSRF token the mark is refused.
    expect((await owner.request.post(`${base}/conversations/${f.pairs.p5}/no-response-needed`, { form: {} })).status()).toBe(403);
    await owner.goto(`${base}/reports/response-times?days=7&storeId=${f.stores.birch}`);
    expect(await row(owner, 'by-store', 'Birch Home')).toEqual(['Birch Home', '3', '2', '66.7 %', '23 h 45 min', '23 h 45 min', '1', '0']);
  });

  it('takes a conversation marked "No response needed" off the due clock in the inbox, until the buyer writes again', async () => {
    // P6 was marked in the test before (the others were answered).
    await owner.goto(`${base}/inbox`);
    const rowOf = (pairId: number) => owner.locator(`tr[data-pair-id="${pairId}"]`);
    await expect.poll(() => rowOf(f.pairs.p6).count()).toBe(1);
    expect(await rowOf(f.pairs.p6).locator('.due').count()).toBe(0);
    // "Due first" lists only what still waits for an answer.
    await owner.click('a:has-text("Due first")');
    await owner.waitForURL(/sort=due/);
    expect(await rowOf(f.pairs.p6).count()).toBe(0);
    // The buyer's next message starts the clock again.
    new MessageRepo(h.gw.db).insert({
      pairId: f.pairs.p6,
      storeId: f.stores.birch,
      critical: false,
      criticalToOptedOut: false,
      suspicious: false,
      autoSubmitted: false,
      direction: 'buyer_to_store',
      source: 'smtp',
      authorEmail: 'omar@buyer.example',
      permittedSenderId: null,
      subject: 'One more thing',
      originalMessageId: null,
      relayMessageId: `<again-${Date.now()}@relay.localhost>`,
      verdict: 'accept',
      findings: [],
      changes: [],
      raw: Buffer.from('x'),
      receivedAt: Date.now(),
    });
    await owner.goto(`${base}/inbox`);
    expect(await rowOf(f.pairs.p6).locator('.due').innerText()).toMatch(/due in 2[34] h/);
    await owner.goto(`${base}/inbox?sort=due`);
    expect(await rowOf(f.pairs.p6).count()).toBe(1);
  });
});

// The admin in a real headless browser (Debian's chromium driven by playwright-core) against the
// real gateway: set up the owner, read the inbox, filter it, open a conversation, reply and see the
// reply reach the SMTP sink masked, manage permitted senders, and hostile mail rendered inert.
import { tinyPdf } from '../helpers/files.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { htmxSettled, launch, logIn, screenshot } from '../helpers/browser.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
let pair: Awaited<ReturnType<typeof seedPair>>;
let other: Awaited<ReturnType<typeof seedPair>>;
const dialogs: string[] = [];
/** The start of a confirmation the test answers yes to (once). */
let expectedConfirm: string | null = null;

async function mail(from: string, to: string, subject: string, body: string, extraHeaders: string[] = []) {
  const c = await SmtpClient.connect(h.gw.smtpPort);
  const r = await c.send(from, [to], buildMessage({ from, to, subject, body, extraHeaders }));
  await c.quit();
  return r;
}

/** The page's CSRF token, as htmx sends it (from the body's hx-headers). */
async function csrfOf(p: Page): Promise<string> {
  const headers = await p.locator('body').getAttribute('hx-headers');
  return (JSON.parse(headers ?? '{}') as Record<string, string>)['X-CSRF-Token'] ?? '';
}

/** A tag's id, read from the tags page. */
async function tagId(p: Page, name: string): Promise<number> {
  const html = await (await p.request.get(`${base}/tags`)).text();
  const m = new RegExp(`data-tag-row="${name}"[\\s\\S]*?action="/tags/(\\d+)"`).exec(html);
  return Number(m?.[1]);
}

beforeAll(async () => {
  // The test client (127.0.0.1) stands in for the TLS proxy too: its X-Forwarded-Proto counts.
  h = await startHarness({ http: { port: 0, host: '127.0.0.1', trustedProxies: ['loopback'] } });
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  pair = await seedPair(h, { number: 'A-7001' });
  other = await seedPair(h, { slug: 'rival', storeName: 'Rival Goods', mailbox: 'help@rival.example', buyerEmail: 'bo@buyer.example', buyerName: 'Bo Lee' });
  await mail('jane@buyer.example', pair.address, 'Where is my kettle?', 'Hello, order A-7001 has not arrived.');
  await mail('bo@buyer.example', other.address, 'Refund please', 'The lamp is broken.');
  browser = await launch();
  page = await browser.newPage();
  page.on('dialog', (d) => {
    // Leaving a page with an unsent reply asks first (test/e2e/inbox.test.ts checks it): go on.
    if (d.type() === 'beforeunload') return void d.accept();
    if (expectedConfirm && d.type() === 'confirm' && d.message().startsWith(expectedConfirm)) {
      expectedConfirm = null;
      return void d.accept();
    }
    dialogs.push(d.message());
    void d.dismiss();
  });
  // A gateway, two mails and a browser: past vitest's 30 s hook default at load ~27 (round 25).
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.close();
});

describe('the admin in a browser', () => {
  it('creates the owner from the one-time setup link and lands in the inbox', async () => {
    expect(h.gw.setupUrl).toMatch(/\/setup\?token=/);
    const setup = new URL(h.gw.setupUrl!);
    await page.goto(`${base}${setup.pathname}${setup.search}`);
    await page.fill('input[name=name]', 'Olivia Owner');
    await page.fill('input[name=email]', 'olivia@seller.example');
    await page.fill('input[name=password]', 'correct horse battery staple');
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/inbox`);
    expect(await page.title()).toBe('(2) Inbox · maskgate');
    const rows = page.locator('table.list tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await page.locator('tr.unread').count()).toBe(2);
    await screenshot(page, 'inbox');
    // The link works once.
    const again = await page.request.get(`${base}${setup.pathname}${setup.search}`);
    expect(again.status()).toBe(404);
  });

  it('filters by store and by search, with the filter in the URL', async () => {
    await page.click('aside a[data-store]:has-text("Rival Goods")');
    await page.waitForURL(/store=\d+/);
    expect(await page.locator('table.list tbody tr').allInnerTexts()).toEqual([expect.stringContaining('Refund please')]);
    await page.goto(`${base}/inbox`);
    await page.fill('input[name=q]', 'A-7001');
    await page.press('input[name=q]', 'Enter');
    await page.waitForURL(/q=A-7001/);
    await expect.poll(() => page.locator('table.list tbody tr').allInnerTexts()).toEqual([expect.stringContaining('Where is my kettle?')]);
    // A range of days: today holds both messages, a range in the past none.
    const today = new Date().toISOString().slice(0, 10);
    await page.goto(`${base}/inbox?from=${today}&to=${today}`);
    expect(await page.locator('table.list tbody tr').count()).toBe(2);
    await page.goto(`${base}/inbox?from=2020-01-01&to=2020-01-31`);
    expect(await page.locator('#results').innerText()).toContain('No conversations match.');
  });

  it('sorts messages into categories by rule, shows the response clock, and re-categorises by hand', async () => {
    await page.goto(`${base}/inbox`);
    await page.click('aside a[data-category="refund"]');
    await page.waitForURL(/category=refund/);
    const rows = page.locator('table.list tbody tr');
    expect(await rows.allInnerTexts()).toEqual([expect.stringContaining('Refund please')]);
    expect(await rows.first().locator('.due').innerText()).toMatch(/^due in 2[34] h$/);
    await rows.first().locator('a').click();
    await page.waitForURL(/\/conversations\/\d+/);
    // Wait for the server's answer, not only the select's value: leaving the page first would cut
    // the htmx request short (this raced under load).
    await Promise.all([
      page.waitForResponse((r) => /\/messages\/\d+\/category$/.test(r.url()) && r.request().method() === 'POST' && r.ok()),
      page.selectOption('article.message select[name=category]', 'a_to_z_claim'),
    ]);
    await page.goto(`${base}/inbox?category=a_to_z_claim&sort=due`);
    expect(await page.locator('table.list tbody tr .due').first().innerText()).toMatch(/^due in 4[78] h$/);
  });

  it('opens a conversation, replies with a template once on a double click, and the buyer gets it masked', async () => {
    await page.goto(`${base}/templates`);
    await page.fill('.template-editor input[name=name]', 'Shipping update');
    await page.fill('.template-editor input[name=subject]', 'Your order {{order.number}}');
    await page.fill('.template-editor textarea', 'Hi {{buyer.name | there}}, your {{order.items}} ships today. {{store.name}}');
    await page.click('button:has-text("Add template")');
    await page.waitForURL(`${base}/templates`);
    expect(await page.locator('table.list').innerText()).toContain('Shipping update');
    await page.goto(`${base}/inbox`);
    await page.click('text=Where is my kettle?');
    await page.waitForURL(/\/conversations\/\d+/);
    expect(await page.locator('article.message').count()).toBe(1);
    expect(await page.locator('.order-number').innerText()).toBe('A-7001');
    await page.selectOption('select[name=template]', { label: 'Shipping update' });
    await expect.poll(() => page.locator('.reply textarea').inputValue()).toBe('Hi Jane Doe, your Kettle ×1 ships today. Acme Store');
    expect(await page.locator('.reply input[name=subject]').inputValue()).toBe('Your order A-7001');
    await screenshot(page, 'conversation');
    await page.dblclick('.reply button:has-text("Send and mark processed")');
    await expect.poll(() => page.locator('article.message').count(), { timeout: 10_000 }).toBe(2);
    const delivered = await h.sink!.waitFor(3); // two buyer messages to the stores, then the reply
    const toBuyer = delivered.filter((m) => m.to.includes('jane@buyer.example'));
    await new Promise((r) => setTimeout(r, 500));
    expect(h.sink!.messages.filter((m) => m.to.includes('jane@buyer.example'))).toHaveLength(1);
    const raw = toBuyer[0]!.raw.toString();
    expect(raw).toContain('ships today');
    expect(raw).not.toContain('support@acme.example');
    expect(raw).toMatch(new RegExp(`^From: .*Acme Store.*<${pair.address}>`, 'm'));
    expect(await page.locator('.conv-bar .conv-status').innerText()).toBe('Processed');
  });

  it('sends an attachment with a reply, and refuses a program dressed as a PDF, keeping the text', async () => {
    await page.goto(`${base}/inbox?q=Refund`);
    await page.locator('table.list tbody tr a').first().click();
    await page.waitForURL(/\/conversations\/\d+/);
    await page.fill('.reply textarea', 'Here is the label for the return.');
    await page.setInputFiles('.reply input[type=file]', {
      name: 'label.pdf',
      mimeType: 'application/pdf',
      buffer: await tinyPdf(),
    });
    const before = h.sink!.messages.length;
    await page.click('.reply button[name=after][value=""]');

    await expect.poll(() => h.sink!.messages.length, { timeout: 10_000 }).toBe(before + 1);
    const sent = h.sink!.messages[before]!.raw.toString();
    expect(sent).toMatch(/filename="?label\.pdf/);
    expect(h.sink!.messages[before]!.to).toEqual(['bo@buyer.example']);

    // The page reloads after a sent reply (HX-Refresh); start from a fresh load.
    await expect.poll(() => page.locator('article.message').count()).toBe(2);
    await page.goto(page.url());
    await page.fill('.reply textarea', 'And the tool you asked for.');
    await page.setInputFiles('.reply input[type=file]', {
      name: 'manual.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 1)]),
    });
    await page.click('.reply button[name=after][value=""]');
    await expect.poll(() => page.locator('.reply [role=alert]').innerText()).toMatch(/Not sent: attachment "manual.pdf" refused/);
    expect(await page.locator('.reply textarea').inputValue()).toBe('And the tool you asked for.');
    expect(h.sink!.messages.length).toBe(before + 1);
  });

  it('warns while typing about banned words and links, before anything is sent', async () => {
    await h.api('POST', '/api/v1/banned-words', { word: 'cheap' });
    await page.goto(`${base}/inbox?q=Refund`);
    await page.locator('table.list tbody tr a').first().click();
    await page.waitForURL(/\/conversations\/\d+/);
    await page.fill('.reply textarea', 'A cheap fix: see https://evil.example/fix');
    await expect.poll(() => page.locator('#draft-warnings').innerText()).toContain('Banned words: cheap');
    expect(await page.locator('#draft-warnings').innerText()).toContain('Links to evil.example will be replaced by [link removed].');
    await screenshot(page, 'live-check');
    await page.fill('.reply textarea', 'We will refund you today.');
    await expect.poll(() => page.locator('#draft-warnings').innerText()).toBe('');
    await h.api('DELETE', `/api/v1/banned-words/${(await h.api('GET', '/api/v1/banned-words')).body.items[0].id}`);
  });

  it('works from the keyboard: j/k to move, e to mark processed, Enter to open, ? for help', async () => {
    // The page's clock from here on lets time flow as usual, and the test moves it on to the next
    // live refresh instead of waiting up to its 5 s (test/e2e/inbox.test.ts afterRefresh).
    await page.context().clock.install();
    await page.goto(`${base}/inbox?view=all`);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const first = page.locator('table.list tbody tr').first();
    expect(await first.getAttribute('class')).toContain('current');
    // The list's live refresh (every 5 s) keeps the keyboard's current row current: bring one on
    // (its request, then the page's own handling of the answer), not a fixed 7 s.
    const list = page.url();
    const refreshed = page.waitForEvent('requestfinished', { predicate: (r) => r.url() === list && r.headers()['hx-request'] === 'true', timeout: 15_000 });
    await page.context().clock.fastForward(5_000);
    await refreshed;
    await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
    expect(await first.getAttribute('class')).toContain('current');
    const id = await first.getAttribute('data-pair-id');
    await page.keyboard.press('e');
    await page.waitForURL(/done=1/);
    expect(await page.locator(`tr[data-pair-id="${id}"] select[name=status]`).inputValue()).toBe('processed');
    await page.keyboard.press('?');
    expect(await page.locator('dialog#help').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/conversations\/\d+/);
  });

  it('marks conversations in bulk: the selected rows, or everything matching the filter', async () => {
    await page.goto(`${base}/inbox?q=Refund`);
    await page.selectOption('select[name=action]', 'status:open');
    await page.click('button:has-text("Apply to all 1 matching this filter")');
    await page.waitForURL(/done=1/);
    expect(await page.locator('[role=status]').innerText()).toBe('1 conversation(s) updated.');
    expect(await page.locator('table.list tbody tr select[name=status]').first().inputValue()).toBe('open');
    await page.goto(`${base}/inbox?view=all`);
    const rows = page.locator('table.list tbody tr');
    const count = await rows.count();
    await rows
      .nth(count - 1)
      .locator('input[type=checkbox]')
      .check();
    await page.selectOption('select[name=action]', 'status:follow_up');
    await page.click('button:has-text("Apply to selected")');
    await page.waitForURL(/done=1/);
    await page.goto(`${base}/inbox?view=all&status=follow_up`);
    expect(await page.locator('table.list tbody tr').count()).toBe(1);
    await screenshot(page, 'inbox-follow-up');
    // A mark from the conversation, asked first; "replied on platform" is final.
    await page.locator('table.list tbody tr a').first().click();
    await page.waitForURL(/\/conversations\/\d+/);
    const conversationUrl = page.url();
    expectedConfirm = 'Mark replied on platform?';
    await page.click('.conv-bar button:has-text("Replied on platform")');
    await page.waitForURL(conversationUrl);
    await expect.poll(() => page.locator('.conv-bar .conv-status').innerText()).toBe('Replied on platform');
    expect(await page.locator('.conv-bar button[name=status]').count()).toBe(0);
  });

  it('tags a message up to the limit of two, keeps notes, and reports it to the owner', async () => {
    await page.goto(`${base}/tags`);
    for (const [name, colour] of [
      ['urgent', 'red'],
      ['vip', 'purple'],
      ['later', 'grey'],
    ] as const) {
      await page.fill('input[aria-label="New tag name"]', name);
      await page.selectOption('form[action="/tags"] select[name=colour]', colour);
      await page.click('button:has-text("Add tag")');
      await page.waitForURL(`${base}/tags`);
    }
    // Rename and recolour one.
    const later = page.locator('tr[data-tag-row="later"]');
    await later.locator('input[name=name]').fill('someday');
    await later.locator('select[name=colour]').selectOption('teal');
    await later.locator('button:has-text("Save")').click();
    await page.waitForURL(`${base}/tags`);
    expect(await page.locator('.tag.c-teal').innerText()).toBe('someday');

    await page.goto(`${base}/inbox?q=Refund`);
    await page.locator('table.list tbody tr a').first().click();
    await page.waitForURL(/\/conversations\/\d+/);
    const card = page.locator('article.message.buyer_to_store').first();
    await card.locator('select[name=tagId]').selectOption({ label: 'urgent' });
    await expect.poll(() => card.locator('.tag').count(), { timeout: 10_000 }).toBe(1);
    // The card's tag row is swapped with its select: choose in the one that stays.
    await htmxSettled(page);
    await card.locator('select[name=tagId]').selectOption({ label: 'vip' });
    await expect.poll(() => card.locator('.tag').count(), { timeout: 10_000 }).toBe(2);
    expect(await card.locator('.add-tag').count()).toBe(0); // the add control is gone at two
    const messageId = await card.getAttribute('data-message-id');
    const third = await page.request.post(`${base}/messages/${messageId}/tags`, {
      headers: { 'x-csrf-token': await csrfOf(page), 'hx-request': 'true' },
      form: { tagId: String(await tagId(page, 'someday')) },
    });
    expect(third.status()).toBe(409);
    await page.reload();
    expect(await page.locator('article.message.buyer_to_store').first().locator('.tag').count()).toBe(2);
    await screenshot(page, 'tags');

    await page.fill('textarea[aria-label="Internal note"]', 'Customer called; refund approved by Sam.');
    await page.click('button:has-text("Add note")');
    await expect.poll(() => page.locator('#notes').innerText()).toContain('refund approved by Sam');

    await page.locator('article.message.buyer_to_store').first().locator('summary:has-text("Report this message")').click();
    await page.fill('input[aria-label=Reason]', 'Abusive language');
    await page.click('button:has-text("Report")');
    await expect.poll(() => page.locator('article.message.buyer_to_store').first().innerText()).toContain('reported');
    await page.goto(`${base}/reports`);
    expect(await page.locator('table.list').innerText()).toContain('Abusive language');

    // The inbox filters by tag.
    await page.goto(`${base}/inbox`);
    await page.click('aside a[data-tag-filter="vip"]');
    await page.waitForURL(/tag=\d+/);
    expect(await page.locator('table.list tbody tr').allInnerTexts()).toEqual([expect.stringContaining('Refund please')]);

    // Deleting a tag takes it off every message.
    await page.goto(`${base}/tags`);
    expectedConfirm = 'Delete the tag';
    await page.locator('tr[data-tag-row="vip"] button:has-text("Delete")').click();
    await page.waitForURL(`${base}/tags`);
    expect(await page.locator('tr[data-tag-row="vip"]').count()).toBe(0);
    expect(h.gw.db.prepare("SELECT count(*) AS n FROM message_tags mt JOIN tags t ON t.id = mt.tag_id WHERE t.name = 'vip'").get()).toEqual({ n: 0 });
  });

  it('adds a store, and a permitted sender that it then blocks, so mail from it is refused', async () => {
    await page.goto(`${base}/stores`);
    await page.fill('input[aria-label="Store name"]', 'Third Shop');
    await page.fill('input[aria-label=Slug]', 'third');
    await page.fill('input[aria-label=Mailbox]', 'hello@third.example');
    await page.click('button:has-text("Add store")');
    await page.waitForURL(/\/stores\/\d+$/);
    expect(await page.locator('tr[data-sender="hello@third.example"]').innerText()).toContain('enabled');
    await page.goto(`${base}/stores`);
    expect(await page.locator('table.list').innerText()).toMatch(/Acme Store[\s\S]*mail has arrived[\s\S]*Third Shop[\s\S]*no mail yet/);

    await page.goto(`${base}/stores/${pair.storeId}`);
    await page.fill('input[name=email]', 'temp@acme.example');
    await page.click('button:has-text("Add permitted sender")');
    await expect.poll(() => page.locator('tr[data-sender="temp@acme.example"]').innerText()).toContain('enabled');
    const ok = await mail('temp@acme.example', pair.address, 'Order A-7001', 'Shipping now.');
    expect(ok.reply.code).toBe(250);
    expectedConfirm = 'Block this permitted sender?';
    await page.click('tr[data-sender="temp@acme.example"] button:has-text("Block")');
    await expect.poll(() => page.locator('tr[data-sender="temp@acme.example"]').innerText()).toContain('blocked');
    // Its domain's readiness and submission app passwords: issued (shown once) and revoked.
    const row = page.locator('tr[data-sender="temp@acme.example"]');
    await page.click('tr[data-sender="temp@acme.example"] button:has-text("Enable")');
    await expect.poll(() => row.locator('.readiness').innerText()).toMatch(/SPF ✓.*DKIM ✗.*DMARC ✗/s);
    await row.locator('input[aria-label="App password label"]').fill('Outlook at the desk');
    await row.locator('button:has-text("Issue app password")').click();
    await expect.poll(() => row.locator('code.app-password').count(), { timeout: 10_000 }).toBe(1); // scrypt runs first
    const password = await row.locator('code.app-password').innerText();
    expect(password).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){5}$/);
    await screenshot(page, 'permissions');
    await page.reload();
    expect(await page.content()).not.toContain(password);
    expectedConfirm = 'Revoke this app password?';
    await row.locator('button:has-text("Revoke")').click();
    await expect.poll(() => row.locator('.creds').innerText()).toContain('revoked');
    expectedConfirm = 'Block this permitted sender?';
    await page.click('tr[data-sender="temp@acme.example"] button:has-text("Block")');
    await expect.poll(() => row.innerText()).toContain('blocked');
    const refused = await mail('temp@acme.example', pair.address, 'Order A-7001', 'Another one.');
    expect(refused.reply.code).toBe(550);
    expect(refused.reply.text).toMatch(/blocked/);
    // Remove: one that wrote stays on record, blocked; one that never wrote is gone.
    expectedConfirm = 'Remove this permitted sender?';
    await row.locator('button:has-text("Remove")').click();
    await expect.poll(() => page.locator('[role=status]').innerText()).toContain('has written to buyers, so it stays on record, blocked');
    await htmxSettled(page);
    await page.fill('input[aria-label="New permitted sender"]', 'typo@acme.example');
    await page.click('button:has-text("Add permitted sender")');
    expectedConfirm = 'Remove this permitted sender?';
    await page.locator('tr[data-sender="typo@acme.example"] button:has-text("Remove")').click();
    await expect.poll(() => page.locator('[role=status]').innerText()).toBe('typo@acme.example was removed.');
    expect(await page.locator('tr[data-sender="typo@acme.example"]').count()).toBe(0);
  });

  it('renders script and markup in a subject and body inert', async () => {
    const payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    const html = `<p>Hi</p><script>alert(3)</script><img src="https://tracker.example/p.gif" onerror="alert(4)"><a href="javascript:alert(5)">x</a>`;
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const raw = [
      'From: jane@buyer.example',
      `To: ${pair.address}`,
      `Subject: ${payload}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary=b1',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `plain ${payload}`,
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      html,
      '--b1--',
    ].join('\r\n');
    expect((await c.send('jane@buyer.example', [pair.address], raw)).reply.code).toBe(250);
    await c.quit();
    await page.goto(`${base}/inbox`);
    expect(await page.locator('table.list tbody tr').first().innerText()).toContain('<script>alert(2)</script>');
    await page.locator('table.list tbody tr').first().locator('a').click();
    await page.waitForURL(/\/conversations\/\d+/);
    await page.locator('details summary:has-text("Formatted version")').last().click();
    const frame = page.locator('iframe').last();
    expect(await frame.getAttribute('sandbox')).toBe('');
    await page.waitForTimeout(500);
    await screenshot(page, 'hostile-mail');
    expect(dialogs).toEqual([]);
    const body = await page.request.get(`${base}${await frame.getAttribute('src')}`);
    const text = await body.text();
    expect(text).not.toMatch(/<script|onerror|javascript:|tracker\.example/i);
    expect(body.headers()['content-security-policy']).toContain("default-src 'none'");
  });
});

describe("the owner's settings", () => {
  it('bans a word for one store (staff mail with it is then refused) and adds a category rule', async () => {
    await page.goto(`${base}/settings`);
    await page.fill('input[aria-label="Banned word"]', 'bargain bin');
    await page.selectOption('select[aria-label=For]', { label: 'Acme Store' });
    await page.click('button:has-text("Add banned word")');
    await page.waitForURL(`${base}/settings`);
    expect(await page.locator('tr[data-word="bargain bin"]').innerText()).toContain('Acme Store');
    const refused = await mail('support@acme.example', pair.address, 'Order A-7001', 'Everything from the Bargain Bin ships free.');
    expect(refused.reply.code).toBe(550);
    expect(refused.reply.text).toContain('bargain bin');

    const patterns = page.locator('input[aria-label=Pattern]');
    const firstEmpty = (await patterns.count()) - 3;
    await patterns.nth(firstEmpty).fill('damaged');
    await page.locator('select[aria-label=Category]').nth(firstEmpty).selectOption('refund');
    await page.click('button:has-text("Save rules")');
    await expect.poll(() => page.locator('[role=status]').innerText()).toMatch(/^Saved 11 rule\(s\)/);
    await mail('jane@buyer.example', pair.address, 'Box arrived damaged', 'See photo.');
    await page.goto(`${base}/inbox?category=refund&q=damaged`);
    expect(await page.locator('table.list tbody tr').allInnerTexts()).toEqual([expect.stringContaining('Box arrived damaged')]);

    await page.goto(`${base}/settings`);
    expectedConfirm = 'Remove the banned word';
    await page.locator('tr[data-word="bargain bin"] button:has-text("Remove")').click();
    await page.waitForURL(`${base}/settings`);
    expect(await page.locator('tr[data-word="bargain bin"]').count()).toBe(0);
  });
});

describe('notification rules', () => {
  it('adds a rule for a night window and deletes it', async () => {
    await page.goto(`${base}/notifications`);
    await page.selectOption('select[aria-label=Category]', 'a_to_z_claim');
    await page.fill('input[aria-label=From]', '22:00');
    await page.fill('input[aria-label=To]', '06:00');
    await page.click('button:has-text("Add rule")');
    await page.waitForURL(`${base}/notifications`);
    const row = page.locator('table.list tr').first();
    expect(await row.innerText()).toMatch(/Olivia Owner\s+A-to-z claim\s+any store\s+Mon Tue Wed Thu Fri\s+22:00–06:00/);
    expectedConfirm = 'Delete this notification rule?';
    await row.locator('button:has-text("Delete")').click();
    await page.waitForURL(`${base}/notifications`);
    expect(await page.locator('table.list tr').count()).toBe(0);
  });
});

describe("the owner's operational pages", () => {
  it('lists deliveries with buyers shown only by alias, and the DNS records with whether they are live', async () => {
    await page.goto(`${base}/outbox`);
    const table = await page.locator('table.list').innerText();
    expect(table).toContain(`buyer ${pair.address}`);
    expect(table).toContain('support@acme.example'); // the store's own mailbox may be shown
    expect(await page.content()).not.toContain('jane@buyer.example');
    await page.locator(`table.list tr:has-text("buyer ${pair.address}") a`).first().click();
    await page.waitForURL(/\/outbox\/\d+$/);
    expect(await page.content()).not.toContain('jane@buyer.example');
    expect(await page.locator('pre.source').textContent()).toContain(pair.address);
    await screenshot(page, 'outbox-item');
    await page.goto(`${base}/dns`);
    expect(await page.locator('tr[data-record="MX relay.localhost"]').innerText()).toContain('missing or different');
    expect(await page.locator('tr[data-record^="TXT maskgate._domainkey"]').innerText()).toMatch(/v=DKIM1; k=rsa; p=/);
    // The doctor's checks load into the same page: what is wrong says what to do.
    await page.locator('[data-doctor-summary]').waitFor();
    expect(await page.locator('[data-doctor-summary]').innerText()).toMatch(/^\d+ checks? to fix$/);
    expect(await page.locator('tr[data-check="MX"]').innerText()).toMatch(/✗\s+MX\s+relay\.localhost has no MX pointing at localhost: publish/);
    expect(await page.locator('tr[data-check="Smarthost"]').innerText()).toMatch(/✓\s+Smarthost\s+127\.0\.0\.1:\d+ is reachable/);
    expect(await page.locator('tr[data-check="Database"]').innerText()).toMatch(/✓\s+Database\s+integrity check passed/);
    expect(await page.locator('tr[data-check]').count()).toBe(11);
    await screenshot(page, 'dns');
  });
});

describe('access control and CSRF (server side)', () => {
  it('keeps an agent to their own stores, by list and by URL', async () => {
    const users = new UserRepo(h.gw.db);
    await users.create({ email: 'alex@seller.example', name: 'Alex Agent', role: 'agent', password: 'agent password 123', storeIds: [other.storeId] });
    const agent = await browser.newContext();
    const p = await agent.newPage();
    await logIn(p, base, 'alex@seller.example', 'agent password 123');
    const text = await p.locator('table.list').innerText();
    expect(text).toContain('Refund please');
    expect(text).not.toContain('kettle');
    const pairA = (await h.api('GET', `/api/v1/pairs/${pair.alias}`)).body.id;
    expect(pairA).toEqual(expect.any(Number));
    expect((await page.request.get(`${base}/conversations/${pairA}`)).status()).toBe(200); // the owner sees it
    expect((await p.request.get(`${base}/conversations/${pairA}`)).status()).toBe(404);
    // …and by the endpoints the pages call: a message of store A cannot be read or changed.
    const messageA = (await h.api('GET', `/api/v1/messages?alias=${pair.alias}&direction=buyer_to_store`)).body.items[0].id;
    await p.goto(`${base}/inbox`);
    const agentCsrf = await csrfOf(p);
    expect((await p.request.get(`${base}/messages/${messageA}/body`)).status()).toBe(404);
    for (const path of [`/messages/${messageA}/status`, `/messages/${messageA}/tags`, `/messages/${messageA}/category`, `/conversations/${pairA}/notes`]) {
      const r = await p.request.post(`${base}${path}`, {
        headers: { 'x-csrf-token': agentCsrf },
        form: { status: 'processed', tagId: '1', category: 'refund', body: 'x' },
      });
      expect(r.status(), path).toBe(404);
    }
    const bulk = await p.request.post(`${base}/inbox/bulk`, {
      headers: { 'x-csrf-token': agentCsrf },
      form: { scope: 'selected', action: 'status:processed', ids: String(pairA) },
      maxRedirects: 0,
    });
    expect(bulk.headers()['location']).toContain('done=0');
    expect((await p.request.get(`${base}/stores/${pair.storeId}`)).status()).toBe(404);
    expect((await p.request.get(`${base}/outbox`)).status()).toBe(403);
    expect((await p.request.get(`${base}/reports`)).status()).toBe(403);
    expect((await p.request.get(`${base}/dns/doctor`)).status()).toBe(403);
    await agent.close();
  });

  it('refuses a state change without the CSRF token or from another origin', async () => {
    const pairA = (await h.api('GET', `/api/v1/pairs/${pair.alias}`)).body.id;
    const before = h.sink!.messages.length;
    const noToken = await page.request.post(`${base}/conversations/${pairA}/reply`, {
      form: { subject: 'x', text: 'forged', key: 'f'.repeat(32) },
    });
    expect(noToken.status()).toBe(403);
    const csrf = await csrfOf(page);
    const crossSite = await page.request.post(`${base}/conversations/${pairA}/reply`, {
      headers: { origin: 'https://evil.example' },
      form: { _csrf: csrf, subject: 'x', text: 'forged', key: 'e'.repeat(32) },
    });
    expect(crossSite.status()).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.sink!.messages.length).toBe(before);
  });

  it('sets the session cookie HttpOnly and SameSite, and Secure behind a TLS proxy', async () => {
    const plain = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=olivia%40seller.example&password=correct+horse+battery+staple',
    });
    const cookie = plain.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^mg_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const proxied = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
      body: 'email=olivia%40seller.example&password=correct+horse+battery+staple',
    });
    expect(proxied.headers.get('set-cookie')).toMatch(/Secure/);
    // Only the cookie's SHA-256 is stored.
    const token = /^mg_session=([^;]+)/.exec(cookie)![1]!;
    expect(h.gw.db.prepare('SELECT count(*) AS n FROM sessions WHERE token_sha256 = ?').get(token)).toEqual({ n: 0 });
  });

  it('is usable on a phone: no sideways scrolling on the inbox and the conversation', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await page.context().storageState() });
    const p = await phone.newPage();
    for (const path of ['/inbox', `/conversations/${(await h.api('GET', `/api/v1/pairs/${pair.alias}`)).body.id}`]) {
      await p.goto(`${base}${path}`);
      expect(await p.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1'), path).toBe(true);
    }
    await screenshot(p, 'phone-conversation');
    await phone.close();
  });

  it('slows down password guessing and logs out everywhere', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(`${base}/login`);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await p.request.post(`${base}/login`, { form: { email: 'olivia@seller.example', password: `guess-${i}` }, maxRedirects: 0 });
      statuses.push(r.status());
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    await ctx.close();
    const csrf = await csrfOf(page);
    const out = await page.request.post(`${base}/logout-everywhere`, { form: { _csrf: csrf }, maxRedirects: 0 });
    expect(out.status()).toBe(303);
    const after = await page.request.get(`${base}/inbox`, { maxRedirects: 0 });
    expect(after.status()).toBe(303);
    expect(after.headers()['location']).toMatch(/^\/login/);
  });
});

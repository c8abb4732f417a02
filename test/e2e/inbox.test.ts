// The support team's day in a real browser (Debian's chromium via playwright-core) against the real
// gateway: conversations as rows, bulk work on exactly the filter shown, received files listed and
// downloaded safely, the order a template fills, reading without writing, status, assignment,
// snooze, drafts, live refresh, two agents on one conversation, and the pages on a phone and a
// laptop screen.
import { TINY_PNG, tinyPdf } from '../helpers/files.js';
import { simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TagRepo } from '../../src/store/tags.js';
import { UserRepo } from '../../src/store/users.js';
import { ConversationRepo } from '../../src/store/conversations.js';
import { ARTIFACTS, htmxSettled, launch, logIn, screenshot } from '../helpers/browser.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';

let h: Harness;
let browser: Browser;
let owner: BrowserContext;
let page: Page;
let base: string;
let acme: Awaited<ReturnType<typeof seedPair>>;
const dialogs: string[] = [];

async function mail(from: string, to: string, m: SendMailOptions): Promise<void> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: h.gw.smtpPort, secure: false, ignoreTLS: true });
  try {
    await t.sendMail({ envelope: { from, to: [to] }, from, to, ...m });
  } finally {
    t.close();
  }
}

const db = () => h.gw.db;
const NO_SIDEWAYS = 'document.documentElement.scrollWidth <= window.innerWidth + 1';
const pairIdOf = (alias: string) => (db().prepare('SELECT id FROM pairs WHERE token = ?').get(alias) as { id: number }).id;
const unreadOf = (pairId: number) => (db().prepare('SELECT unread FROM conversations WHERE pair_id = ?').get(pairId) as { unread: number }).unread;
const statusOf = (pairId: number) => (db().prepare('SELECT status FROM conversations WHERE pair_id = ?').get(pairId) as { status: string }).status;

async function login(ctx: BrowserContext, email: string, password: string): Promise<Page> {
  const p = await ctx.newPage();
  p.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void (d.type() === 'beforeunload' ? d.accept() : d.dismiss());
  });
  await logIn(p, base, email, password);
  return p;
}

/** The live refresh's interval on the inbox and conversation pages (POLL_MS in routes-inbox.tsx, routes-conversation.tsx). */
const LIVE_MS = 5_000;

/**
 * Polls until `read()` holds `text`, moving the context's clock (`clock.install()`, which lets time
 * flow as usual otherwise) on by one live-refresh interval between reads: the page's refresh timer
 * fires at once instead of after up to 5 s of waiting. The refresh itself (its request, the
 * server's answer, the swap) is the real one.
 */
async function afterRefresh(ctx: BrowserContext, read: () => Promise<string>, text: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const now = await read();
        if (!now.includes(text)) await ctx.clock.fastForward(LIVE_MS);
        return now;
      },
      { timeout: 15_000 },
    )
    .toContain(text);
}

const buyers = ['rug', 'lamp', 'vase', 'chair', 'table'];

beforeAll(async () => {
  h = await startHarness();
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  acme = await seedPair(h, { number: 'A-100', buyerEmail: 'jane@buyer.example', buyerName: 'Jane Doe' });
  for (const [i, item] of buyers.entries()) {
    const p = await seedPair(h, { number: `B-${i}`, buyerEmail: `${item}@buyer.example`, buyerName: `Buyer ${item}` });
    await mail(`${item}@buyer.example`, p.address, { subject: `About the ${item}`, text: `Hello, my ${item} order B-${i}.` });
  }
  await mail('jane@buyer.example', acme.address, { subject: 'Where is my kettle?', text: 'Hello, order A-100 has not arrived.' });
  await new UserRepo(db()).create({ email: 'olivia@seller.example', name: 'Olivia Owner', role: 'owner', password: 'owner password 123' });
  await new UserRepo(db()).create({
    email: 'alex@seller.example',
    name: 'Alex Agent',
    role: 'agent',
    password: 'agent password 123',
    storeIds: [acme.storeId],
  });
  browser = await launch();
  owner = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  page = await login(owner, 'olivia@seller.example', 'owner password 123');
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.close();
});

describe('the inbox lists conversations', () => {
  it('shows one row per conversation with its latest message and unread count', async () => {
    const pairId = pairIdOf(acme.alias);
    await mail('jane@buyer.example', acme.address, { subject: 'Re: Where is my kettle?', text: 'Any news?' });
    await page.goto(`${base}/inbox`);
    const row = page.locator(`tr[data-pair-id="${pairId}"]`);
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toContain('Re: Where is my kettle?');
    expect(await row.locator('.badge.count').innerText()).toBe('2');
    expect(await page.locator('table.list tbody tr').count()).toBe(6);
  });
});

describe('bulk actions act on exactly the filter shown', () => {
  it('marks read only the one conversation a search typed into the filter bar shows', async () => {
    await page.goto(`${base}/inbox`);
    expect(await page.locator('table.list tbody tr.unread').count()).toBe(6);
    // Type the filter (htmx swaps the rows, the bulk bar and the sidebar), not a URL.
    await page.fill('input[name=q]', 'rug');
    await page.press('input[name=q]', 'Enter');
    await expect.poll(() => page.locator('table.list tbody tr').count()).toBe(1);
    expect(await page.locator('table.list tbody tr').innerText()).toContain('About the rug');
    // The sidebar links carry the new filter too.
    expect(await page.locator('aside a[data-status="open"]').getAttribute('href')).toContain('q=rug');
    await htmxSettled(page); // the bulk bar is swapped with the rows: choose in the one that stays
    await page.selectOption('select[name=action]', 'read');
    await page.click('button:has-text("Apply to all 1 matching this filter")');
    await page.waitForURL(/done=1/);
    expect(await page.locator('[role=status]').innerText()).toBe('1 conversation(s) updated.');
    const unread = db().prepare('SELECT count(*) AS n FROM conversations WHERE unread > 0').get() as { n: number };
    expect(unread.n).toBe(5);
  });

  it('asks first for a final mark, saying how many conversations and which filter', async () => {
    await page.goto(`${base}/inbox`);
    await page.fill('input[name=q]', 'vase');
    await page.press('input[name=q]', 'Enter');
    await expect.poll(() => page.locator('table.list tbody tr').count()).toBe(1);
    await htmxSettled(page);
    await page.selectOption('select[name=action]', 'status:replied_on_platform');
    await page.click('button:has-text("matching this filter")');
    await page.waitForURL(`${base}/inbox/bulk`);
    expect(await page.locator('h2').innerText()).toBe('Mark replied on platform: 1 conversation(s)?');
    expect(await page.locator('.confirm').innerText()).toContain('search “vase”');
    expect(await page.locator('.confirm').innerText()).toContain('This mark is final');
    const vase = pairIdOf(
      (db().prepare("SELECT p.token FROM pairs p JOIN buyers b ON b.id = p.buyer_id WHERE b.email = 'vase@buyer.example'").get() as { token: string }).token,
    );
    expect(statusOf(vase)).toBe('open'); // nothing yet
    await page.click('button:has-text("Yes, mark replied on platform (1)")');
    await page.waitForURL(/done=1/);
    expect(statusOf(vase)).toBe('replied_on_platform');
  });

  it('keeps the bulk action chosen while the filtered rows were still on their way', async () => {
    await page.goto(`${base}/inbox`);
    // Hold the filtered rows back until the action is chosen, as a slow server or network would.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let requests = 0;
    await page.route(/\/inbox\?.*q=lamp/, async (route) => {
      requests++;
      await held;
      await route.continue();
    });
    await page.fill('input[name=q]', 'lamp');
    await page.press('input[name=q]', 'Enter');
    await expect.poll(() => requests).toBeGreaterThan(0);
    await page.selectOption('select[name=action]', 'status:pending');
    release();
    await expect.poll(() => page.locator('table.list tbody tr').count()).toBe(1);
    await page.waitForFunction("!document.querySelector('.htmx-request')");
    expect(await page.locator('select[name=action]').inputValue()).toBe('status:pending');
    await page.unroute(/\/inbox\?.*q=lamp/);
  });

  it('does not act on the rows of an older filter when a search is typed and the button clicked before the rows follow', async () => {
    await page.goto(`${base}/inbox`);
    const unread = () => (db().prepare('SELECT count(*) AS n FROM conversations WHERE unread > 0').get() as { n: number }).n;
    const before = unread();
    expect(before).toBeGreaterThan(1);
    // A slow server: the rows for the new search are still on their way when the button is clicked.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let requests = 0;
    await page.route(/\/inbox\?.*q=chair/, async (route) => {
      requests++;
      await held;
      await route.continue();
    });
    await page.fill('input[name=q]', 'chair');
    await page.focus('select[name=action]'); // leaving the search box asks for the rows
    await page.selectOption('select[name=action]', 'read');
    await expect.poll(() => requests).toBeGreaterThan(0);
    await page.click('#bulk button[value=matching]');
    await expect.poll(() => page.locator('#bulk .stale').innerText()).toContain('not the one in the search bar');
    expect(new URL(page.url()).pathname).toBe('/inbox');
    release();
    await expect.poll(() => page.locator('table.list tbody tr').count()).toBe(1);
    await page.waitForFunction("!document.querySelector('.htmx-request')");
    // Typed again and clicked at once, without Enter: the same question, nothing touched.
    await page.fill('input[name=q]', 'table');
    await page.click('#bulk button[value=matching]');
    await expect.poll(() => page.locator('table.list tbody tr').innerText()).toContain('About the table');
    expect(unread()).toBe(before);
    await page.fill('input[name=q]', 'chair');
    await page.press('input[name=q]', 'Enter');
    await expect.poll(() => page.locator('table.list tbody tr').innerText()).toContain('About the chair');
    await page.waitForFunction("!document.querySelector('.htmx-request')");
    await page.selectOption('select[name=action]', 'read');
    await page.click('button:has-text("Apply to all 1 matching this filter")');
    await page.waitForURL(/done=1/);
    expect(unread()).toBe(before - 1);
    await page.unroute(/\/inbox\?.*q=chair/);
  });

  it('asks first above the threshold, and again when the number matching changed', async () => {
    for (let i = 0; i < 20; i++) {
      const p = await seedPair(h, { number: `C-${i}`, buyerEmail: `many${i}@buyer.example`, buyerName: `Many ${i}` });
      await mail(`many${i}@buyer.example`, p.address, { subject: `Bulk question ${i}`, text: 'A question among many.' });
    }
    await page.goto(`${base}/inbox`);
    await page.fill('input[name=q]', 'question');
    await page.press('input[name=q]', 'Enter');
    await expect.poll(() => page.locator('table.list tbody tr').count()).toBe(20);
    await htmxSettled(page);
    await page.selectOption('select[name=action]', 'status:follow_up');
    await page.click('button:has-text("Apply to all 20 matching this filter")');
    await page.waitForURL(/done=20/); // 20 is not above the threshold of 20
    // One more arrives: the page said 20, the filter now matches 21, so it asks.
    const p = await seedPair(h, { number: 'C-20', buyerEmail: 'many20@buyer.example', buyerName: 'Many 20' });
    await page.selectOption('select[name=action]', 'status:processed');
    await mail('many20@buyer.example', p.address, { subject: 'Bulk question 20', text: 'A question among many.' });
    await page.click('button:has-text("Apply to all 20 matching this filter")');
    await page.waitForURL(`${base}/inbox/bulk`);
    expect(await page.locator('h2').innerText()).toBe('Mark processed: 21 conversation(s)?');
    expect(await page.locator('.confirm .warn').first().innerText()).toContain('changed since the page was shown');
    await page.click('button:has-text("Yes, mark processed (21)")');
    await page.waitForURL(/done=21/);
    expect(await page.locator('[role=status]').innerText()).toBe('21 conversation(s) updated.');
  }, 90_000);

  it('selects all rows, or a range with shift-click, and tags them in bulk', async () => {
    await page.goto(`${base}/inbox?q=Bulk`);
    const boxes = page.locator('table.list tbody input[name=ids]');
    await boxes.nth(1).click();
    await boxes.nth(4).click({ modifiers: ['Shift'] });
    expect(await page.locator('table.list tbody input[name=ids]:checked').count()).toBe(4);
    await page.click('button.select-all');
    expect(await page.locator('table.list tbody input[name=ids]:checked').count()).toBe(21);
    await page.click('button.select-all');
    expect(await page.locator('table.list tbody input[name=ids]:checked').count()).toBe(0);
    const tag = new TagRepo(db()).create('wholesale', 'blue');
    await page.reload();
    await boxes.nth(0).click();
    await boxes.nth(2).click({ modifiers: ['Shift'] });
    await page.selectOption('select[name=action]', { label: 'Add tag “wholesale”' });
    await page.click('button:has-text("Apply to selected")');
    await page.waitForURL(/done=3/);
    await page.goto(`${base}/inbox?tag=${tag.id}`);
    expect(await page.locator('table.list tbody tr').count()).toBe(3);
  });
});

const PNG = TINY_PNG;
let PDF: Buffer;

describe('files in a conversation', () => {
  it('lists received and sent files with name, type and size, marks the row, and downloads them safely', async () => {
    PDF = await tinyPdf();
    const p = await seedPair(h, { number: 'D-1', buyerEmail: 'dent@buyer.example', buyerName: 'Dana Dent' });
    await mail('dent@buyer.example', p.address, {
      subject: 'Damaged on arrival',
      text: 'Photos and the delivery note attached.',
      attachments: [
        { filename: 'dent.png', content: PNG, contentType: 'image/png' },
        { filename: 'note.pdf', content: PDF, contentType: 'application/pdf' },
      ],
    });
    const pairId = pairIdOf(p.alias);
    await page.goto(`${base}/inbox`);
    expect(await page.locator(`tr[data-pair-id="${pairId}"] .clip`).count()).toBe(1);
    // Drawn, not a glyph: a server's chromium without an emoji font showed 📎 as an empty box.
    expect(await page.locator(`tr[data-pair-id="${pairId}"] .clip svg`).evaluate((e) => e.getBoundingClientRect().width)).toBeGreaterThan(8);
    expect(await page.locator(`tr[data-pair-id="${pairIdOf(acme.alias)}"] .clip`).count()).toBe(0);
    await page.click(`tr[data-pair-id="${pairId}"] a`);
    await page.waitForURL(/\/conversations\/\d+/);
    const files = page.locator('article.message.buyer_to_store ul.files li');
    expect(await files.allInnerTexts()).toEqual([
      expect.stringMatching(/dent\.png\s+image\/png · 70 B/),
      expect.stringMatching(/note\.pdf\s+application\/pdf · \d+(\.\d+)? (B|KB)/),
    ]);
    await screenshot(page, 'conversation-files');
    // A download, from the delivered (masked) copy, never shown inline.
    const png = await page.request.get(`${base}${await files.nth(0).locator('a').getAttribute('href')}`);
    expect(png.status()).toBe(200);
    expect(png.headers()['content-type']).toBe('image/png');
    expect(png.headers()['content-disposition']).toMatch(/^attachment; filename="dent\.png"/);
    expect(png.headers()['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(await png.body(), PNG)).toBe(0);
    const [download] = await Promise.all([page.waitForEvent('download'), files.nth(1).locator('a').click()]);
    expect(download.suggestedFilename()).toBe('note.pdf');
    // Staff's own sent file is listed on their message too.
    await page.fill('.reply textarea', 'Here is the return label.');
    await page.setInputFiles('.reply input[type=file]', { name: 'label.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.click('.reply button[name=after][value=""]');
    await page.waitForURL(/sent=1/);
    expect(await page.locator('.reply [role=status]').innerText()).toBe('Sent.');
    expect(await page.locator('article.message.store_to_buyer ul.files').innerText()).toMatch(/label\.pdf\s+application\/pdf/);
    // Another store's agent gets nothing.
    const agent = await browser.newContext();
    const ap = await login(agent, 'alex@seller.example', 'agent password 123');
    const other = await seedPair(h, { slug: 'rival', storeName: 'Rival', mailbox: 'help@rival.example', number: 'R-1', buyerEmail: 'rr@buyer.example' });
    await mail('rr@buyer.example', other.address, {
      subject: 'Photo',
      text: 'see',
      attachments: [{ filename: 'x.png', content: PNG, contentType: 'image/png' }],
    });
    const otherMessage = (db().prepare('SELECT max(id) AS id FROM messages WHERE pair_id = ?').get(pairIdOf(other.alias)) as { id: number }).id;
    expect((await ap.request.get(`${base}/messages/${otherMessage}/files/0`)).status()).toBe(404);
    expect((await page.request.get(`${base}/messages/${otherMessage}/files/0`)).status()).toBe(200);
    await agent.close();
  }, 90_000);
});

describe('the reply box fills the order the buyer asks about', () => {
  it('defaults to the order the message names, and refills the template for another order', async () => {
    const older = await seedPair(h, { number: 'E-1', buyerEmail: 'eve@buyer.example', buyerName: 'Eve Old' });
    await h.api('POST', '/api/v1/orders', {
      storeId: older.storeId,
      number: 'E-2',
      buyer: { email: 'eve@buyer.example', name: 'Eve Old' },
      items: [{ sku: 'SKU-2', name: 'Teapot', unitPrice: 42, quantity: 2 }],
      total: 84,
      currency: 'EUR',
      placedAt: '2026-11-20T10:00:00Z',
      completedAt: null,
    });
    await mail('eve@buyer.example', older.address, { subject: 'My older order', text: 'Where is order E-1 please?' });
    db()
      .prepare(
        "INSERT OR IGNORE INTO templates (name, subject, body, store_id, created_at, updated_at) VALUES ('Order status', 'Your order {{order.number}}', 'Hi, {{order.items}} for {{order.total}}.', NULL, 0, 0)",
      )
      .run();
    // The browser's console stays clean while the box refills (an htmx setting inherited from the
    // form once logged an error on every change).
    const errors: string[] = [];
    const onConsole = (m: { type(): string; text(): string }) => void (m.type() === 'error' && errors.push(m.text()));
    page.on('console', onConsole);
    await page.goto(`${base}/conversations/${pairIdOf(older.alias)}`);
    expect(await page.locator('.reply select[name=order]').inputValue()).toBe('E-1');
    await page.selectOption('.reply select[name=template]', { label: 'Order status' });
    await expect.poll(() => page.locator('.reply input[name=subject]').inputValue()).toBe('Your order E-1');
    expect(await page.locator('.reply textarea').inputValue()).toContain('Kettle ×1');
    // The refilled box is swapped in before htmx wires up its selects: a change before that fires
    // nothing (CI once changed the order within those 20 ms, and the subject stayed E-1).
    await htmxSettled(page);
    await page.selectOption('.reply select[name=order]', 'E-2');
    await expect.poll(() => page.locator('.reply input[name=subject]').inputValue()).toBe('Your order E-2');
    expect(await page.locator('.reply textarea').inputValue()).toContain('Teapot ×2');
    await page.fill('.reply textarea', '');
    page.off('console', onConsole);
    expect(errors).toEqual([]);
  });
});

describe('the reply box keeps what the user did', () => {
  it('asks before a template or another order replaces written text, and keeps the chosen files through every refill', async () => {
    const f = await seedPair(h, { number: 'RB-1', buyerEmail: 'rhea@buyer.example', buyerName: 'Rhea Files' });
    await h.api('POST', '/api/v1/orders', {
      storeId: f.storeId,
      number: 'RB-2',
      buyer: { email: 'rhea@buyer.example', name: 'Rhea Files' },
      items: [{ sku: 'SKU-3', name: 'Mug', unitPrice: 5, quantity: 1 }],
      total: 5,
      currency: 'EUR',
      placedAt: '2026-11-21T10:00:00Z',
      completedAt: null,
    });
    await mail('rhea@buyer.example', f.address, { subject: 'Broken mug', text: 'Order RB-2 arrived broken.' });
    db()
      .prepare(
        "INSERT OR IGNORE INTO templates (name, subject, body, store_id, created_at, updated_at) VALUES ('Order status', 'Your order {{order.number}}', 'Hi, {{order.items}} for {{order.total}}.', NULL, 0, 0)",
      )
      .run();
    const pairId = pairIdOf(f.alias);
    await page.goto(`${base}/conversations/${pairId}`);
    const box = page.locator('.reply textarea');
    const files = () => page.locator('.reply input[type=file]').evaluate((e: { files?: { length: number } | null }) => e.files?.length ?? 0);
    await page.fill('.reply textarea', 'My own words about the mug.');
    await page.setInputFiles('.reply input[type=file]', { name: 'label.png', mimeType: 'image/png', buffer: PNG });
    // A template over written text asks first; "no" keeps the text and the choice as it was.
    const asked = dialogs.length;
    await page.selectOption('.reply select[name=template]', { label: 'Order status' });
    await expect.poll(() => dialogs.length).toBe(asked + 1);
    expect(dialogs[asked]).toMatch(/^confirm: Replace the subject and text you wrote/);
    expect(await box.inputValue()).toBe('My own words about the mug.');
    expect(await page.locator('.reply select[name=template]').inputValue()).toBe('');
    // On an empty box it fills without asking, and the files stay chosen.
    await page.fill('.reply textarea', '');
    await page.selectOption('.reply select[name=template]', { label: 'Order status' });
    await expect.poll(() => page.locator('.reply input[name=subject]').inputValue()).toBe('Your order RB-2');
    expect(dialogs.length).toBe(asked + 1);
    expect(await files()).toBe(1);
    // Edited after the fill: another order asks first too, and "no" keeps the edit and the order.
    await page.fill('.reply textarea', `${await box.inputValue()} We send a new one today.`);
    await page.selectOption('.reply select[name=order]', 'RB-1');
    await expect.poll(() => dialogs.length).toBe(asked + 2);
    expect(await box.inputValue()).toContain('We send a new one today.');
    expect(await page.locator('.reply select[name=order]').inputValue()).toBe('RB-2');
    // The buyer writes meanwhile: the box says so first, and the file still goes with "Send anyway".
    const sent = h.sink!.messages.length;
    await mail('rhea@buyer.example', f.address, { subject: 'Re: Broken mug', text: 'Photo attached earlier.' });
    await page.click('.reply button[name=after][value=""]');
    await expect.poll(() => page.locator('.reply .newer').innerText()).toContain('the buyer wrote again');
    expect(await files()).toBe(1);
    await page.click('.reply button:has-text("Send anyway")');
    const toRhea = () => h.sink!.messages.slice(sent).filter((m) => m.to.includes('rhea@buyer.example'));
    await expect.poll(() => toRhea().length, { timeout: 15_000 }).toBe(1);
    const got = await simpleParser(toRhea()[0]!.raw);
    expect(got.text).toContain('We send a new one today.');
    expect(got.attachments.map((a) => a.filename)).toEqual(['label.png']);
  }, 90_000);
});

describe('reading a conversation', () => {
  it('does not mark it read on GET; the page marks it read with a POST once shown', async () => {
    const p = await seedPair(h, { number: 'F-1', buyerEmail: 'fay@buyer.example', buyerName: 'Fay Read' });
    await mail('fay@buyer.example', p.address, { subject: 'Unread until shown', text: 'Hello.' });
    const pairId = pairIdOf(p.alias);
    expect(unreadOf(pairId)).toBe(1);
    const get = await page.request.get(`${base}/conversations/${pairId}`);
    expect(get.status()).toBe(200);
    expect(unreadOf(pairId)).toBe(1); // a read that does not write
    await page.goto(`${base}/conversations/${pairId}`);
    await expect.poll(() => unreadOf(pairId)).toBe(0);
  });

  it('marks nothing read in a tab nobody looks at, and reads what it shows once the tab is looked at', async () => {
    const p = await seedPair(h, { number: 'F-2', buyerEmail: 'flo@buyer.example', buyerName: 'Flo Background' });
    await mail('flo@buyer.example', p.address, { subject: 'Opened in the background', text: 'First.' });
    const pairId = pairIdOf(p.alias);
    // A tab in the background (opened with a middle click, or left behind): the page says hidden.
    const ctx = await browser.newContext({ storageState: await owner.storageState() });
    await ctx.clock.install();
    await ctx.addInitScript(`(() => {
      let hidden = true;
      Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
      window.lookAtTab = () => { hidden = false; document.dispatchEvent(new Event('visibilitychange')); };
    })()`);
    const bg = await ctx.newPage();
    await Promise.all([
      bg.waitForResponse((r) => r.url().includes(`/conversations/${pairId}/live`), { timeout: 15_000 }),
      bg.goto(`${base}/conversations/${pairId}`),
    ]);
    expect(unreadOf(pairId)).toBe(1);
    // The live refresh appends new mail in the background and reads none of it.
    await mail('flo@buyer.example', p.address, { subject: 'Re: Opened in the background', text: 'Second, unseen.' });
    await afterRefresh(ctx, () => bg.locator('#thread').innerText(), 'Second, unseen.');
    await htmxSettled(bg);
    expect(unreadOf(pairId)).toBe(2);
    // Looked at: both are on screen, both read.
    await Promise.all([bg.waitForResponse((r) => r.url().endsWith(`/conversations/${pairId}/read`) && r.status() === 204), bg.evaluate('window.lookAtTab()')]);
    expect(unreadOf(pairId)).toBe(0);
    await ctx.close();
  }, 60_000);
});

describe('working the conversation', () => {
  // The owner's pages from here on run on a clock the tests move on (afterRefresh).
  beforeAll(() => owner.clock.install());

  it('switches status from the row, and a new buyer message reopens a processed conversation', async () => {
    const p = await seedPair(h, { number: 'G-1', buyerEmail: 'gus@buyer.example', buyerName: 'Gus Status' });
    await mail('gus@buyer.example', p.address, { subject: 'Status please', text: 'Hello.' });
    const pairId = pairIdOf(p.alias);
    await page.goto(`${base}/inbox`);
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/conversations/${pairId}/status`) && r.status() === 204),
      page.selectOption(`tr[data-pair-id="${pairId}"] select[name=status]`, 'processed'),
    ]);
    expect(statusOf(pairId)).toBe('processed');
    await mail('gus@buyer.example', p.address, { subject: 'Re: Status please', text: 'Me again.' });
    expect(statusOf(pairId)).toBe('open');
  });

  it('assigns by hand and round-robin, with mine / unassigned / all views', async () => {
    const p = await seedPair(h, { number: 'H-1', buyerEmail: 'hana@buyer.example', buyerName: 'Hana Assign' });
    await mail('hana@buyer.example', p.address, { subject: 'Assign me', text: 'Hello.' });
    const pairId = pairIdOf(p.alias);
    await page.goto(`${base}/conversations/${pairId}`);
    await page.selectOption('select[name=user]', { label: 'Alex Agent' });
    await page.waitForURL(`${base}/conversations/${pairId}`);
    await expect.poll(() => page.locator('select[name=user] option:checked').innerText()).toBe('Alex Agent');
    const agent = await browser.newContext();
    const ap = await login(agent, 'alex@seller.example', 'agent password 123');
    await ap.click('aside a[data-owner="mine"]');
    await ap.waitForURL(/owner=mine/);
    expect(await ap.locator('table.list tbody tr').allInnerTexts()).toEqual([expect.stringContaining('Assign me')]);
    await page.goto(`${base}/inbox?owner=none`);
    expect(await page.locator(`tr[data-pair-id="${pairId}"]`).count()).toBe(0);
    // Round-robin for the store: new conversations go to the next agent in turn.
    new ConversationRepo(db()).setRoundRobin(acme.storeId, true);
    const q = await seedPair(h, { number: 'H-2', buyerEmail: 'ivan@buyer.example', buyerName: 'Ivan Robin' });
    await mail('ivan@buyer.example', q.address, { subject: 'Robin', text: 'Hello.' });
    await ap.goto(`${base}/inbox?owner=mine`);
    expect(await ap.locator('table.list tbody').innerText()).toContain('Robin');
    new ConversationRepo(db()).setRoundRobin(acme.storeId, false);
    await agent.close();
  }, 90_000);

  it('snoozes until a time: hidden until then, back and unread when it ends or the buyer writes', async () => {
    const p = await seedPair(h, { number: 'S-1', buyerEmail: 'sam@buyer.example', buyerName: 'Sam Snooze' });
    await mail('sam@buyer.example', p.address, { subject: 'Snooze me', text: 'Hello.' });
    const pairId = pairIdOf(p.alias);
    await page.goto(`${base}/conversations/${pairId}`);
    await expect.poll(() => unreadOf(pairId)).toBe(0);
    await page.fill('input[name=until]', '2099-01-01T09:00');
    await page.click('button:has-text("Snooze")');
    await page.waitForURL(`${base}/inbox`);
    expect(await page.locator(`tr[data-pair-id="${pairId}"]`).count()).toBe(0);
    await page.click('aside a[data-snoozed="1"]');
    await page.waitForURL(/snoozed=1/);
    expect(await page.locator(`tr[data-pair-id="${pairId}"]`).innerText()).toContain('snoozed');
    // The time comes (moved to the past here): back in the list, unread.
    db()
      .prepare('UPDATE conversations SET snoozed_until = ? WHERE pair_id = ?')
      .run(Date.now() - 1000, pairId);
    await page.goto(`${base}/inbox`);
    expect(await page.locator(`tr[data-pair-id="${pairId}"]`).getAttribute('class')).toContain('unread');
    // Or the buyer writes first.
    db()
      .prepare('UPDATE conversations SET snoozed_until = ? WHERE pair_id = ?')
      .run(Date.now() + 3_600_000, pairId);
    await mail('sam@buyer.example', p.address, { subject: 'Re: Snooze me', text: 'Hello again.' });
    await page.goto(`${base}/inbox`);
    expect(await page.locator(`tr[data-pair-id="${pairId}"]`).count()).toBe(1);
  }, 90_000);

  it('keeps a draft on the server, restores it, and asks before leaving with unsent text', async () => {
    const p = await seedPair(h, { number: 'K-1', buyerEmail: 'kai@buyer.example', buyerName: 'Kai Draft' });
    await mail('kai@buyer.example', p.address, { subject: 'Draft me', text: 'Hello.' });
    const pairId = pairIdOf(p.alias);
    await page.goto(`${base}/conversations/${pairId}`);
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/conversations/${pairId}/check`) && r.ok()),
      page.fill('.reply textarea', 'Half-written answer about the refund'),
    ]);
    await expect
      .poll(() => (db().prepare('SELECT body FROM conversation_drafts WHERE pair_id = ?').get(pairId) as { body: string } | undefined)?.body)
      .toBe('Half-written answer about the refund');
    const before = dialogs.length;
    await page.goto(`${base}/inbox`);
    expect(dialogs.slice(before)).toEqual([expect.stringMatching(/^beforeunload/)]);
    await page.goto(`${base}/conversations/${pairId}`);
    expect(await page.locator('.reply textarea').inputValue()).toBe('Half-written answer about the refund');
    expect(await page.locator('.reply-box summary').innerText()).toContain('your draft, kept');
    await page.click('.reply button[name=after][value=""]');
    await page.waitForURL(/sent=1/);
    expect(await page.locator('.reply textarea').inputValue()).toBe('');
    expect(db().prepare('SELECT count(*) AS n FROM conversation_drafts WHERE pair_id = ?').get(pairId)).toEqual({ n: 0 });
  });
});

describe('two agents and live mail', () => {
  it('refreshes the list and the open conversation without a reload', async () => {
    const p = await seedPair(h, { number: 'L-1', buyerEmail: 'lena@buyer.example', buyerName: 'Lena Live' });
    await page.goto(`${base}/inbox`);
    await mail('lena@buyer.example', p.address, { subject: 'Live arrival', text: 'First.' });
    await afterRefresh(owner, () => page.locator('table.list tbody').innerText(), 'Live arrival');
    await htmxSettled(page);
    await page.click('text=Live arrival');
    await page.waitForURL(/\/conversations\/\d+/);
    await mail('lena@buyer.example', p.address, { subject: 'Re: Live arrival', text: 'Second, while you read.' });
    await afterRefresh(owner, () => page.locator('#thread').innerText(), 'Second, while you read.');
    // On screen in a tab being looked at: read.
    await expect.poll(() => unreadOf(pairIdOf(p.alias))).toBe(0);
  }, 90_000);

  it('shows who is viewing and replying, and asks before a reply on top of a newer one', async () => {
    const p = await seedPair(h, { number: 'M-1', buyerEmail: 'milo@buyer.example', buyerName: 'Milo Clash' });
    await mail('milo@buyer.example', p.address, { subject: 'Two of you', text: 'Hello both.' });
    const pairId = pairIdOf(p.alias);
    const agent = await browser.newContext();
    const ap = await login(agent, 'alex@seller.example', 'agent password 123');
    await page.goto(`${base}/conversations/${pairId}`);
    await ap.goto(`${base}/conversations/${pairId}`);
    await afterRefresh(owner, () => page.locator('#live').innerText(), 'Alex Agent is viewing');
    await ap.fill('.reply textarea', 'Alex answers first.');
    await afterRefresh(owner, () => page.locator('#live').innerText(), 'Alex Agent is replying');
    await htmxSettled(page);
    await page.fill('.reply textarea', 'Olivia answers too.');
    await ap.click('.reply button[name=after][value=""]');
    await ap.waitForURL(/sent=1/);
    const sent = h.sink!.messages.length;
    await page.click('.reply button[name=after][value=""]');
    await expect.poll(() => page.locator('.reply .newer').innerText()).toContain('another reply was sent');
    expect(await page.locator('.reply textarea').inputValue()).toBe('Olivia answers too.');
    await afterRefresh(owner, () => page.locator('#thread').innerText(), 'Alex answers first.'); // the live refresh brings it
    await htmxSettled(page);
    await page.click('.reply button:has-text("Send anyway")');
    await page.waitForURL(/sent=1/);
    await expect.poll(() => h.sink!.messages.length).toBeGreaterThan(sent);
    await screenshot(ap, 'conversation-two-agents');
    await agent.close();
  }, 90_000);
});

describe('phone and laptop screens', () => {
  it('fits a 390 px phone with messages first, and 15 rows on a 1366×768 laptop', async () => {
    await page.goto(`${base}/inbox`);
    const fit = await page.evaluate(
      "Array.from(document.querySelectorAll('table.list tbody tr')).filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight).length",
    );
    expect(fit).toBeGreaterThanOrEqual(15);
    await page.screenshot({ path: `${ARTIFACTS}inbox-1366x768.png` });
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await owner.storageState() });
    const pp = await phone.newPage();
    await pp.goto(`${base}/inbox`);
    expect(await pp.evaluate(NO_SIDEWAYS)).toBe(true);
    expect(await pp.locator('aside.side').isVisible()).toBe(false); // filters behind a button
    const firstRow = await pp.locator('table.list tbody tr').first().boundingBox();
    expect(firstRow!.y).toBeLessThan(844);
    await pp.screenshot({ path: `${ARTIFACTS}inbox-390.png` });
    await pp.click('button.show-filters');
    expect(await pp.locator('aside.side').isVisible()).toBe(true);
    // A long conversation: the newest message and the reply box without scrolling past every card.
    const p = await seedPair(h, { number: 'N-1', buyerEmail: 'nia@buyer.example', buyerName: 'Nia Long' });
    for (let i = 0; i < 8; i++) await mail('nia@buyer.example', p.address, { subject: `Long ${i}`, text: `Message number ${i}.\n`.repeat(5) });
    for (const [ctx, pg, name] of [
      [owner, page, '1366x768'],
      [phone, pp, '390'],
    ] as const) {
      void ctx;
      await pg.goto(`${base}/conversations/${pairIdOf(p.alias)}`);
      expect(await pg.locator('details.message.closed').count()).toBe(5);
      const replyTop = Number(await pg.evaluate("document.querySelector('#reply').getBoundingClientRect().top + window.scrollY"));
      const height = Number(await pg.evaluate('window.innerHeight'));
      expect(replyTop).toBeLessThan(height * (name === '390' ? 4 : 2));
      expect(await pg.evaluate(NO_SIDEWAYS)).toBe(true);
      await pg.screenshot({ path: `${ARTIFACTS}conversation-${name}.png` });
    }
    // An older card opens in place.
    await page.locator('details.message.closed summary').first().click();
    await expect.poll(() => page.locator('details.message.closed').count()).toBe(4);
    expect(await page.locator('#thread').innerText()).toContain('Message number 0.');
    await phone.close();
  }, 90_000);
});

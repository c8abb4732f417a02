// The marketplace pages in a real headless browser: an owner uploads an orders CSV with good, bad
// and duplicate rows, sees each row's outcome, imports, and uploading it again changes nothing;
// registers a webhook and sees its secret once; reads the API reference served from our origin.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOwner } from '../helpers/admin-harness.js';
import { launch, logIn, screenshot } from '../helpers/browser.js';
import { startHarness, type Harness } from '../helpers/gateway.js';

let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
let dir: string;
let csv: string;
const orders = () => (h.gw.db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;

beforeAll(async () => {
  h = await startHarness({}, { sink: false });
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  const store = (await h.api('POST', '/api/v1/stores', { slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' })).body;
  // An order the store already has: its row in the file is a duplicate.
  await h.api('POST', '/api/v1/orders', {
    storeId: store.id,
    number: 'D-1',
    buyer: { email: 'dora@buyer.example', name: 'Dora' },
    items: [],
    total: 5,
    currency: 'EUR',
    placedAt: '2026-10-01T10:00:00Z',
  });
  await addOwner(h, 'Olivia Owner');
  dir = mkdtempSync(join(tmpdir(), 'maskgate-csv-'));
  csv = join(dir, 'orders.csv');
  writeFileSync(
    csv,
    Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        'Order;Email;Customer name;Date;Total;Currency;Item;Price;Qty\r\n' +
          'N-1;nina@buyer.example;Nina;2026-11-01;19,99;EUR;"Kettle\r\n1,7 l";19,99;1\r\n' +
          'D-1;dora@buyer.example;Dora;2026-10-01;5,00;EUR;Mug;5,00;1\r\n' +
          'X-1;nobody;Nobody;2026-11-01;1,00;EUR;Thing;1,00;1\r\n',
      ),
    ]),
  );
  browser = await launch();
  page = await browser.newPage();
  await logIn(page, base, 'olivia@seller.example', 'correct horse battery staple');
});
afterAll(async () => {
  await browser?.close();
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('orders CSV upload', () => {
  it('previews each row — new, already there, error — and creates nothing yet', async () => {
    await page.click('header summary:has-text("More")');
    await page.click('header a:has-text("Import orders")');
    await page.setInputFiles('input[name=file]', csv);
    await page.click('button:has-text("Preview")');
    await page.waitForSelector('[data-import-report]');
    expect(await page.locator('tr[data-row="2"]').getAttribute('data-status')).toBe('new');
    expect(await page.locator('tr[data-row="3"]').getAttribute('data-status')).toBe('duplicate');
    expect(await page.locator('tr[data-row="4"]').getAttribute('data-status')).toBe('error');
    expect(await page.locator('tr[data-row="4"]').innerText()).toContain('buyer.email');
    expect(orders()).toBe(1);
    await screenshot(page, 'order-import-preview');
  });

  it('imports the new order with its alias, and the same file again changes nothing', async () => {
    await page.click('button:has-text("Import 1 new order")');
    await page.waitForSelector('[role=status]');
    expect(await page.locator('[role=status]').innerText()).toContain('Imported 1 order(s); 1 already there; 1 row(s) with errors');
    expect(await page.locator('tr[data-row="2"] code').innerText()).toMatch(/^[a-z0-9]{20}$/);
    expect(orders()).toBe(2);
    await page.setInputFiles('input[name=file]', csv);
    await page.click('button:has-text("Preview")');
    await page.waitForSelector('[data-import-report]');
    expect(await page.locator('tr[data-row="2"]').getAttribute('data-status')).toBe('duplicate');
    expect(await page.locator('button:has-text("Import")').count()).toBe(0);
    expect(orders()).toBe(2);
  });
});

describe('webhooks and the API reference', () => {
  it('registers a webhook and shows its secret once', async () => {
    await page.click('header summary:has-text("More")');
    await page.click('header a:has-text("Webhooks")');
    await page.fill('input[name=url]', 'https://market.example/hooks/maskgate');
    await page.click('button:has-text("Register")');
    const secret = await page.locator('[data-secret]').innerText();
    expect(secret).toMatch(/^whsec_/);
    await page.goto(`${base}/webhooks`);
    expect(await page.locator('[data-webhook]').count()).toBe(1);
    expect(await page.content()).not.toContain(secret);
  });

  it('renders the API reference from our own origin, with every operation', async () => {
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.click('header summary:has-text("More")');
    await page.click('header a:has-text("API")');
    await page.waitForSelector('[data-operation="POST /api/v1/pairs/{alias}/buyer-messages"]');
    expect(await page.locator('[data-operation]').count()).toBeGreaterThan(40);
    expect(requests.every((u) => u.startsWith(base))).toBe(true);
  });
});

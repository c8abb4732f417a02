// Orders without code: the CSV files shops really export (Excel with a BOM or in windows-1252,
// `;` and decimal commas, quoted fields with line breaks) become orders and pairs like POST
// /orders does, with a report per row; the same file twice changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { adminLogin, type AdminClient } from '../helpers/admin-client.js';
import { TEST_TOKEN, startHarness, type Harness } from '../helpers/gateway.js';

let h: Harness;
let storeId: number;
beforeAll(async () => {
  h = await startHarness({}, { sink: false });
  storeId = (await h.api('POST', '/api/v1/stores', { slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' })).body.id;
});
afterAll(async () => {
  await h.close();
});

async function upload(body: Uint8Array | string, dryRun = false) {
  const res = await fetch(`http://127.0.0.1:${h.gw.httpPort}/api/v1/orders/import?storeId=${storeId}&dryRun=${dryRun}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'text/csv' },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
}
const orderCount = () => (h.gw.db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;

// Excel in a European locale: UTF-8 with a byte-order mark, `;`, decimal commas, a quoted item
// name holding the separator, a quote and a line break, and two rows of one order.
const excel = Buffer.concat([
  Buffer.from([0xef, 0xbb, 0xbf]),
  Buffer.from(
    [
      'Order;Email;Customer name;Date;Total;Currency;SKU;Item;Price;Qty',
      'B-1;jane@buyer.example;Jane Doe;2026-11-01 10:00;39,98;EUR;K-1;"Kettle; 1,7 l ""Boil""\r\nsteel";19,99;2',
      'B-2;joe@buyer.example;Joe Smith;01.11.2026;5,00;EUR;M-1;Mug;2,50;1',
      'B-2;joe@buyer.example;Joe Smith;01.11.2026;5,00;EUR;M-2;Saucer;2,50;1',
      'B-3;not-an-address;Nobody;2026-11-01;1,00;EUR;X;Thing;1,00;1',
      'B-4;ann@buyer.example;Ann;11/01/2026;1,00;EUR;X;Thing;1,00;1',
      '',
    ].join('\r\n'),
  ),
]);

describe('POST /api/v1/orders/import', () => {
  it('previews per row without creating anything', async () => {
    const res = await upload(excel, true);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 2, duplicates: 0, invalid: 2 });
    expect(res.body.rows.map((r: any) => [r.row, r.number, r.status])).toEqual([
      [2, 'B-1', 'new'],
      [3, 'B-2', 'new'],
      [4, 'B-2', 'new'],
      [5, 'B-3', 'error'],
      [6, 'B-4', 'error'],
    ]);
    expect(res.body.rows[3].errors[0]).toContain('buyer.email');
    expect(res.body.rows[4].errors[0]).toContain('2026-11-01');
    expect(orderCount()).toBe(0);
  });

  it('imports the good rows as orders with pairs and aliases, and the same file again changes nothing', async () => {
    const res = await upload(excel);
    expect(res.body).toMatchObject({ created: 2, invalid: 2 });
    const b1 = res.body.rows[0];
    expect(b1.alias).toMatch(/^[a-z0-9]{20}$/);
    const pair = await h.api('GET', `/api/v1/pairs/${b1.alias}`);
    expect(pair.body.buyer).toMatchObject({ email: 'jane@buyer.example', name: 'Jane Doe' });
    const order = pair.body.orders[0];
    expect(order).toMatchObject({ number: 'B-1', total: 39.98, currency: 'EUR', placedAt: '2026-11-01T10:00:00.000Z' });
    expect(order.items).toEqual([{ sku: 'K-1', name: 'Kettle; 1,7 l "Boil" steel', category: null, manufacturer: null, unitPrice: 19.99, quantity: 2 }]);
    const b2 = (await h.api('GET', `/api/v1/pairs/${res.body.rows[1].alias}`)).body.orders[0];
    expect(b2.items.map((i: any) => i.sku)).toEqual(['M-1', 'M-2']);
    const before = orderCount();
    const again = await upload(excel);
    expect(again.body).toMatchObject({ created: 0, duplicates: 2 });
    expect(again.body.rows[0]).toMatchObject({ status: 'duplicate', alias: b1.alias });
    expect(orderCount()).toBe(before);
  });

  it('reads a windows-1252 file with commas', async () => {
    const latin1 = Buffer.from('number,email,buyer_name,placed_at,total,currency\nC-1,rene@buyer.example,René Müller,2026-11-02,12.50,EUR\n', 'latin1');
    const res = await upload(latin1);
    expect(res.body).toMatchObject({ created: 1, invalid: 0 });
    expect((await h.api('GET', `/api/v1/pairs/${res.body.rows[0].alias}`)).body.buyer.name).toBe('René Müller');
  });

  it('refuses a body that is not CSV, and an unknown store', async () => {
    expect((await upload('"unterminated\n')).status).toBe(400);
    const res = await fetch(`http://127.0.0.1:${h.gw.httpPort}/api/v1/orders/import?storeId=999`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
      body: 'number\n1\n',
    });
    expect(res.status).toBe(400);
  });
});

describe('the admin preview, then Import', () => {
  let owner: AdminClient;
  let agent: AdminClient;
  let other: number;
  const base = () => `http://127.0.0.1:${h.gw.httpPort}`;
  const ordersOf = (numbers: string) =>
    h.gw.db.prepare(`SELECT number, store_id AS storeId FROM orders WHERE number LIKE ? ORDER BY number`).all(`${numbers}%`) as {
      number: string;
      storeId: number;
    }[];
  const csvOf = (...numbers: string[]) =>
    `number,email,name,placed_at,total,currency\n${numbers.map((n) => `${n},${n.toLowerCase()}@buyer.example,Buyer ${n},2026-11-03,9.50,EUR`).join('\n')}\n`;
  /** Uploads a file for a preview as `who`; the page and the token its Import button carries. */
  const preview = async (who: AdminClient, csv: string, store = storeId) => {
    const form = new FormData();
    form.set('_csrf', who.csrf);
    form.set('storeId', String(store));
    form.set('file', new File([csv], 'orders.csv', { type: 'text/csv' }));
    const res = await fetch(`${base()}/orders/import/preview`, { method: 'POST', body: form, headers: { cookie: who.cookie } });
    const page = await res.text();
    return { status: res.status, page, upload: /name="upload" value="([^"]+)"/.exec(page)?.[1] ?? null };
  };
  const errorOn = (page: string) => /class="error"[^>]*>([^<]*)/.exec(page)?.[1] ?? null;

  beforeAll(async () => {
    other = (await h.api('POST', '/api/v1/stores', { slug: 'other', name: 'Other Store', mailbox: 'support@other.example' })).body.id;
    const users = new UserRepo(h.gw.db);
    await users.create({ email: 'owner@acme.example', name: 'Olga Owner', role: 'owner', password: 'owner password 123' });
    await users.create({ email: 'agent@acme.example', name: 'Abe Agent', role: 'agent', password: 'agent password 123', storeIds: [storeId] });
    owner = await adminLogin(base(), 'owner@acme.example', 'owner password 123');
    agent = await adminLogin(base(), 'agent@acme.example', 'agent password 123');
  });

  it('sends the browser a token, not the file, and imports exactly the previewed file into the previewed store, once', async () => {
    const p = await preview(owner, csvOf('P-1', 'P-2'));
    expect(p.status).toBe(200);
    expect(p.upload).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.page).not.toContain(Buffer.from(csvOf('P-1', 'P-2')).toString('base64').slice(0, 40));
    expect(p.page).not.toContain('name="file" value=');
    // What a tampered form would bring along is not read: the other store, another file.
    const res = await owner.post('/orders/import', { upload: p.upload!, storeId: String(other), file: Buffer.from(csvOf('X-1')).toString('base64') });
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(page).toContain('Imported 2 order(s)');
    expect(ordersOf('P-')).toEqual([
      { number: 'P-1', storeId },
      { number: 'P-2', storeId },
    ]);
    expect(ordersOf('X-')).toEqual([]);
    const twice = await owner.post('/orders/import', { upload: p.upload! });
    expect(twice.status).toBe(400);
    expect(errorOn(await twice.text())).toContain('upload the file again');
    expect(h.gw.db.prepare('SELECT count(*) FROM order_import_uploads').pluck().get()).toBe(0);
  });

  it('imports nothing from a form that carries the file itself, as the old Import button did', async () => {
    const res = await owner.post('/orders/import', { storeId: String(storeId), file: Buffer.from(csvOf('F-1')).toString('base64') });
    expect(res.status).toBe(400);
    expect(ordersOf('F-')).toEqual([]);
  });

  it("keeps a preview for the user who made it: another user's Import with its token imports nothing and leaves it", async () => {
    const p = await preview(owner, csvOf('Q-1'));
    const stolen = await agent.post('/orders/import', { upload: p.upload! });
    expect(stolen.status).toBe(400);
    expect(ordersOf('Q-')).toEqual([]);
    expect((await owner.post('/orders/import', { upload: p.upload! })).status).toBe(200);
    expect(ordersOf('Q-')).toEqual([{ number: 'Q-1', storeId }]);
  });

  it('keeps nothing for a preview with nothing to import, and at most three per user', async () => {
    await preview(owner, csvOf('P-1')); // already imported: no Import button, nothing kept
    expect(h.gw.db.prepare('SELECT count(*) FROM order_import_uploads').pluck().get()).toBe(0);
    const tokens: (string | null)[] = [];
    for (const n of ['R-1', 'R-2', 'R-3', 'R-4']) tokens.push((await preview(owner, csvOf(n))).upload);
    expect(h.gw.db.prepare('SELECT count(*) FROM order_import_uploads').pluck().get()).toBe(3);
    expect((await owner.post('/orders/import', { upload: tokens[0]! })).status).toBe(400); // the oldest went
    expect((await owner.post('/orders/import', { upload: tokens[3]! })).status).toBe(200);
    expect(ordersOf('R-')).toEqual([{ number: 'R-4', storeId }]);
  });
});

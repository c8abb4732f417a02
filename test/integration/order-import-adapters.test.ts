// The order import on both storage adapters (a SQLite gateway and a PostgreSQL node, through the
// same API): a CSV file previews per row without creating anything, then makes its orders and the
// buyers' pairs in one go, and the same file again changes nothing (every order a duplicate, with
// its alias).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODES, TOKEN, type Node } from '../helpers/adapter-nodes.js';

const CSV = [
  'Order;Email;Customer name;Date;Total;Currency;SKU;Item;Price;Qty',
  'B-1;jane@buyer.example;Jane Doe;2026-11-01 10:00;39,98;EUR;K-1;Kettle;19,99;2',
  'B-2;joe@buyer.example;Joe Smith;01.11.2026;5,00;EUR;M-1;Mug;2,50;1',
  'B-2;joe@buyer.example;Joe Smith;01.11.2026;5,00;EUR;M-2;Saucer;2,50;1',
  'B-3;not-an-address;Nobody;2026-11-01;1,00;EUR;X;Thing;1,00;1',
  '',
].join('\r\n');

describe.each(NODES)('the order import on %s', (_name, make) => {
  let n: Node;
  let storeId = 0;
  let port = 0;
  const upload = async (dryRun: boolean) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/orders/import?storeId=${storeId}&dryRun=${dryRun}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
      body: CSV,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const orders = async () => Number((await n.exec('SELECT count(*) AS n FROM orders'))[0]?.n);

  beforeAll(async () => {
    n = await make();
    port = n.httpPort;
    storeId = (await n.api('POST', '/api/v1/stores', { slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' })).body.id;
  }, 120_000);
  afterAll(async () => n?.close());

  it('previews per row without creating anything', async () => {
    const r = await upload(true);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: 2, duplicates: 0, invalid: 1 });
    expect(r.body.rows.map((x: { status: string }) => x.status)).toEqual(['new', 'new', 'new', 'error']);
    expect(await orders()).toBe(0);
  });

  it('creates the orders with their items and pairs, and the same file again changes nothing', async () => {
    const r = await upload(false);
    expect(r.body).toMatchObject({ created: 2, duplicates: 0, invalid: 1 });
    expect(await orders()).toBe(2);
    const joe = r.body.rows.find((x: { number: string }) => x.number === 'B-2');
    expect(joe.address).toMatch(/@relay\.localhost$/);
    expect(Number((await n.exec("SELECT count(*) AS n FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.number = 'B-2'"))[0]?.n)).toBe(2);
    const again = await upload(false);
    expect(again.body).toMatchObject({ created: 0, duplicates: 2, invalid: 1 });
    expect(again.body.rows.find((x: { number: string }) => x.number === 'B-2').address).toBe(joe.address);
    expect(await orders()).toBe(2);
  });
});

// The JSON API over real HTTP against the real gateway and a real SQLite file.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN, startHarness, type Harness } from '../helpers/gateway.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({}, { sink: false });
});
afterAll(async () => {
  await h.close();
});

function rowCount(table: string): number {
  const db = new Database(join(h.dataDir, 'maskgate.sqlite'), { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const order = (storeId: number, number: string, email = 'jane@buyer.example') => ({
  storeId,
  number,
  buyer: { email, name: 'Jane Doe' },
  items: [{ sku: 'K-1', name: 'Kettle', category: 'Kitchen', manufacturer: 'Boil Co', unitPrice: 19.99, quantity: 2 }],
  total: 39.98,
  currency: 'EUR',
  placedAt: '2026-11-01T10:00:00Z',
  completedAt: null,
});

describe('auth', () => {
  it('refuses requests without or with a wrong bearer token with 401 and the error shape', async () => {
    const none = await fetch(`http://127.0.0.1:${h.gw.httpPort}/api/v1/stores`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: 'Unauthorized', code: 'UNAUTHORIZED', message: expect.stringContaining('API token') });
    expect((await h.api('GET', '/api/v1/stores', undefined, 'wrong-token-wrong-token-wrong')).status).toBe(401);
  });

  it('answers /healthz without a token', async () => {
    const res = await fetch(`http://127.0.0.1:${h.gw.httpPort}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', smtp: true });
  });
});

describe('stores and permitted senders', () => {
  it('creates a store with its contact address; its mailbox is the first permitted sender', async () => {
    const res = await h.api('POST', '/api/v1/stores', { slug: 'books', name: 'Book Nook', mailbox: 'Help@BookNook.example' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ slug: 'books', name: 'Book Nook', mailbox: 'help@booknook.example', address: `books@${DOMAIN}` });
    const senders = await h.api('GET', `/api/v1/stores/${res.body.id}/permitted-senders`);
    expect(senders.body.items).toEqual([expect.objectContaining({ email: 'help@booknook.example', status: 'enabled' })]);
  });

  it.each([
    [{ slug: 'Bad Slug', name: 'x', mailbox: 'a@b.example' }, /^slug: /],
    [{ slug: 'ok', name: '', mailbox: 'a@b.example' }, /^name: /],
    [{ slug: 'ok', name: 'x', mailbox: 'not-an-address' }, /^mailbox: must be a plain email address/],
    [{ slug: 'ok', name: 'x', mailbox: `loop@${DOMAIN}` }, /^mailbox: must be a real mailbox outside the relay domains/],
    [{ slug: 'ok', name: 'x', mailbox: 'a@b.example', extra: 1 }, /Unrecognized key/],
    ['{not json', /must be a JSON object/],
  ])('refuses %j with 400 and writes nothing', async (body, message) => {
    const before = rowCount('stores');
    const res = await h.api('POST', '/api/v1/stores', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.error).toBe('Bad Request');
    expect(res.body.message).toMatch(message);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts/); // no stack trace
    expect(rowCount('stores')).toBe(before);
  });

  it('refuses a duplicate slug with 409', async () => {
    await h.api('POST', '/api/v1/stores', { slug: 'dupe', name: 'D', mailbox: 'd@d.example' });
    const res = await h.api('POST', '/api/v1/stores', { slug: 'dupe', name: 'D2', mailbox: 'd2@d.example' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CONFLICT');
  });

  it('adds, lists and blocks permitted senders', async () => {
    const store = await h.api('POST', '/api/v1/stores', { slug: 'tools', name: 'Tool Shed', mailbox: 'cs@tools.example' });
    const added = await h.api('POST', `/api/v1/stores/${store.body.id}/permitted-senders`, { email: 'amy@tools.example' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ email: 'amy@tools.example', status: 'enabled', storeId: store.body.id });
    expect((await h.api('POST', `/api/v1/stores/${store.body.id}/permitted-senders`, { email: 'amy@tools.example' })).status).toBe(409);
    const patched = await h.api('PATCH', `/api/v1/permitted-senders/${added.body.id}`, { status: 'blocked' });
    expect(patched.body.status).toBe('blocked');
    expect((await h.api('PATCH', `/api/v1/permitted-senders/${added.body.id}`, { status: 'maybe' })).status).toBe(400);
    expect((await h.api('PATCH', '/api/v1/permitted-senders/99999', { status: 'blocked' })).status).toBe(404);
    expect((await h.api('POST', '/api/v1/stores/99999/permitted-senders', { email: 'x@y.example' })).status).toBe(404);
    const list = await h.api('GET', `/api/v1/stores/${store.body.id}/permitted-senders`);
    expect(list.body.items.map((s: { email: string; status: string }) => `${s.email}:${s.status}`)).toEqual([
      'cs@tools.example:enabled',
      'amy@tools.example:blocked',
    ]);
  });
});

describe('orders and pairs', () => {
  it('creates one pair per buyer and store, reused by later orders, and looked up by alias', async () => {
    const s1 = (await h.api('POST', '/api/v1/stores', { slug: 'garden', name: 'Garden Co', mailbox: 'cs@garden.example' })).body;
    const s2 = (await h.api('POST', '/api/v1/stores', { slug: 'kitchen', name: 'Kitchen Co', mailbox: 'cs@kitchen.example' })).body;
    const o1 = await h.api('POST', '/api/v1/orders', order(s1.id, 'G-1'));
    expect(o1.status).toBe(201);
    expect(o1.body.alias).toMatch(/^[a-z2-7]{20}$/);
    expect(o1.body.address).toBe(`${o1.body.alias}@${DOMAIN}`);
    const o2 = await h.api('POST', '/api/v1/orders', order(s1.id, 'G-2'));
    expect(o2.body.alias).toBe(o1.body.alias);
    const other = await h.api('POST', '/api/v1/orders', order(s2.id, 'K-1'));
    expect(other.body.alias).not.toBe(o1.body.alias);
    const second = await h.api('POST', '/api/v1/orders', order(s1.id, 'G-3', 'jan@buyer.example'));
    expect(second.body.alias).not.toBe(o1.body.alias);

    const pair = await h.api('GET', `/api/v1/pairs/${o1.body.alias}`);
    expect(pair.status).toBe(200);
    expect(pair.body).toMatchObject({
      alias: o1.body.alias,
      optedOut: false,
      store: { id: s1.id, slug: 'garden', name: 'Garden Co' },
      buyer: { name: 'Jane Doe', email: 'jane@buyer.example', kind: 'customer' },
    });
    expect(pair.body.orders.map((o: { number: string }) => o.number).sort()).toEqual(['G-1', 'G-2']);
    expect(pair.body.orders[0].items[0]).toEqual({ sku: 'K-1', name: 'Kettle', category: 'Kitchen', manufacturer: 'Boil Co', unitPrice: 19.99, quantity: 2 });
    expect(pair.body.orders[0].total).toBe(39.98);
    // The full address works as well as the bare token.
    expect((await h.api('GET', `/api/v1/pairs/${o1.body.address}`)).body.alias).toBe(o1.body.alias);
  });

  it('refuses bad orders with 400/409 and writes no pair or order', async () => {
    const s = (await h.api('POST', '/api/v1/stores', { slug: 'shoes', name: 'Shoe Co', mailbox: 'cs@shoes.example' })).body;
    await h.api('POST', '/api/v1/orders', order(s.id, 'S-1'));
    const before = [rowCount('orders'), rowCount('pairs'), rowCount('buyers'), rowCount('order_items')];
    const cases: [unknown, number, RegExp][] = [
      [{ ...order(s.id, 'S-2'), storeId: 99999 }, 400, /storeId: no store/],
      [{ ...order(s.id, 'S-2'), currency: 'euro' }, 400, /^currency: /],
      [{ ...order(s.id, 'S-2'), total: -1 }, 400, /^total: /],
      [{ ...order(s.id, 'S-2'), total: 1.234 }, 400, /at most 2 decimals/],
      [{ ...order(s.id, 'S-2'), placedAt: 'yesterday' }, 400, /^placedAt: /],
      [{ ...order(s.id, 'S-2', 'new@buyer.example'), items: [{ sku: 'x' }] }, 400, /^items\.0\./],
      [{ ...order(s.id, 'S-2'), buyer: { email: `x@${DOMAIN}`, name: 'Loop' } }, 400, /buyer\.email/],
      [order(s.id, 'S-1', 'someone-else@buyer.example'), 409, /already exists/],
    ];
    for (const [body, status, message] of cases) {
      const res = await h.api('POST', '/api/v1/orders', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.message).toMatch(message);
    }
    expect([rowCount('orders'), rowCount('pairs'), rowCount('buyers'), rowCount('order_items')]).toEqual(before);
  });

  it('completes an order with PATCH and records an opt-out', async () => {
    const s = (await h.api('POST', '/api/v1/stores', { slug: 'lamps', name: 'Lamp Co', mailbox: 'cs@lamps.example' })).body;
    const o = (await h.api('POST', '/api/v1/orders', order(s.id, 'L-1'))).body;
    const done = await h.api('PATCH', `/api/v1/orders/${o.id}`, { completedAt: '2026-11-20T12:00:00Z' });
    expect(done.body).toMatchObject({ status: 'completed', completedAt: '2026-11-20T12:00:00.000Z' });
    // The order read back or changed names its buyer's alias as POST did: the token and the whole address.
    expect(o).toMatchObject({ alias: expect.any(String), address: `${o.alias}@${DOMAIN}` });
    expect(done.body).toMatchObject({ alias: o.alias, address: o.address });
    expect((await h.api('GET', `/api/v1/orders/${o.id}`)).body).toMatchObject({ alias: o.alias, address: o.address });
    expect((await h.api('PATCH', `/api/v1/orders/${o.id}`, {})).status).toBe(400);
    expect((await h.api('PATCH', '/api/v1/orders/99999', { status: 'shipped' })).status).toBe(404);
    const out = await h.api('PUT', `/api/v1/pairs/${o.alias}/opt-out`, { optedOut: true });
    expect(out.body.optedOut).toBe(true);
    expect((await h.api('GET', `/api/v1/pairs/${o.alias}`)).body.optedOut).toBe(true);
  });

  it('answers 400 for a malformed alias and 404 for an unknown one', async () => {
    expect((await h.api('GET', '/api/v1/pairs/not-an-alias')).status).toBe(400);
    expect((await h.api('GET', `/api/v1/pairs/${'a'.repeat(20)}@other.example`)).status).toBe(400);
    const res = await h.api('GET', `/api/v1/pairs/${'a'.repeat(20)}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Not Found', code: 'NOT_FOUND', message: 'no pair with that alias' });
  });
});

describe('messages and outbox queries', () => {
  it('validate their filters', async () => {
    expect((await h.api('GET', '/api/v1/messages?direction=sideways')).status).toBe(400);
    expect((await h.api('GET', '/api/v1/outbox?status=lost')).status).toBe(400);
    expect((await h.api('GET', '/api/v1/outbox?limit=0')).status).toBe(400);
    expect((await h.api('GET', '/api/v1/outbox/abc/raw')).status).toBe(400);
    expect((await h.api('GET', '/api/v1/outbox/424242/raw')).status).toBe(404);
    expect((await h.api('GET', '/api/v1/outbox?status=queued')).body).toEqual({ items: [], next: null });
    expect((await h.api('GET', '/api/v1/nope')).status).toBe(404);
  });
});

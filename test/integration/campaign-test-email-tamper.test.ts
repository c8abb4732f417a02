// A campaign's test email, tampered with: an address that only resembles one of the team's (a
// +tag, a second address, a header after a line break, a repeated field), a staff login that is
// disabled, and more than 20 an hour from two sessions of one user posting at once. Over real HTTP:
// nothing reaches an address outside the team, and no more than 20 go.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { adminLogin, type AdminClient } from '../helpers/admin-client.js';
import { startHarness, type Harness } from '../helpers/gateway.js';

let h: Harness;
let base: string;
let campaignId: number;
let owner: AdminClient;
let again: AdminClient;

const notices = () => h.gw.db.prepare("SELECT env_to AS to_ FROM outbox WHERE kind = 'notice'").all() as { to_: string }[];

beforeAll(async () => {
  h = await startHarness({ campaigns: { ratePerSecond: 1000, pollIntervalMs: 20, repeatDays: 7, lateAfterHours: 6, maxQueued: 2000 } });
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  const storeId = (await h.api('POST', '/api/v1/stores', { slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' })).body.id;
  expect((await h.api('POST', `/api/v1/stores/${storeId}/permitted-senders`, { email: 'desk@acme.example' })).status).toBe(201);
  const order = await h.api('POST', '/api/v1/orders', {
    storeId,
    number: 'K-1',
    buyer: { email: 'ann@buyer.example', name: 'Ann Buyer' },
    items: [{ sku: 'KET-1', name: 'Kettle', category: 'Kitchen', manufacturer: 'Boil Co', unitPrice: 30, quantity: 1 }],
    total: 30,
    currency: 'EUR',
    placedAt: '2026-10-01T10:00:00Z',
    completedAt: '2026-10-03T10:00:00Z',
  });
  expect(order.status).toBe(201);
  const users = new UserRepo(h.gw.db);
  await users.create({ email: 'olivia@seller.example', name: 'Olivia Owner', role: 'owner', password: 'owner password 123' });
  const gone = await users.create({ email: 'gone@seller.example', name: 'Gone Agent', role: 'agent', password: 'agent password 123', storeIds: [storeId] });
  users.setDisabled(gone.id, true);
  owner = await adminLogin(base, 'olivia@seller.example', 'owner password 123');
  again = await adminLogin(base, 'olivia@seller.example', 'owner password 123');
  const c = await h.api('POST', '/api/v1/campaigns', { storeId, name: 'Kettle', subject: 'Hello from {{store.name}}', body: 'Hi {{buyer.name}}!' });
  expect(c.status).toBe(201);
  campaignId = c.body.id;
}, 120_000);
afterAll(() => h.close());

describe('a tampered test email', () => {
  it('refuses addresses that only resemble the team’s, and a disabled staff login', async () => {
    for (const to of [
      'desk+x@acme.example',
      'desk@acme.example,anyone@elsewhere.example',
      'desk@acme.example\r\nBcc: anyone@elsewhere.example',
      'desk@acme.example anyone@elsewhere.example',
      '"desk@acme.example" <anyone@elsewhere.example>',
      'gone@seller.example',
      'ann@buyer.example',
    ]) {
      expect((await owner.post(`/campaigns/${campaignId}/test`, { to })).status, to).toBe(403);
    }
    // The same field twice: whichever is read, nothing goes outside the team.
    const body = new URLSearchParams([
      ['_csrf', owner.csrf],
      ['to', 'desk@acme.example'],
      ['to', 'anyone@elsewhere.example'],
    ]).toString();
    await fetch(`${base}/campaigns/${campaignId}/test`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(notices().filter((n) => !/@(acme|seller)\.example$/.test(n.to_))).toEqual([]);
  });

  it('sends at most 20 an hour when two sessions of one user post 30 at once', async () => {
    const before = notices().length;
    const rs = await Promise.all(
      Array.from({ length: 30 }, (_, k) => (k % 2 ? owner : again).post(`/campaigns/${campaignId}/test`, { to: ' DESK@acme.example ' })),
    );
    const sent = notices().length - before;
    expect(sent + before).toBeLessThanOrEqual(20);
    expect(rs.filter((r) => r.status === 429).length).toBe(30 - sent);
  });
});

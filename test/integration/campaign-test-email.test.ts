// The campaign's test email goes only to the team's own addresses, at most 20 an hour per user
// (issue: it went to any address, rendered with a real buyer's name and alias, as often as a staff
// account — or a stolen session — liked, from the store's domain). Over real HTTP and SMTP: a
// refused test queues nothing. Tampered with too: an address that only resembles one of the team's
// (a +tag, a second address, a header after a line break, a repeated field), a staff login that is
// disabled, and more than 20 an hour from two sessions of one user posting at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { adminLogin, type AdminClient } from '../helpers/admin-client.js';
import { startHarness, type Harness } from '../helpers/gateway.js';

let h: Harness;
let base: string;
let storeId: number;
let campaignId: number;
let owner: AdminClient;
let agent: AdminClient;
/** Another owner and a second session of theirs: the hour's count of their own (the tampering below). */
let otto: AdminClient;
let ottoAgain: AdminClient;
/** A third owner, for the repeated field (whichever is read, it may be sent and count). */
let pia: AdminClient;

const queuedTo = (address: string) => (h.gw.db.prepare('SELECT count(*) AS n FROM outbox WHERE env_to = ?').get(address) as { n: number }).n;
const notices = () => h.gw.db.prepare("SELECT env_to AS to_ FROM outbox WHERE kind = 'notice'").all() as { to_: string }[];
const queued = () => (h.gw.db.prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'notice'").get() as { n: number }).n;

beforeAll(async () => {
  h = await startHarness({ campaigns: { ratePerSecond: 1000, pollIntervalMs: 20, repeatDays: 7, lateAfterHours: 6, maxQueued: 2000 } });
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  storeId = (await h.api('POST', '/api/v1/stores', { slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' })).body.id;
  const birch = (await h.api('POST', '/api/v1/stores', { slug: 'birch', name: 'Birch Store', mailbox: 'help@birch.example' })).body.id;
  expect((await h.api('POST', `/api/v1/stores/${storeId}/permitted-senders`, { email: 'desk@acme.example' })).status).toBe(201);
  expect((await h.api('POST', `/api/v1/stores/${storeId}/permitted-senders`, { email: 'old@acme.example', status: 'blocked' })).status).toBe(201);
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
  await users.create({ email: 'alex@seller.example', name: 'Alex Agent', role: 'agent', password: 'agent password 123', storeIds: [storeId] });
  await users.create({ email: 'bea@seller.example', name: 'Bea Birch', role: 'agent', password: 'agent password 123', storeIds: [birch] });
  await users.create({ email: 'otto@seller.example', name: 'Otto Owner', role: 'owner', password: 'owner password 123' });
  await users.create({ email: 'pia@seller.example', name: 'Pia Owner', role: 'owner', password: 'owner password 123' });
  const gone = await users.create({ email: 'gone@seller.example', name: 'Gone Agent', role: 'agent', password: 'agent password 123', storeIds: [storeId] });
  users.setDisabled(gone.id, true);
  owner = await adminLogin(base, 'olivia@seller.example', 'owner password 123');
  agent = await adminLogin(base, 'alex@seller.example', 'agent password 123');
  otto = await adminLogin(base, 'otto@seller.example', 'owner password 123');
  ottoAgain = await adminLogin(base, 'otto@seller.example', 'owner password 123');
  pia = await adminLogin(base, 'pia@seller.example', 'owner password 123');
  const c = await h.api('POST', '/api/v1/campaigns', { storeId, name: 'Kettle', subject: 'Hello from {{store.name}}', body: 'Hi {{buyer.name}}!' });
  expect(c.status).toBe(201);
  campaignId = c.body.id;
}, 120_000);
afterAll(() => h.close());

describe('who a test email may go to', () => {
  it('refuses an address outside the team, and queues nothing', async () => {
    const before = queued();
    const r = await owner.post(`/campaigns/${campaignId}/test`, { to: 'anyone@elsewhere.example' });
    expect(r.status).toBe(403);
    expect(await r.text()).toContain('Test emails go only to the team');
    // Nor a blocked sender, nor staff who do not work on the store, nor a buyer.
    for (const to of ['old@acme.example', 'bea@seller.example', 'ann@buyer.example']) {
      expect((await owner.post(`/campaigns/${campaignId}/test`, { to })).status).toBe(403);
    }
    expect(queued()).toBe(before);
    expect(queuedTo('anyone@elsewhere.example')).toBe(0);
  });

  it("sends to a staff login of the store, the store's mailbox and its permitted senders", async () => {
    for (const to of ['alex@seller.example', 'olivia@seller.example', 'support@acme.example', 'desk@acme.example']) {
      const r = await owner.post(`/campaigns/${campaignId}/test`, { to });
      expect(r.status, to).toBe(200);
      expect(await r.text()).toContain(`Test email queued to ${to}, rendered for Ann Buyer.`);
      expect(queuedTo(to)).toBe(1);
    }
  });

  it('offers those addresses as a choice, the user’s own first, instead of a free field', async () => {
    const page = await (await agent.get(`/campaigns/${campaignId}`)).text();
    const form = /<form[^>]*data-test-form[\s\S]*?<\/form>/.exec(page)![0];
    expect(form).not.toMatch(/<input[^>]*name="to"/);
    const options = [...form.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    expect(options).toEqual([
      'alex@seller.example',
      'desk@acme.example',
      'olivia@seller.example',
      'otto@seller.example',
      'pia@seller.example',
      'support@acme.example',
    ]);
    const mine = await (await owner.get(`/campaigns/${campaignId}`)).text();
    const ownerForm = /<form[^>]*data-test-form[\s\S]*?<\/form>/.exec(mine)![0];
    expect([...ownerForm.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'olivia@seller.example',
      'alex@seller.example',
      'desk@acme.example',
      'otto@seller.example',
      'pia@seller.example',
      'support@acme.example',
    ]);
  });
});

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
      ['_csrf', pia.csrf],
      ['to', 'desk@acme.example'],
      ['to', 'anyone@elsewhere.example'],
    ]).toString();
    await fetch(`${base}/campaigns/${campaignId}/test`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: pia.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(notices().filter((n) => !/@(acme|seller)\.example$/.test(n.to_))).toEqual([]);
  });

  it('sends at most 20 an hour when two sessions of one user post 30 at once', async () => {
    const before = notices().length;
    const rs = await Promise.all(
      Array.from({ length: 30 }, (_, k) => (k % 2 ? otto : ottoAgain).post(`/campaigns/${campaignId}/test`, { to: ' DESK@acme.example ' })),
    );
    const sent = notices().length - before;
    expect(sent).toBe(20);
    expect(rs.filter((r) => r.status === 429).length).toBe(10);
  });
});

describe('how often', () => {
  it('sends 20 test emails an hour per user, then answers 429 with a sentence and queues nothing', async () => {
    for (let i = 0; i < 20; i++) expect((await agent.post(`/campaigns/${campaignId}/test`, { to: 'alex@seller.example' })).status).toBe(200);
    const before = queued();
    const r = await agent.post(`/campaigns/${campaignId}/test`, { to: 'alex@seller.example' });
    expect(r.status).toBe(429);
    expect(await r.text()).toMatch(/20 test emails an hour; the next may go in \d+ minutes?\./);
    expect(queued()).toBe(before);
    // Per user: the owner's own count is apart.
    expect((await owner.post(`/campaigns/${campaignId}/test`, { to: 'olivia@seller.example' })).status).toBe(200);
  });

  it('does not count a test that was refused', async () => {
    // Olivia has sent 5; 15 refusals (outside address) later she may still send 15.
    for (let i = 0; i < 15; i++) expect((await owner.post(`/campaigns/${campaignId}/test`, { to: 'anyone@elsewhere.example' })).status).toBe(403);
    for (let i = 0; i < 15; i++) expect((await owner.post(`/campaigns/${campaignId}/test`, { to: 'olivia@seller.example' })).status).toBe(200);
    expect((await owner.post(`/campaigns/${campaignId}/test`, { to: 'olivia@seller.example' })).status).toBe(429);
  });
});

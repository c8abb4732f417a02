// The read mark, tampered with: a GET to the POST's address, a cross-site form (another Origin,
// with the session cookie but no token, or a token with another site's Origin), and an agent of
// another store naming this conversation. Over real HTTP: none marks anything read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { adminLogin, type AdminClient } from '../helpers/admin-client.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let base: string;
let pairId: number;
let seen: number;
let owner: AdminClient;
let stranger: AdminClient;

const unread = () => (h.gw.db.prepare('SELECT unread FROM conversations WHERE pair_id = ?').get(pairId) as { unread: number }).unread;

beforeAll(async () => {
  h = await startHarness();
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  const pair = await seedPair(h);
  pairId = (h.gw.db.prepare('SELECT id FROM pairs WHERE token = ?').get(pair.alias) as { id: number }).id;
  const c = await SmtpClient.connect(h.gw.smtpPort);
  const msg = buildMessage({ from: 'jane@buyer.example', to: pair.address, subject: 'Where is my kettle?', body: 'Hello.' });
  expect((await c.send('jane@buyer.example', [pair.address], msg)).reply.code).toBe(250);
  await c.quit();
  seen = (h.gw.db.prepare("SELECT max(id) AS id FROM messages WHERE direction = 'buyer_to_store'").get() as { id: number }).id;
  const other = (await h.api('POST', '/api/v1/stores', { slug: 'birch', name: 'Birch Store', mailbox: 'help@birch.example' })).body.id;
  const users = new UserRepo(h.gw.db);
  await users.create({ email: 'olivia@seller.example', name: 'Olivia Owner', role: 'owner', password: 'owner password 123' });
  await users.create({ email: 'bea@seller.example', name: 'Bea Birch', role: 'agent', password: 'agent password 123', storeIds: [other] });
  owner = await adminLogin(base, 'olivia@seller.example', 'owner password 123');
  stranger = await adminLogin(base, 'bea@seller.example', 'agent password 123');
}, 120_000);
afterAll(() => h.close());

describe('a tampered read mark', () => {
  it('marks nothing read by a GET, a cross-site form, or an agent of another store', async () => {
    expect(unread()).toBe(1);
    expect((await owner.get(`/conversations/${pairId}/read?seen=${seen}`)).status).not.toBe(204);
    for (const form of [`seen=${seen}`, `_csrf=${owner.csrf}&seen=${seen}`]) {
      const r = await fetch(`${base}/conversations/${pairId}/read`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: owner.cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
      expect(r.status).toBe(403);
    }
    expect((await stranger.post(`/conversations/${pairId}/read`, { seen: String(seen) })).status).toBe(404);
    expect((await stranger.get(`/conversations/${pairId}`)).status).toBe(404);
    expect(unread()).toBe(1);
    expect((await owner.post(`/conversations/${pairId}/read`, { seen: String(seen) })).status).toBe(204);
    expect(unread()).toBe(0);
  });
});

// A conversation is read when a person has it on screen, never because a GET was made (issue:
// the live refresh marked new buyer mail read, so a cross-site <img src>, a prefetch or a tab left
// open in the background read mail nobody saw). Over real HTTP: the live refresh writes nothing;
// the page's POST (CSRF token) marks read only the messages it shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { adminLogin, type AdminClient } from '../helpers/admin-client.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let base: string;
let pair: Awaited<ReturnType<typeof seedPair>>;
let pairId: number;
let owner: AdminClient;

async function buyerWrites(subject: string, body: string): Promise<number> {
  const c = await SmtpClient.connect(h.gw.smtpPort);
  const r = await c.send('jane@buyer.example', [pair.address], buildMessage({ from: 'jane@buyer.example', to: pair.address, subject, body }));
  await c.quit();
  expect(r.reply.code).toBe(250);
  return (h.gw.db.prepare("SELECT max(id) AS id FROM messages WHERE direction = 'buyer_to_store'").get() as { id: number }).id;
}

const unread = () => (h.gw.db.prepare('SELECT unread FROM conversations WHERE pair_id = ?').get(pairId) as { unread: number }).unread;

beforeAll(async () => {
  h = await startHarness();
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  pair = await seedPair(h);
  pairId = (h.gw.db.prepare('SELECT id FROM pairs WHERE token = ?').get(pair.alias) as { id: number }).id;
  await new UserRepo(h.gw.db).create({ email: 'olivia@seller.example', name: 'Olivia Owner', role: 'owner', password: 'owner password 123' });
  owner = await adminLogin(base, 'olivia@seller.example', 'owner password 123');
}, 120_000);
afterAll(() => h.close());

describe('reading a conversation', () => {
  let first = 0;

  it('marks nothing read when the page or its live refresh is fetched (a GET writes nothing)', async () => {
    first = await buyerWrites('Where is my kettle?', 'Hello, it has not arrived.');
    expect(unread()).toBe(1);
    expect((await owner.get(`/conversations/${pairId}`)).status).toBe(200);
    expect(unread()).toBe(1);
    const second = await buyerWrites('Re: Where is my kettle?', 'Still waiting.');
    // The live refresh brings the new message (appended to the open page) and changes nothing.
    const live = await owner.get(`/conversations/${pairId}/live?after=${first}`);
    expect(live.status).toBe(200);
    const html = await live.text();
    expect(html).toContain('Still waiting.');
    expect(unread()).toBe(2);
    // It asks the page to mark read again, up to the message it brought, once the page is on screen.
    expect(html).toMatch(new RegExp(`id="mark-read"[^>]*hx-swap-oob`));
    expect(html).toContain(`&quot;seen&quot;:${second}`);
  });

  it('refuses the read POST without the CSRF token, and changes nothing', async () => {
    const r = await fetch(`${base}/conversations/${pairId}/read`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `seen=${first}`,
    });
    expect(r.status).toBe(403);
    expect(unread()).toBe(2);
  });

  it('marks read only the messages the page showed: a newer one stays unread', async () => {
    const r = await owner.post(`/conversations/${pairId}/read`, { seen: String(first) });
    expect(r.status).toBe(204);
    expect(unread()).toBe(1);
    const last = (h.gw.db.prepare("SELECT max(id) AS id FROM messages WHERE direction = 'buyer_to_store'").get() as { id: number }).id;
    expect((await owner.post(`/conversations/${pairId}/read`, { seen: String(last) })).status).toBe(204);
    expect(unread()).toBe(0);
  });

  it('refuses a read POST that names no message shown, and changes nothing', async () => {
    await buyerWrites('Re: Where is my kettle?', 'Hello?');
    expect((await owner.post(`/conversations/${pairId}/read`, {})).status).toBe(400);
    expect(unread()).toBe(1);
  });
});

// A buyer marked undeliverable (the smarthost refused them `550 5.1.1`) as the support team sees and
// clears it: the notice in the conversation and the badge on the inbox row (masked: never the real
// address), the CSRF-checked clear button any agent of the store may press (a buyer.deliverable
// event says who), and the mark cleared by itself when a later message to them is accepted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { adminLogin, type AdminClient } from '../helpers/admin-client.js';
import { campaignShop, LAMP } from '../helpers/campaign-shop.js';
import { startHarness, type Harness } from '../helpers/gateway.js';
import { refusingSmarthost, type Smarthost } from '../helpers/refusing-smarthost.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let host: Smarthost;
let base: string;
let agent: AdminClient;
let pairId: number;
const shop = campaignShop(() => (method, path, body) => h.api(method, path, body));
const GUS = 'gus@buyer.example';

beforeEach(async () => {
  host = await refusingSmarthost();
  h = await startHarness({ outbound: { smarthost: host.url, pollIntervalMs: 50, retrySchedule: [0.2], retryThereafter: 0.2 } }, { sink: false });
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  await shop.open();
  await shop.order('gus', 'O-9', [LAMP], new Date(Date.now() - 3600_000).toISOString());
  const pair = h.gw.db.prepare('SELECT id, store_id AS storeId FROM pairs WHERE token = ?').get(shop.alias.gus!.split('@')[0]) as {
    id: number;
    storeId: number;
  };
  pairId = pair.id;
  await new UserRepo(h.gw.db).create({
    email: 'amy@seller.example',
    name: 'Amy Agent',
    role: 'agent',
    password: 'agent password 123',
    storeIds: [pair.storeId],
  });
  agent = await adminLogin(base, 'amy@seller.example', 'agent password 123');
}, 60_000);
afterEach(async () => {
  await h.close();
  await host.close();
});

const buyer = async () => (await h.api('GET', `/api/v1/pairs/${encodeURIComponent(shop.alias.gus!)}`)).body.buyer;

async function write(subject: string) {
  const r = await SmtpClient.sendOnce(
    h.gw.smtpPort,
    'support@acme.example',
    shop.alias.gus!,
    buildMessage({ from: 'support@acme.example', to: shop.alias.gus!, subject, body: 'shipped' }),
  );
  expect(r.reply.code, r.reply.text).toBe(250);
}

async function until<T>(what: string, get: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await get();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`waited in vain for ${what}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function markGus() {
  host.refuse.set(GUS, { code: 550, message: '5.1.1 <gus@buyer.example>: Recipient address rejected: User unknown' });
  await write('Order O-9');
  return until('the mark', async () => (await buyer()).undeliverableSince !== null && (await buyer()));
}

describe('an undeliverable buyer in the admin', () => {
  it('says so in the conversation and on the inbox row, in words, with the masked status and no real address', async () => {
    const b = await markGus();
    expect(b.undeliverableReason).toMatch(/^550 5\.1\.1 /);
    expect(b.undeliverableReason).not.toContain(GUS);
    const page = await (await agent.get(`/conversations/${pairId}`)).text();
    expect(page).toMatch(/Messages to this buyer can(&#39;|')t be delivered: their mailbox no longer exists \(550 5\.1\.1\), since \d{4}-\d\d-\d\d\./);
    expect(page).toContain('Mark as deliverable again');
    expect(page).not.toContain(GUS);
    // The store wrote last: the row is under "sent".
    const inbox = await (await agent.get('/inbox?view=all')).text();
    expect(inbox).toMatch(/undeliverable since \d{4}-\d\d-\d\d/);
    expect(inbox).not.toContain(GUS);
  });

  it('refuses the clear without the CSRF token, and the buyer stays marked', async () => {
    await markGus();
    const r = await fetch(`${base}/conversations/${pairId}/deliverable`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: agent.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(r.status).toBe(403);
    expect((await buyer()).undeliverableSince).not.toBeNull();
  });

  it('lets an agent of the store clear the mark: the notice is gone, a buyer.deliverable event names them, a second press writes nothing', async () => {
    await markGus();
    const r = await agent.post(`/conversations/${pairId}/deliverable`, {});
    expect(r.status).toBe(303);
    expect(await buyer()).toMatchObject({ undeliverableSince: null, undeliverableReason: null });
    expect(await (await agent.get(`/conversations/${pairId}`)).text()).not.toContain("can't be delivered");
    expect((await agent.post(`/conversations/${pairId}/deliverable`, {})).status).toBe(303);
    const events = (await h.api('GET', '/api/v1/events?type=buyer.deliverable')).body.items as { data: Record<string, unknown> }[];
    const amy = h.gw.db.prepare("SELECT id FROM users WHERE email = 'amy@seller.example'").get() as { id: number };
    expect(events.map((e) => e.data)).toEqual([{ alias: shop.alias.gus!.split('@')[0], via: 'admin', by: amy.id }]);
  });

  it('answers the htmx button with the empty slot in place of the notice', async () => {
    await markGus();
    const r = await fetch(`${base}/conversations/${pairId}/deliverable`, {
      method: 'POST',
      headers: { cookie: agent.cookie, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' },
      body: new URLSearchParams({ _csrf: agent.csrf }).toString(),
    });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('<div id="undeliverable"></div>');
  });

  it('answers 404 for a conversation of another store, or none, and clears nothing', async () => {
    await markGus();
    const other = h.gw.db.prepare('SELECT max(id) + 1 AS id FROM pairs').get() as { id: number };
    expect((await agent.post(`/conversations/${other.id}/deliverable`, {})).status).toBe(404);
    expect((await agent.post('/conversations/nope/deliverable', {})).status).toBe(404);
    expect((await buyer()).undeliverableSince).not.toBeNull();
  });

  it('still sends a new relayed message to a marked buyer, and clears the mark when the smarthost accepts it', async () => {
    await markGus();
    host.refuse.delete(GUS);
    await write('Order O-9, again');
    await until('the accepted delivery', async () => host.received.some((m) => m.to.includes(GUS)));
    await until('the mark cleared', async () => (await buyer()).undeliverableSince === null);
    const events = (await h.api('GET', '/api/v1/events?type=buyer.deliverable')).body.items as { data: Record<string, unknown> }[];
    expect(events.map((e) => e.data)).toEqual([{ alias: shop.alias.gus!.split('@')[0], via: 'delivery' }]);
  });
});

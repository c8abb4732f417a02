// The delivery badge that refreshes itself (GET /messages/:id/delivery) over real HTTP: a pending
// message's badge carries the trigger that asks again, a final one does not, the asking ends after
// its last recheck, another store's message is a 404, and the page is behind the login like the rest.
// The other one-message routes (card, category, tags, report, body, files) read the message the same
// way, one row within the user's stores: they show it, show a change at once, and 404 the same ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { DELIVERY_RECHECKS } from '../../views/conversation.js';
import { adminLogin, type AdminClient } from '../helpers/admin-client.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let base: string;
let agent: AdminClient;
let ours: number;
let theirs: number;

async function buyerWrites(from: string, to: string): Promise<number> {
  const c = await SmtpClient.connect(h.gw.smtpPort);
  const r = await c.send(from, [to], buildMessage({ from, to, subject: 'Where is my order?', body: 'Hello' }));
  await c.quit();
  expect(r.reply.code).toBe(250);
  return (h.gw.db.prepare('SELECT max(id) AS id FROM messages').get() as { id: number }).id;
}

/** The message's relay delivery, set as the outbox would leave it (due in an hour: the worker leaves it alone). */
function deliveryIs(messageId: number, status: string, lastError: string | null): void {
  h.gw.db
    .prepare("UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = ? WHERE message_id = ? AND kind = 'relay'")
    .run(status, lastError, Date.now() + 3_600_000, messageId);
}

beforeAll(async () => {
  h = await startHarness();
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  const acme = await seedPair(h, { number: 'A-1', buyerEmail: 'jane@buyer.example' });
  const rival = await seedPair(h, { slug: 'rival', storeName: 'Rival', mailbox: 'help@rival.example', number: 'R-1', buyerEmail: 'rr@buyer.example' });
  ours = await buyerWrites('jane@buyer.example', acme.address);
  theirs = await buyerWrites('rr@buyer.example', rival.address);
  await new UserRepo(h.gw.db).create({
    email: 'alex@seller.example',
    name: 'Alex Agent',
    role: 'agent',
    password: 'agent password 123',
    storeIds: [acme.storeId],
  });
  agent = await adminLogin(base, 'alex@seller.example', 'agent password 123');
}, 120_000);
afterAll(() => h.close());

describe("a message's delivery badge", () => {
  it('asks again while the delivery is pending, shows no real address, and is never cached', async () => {
    deliveryIs(ours, 'deferred', '451 4.2.0 <jane@buyer.example>: mailbox busy, try later');
    const r = await agent.get(`/messages/${ours}/delivery`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await r.text();
    expect(html).toContain('deferred (will retry)');
    expect(html).toContain(`hx-get="/messages/${ours}/delivery?step=1"`);
    expect(html).toMatch(/hx-trigger="load delay:\d+ms"/);
    expect(html).not.toContain('jane@buyer.example');
    expect(html).not.toContain('<script');
    // Queued asks again too, later each time.
    deliveryIs(ours, 'queued', null);
    const first = await (await agent.get(`/messages/${ours}/delivery?step=1`)).text();
    const later = await (await agent.get(`/messages/${ours}/delivery?step=2`)).text();
    const delay = (s: string) => Number(/load delay:(\d+)ms/.exec(s)?.[1]);
    expect(delay(later)).toBeGreaterThan(delay(first));
    expect(later).toContain(`delivery?step=3`);
  });

  it('stops asking once the delivery is final, or after its last recheck', async () => {
    for (const [status, label] of [
      ['sent', 'sent'],
      ['failed', 'failed'],
      ['captured', 'captured'],
    ] as const) {
      deliveryIs(ours, status, status === 'failed' ? '550 5.1.1 <jane@buyer.example>: no such user' : null);
      const html = await (await agent.get(`/messages/${ours}/delivery?step=1`)).text();
      expect(html).toContain(label);
      expect(html).not.toContain('hx-trigger');
      expect(html).not.toContain('jane@buyer.example');
    }
    deliveryIs(ours, 'deferred', null);
    const last = await (await agent.get(`/messages/${ours}/delivery?step=${DELIVERY_RECHECKS}`)).text();
    expect(last).toContain('deferred');
    expect(last).not.toContain('hx-trigger');
    // A step that is no count (negative, not a number, past the safe integers) starts over; one past the last does not ask.
    for (const step of ['-5', 'abc', '1e400', '2.5']) {
      expect(await (await agent.get(`/messages/${ours}/delivery?step=${step}`)).text(), step).toContain(`delivery?step=1"`);
    }
    expect(await (await agent.get(`/messages/${ours}/delivery?step=${DELIVERY_RECHECKS + 1}`)).text()).not.toContain('hx-trigger');
  });

  it('shows a refusal reason as text: markup in it is escaped, never run or turned into htmx attributes', async () => {
    deliveryIs(ours, 'failed', `550 5.7.1 <img src=x onerror=alert(1)> "><script>alert(1)</script> ' hx-get="/logout"`);
    const html = await (await agent.get(`/messages/${ours}/delivery`)).text();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/hx-get="\/logout"/);
    expect(html).not.toContain('hx-trigger');
  });

  it("is a 404 for another store's message, and for none", async () => {
    expect((await agent.get(`/messages/${theirs}/delivery`)).status).toBe(404);
    expect((await agent.get(`/messages/999999/delivery`)).status).toBe(404);
    expect((await agent.get(`/messages/x/delivery`)).status).toBe(404);
    for (const id of ['-1', '0', '1e3', '9007199254740993', '99999999999999999999999', `${ours}.0`, `0x${ours.toString(16)}`, `${ours}abc`]) {
      expect((await agent.get(`/messages/${encodeURIComponent(id)}/delivery`)).status, id).toBe(404);
    }
  });

  it('is behind the login like every page: a redirect, or 401 for htmx', async () => {
    const page = await fetch(`${base}/messages/${ours}/delivery`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/^\/login/);
    const hx = await fetch(`${base}/messages/${ours}/delivery`, { redirect: 'manual', headers: { 'hx-request': 'true' } });
    expect(hx.status).toBe(401);
    expect(hx.headers.get('hx-redirect')).toBe('/login');
  });
});

describe('the other one-message routes', () => {
  /** The agent's request as htmx sends it (the card comes back as a fragment). */
  const hx = (path: string, form?: Record<string, string>) =>
    fetch(`${base}${path}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: agent.cookie, 'hx-request': 'true', ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams({ _csrf: agent.csrf, ...form }).toString() } : {}),
    });

  it('shows the opened card of the message, and a new category on it at once', async () => {
    deliveryIs(ours, 'deferred', null);
    const card = await hx(`/messages/${ours}/card`);
    expect(card.status).toBe(200);
    const html = await card.text();
    expect(html).toContain('Where is my order?');
    expect(html).toContain(`hx-get="/messages/${ours}/delivery?step=1"`);
    expect(html).not.toContain('jane@buyer.example');
    const changed = await hx(`/messages/${ours}/category`, { category: 'refund' });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toMatch(/<option value="refund" selected/);
    // Without htmx: back to the conversation, at the message.
    const plain = await agent.post(`/messages/${ours}/category`, { category: 'product_question' });
    expect(plain.status).toBe(303);
    expect(plain.headers.get('location')).toMatch(new RegExp(`^/conversations/\\d+#m${ours}$`));
    expect(await (await hx(`/messages/${ours}/card`)).text()).toMatch(/<option value="product_question" selected/);
  });

  it("is a 404 for another store's message, and for an id that is none, on every route", async () => {
    for (const id of [String(theirs), '999999', 'x', '-1', '0', `${ours}.0`]) {
      const at = `/messages/${encodeURIComponent(id)}`;
      expect((await hx(`${at}/card`)).status, `${id} card`).toBe(404);
      expect((await agent.get(`${at}/body`)).status, `${id} body`).toBe(404);
      expect((await agent.get(`${at}/files/0`)).status, `${id} files`).toBe(404);
      expect((await hx(`${at}/category`, { category: 'refund' })).status, `${id} category`).toBe(404);
      expect((await hx(`${at}/tags`, { tagId: '1' })).status, `${id} tags`).toBe(404);
      expect((await hx(`${at}/report`, { reason: 'spam' })).status, `${id} report`).toBe(404);
    }
    // Their message kept its category: the refused change wrote nothing.
    expect(h.gw.db.prepare('SELECT category FROM messages WHERE id = ?').get(theirs)).not.toEqual({ category: 'refund' });
  });
});

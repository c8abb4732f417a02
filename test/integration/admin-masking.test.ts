// No real address shows in the admin (issue 12.2, display side), over real SMTP and HTTP: a buyer
// whose address has a UTF-8 local part on the owner's outbox pages and in delivery errors, and
// visitors whose display name is their address (plain or RFC 2047 encoded) in the inbox. Every admin
// page passes through one display-time scrub (display-scrub.ts) whatever was stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { adminLogin, type AdminClient } from '../helpers/admin-client.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const UTF8_BUYER = 'jürgen.müller@buyer.example';
const LEAKS = [UTF8_BUYER, 'jürgen.müller@', 'j%C3%BCrgen', 'visitor.vic@buyer.example', 'vera.visitor@buyer.example', 'vic@', 'vera.visitor@'];

let h: Harness;
let base: string;
let owner: AdminClient;
let pair: Awaited<ReturnType<typeof seedPair>>;

function expectNoLeak(html: string, where: string) {
  for (const leak of LEAKS) expect(html.toLowerCase(), `${where} shows ${leak}`).not.toContain(leak.toLowerCase());
}

beforeAll(async () => {
  h = await startHarness();
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  pair = await seedPair(h, { buyerEmail: UTF8_BUYER, buyerName: 'Jürgen Müller' });
  await new UserRepo(h.gw.db).create({ email: 'olivia@seller.example', name: 'Olivia Owner', role: 'owner', password: 'owner password 123' });
  owner = await adminLogin(base, 'olivia@seller.example', 'owner password 123');
}, 120_000);
afterAll(() => h.close());

describe('real addresses in the admin', () => {
  it('shows a buyer with a UTF-8 local part only by alias on the outbox pages, also in a delivery error that names them', async () => {
    h.sink!.answer = (_raw, _attempt, to) =>
      to.some((t) => t.includes('buyer.example')) ? { code: 550, message: `5.1.1 <${UTF8_BUYER}>: user unknown` } : null;
    const senderId = (await h.api('GET', `/api/v1/stores/${pair.storeId}/permitted-senders`)).body.items[0].id;
    const sent = await h.api('POST', `/api/v1/pairs/${pair.alias}/messages`, { senderId, subject: 'Your order', text: `Hello, about order ${pair.number}.` });
    expect(sent.status).toBe(201);
    let row: { id: number; status: string; lastError: string | null } | undefined;
    for (let i = 0; i < 200; i++) {
      row = (await h.api('GET', '/api/v1/outbox?status=failed')).body.items[0];
      if (row) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(row?.status).toBe('failed');
    const list = await (await owner.get('/outbox')).text();
    expect(list).toContain(`buyer ${pair.address}`);
    expectNoLeak(list, 'the outbox');
    expectNoLeak(await (await owner.get(`/outbox/${row!.id}`)).text(), 'the outbox item');
    const pairId = (await h.api('GET', `/api/v1/pairs/${pair.alias}`)).body.id;
    expectNoLeak(await (await owner.get(`/conversations/${pairId}`)).text(), 'the conversation');
  });

  it("does not show a visitor's address used as their display name, plain or RFC 2047 encoded, in the inbox", async () => {
    const contact = `acme@relay.localhost`;
    const encoded = `=?UTF-8?B?${Buffer.from('Vera <vera.visitor@buyer.example>').toString('base64')}?=`;
    for (const [from, display] of [
      ['visitor.vic@buyer.example', '"visitor.vic@buyer.example"'],
      ['vera.visitor@buyer.example', encoded],
    ] as const) {
      const c = await SmtpClient.connect(h.gw.smtpPort);
      const message = buildMessage({ from, to: contact, subject: 'Question about a kettle', body: 'Do you ship abroad?' }).replace(
        /^From: .*$/m,
        `From: ${display} <${from}>`,
      );
      const r = await c.send(from, [contact], message);
      await c.quit();
      expect(r.reply.code).toBe(250);
    }
    const inbox = await (await owner.get('/inbox')).text();
    expect(inbox).toContain('Question about a kettle');
    expectNoLeak(inbox, 'the inbox');
    const conversations = [...new Set([...inbox.matchAll(/\/conversations\/(\d+)/g)].map((m) => m[1]))];
    expect(conversations.length).toBeGreaterThanOrEqual(2);
    for (const id of conversations) expectNoLeak(await (await owner.get(`/conversations/${id}`)).text(), `conversation ${id}`);
  });

  it('still names a permitted sender on the page that says it was removed', async () => {
    expect((await owner.post(`/stores/${pair.storeId}/senders`, { email: 'typo@acme.example' })).status).toBe(200);
    const senders = (await h.api('GET', `/api/v1/stores/${pair.storeId}/permitted-senders`)).body.items as { id: number; email: string }[];
    const typo = senders.find((x) => x.email === 'typo@acme.example')!;
    const r = await owner.post(`/senders/${typo.id}/remove`, {});
    expect(await r.text()).toContain('typo@acme.example was removed.');
  });

  it("does not redact the admin's own form hints: the add-store, add-sender and add-agent fields say what goes in them", async () => {
    for (const path of ['/stores', `/stores/${pair.storeId}`, '/team']) {
      const html = await (await owner.get(path)).text();
      expect(html, path).toMatch(/<input[^>]*type="email"/);
      expect(html, `${path} shows a redacted placeholder`).not.toContain('[redacted]');
    }
  });

  it('shows the API reference’s example addresses as written: documentation, not anyone’s address (round 13 read “[redacted]@buyer.example”)', async () => {
    const html = await (await owner.get('/api-reference')).text();
    expect(html).toContain('&quot;email&quot;: &quot;jane@buyer.example&quot;');
    expect(html).toContain('&quot;mailbox&quot;: &quot;support@acme.example&quot;');
    expect(html).toContain('&quot;email&quot;: &quot;vera@visitor.example&quot;');
    expect(html).not.toContain('[redacted]');
  });
});

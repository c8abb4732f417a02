// The marketplace's website is a second door into the same conversations: buyers and visitors
// write through the API and their messages travel the one pipeline (rules, masking, threading,
// commit, delivery to the store's mailbox); the conversation reads back as each side received it.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyPdf } from '../helpers/files.js';
import { DOMAIN, seedPair, startHarness, type Harness } from '../helpers/gateway.js';

let h: Harness;
let pair: Awaited<ReturnType<typeof seedPair>>;
let senderId: number;
// A real PDF: masking keeps only files that are what they claim (and re-saves PDFs without author).
let PDF: Buffer;
/** The attachment as the store's mailbox received it: what the read-back must stream. */
let deliveredPdf: Buffer;

beforeAll(async () => {
  PDF = await tinyPdf();
  h = await startHarness();
  pair = await seedPair(h);
  senderId = (await h.api('GET', `/api/v1/stores/${pair.storeId}/permitted-senders`)).body.items[0].id;
});
afterAll(async () => {
  await h.close();
});

const count = () => (h.gw.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;

/** Every address in `text` that is not on the relay domain: what the other side must never see. */
const realAddresses = (text: string) => [...text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)].map((m) => m[0]).filter((a) => !a.endsWith(`@${DOMAIN}`));

describe('POST /api/v1/pairs/{alias}/buyer-messages', () => {
  it("delivers the buyer's message to the store's mailbox from the alias, masked, with its attachment, and returns it", async () => {
    const sunk = h.sink!.messages.length;
    const res = await h.api('POST', `/api/v1/pairs/${pair.alias}/buyer-messages`, {
      subject: 'Where is my kettle?',
      text: 'Hello, this is jane@buyer.example. My order has not arrived.',
      attachments: [{ filename: 'receipt.pdf', contentType: 'application/pdf', content: PDF.toString('base64') }],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ direction: 'buyer_to_store', source: 'website', subject: 'Where is my kettle?', alias: pair.alias });
    const [m] = (await h.sink!.waitFor(sunk + 1)).slice(sunk);
    expect(m!.to).toEqual(['support@acme.example']);
    const parsed = await simpleParser(m!.raw);
    expect(parsed.from?.value[0]).toEqual({ name: 'Jane Doe', address: pair.address });
    expect(parsed.text).toContain('My order has not arrived');
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['receipt.pdf']);
    deliveredPdf = parsed.attachments[0]!.content;
    expect(deliveredPdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(m!.raw.toString()).not.toContain('jane@buyer.example');
  });

  it('threads a reply to a store message the buyer received to the message the store sent', async () => {
    const store = await h.api('POST', `/api/v1/pairs/${pair.alias}/messages`, { senderId, subject: `Order ${pair.number}`, text: 'It left today.' });
    expect(store.status).toBe(201);
    const original = (h.gw.db.prepare('SELECT original_message_id AS id FROM messages WHERE id = ?').get(store.body.id) as { id: string }).id;
    const sunk = h.sink!.messages.length;
    const res = await h.api('POST', `/api/v1/pairs/${pair.alias}/buyer-messages`, { subject: 'Re: your order', text: 'Thanks!', inReplyTo: store.body.id });
    expect(res.status).toBe(201);
    const [m] = (await h.sink!.waitFor(sunk + 2)).filter((x) => x.to.includes('support@acme.example')).slice(-1);
    expect((await simpleParser(m!.raw)).inReplyTo).toBe(original);
  });

  it('refuses with the rule’s status and stores nothing', async () => {
    const before = count();
    const unknown = await h.api('POST', '/api/v1/pairs/zzzzzzzzzzzzzzzzzzzz/buyer-messages', { subject: 'x', text: 'y' });
    expect(unknown.status).toBe(404);
    const invalid = await h.api('POST', `/api/v1/pairs/${pair.alias}/buyer-messages`, { subject: '', text: 'y' });
    expect(invalid).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    const badFile = await h.api('POST', `/api/v1/pairs/${pair.alias}/buyer-messages`, {
      subject: 'x',
      text: 'y',
      attachments: [{ filename: 'a', content: '%%%' }],
    });
    expect(badFile.status).toBe(400);
    const elsewhere = await h.api('POST', `/api/v1/pairs/${pair.alias}/buyer-messages`, { subject: 'x', text: 'y', inReplyTo: 999_999 });
    expect(elsewhere.status).toBe(400);
    expect(count()).toBe(before);
  });
});

describe('POST /api/v1/stores/{id}/visitor-messages', () => {
  it('makes a visitor pair and answers its alias; the same visitor writing again keeps it', async () => {
    const sunk = h.sink!.messages.length;
    const first = await h.api('POST', `/api/v1/stores/${pair.storeId}/visitor-messages`, {
      email: 'Vera@Visitor.example',
      name: 'Vera Visitor',
      subject: 'Do you ship to Norway?',
      text: 'Reply to vera@visitor.example please',
    });
    expect(first.status).toBe(201);
    expect(first.body.address).toBe(`${first.body.alias}@${DOMAIN}`);
    expect(first.body.message).toMatchObject({ direction: 'buyer_to_store', source: 'website', alias: first.body.alias });
    const [m] = (await h.sink!.waitFor(sunk + 1)).slice(sunk);
    expect(m!.to).toEqual(['support@acme.example']);
    expect(m!.raw.toString().toLowerCase()).not.toContain('vera@visitor.example');
    const again = await h.api('POST', `/api/v1/stores/${pair.storeId}/visitor-messages`, { email: 'vera@visitor.example', subject: 'And Sweden?', text: '?' });
    expect(again.status).toBe(201);
    expect(again.body.alias).toBe(first.body.alias);
    const p = await h.api('GET', `/api/v1/pairs/${first.body.alias}`);
    expect(p.body.buyer).toMatchObject({ kind: 'visitor', name: 'Vera Visitor' });
  });

  it('refuses each identity rule with its status, and stores nothing', async () => {
    await h.api('POST', `/api/v1/stores/${pair.storeId}/permitted-senders`, { email: 'gone@acme.example', status: 'blocked' });
    const before = count();
    const post = (email: string, storeId = pair.storeId) =>
      h.api('POST', `/api/v1/stores/${storeId}/visitor-messages`, { email, subject: 'Hi', text: 'Hello' });
    expect((await post('support@acme.example')).body).toMatchObject({ code: 'STAFF_TO_STORE_ADDRESS' });
    expect((await post('support@acme.example')).status).toBe(400);
    const blocked = await post('gone@acme.example');
    expect(blocked).toMatchObject({ status: 403, body: { code: 'SENDER_BLOCKED' } });
    const loop = await post(`someone@${DOMAIN}`);
    expect(loop).toMatchObject({ status: 400, body: { code: 'LOOP_DETECTED' } });
    expect((await post('x@visitor.example', 9999)).status).toBe(404);
    expect((await post('not an address')).status).toBe(400);
    expect(count()).toBe(before);
    // Each refusal that named the store is in the feed.
    const refused = (await h.api('GET', '/api/v1/events?type=message.refused')).body.items.map((e: any) => e.data.code);
    expect(refused).toEqual(expect.arrayContaining(['STAFF_TO_STORE_ADDRESS', 'SENDER_BLOCKED', 'LOOP_DETECTED']));
  });
});

describe('GET /api/v1/pairs/{alias}/messages', () => {
  it('reads the conversation back newest first, both directions, as each recipient received it, with no real address of either side', async () => {
    await h.api('POST', `/api/v1/pairs/${pair.alias}/messages`, {
      senderId,
      subject: `Order ${pair.number}: tracking`,
      text: 'Your tracking is 123. Questions? support@acme.example or <john@acme.example>',
      html: '<p>Track <a href="mailto:support@acme.example">here</a><script>alert(1)</script><img src="https://t.example/p.gif"></p>',
    });
    await h.sink!.waitFor(h.sink!.messages.length);
    const res = await h.api('GET', `/api/v1/pairs/${pair.alias}/messages?limit=100`);
    expect(res.status).toBe(200);
    const items = res.body.items as any[];
    expect(items.map((m) => m.id)).toEqual([...items.map((m) => m.id)].sort((a, b) => b - a));
    expect(new Set(items.map((m) => m.direction))).toEqual(new Set(['buyer_to_store', 'store_to_buyer']));
    const newest = items[0];
    expect(newest).toMatchObject({ direction: 'store_to_buyer', subject: `Order ${pair.number}: tracking`, bodyAvailable: true });
    expect(newest.text).toContain('Your tracking is 123');
    expect(newest.html).not.toMatch(/<script|<img|alert/);
    expect(newest.delivery.status).toMatch(/queued|sent/);
    const json = JSON.stringify(res.body);
    expect(realAddresses(json)).toEqual([]);
    for (const leak of ['jane@buyer.example', 'support@acme.example', 'john@acme.example']) expect(json).not.toContain(leak);
  });

  it('pages with before/next and streams an attachment as delivered', async () => {
    const first = await h.api('GET', `/api/v1/pairs/${pair.alias}/messages?limit=1`);
    expect(first.body.items).toHaveLength(1);
    const second = await h.api('GET', `/api/v1/pairs/${pair.alias}/messages?limit=1&before=${first.body.next}`);
    expect(second.body.items[0].id).toBeLessThan(first.body.items[0].id);
    const all = (await h.api('GET', `/api/v1/pairs/${pair.alias}/messages?limit=100`)).body.items as any[];
    const withFile = all.find((m) => m.attachments.length > 0);
    expect(withFile.attachments[0]).toMatchObject({ id: 1, filename: 'receipt.pdf', contentType: 'application/pdf', size: deliveredPdf.length });
    const res = await fetch(`http://127.0.0.1:${h.gw.httpPort}${withFile.attachments[0].url}`, {
      headers: { authorization: 'Bearer test-token-0123456789abcdefghij' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('receipt.pdf');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(deliveredPdf);
    const missing = await h.api('GET', `/api/v1/pairs/${pair.alias}/messages/${withFile.id}/attachments/9`);
    expect(missing.status).toBe(404);
  });
});

// The marketplace API's core on a PostgreSQL node (issue 16): a gateway child process of `npm start`
// with MASKGATE_DATABASE_URL on an empty database. A store, a permitted sender and a buyer's pair are
// set up through the API only; then the buyer's mail reaches the store's mailbox masked and the
// store's reply reaches the buyer masked. The store settings, order changes and opt-out, the outbox
// and the website's forms are served there too (the admin: admin-postgres.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startPgGateway } from '../../src/gateway-pg.js';
import { CHILD_DNS, startChildGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { freshDatabase } from '../helpers/postgres.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const DOMAIN = 'relay.localhost';
const TOKEN = 'api-postgres-token-0123456789abcdef';

let node: ChildGateway;
let sink: Sink;
let dataDir = '';
let url = '';
beforeAll(async () => {
  url = await freshDatabase();
  sink = await startSink();
  dataDir = mkdtempSync(join(tmpdir(), 'maskgate-pgapi-'));
  node = await startChildGateway({
    env: {
      MASKGATE_DATABASE_URL: url,
      MASKGATE_DATA_DIR: dataDir,
      MASKGATE_SMTP_PORT: '0',
      MASKGATE_HTTP_PORT: '0',
      MASKGATE_SMARTHOST: sink.url,
      MASKGATE_DOMAIN: DOMAIN,
      MASKGATE_LOG_LEVEL: 'info',
    },
    token: TOKEN,
    // The store's own domain publishes SPF for this machine, so staff replies authenticate.
    dns: { ...CHILD_DNS, 'acme.example': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] }, '_dmarc.acme.example': {} },
    timeoutMs: 120_000,
  });
}, 180_000);
afterAll(async () => {
  if (node && node.proc.exitCode === null && node.proc.signalCode === null) {
    node.proc.kill('SIGTERM');
    await new Promise((r) => node.proc.once('exit', r));
  }
  await sink?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function api(method: string, path: string, body?: unknown, token = TOKEN): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${node.httpPort}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const send = (from: string, to: string, message: string) => SmtpClient.sendOnce(node.smtpPort, from, to, message);

describe('the marketplace API on a PostgreSQL node', () => {
  let storeId = 0;
  let alias = '';
  let orderId = 0;

  it('runs on PostgreSQL and refuses a request without the configured token with 401', async () => {
    expect(node.listening.database).toBe('postgres');
    expect((await api('GET', '/api/v1/stores', undefined, 'wrong-token-wrong-token-wrong')).status).toBe(401);
    const none = await fetch(`http://127.0.0.1:${node.httpPort}/api/v1/stores`);
    expect([none.status, ((await none.json()) as { code: string }).code]).toEqual([401, 'UNAUTHORIZED']);
  });

  it('creates a store on an empty database, refuses a bad or taken slug with the same rule as on SQLite, and lists and reads it back', async () => {
    expect(await api('GET', '/api/v1/stores')).toEqual({ status: 200, json: { items: [] } });
    const created = await api('POST', '/api/v1/stores', { slug: 'Acme', name: ' Acme ', mailbox: 'Support@Acme.example' });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.any(Number),
      slug: 'acme',
      name: 'Acme',
      mailbox: 'support@acme.example',
      address: `acme@${DOMAIN}`,
      createdAt: expect.any(String),
    });
    storeId = created.json.id;
    const bad = await api('POST', '/api/v1/stores', { slug: '-no-', name: 'No', mailbox: 'x@no.example' });
    expect([bad.status, bad.json.code]).toEqual([400, 'VALIDATION_FAILED']);
    const taken = await api('POST', '/api/v1/stores', { slug: 'acme', name: 'Other', mailbox: 'x@other.example' });
    expect([taken.status, taken.json.code, taken.json.message]).toEqual([409, 'CONFLICT', 'a store with slug "acme" already exists']);
    const looped = await api('POST', '/api/v1/stores', { slug: 'loop', name: 'Loop', mailbox: `someone@${DOMAIN}` });
    expect([looped.status, looped.json.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await api('GET', '/api/v1/stores')).json.items).toEqual([created.json]);
    expect(await api('GET', `/api/v1/stores/${storeId}`)).toEqual({ status: 200, json: created.json });
    expect((await api('GET', '/api/v1/stores/999999')).status).toBe(404);
  });

  it('adds a permitted sender once, with its domain readiness, and lists the mailbox and the sender', async () => {
    const added = await api('POST', `/api/v1/stores/${storeId}/permitted-senders`, { email: 'John@Acme.example' });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ storeId, email: 'john@acme.example', status: 'enabled', domainReadiness: expect.any(Object) });
    const again = await api('POST', `/api/v1/stores/${storeId}/permitted-senders`, { email: 'john@acme.example' });
    expect([again.status, again.json.code]).toEqual([409, 'CONFLICT']);
    const list = await api('GET', `/api/v1/stores/${storeId}/permitted-senders`);
    expect(list.json.items.map((p: { email: string; status: string }) => [p.email, p.status])).toEqual([
      ['support@acme.example', 'enabled'],
      ['john@acme.example', 'enabled'],
    ]);
    expect((await api('GET', '/api/v1/stores/999999/permitted-senders')).status).toBe(404);
  });

  it("creates an order, which makes the buyer's pair, and reads the order and the pair back", async () => {
    const body = {
      storeId,
      number: 'A-100',
      buyer: { email: 'jane@buyer.example', name: 'Jane Doe' },
      items: [{ sku: 'K-1', name: 'Kettle', category: 'Kitchen', manufacturer: 'Boil Co', unitPrice: 19.99, quantity: 2 }],
      total: 39.98,
      currency: 'EUR',
      placedAt: '2026-11-01T10:00:00Z',
    };
    const made = await api('POST', '/api/v1/orders', body);
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ storeId, number: 'A-100', status: 'placed', total: 39.98, items: [{ sku: 'K-1', unitPrice: 19.99, quantity: 2 }] });
    expect(made.json.address).toBe(`${made.json.alias}@${DOMAIN}`);
    alias = made.json.address;
    orderId = made.json.id;
    const dup = await api('POST', '/api/v1/orders', { ...body, buyer: { email: 'other@buyer.example', name: 'Other' } });
    expect([dup.status, dup.json.code]).toEqual([409, 'CONFLICT']);
    expect((await api('POST', '/api/v1/orders', { ...body, storeId: 999999, number: 'A-101' })).status).toBe(400);
    const order = await api('GET', `/api/v1/orders/${orderId}`);
    expect(order.json).toMatchObject({ id: orderId, number: 'A-100', alias: made.json.alias });
    const pair = await api('GET', `/api/v1/pairs/${encodeURIComponent(alias)}`);
    expect(pair.status).toBe(200);
    expect(pair.json).toMatchObject({
      alias: made.json.alias,
      address: alias,
      store: { id: storeId, slug: 'acme' },
      buyer: { email: 'jane@buyer.example', name: 'Jane Doe', kind: 'customer' },
      orders: [{ id: orderId, number: 'A-100' }],
    });
    // No pair for "other@": the refused order wrote nothing.
    expect((await api('GET', `/api/v1/pairs/${'a'.repeat(20)}`)).status).toBe(404);
  });

  it("relays the buyer's mail to the store's mailbox from the alias, and the store's reply to the buyer, both masked", async () => {
    const first = await send(
      'jane@buyer.example',
      alias,
      buildMessage({
        from: 'Jane Doe <jane@buyer.example>',
        to: alias,
        subject: 'Where is my kettle?',
        body: 'Order A-100 has not arrived. jane@buyer.example',
      }),
    );
    expect(first.reply.code).toBe(250);
    const [toStore] = await sink.waitFor(1, 60_000);
    expect(toStore!.to).toEqual(['support@acme.example']);
    expect(toStore!.raw.toString().toLowerCase()).not.toContain('jane@buyer.example');
    const parsed = await simpleParser(toStore!.raw);
    expect(parsed.from?.value[0]).toEqual({ name: 'Jane Doe', address: alias });

    const reply = await send(
      'john@acme.example',
      alias,
      buildMessage({
        from: 'John Smith <john@acme.example>',
        to: alias,
        subject: 'Re: Where is my kettle? Order A-100',
        body: 'It ships tomorrow. John Smith, john@acme.example',
        inReplyTo: parsed.messageId as string,
        references: parsed.messageId as string,
      }),
    );
    expect(reply.reply.code).toBe(250);
    const [, toBuyer] = await sink.waitFor(2, 60_000);
    expect(toBuyer!.to).toEqual(['jane@buyer.example']);
    expect(toBuyer!.raw.toString()).not.toContain('john@acme.example');
    const back = await simpleParser(toBuyer!.raw);
    expect(back.from?.value[0]?.address).toBe(alias);
    expect(back.text).toContain('It ships tomorrow.');
  });

  it("reads and changes a store's messaging rules, blocks and re-enables a sender, and makes, lists and revokes an app password", async () => {
    const defaults = { optOut: true, criticalPerDay: 5, windowDays: 30, requireOrderId: true, storePerHour: 500, pairPerDay: 20 };
    expect(await api('GET', `/api/v1/stores/${storeId}/policy`)).toEqual({ status: 200, json: defaults });
    expect(await api('PATCH', `/api/v1/stores/${storeId}/policy`, { pairPerDay: 7 })).toEqual({ status: 200, json: { ...defaults, pairPerDay: 7 } });
    expect((await api('GET', `/api/v1/stores/${storeId}/policy`)).json.pairPerDay).toBe(7);
    expect((await api('PATCH', `/api/v1/stores/${storeId}/policy`, { windowDays: 0 })).status).toBe(400);
    expect((await api('GET', '/api/v1/stores/999999/policy')).status).toBe(404);
    await api('PATCH', `/api/v1/stores/${storeId}/policy`, { pairPerDay: 20 });

    const senders = (await api('GET', `/api/v1/stores/${storeId}/permitted-senders`)).json.items as { id: number; email: string }[];
    const john = senders.find((p) => p.email === 'john@acme.example')!;
    const readiness = await api('GET', `/api/v1/permitted-senders/${john.id}/readiness`);
    expect(readiness.status).toBe(200);
    expect(readiness.json).toMatchObject({ domain: 'acme.example' });
    const blocked = await api('PATCH', `/api/v1/permitted-senders/${john.id}`, { status: 'blocked' });
    expect([blocked.status, blocked.json.email, blocked.json.status]).toEqual([200, 'john@acme.example', 'blocked']);
    const refused = await api('POST', `/api/v1/permitted-senders/${john.id}/credentials`, { label: 'Outlook' });
    expect([refused.status, refused.json.code]).toEqual([409, 'CONFLICT']);
    expect((await api('PATCH', '/api/v1/permitted-senders/999999', { status: 'blocked' })).status).toBe(404);
    expect((await api('PATCH', `/api/v1/permitted-senders/${john.id}`, { status: 'enabled' })).json.status).toBe('enabled');

    const made = await api('POST', `/api/v1/permitted-senders/${john.id}/credentials`, { label: 'Outlook' });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ label: 'Outlook', username: 'john@acme.example', password: expect.stringMatching(/^(\w{4}-){5}\w{4}$/) });
    const listed = await api('GET', `/api/v1/permitted-senders/${john.id}/credentials`);
    expect(listed.json.items).toEqual([expect.objectContaining({ id: made.json.id, label: 'Outlook', revokedAt: null })]);
    expect(JSON.stringify(listed.json)).not.toContain(made.json.password);
    const revoked = await api('DELETE', `/api/v1/credentials/${made.json.id}`);
    expect([revoked.status, revoked.json.id, typeof revoked.json.revokedAt]).toEqual([200, made.json.id, 'string']);
    expect((await api('DELETE', '/api/v1/credentials/999999')).status).toBe(404);
  });

  it('completes an order (a completion time of now), and opts the buyer out once, with one buyer.opted_out event', async () => {
    const done = await api('PATCH', `/api/v1/orders/${orderId}`, { status: 'completed' });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ id: orderId, status: 'completed', completedAt: expect.any(String) });
    expect((await api('GET', `/api/v1/orders/${orderId}`)).json).toMatchObject({ status: 'completed', completedAt: done.json.completedAt });
    expect((await api('PATCH', '/api/v1/orders/999999', { status: 'completed' })).status).toBe(404);
    expect((await api('PATCH', `/api/v1/orders/${orderId}`, { status: 'lost' })).status).toBe(400);

    const out = await api('PUT', `/api/v1/pairs/${encodeURIComponent(alias)}/opt-out`, { optedOut: true });
    expect(out.status).toBe(200);
    expect(out.json).toMatchObject({ address: alias, optedOut: true, orders: [{ id: orderId, status: 'completed' }] });
    expect((await api('PUT', `/api/v1/pairs/${encodeURIComponent(alias)}/opt-out`, { optedOut: true })).json.optedOut).toBe(true);
    expect((await api('GET', `/api/v1/pairs/${encodeURIComponent(alias)}`)).json.optedOut).toBe(true);
    expect((await api('PUT', `/api/v1/pairs/${'a'.repeat(20)}/opt-out`, { optedOut: true })).status).toBe(404);
    const events = (await api('GET', '/api/v1/events?type=buyer.opted_out')).json.items as { type: string; data: Record<string, unknown> }[];
    expect(events.filter((e) => e.type === 'buyer.opted_out').map((e) => e.data)).toEqual([{ alias: alias.split('@')[0], optedOut: true, via: 'api' }]);
    // Back in, so the cases below can write to this buyer.
    expect((await api('PUT', `/api/v1/pairs/${encodeURIComponent(alias)}/opt-out`, { optedOut: false })).json.optedOut).toBe(false);
  });

  it('lists the outbox newest first with paging, reads a row and its delivered bytes, masked', async () => {
    const list = await api('GET', '/api/v1/outbox?limit=1');
    expect(list.status).toBe(200);
    expect(list.json.items).toHaveLength(1);
    const newest = list.json.items[0];
    // The store's reply (the second delivery) went to the buyer.
    expect(newest).toMatchObject({ kind: 'relay', status: expect.stringMatching(/^(sent|captured)$/), envelopeTo: 'jane@buyer.example' });
    expect(list.json.next).toBe(newest.id);
    const older = await api('GET', `/api/v1/outbox?before=${newest.id}`);
    expect(older.json.items.map((o: { envelopeTo: string }) => o.envelopeTo)).toEqual(['support@acme.example']);
    expect(older.json.next).toBeNull();
    expect((await api('GET', `/api/v1/outbox?status=failed`)).json.items).toEqual([]);
    expect(await api('GET', `/api/v1/outbox/${newest.id}`)).toEqual({ status: 200, json: newest });
    const raw = await fetch(`http://127.0.0.1:${node.httpPort}/api/v1/outbox/${older.json.items[0].id}/raw`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect([raw.status, raw.headers.get('content-type')]).toEqual([200, 'message/rfc822']);
    const text = await raw.text();
    expect(text).toContain('Where is my kettle?');
    expect(text.toLowerCase()).not.toContain('jane@buyer.example');
    expect((await api('GET', '/api/v1/outbox/999999')).status).toBe(404);
    expect((await api('GET', '/api/v1/outbox/999999/raw')).status).toBe(404);
  });

  it("relays a website visitor's message and a buyer's site message to the store's mailbox from the alias, never the real address", async () => {
    const before = sink.messages.length;
    const visitor = await api('POST', `/api/v1/stores/${storeId}/visitor-messages`, {
      email: 'Vera@Visitor.example',
      name: 'Vera Visitor',
      subject: 'Do you ship to Norway?',
      text: 'Please answer to vera@visitor.example',
    });
    expect(visitor.status).toBe(201);
    expect(visitor.json).toMatchObject({
      alias: expect.any(String),
      address: `${visitor.json.alias}@${DOMAIN}`,
      message: { subject: 'Do you ship to Norway?' },
    });
    const [toStore] = (await sink.waitFor(before + 1, 60_000)).slice(before);
    expect(toStore!.to).toEqual(['support@acme.example']);
    expect(toStore!.raw.toString().toLowerCase()).not.toContain('vera@visitor.example');
    expect((await simpleParser(toStore!.raw)).from?.value[0]?.address).toBe(visitor.json.address);
    expect((await api('GET', `/api/v1/pairs/${visitor.json.alias}`)).json.buyer).toMatchObject({ email: 'vera@visitor.example', kind: 'visitor' });

    const site = await api('POST', `/api/v1/pairs/${encodeURIComponent(alias)}/buyer-messages`, { subject: 'Kettle colour', text: 'Is it red?' });
    expect(site.status).toBe(201);
    expect(site.json).toMatchObject({ direction: 'buyer_to_store', subject: 'Kettle colour' });
    const [fromSite] = (await sink.waitFor(before + 2, 60_000)).slice(before + 1);
    expect(fromSite!.to).toEqual(['support@acme.example']);
    expect(fromSite!.raw.toString().toLowerCase()).not.toContain('jane@buyer.example');
    expect((await simpleParser(fromSite!.raw)).from?.value[0]?.address).toBe(alias);
    expect((await api('POST', '/api/v1/stores/999999/visitor-messages', { email: 'v@x.example', subject: 'a', text: 'b' })).status).toBe(404);
    expect((await api('POST', `/api/v1/pairs/${'a'.repeat(20)}/buyer-messages`, { subject: 'a', text: 'b' })).status).toBe(404);
  });
});

describe('conversations, the report and erasure through the API on a PostgreSQL node', () => {
  it("sends a store's message through the API to the buyer masked and threaded, reads the pair's messages back, reports the answer, and erases the buyer", async () => {
    const stores = (await api('GET', '/api/v1/stores')).json.items as { id: number }[];
    const storeId = stores[0]!.id;
    const made = await api('POST', '/api/v1/orders', {
      storeId,
      number: 'B-200',
      buyer: { email: 'ravi.kumar@buyer.example', name: 'Ravi Kumar' },
      items: [{ sku: 'L-1', name: 'Lamp', category: 'Home', manufacturer: 'Light Co', unitPrice: 30, quantity: 1 }],
      total: 30,
      currency: 'EUR',
      placedAt: '2026-11-02T10:00:00Z',
    });
    expect(made.status).toBe(201);
    const address = made.json.address as string;
    const delivered = sink.messages.length;
    const question = buildMessage({
      from: 'Ravi Kumar <ravi.kumar@buyer.example>',
      to: address,
      subject: 'Lamp colour',
      body: 'Does the lamp B-200 come in blue?',
      messageId: '<ravi-question-1@buyer.example>',
    });
    expect((await send('ravi.kumar@buyer.example', address, question)).reply.code).toBe(250);
    await sink.waitFor(delivered + 1, 60_000);

    const before = await api('GET', `/api/v1/pairs/${encodeURIComponent(address)}/messages`);
    expect(before.status).toBe(200);
    expect(before.json.items.map((m: { direction: string; subject: string }) => [m.direction, m.subject])).toEqual([['buyer_to_store', 'Lamp colour']]);
    // What the store's mailbox was delivered, masked: the read-back shows that copy.
    expect(before.json.items[0].text).toContain('Does the lamp B-200 come in blue?');
    const buyerMessageId = before.json.items[0].id as number;

    const senders = (await api('GET', `/api/v1/stores/${storeId}/permitted-senders`)).json.items as { id: number; email: string }[];
    const mailbox = senders.find((x) => x.email === 'support@acme.example')!;
    const sent = await api('POST', `/api/v1/pairs/${encodeURIComponent(address)}/messages`, {
      senderId: mailbox.id,
      subject: 'Re: Lamp colour',
      text: 'Yes, blue is in stock for order B-200. Write to support@acme.example any time.',
      inReplyTo: buyerMessageId,
    });
    expect(sent.status).toBe(201);
    expect(sent.json).toMatchObject({ direction: 'store_to_buyer', subject: 'Re: Lamp colour' });
    const all = await sink.waitFor(delivered + 2, 60_000);
    const toBuyer = all[delivered + 1]!;
    expect(toBuyer.to).toEqual(['ravi.kumar@buyer.example']);
    expect(toBuyer.raw.toString()).not.toContain('support@acme.example');
    const back = await simpleParser(toBuyer.raw);
    expect(back.from?.value[0]?.address).toBe(address);
    expect(back.inReplyTo).toBe('<ravi-question-1@buyer.example>');
    expect(back.text).toContain('Yes, blue is in stock for order B-200.');

    const after = await api('GET', `/api/v1/pairs/${encodeURIComponent(address)}/messages?limit=1`);
    expect(after.json.items.map((m: { direction: string }) => m.direction)).toEqual(['store_to_buyer']);
    expect(after.json.next).toBe(after.json.items[0].id);
    const listed = await api('GET', `/api/v1/messages?alias=${encodeURIComponent(address)}`);
    expect(listed.json.items.map((m: { direction: string }) => m.direction)).toEqual(['store_to_buyer', 'buyer_to_store']);

    const report = await api('GET', `/api/v1/reports/response-times?days=7&storeId=${storeId}`);
    expect(report.status).toBe(200);
    expect(report.json.overall.answered).toBeGreaterThanOrEqual(1);
    expect(report.json.byStore.map((l: { name: string }) => l.name)).toEqual(['Acme']);

    const erased = await api('DELETE', `/api/v1/buyers/${encodeURIComponent('Ravi.Kumar@buyer.example')}`);
    expect(erased).toEqual({ status: 200, json: { erased: true, pairs: 1, messages: 2 } });
    expect((await api('DELETE', `/api/v1/buyers/${encodeURIComponent('ravi.kumar@buyer.example')}`)).status).toBe(404);
    // No row of any table holds the address or the name any more (bytes read as latin1).
    const { default: pg } = await import('pg');
    const client = new pg.Client(url);
    await client.connect();
    try {
      const tables = (await client.query("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'")).rows.map((r) => String(r.t));
      const found: string[] = [];
      for (const t of tables)
        for (const row of (await client.query(`SELECT * FROM "${t}"`)).rows as Record<string, unknown>[]) {
          const text = Object.values(row)
            .map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v)))
            .join(' ');
          if (/ravi\.kumar@buyer\.example|Ravi Kumar/i.test(text)) found.push(t);
        }
      expect(found).toEqual([]);
    } finally {
      await client.end();
    }
  });
});

describe('the API token on PostgreSQL nodes', () => {
  const start = async (url: string, token: string | null, lines: Record<string, unknown>[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-pgtoken-'));
    const config = loadConfig({
      env: {},
      overrides: {
        dataDir: dir,
        smtp: { port: 0, host: '127.0.0.1', workerThreads: 1 },
        http: { port: 0, host: '127.0.0.1' },
        api: { token },
        database: { url },
        log: { level: 'silent' },
      },
    });
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const gw = await startPgGateway(config, log);
    return {
      status: async (bearer: string, path = '/api/v1/stores') =>
        (await fetch(`http://127.0.0.1:${gw.httpPort}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} })).status,
      async stop() {
        await gw.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };

  it('answers 401 and says so at start while none is set, and honours one set on any node on every node', async () => {
    const url = await freshDatabase();
    const lines: Record<string, unknown>[] = [];
    const bare = await start(url, null, lines);
    try {
      expect(lines.filter((l) => l.event === 'api.no-token')).toHaveLength(1);
      expect(await bare.status('any-token-any-token-any-token')).toBe(401);
      const configured = await start(url, 'set-on-one-node-0123456789abcdef', []);
      try {
        expect(await configured.status('set-on-one-node-0123456789abcdef')).toBe(200);
        // The node started without a token reads the stored hash on each request.
        expect(await bare.status('set-on-one-node-0123456789abcdef')).toBe(200);
        expect(await bare.status('any-token-any-token-any-token')).toBe(401);
        // /metrics asks for the token as on SQLite (README, "Operations"), on every node.
        for (const gw of [bare, configured]) {
          expect(await gw.status('', '/metrics')).toBe(401);
          expect(await gw.status('any-token-any-token-any-token', '/metrics')).toBe(401);
          expect(await gw.status('set-on-one-node-0123456789abcdef', '/metrics')).toBe(200);
        }
      } finally {
        await configured.stop();
      }
      const later: Record<string, unknown>[] = [];
      const third = await start(url, null, later);
      try {
        expect(later.filter((l) => l.event === 'api.no-token')).toEqual([]);
        expect(await third.status('set-on-one-node-0123456789abcdef')).toBe(200);
      } finally {
        await third.stop();
      }
    } finally {
      await bare.stop();
    }
  }, 120_000);
});

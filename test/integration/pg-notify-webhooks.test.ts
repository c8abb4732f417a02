// Staff notifications and webhooks on PostgreSQL nodes (issue 16): two in-process nodes on one
// empty database, a store and a buyer set up through the API, a staff member with a notification
// rule, a webhook registered through the other node's API. One buyer message must give the staff
// member one digest mail (the notifier runs on the node holding its job lease) and the receiver
// each event once, signed, though both nodes run a webhook sender.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startPgGateway, type PgGateway } from '../../src/gateway-pg.js';
import { CHILD_DNS } from '../helpers/child-gateway.js';
import { freshDatabase } from '../helpers/postgres.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

const TOKEN = 'pg-notify-token-0123456789abcdef';
const DOMAIN = 'relay.localhost';

let url = '';
let sink: Sink;
let rx: Receiver;
const nodes: PgGateway[] = [];
const dirs: string[] = [];

async function startNode(): Promise<PgGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'maskgate-pgnotify-'));
  dirs.push(dir);
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      domains: [DOMAIN],
      smtp: { port: 0, host: '127.0.0.1', workerThreads: 1 },
      http: { port: 0, host: '127.0.0.1' },
      api: { token: TOKEN },
      database: { url },
      dns: { static: CHILD_DNS },
      outbound: { smarthost: sink.url, pollIntervalMs: 50, retrySchedule: [0.2], retryThereafter: 0.2 },
      admin: { publicUrl: 'https://mail.example.com', timeZone: 'UTC', notifyIntervalMs: 200, notifyDelayMs: 0 },
      webhooks: { pollIntervalMs: 50, retrySchedule: [0.05], retryFor: 3600, timeoutMs: 5000 },
      log: { level: 'silent' },
    },
  });
  const gw = await startPgGateway(config, pino({ level: 'silent' }));
  nodes.push(gw);
  return gw;
}

async function api(gw: PgGateway, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${gw.httpPort}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  url = await freshDatabase();
  sink = await startSink();
  rx = await startReceiver();
  await startNode();
  await startNode();
}, 180_000);
afterAll(async () => {
  for (const gw of nodes) await gw.stop();
  await sink?.close();
  await rx?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('notifications and webhooks on two PostgreSQL nodes', () => {
  it('mails the staff member one digest for a buyer message and delivers each event once to the webhook', async () => {
    const [a, b] = nodes as [PgGateway, PgGateway];
    const store = await api(a, 'POST', '/stores', { slug: 'acme', name: 'Acme', mailbox: 'support@acme.example' });
    expect(store.status).toBe(201);
    const order = await api(a, 'POST', '/orders', {
      storeId: store.json.id,
      number: 'A-1',
      buyer: { email: 'jane@buyer.example', name: 'Jane Doe' },
      items: [{ sku: 'K-1', name: 'Kettle', unitPrice: 10, quantity: 1 }],
      total: 10,
      currency: 'EUR',
      placedAt: '2026-11-01T10:00:00Z',
    });
    expect(order.status).toBe(201);
    const alias = order.json.address as string;
    // Staff and their rules are set in the admin, which is not on PostgreSQL yet: written directly.
    const c = new pg.Client(url);
    await c.connect();
    try {
      const user = await c.query<{ id: string }>(
        "INSERT INTO users (email, name, role, password_hash, created_at) VALUES ('olivia@seller.example', 'Olivia', 'owner', 'x', $1) RETURNING id",
        [Date.now()],
      );
      await c.query(
        'INSERT INTO notification_rules (user_id, category, store_id, weekdays, start_minute, end_minute, created_at) VALUES ($1, NULL, NULL, 127, 0, 0, $2)',
        [user.rows[0]?.id, Date.now()],
      );
    } finally {
      await c.end();
    }
    const hook = await api(b, 'POST', '/webhooks', { url: rx.url, events: ['message.received', 'message.sent'] });
    expect(hook.status).toBe(201);
    rx.secret = hook.json.secret;

    const smtp = await SmtpClient.connect(a.smtpPort);
    const { reply } = await smtp.send(
      'jane@buyer.example',
      [alias],
      buildMessage({ from: 'Jane Doe <jane@buyer.example>', to: alias, subject: 'Where is my kettle?', body: 'Hello' }),
    );
    await smtp.quit();
    expect(reply.code).toBe(250);

    const toStaff = () => sink.messages.filter((m) => m.to.includes('olivia@seller.example'));
    for (let i = 0; i < 1200 && toStaff().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await rx.waitFor((r) => ['message.received', 'message.sent'].every((t) => r.some((x) => x.type === t && x.answered === 200)), 60_000);
    // Several more notifier passes and webhook polls on both nodes: nothing arrives twice.
    await new Promise((r) => setTimeout(r, 1500));

    expect(toStaff()).toHaveLength(1);
    const raw = toStaff()[0]!.raw.toString();
    const digest = (await simpleParser(toStaff()[0]!.raw)).text ?? '';
    expect(digest).toContain('Where is my kettle?');
    expect(digest).toMatch(/https:\/\/mail\.example\.com\/conversations\/\d+/);
    expect(raw).not.toContain('jane@buyer.example');
    expect(sink.messages.filter((m) => m.to.includes('support@acme.example'))).toHaveLength(1);

    expect(rx.received.map((x) => [x.type, x.answered, x.verified])).toEqual([
      ['message.received', 200, true],
      ['message.sent', 200, true],
    ]);
    expect(rx.received[0]!.body.data).toMatchObject({ subject: 'Where is my kettle?', direction: 'buyer_to_store' });
    const state = await api(a, 'GET', `/webhooks/${hook.json.id}`);
    expect(state.json).toMatchObject({ delivered: 2, dropped: 0, failedAttempts: 0 });
    // What the feed holds is what was sent.
    const feed = await api(b, 'GET', '/events?after=0&limit=100');
    expect(feed.json.items.filter((e: { type: string }) => e.type.startsWith('message.')).map((e: { id: number }) => e.id)).toEqual(
      rx.received.map((x) => x.eventId),
    );
  }, 180_000);

  it('serves banned words through the API of either node, one list for both', async () => {
    const [a, b] = nodes as [PgGateway, PgGateway];
    const word = await api(a, 'POST', '/banned-words', { word: 'WhatsApp', storeId: null });
    expect(word.status).toBe(201);
    expect((await api(b, 'POST', '/banned-words', { word: 'whatsapp', storeId: null })).status).toBe(409);
    expect((await api(b, 'GET', '/banned-words')).json.items.map((w: { word: string }) => w.word)).toEqual(['whatsapp']);
    expect((await api(b, 'DELETE', `/banned-words/${word.json.id}`)).status).toBe(204);
    expect((await api(a, 'GET', '/banned-words')).json.items).toEqual([]);
  });
});

// The smarthost's refusal at delivery marks the buyer on a PostgreSQL node too: the worker's final
// failure (outbound/final-failure.ts) is one unit of work on either storage adapter.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startPgGateway, type PgGateway } from '../../src/gateway-pg.js';
import { LOCAL_SPF } from '../helpers/gateway.js';
import { freshDatabase } from '../helpers/postgres.js';
import { refusingSmarthost, type Smarthost } from '../helpers/refusing-smarthost.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const TOKEN = 'mailbox-gone-pg-token-0123456789abcdef';
let gw: PgGateway;
let host: Smarthost;
let dataDir = '';

beforeAll(async () => {
  host = await refusingSmarthost();
  dataDir = mkdtempSync(join(tmpdir(), 'maskgate-gone-pg-'));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      database: { url: await freshDatabase() },
      smtp: { port: 0, host: '127.0.0.1', workerThreads: 1 },
      http: { port: 0, host: '127.0.0.1' },
      api: { token: TOKEN },
      outbound: { smarthost: host.url, pollIntervalMs: 50, retrySchedule: [0.2, 0.2, 0.2], retryThereafter: 0.2 },
      log: { level: 'silent' },
    },
  });
  gw = await startPgGateway(config, pino({ level: 'silent' }), { resolver: LOCAL_SPF });
}, 180_000);
afterAll(async () => {
  await gw?.stop();
  await host?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${gw.httpPort}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('a smarthost refusing a buyer for good, on PostgreSQL', () => {
  it('marks the buyer undeliverable on 550 5.1.1 and leaves another reachable on 552 5.2.2', async () => {
    const store = await api('POST', '/api/v1/stores', { slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' });
    expect(store.status).toBe(201);
    const now = new Date(Date.now() - 3600_000).toISOString();
    const alias: Record<string, string> = {};
    for (const [name, number] of [
      ['gus', 'O-1'],
      ['hal', 'O-2'],
    ] as const) {
      const r = await api('POST', '/api/v1/orders', {
        storeId: store.body.id,
        number,
        buyer: { email: `${name}@buyer.example`, name },
        items: [{ sku: 'LAM-1', name: 'Lamp', category: 'Living', manufacturer: 'Glow', unitPrice: 80, quantity: 1 }],
        total: 80,
        currency: 'EUR',
        placedAt: now,
        completedAt: now,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      alias[name] = r.body.address;
    }
    host.refuse.set('gus@buyer.example', { code: 550, message: '5.1.1 <gus@buyer.example>: user unknown' });
    host.refuse.set('hal@buyer.example', { code: 552, message: '5.2.2 mailbox full' });
    for (const [name, number] of [
      ['gus', 'O-1'],
      ['hal', 'O-2'],
    ] as const) {
      const r = await SmtpClient.sendOnce(
        gw.smtpPort,
        'support@acme.example',
        alias[name]!,
        buildMessage({ from: 'support@acme.example', to: alias[name]!, subject: `Order ${number}`, body: 'shipped' }),
      );
      expect(r.reply.code, r.reply.text).toBe(250);
    }
    const deadline = Date.now() + 30_000;
    while ((await api('GET', '/api/v1/outbox?status=failed')).body.items.length < 2) {
      if (Date.now() > deadline) throw new Error(JSON.stringify((await api('GET', '/api/v1/outbox')).body.items));
      await new Promise((res) => setTimeout(res, 50));
    }
    const buyer = async (name: string) => (await api('GET', `/api/v1/pairs/${encodeURIComponent(alias[name]!)}`)).body.buyer;
    expect((await buyer('gus')).undeliverableSince).toMatch(/^\d{4}-/);
    expect((await buyer('hal')).undeliverableSince).toBeNull();
  }, 120_000);
});

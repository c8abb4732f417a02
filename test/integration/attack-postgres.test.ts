// Attacks on a PostgreSQL node's admin (round 5 review): what a person typing into the address bar
// or a tampered form gets must be the same answer SQLite gives. A path or form id that is not a
// whole number (abc, 1.5, 1e3, 99999999999999999999) names no row: 404 or 400, never the
// 500 PostgreSQL's BIGINT refusal would turn into.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startPgGateway, type PgGateway } from '../../src/gateway-pg.js';
import { adminLogin, type AdminClient } from '../helpers/admin-client.js';
import { freshDatabase } from '../helpers/postgres.js';

const DOMAIN = 'relay.localhost';
const OWNER = { name: 'Olga Owner', email: 'olga@shop.example', password: 'a long owner password' };
const BAD_IDS = ['abc', '1.5', '1e3', '99999999999999999999', '-1'];

let gw: PgGateway;
let dir = '';
let base = '';
let owner: AdminClient;
let storeId = 0;
/** What the node logged at info and above, one JSON object per line. */
const logged: Record<string, unknown>[] = [];

beforeAll(async () => {
  const url = await freshDatabase();
  dir = mkdtempSync(join(tmpdir(), 'maskgate-pgattack-'));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      domains: [DOMAIN],
      hostname: 'mx.relay.localhost',
      smtp: { port: 0, host: '127.0.0.1', workerThreads: 1 },
      http: { port: 0, host: '127.0.0.1' },
      api: { token: 'attack-postgres-token-0123456789abcdef' },
      database: { url },
      log: { level: 'silent' as const },
      dns: { static: { [DOMAIN]: { MX: ['10 mx.relay.localhost'] } } },
    },
  });
  const sink = { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) };
  gw = await startPgGateway(config, pino({ level: 'info' }, sink));
  base = `http://127.0.0.1:${gw.httpPort}`;
  const token = new URL(gw.setupUrl!).searchParams.get('token')!;
  const made = await fetch(`${base}/setup`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, ...OWNER }).toString(),
  });
  expect(made.status).toBe(303);
  owner = await adminLogin(base, OWNER.email, OWNER.password, '/stores');
  const created = await owner.post('/stores', { name: 'Kettle Shop', slug: 'kettles', mailbox: 'support@kettles.example' });
  storeId = Number(/^\/stores\/(\d+)$/.exec(created.headers.get('location') ?? '')?.[1]);
  expect(storeId).toBeGreaterThan(0);
}, 180_000);

afterAll(async () => {
  await gw?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Path ids: GET pages and POST forms whose `:id` is typed by hand. */
const PATHS: readonly (readonly ['GET' | 'POST', string])[] = [
  ['GET', '/stores/{id}'],
  ['POST', '/stores/{id}'],
  ['POST', '/stores/{id}/policy'],
  ['POST', '/stores/{id}/assignment'],
  ['POST', '/stores/{id}/senders'],
  ['POST', '/senders/{id}/remove'],
  ['GET', '/senders/{id}/readiness'],
  ['POST', '/senders/{id}/credentials'],
  ['POST', '/senders/{id}/status'],
  ['POST', '/credentials/{id}/revoke'],
  ['POST', '/team/{id}/stores'],
  ['POST', '/team/{id}/disable'],
  ['POST', '/team/{id}/enable'],
  ['POST', '/team/{id}/reset-password'],
  ['GET', '/outbox/{id}'],
  ['GET', '/outbox/{id}/body'],
  ['POST', '/outbox/{id}/retry'],
  ['GET', '/campaigns/{id}'],
  ['GET', '/campaigns/{id}/progress'],
  ['POST', '/campaigns/{id}'],
  ['POST', '/campaigns/{id}/send'],
  ['POST', '/conversations/{id}/status'],
  ['GET', '/conversations/{id}'],
  ['GET', '/messages/{id}/card'],
  ['GET', '/messages/{id}/delivery'],
  ['GET', '/messages/{id}/body'],
  ['GET', '/messages/{id}/files/0'],
  ['POST', '/messages/{id}/tags'],
  ['POST', '/messages/{id}/category'],
];

describe('what a PostgreSQL node serves', () => {
  it('says at start that it runs on PostgreSQL (password hidden), and serves the admin and every API group, the outbox list included', async () => {
    const started = logged.find((l) => l.event === 'gateway.database');
    expect(started).toBeDefined();
    expect(String(started!.database)).not.toMatch(/:[^:@/]+@/);
    expect(logged.some((l) => l.event === 'gateway.postgres-limits')).toBe(false);
    expect((await owner.get('/inbox')).status).toBe(200);
    const token = { authorization: 'Bearer attack-postgres-token-0123456789abcdef' };
    const outbox = await fetch(`${base}/api/v1/outbox`, { headers: token });
    expect(outbox.status).toBe(200);
    // An API path with no route is a 404 on every database now, not a 503.
    expect((await fetch(`${base}/api/v1/no-such-thing`, { headers: token })).status).toBe(404);
  });
});

describe('a PostgreSQL node given ids that are not whole numbers', () => {
  it.each(PATHS.map(([method, path]) => [method, path] as const))('%s %s answers "no such thing", not a server error', async (method, path) => {
    for (const bad of BAD_IDS) {
      const p = path.replace('{id}', encodeURIComponent(bad));
      const res = method === 'GET' ? await owner.get(p) : await owner.post(p, { status: 'processed', name: 'x', mailbox: 'x@kettles.example' });
      expect([p, res.status < 500]).toEqual([p, true]);
    }
  });

  it('refuses ids in forms that are not whole numbers with the page’s own sentence', async () => {
    for (const bad of BAD_IDS) {
      const rule = await owner.post('/notifications', { userId: bad, category: '' });
      expect([bad, rule.status]).toEqual([bad, 400]);
      expect(await rule.text()).toContain('No such user.');
      const word = await owner.post('/settings/banned-words', { word: 'refund', storeId: bad });
      expect([bad, word.status]).toEqual([bad, 400]);
      expect(await word.text()).toContain('No such store.');
      const credits = await owner.post('/campaigns/credits', { storeId: bad, delta: '5' });
      expect([bad, credits.status]).toEqual([bad, 303]);
      expect(decodeURIComponent(credits.headers.get('location') ?? '')).toContain('Give a store and a whole number of credits.');
    }
  });
});

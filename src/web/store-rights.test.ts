// Route units (in-process, hono's app.request, real SQLite) for who may change a store: every action
// usecases/store-rights.ts keeps to the owner, in the admin and in the JSON API. An agent gets 403
// (the admin's 403 page with the sentence; the API's { error, code, message }) and nothing changes;
// the owner's same request goes through. The API token carries the owner's rights; the API rows
// with an agent show the API shell applies the same rule to a caller without them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticResolver } from '../dns/resolver.js';
import { openDb, type Db } from '../store/db.js';
import type { Storage, User } from '../store/ports.js';
import { sqliteStorage } from '../store/sqlite/storage.js';
import { API_TOKEN_CALLER, OWNER_ACTIONS, type StoreAction } from '../usecases/store-rights.js';
import { errorPages } from './admin/error-pages.js';
import { MailboxConfirmation } from './admin/mailbox-confirmation.js';
import { storeAdminRoutes } from './admin/routes-stores.js';
import { webhookAdminRoutes } from './admin/routes-webhooks.js';
import type { AdminEnv } from './admin/session.js';
import { coreApiDeps } from './api/deps.js';
import { storeRoutes, storeSettingsRoutes } from './api/routes-stores.js';
import { webhookRoutes } from './api/routes-webhooks.js';

const DOMAINS = ['relay.example'];
let dir: string;
let db: Db;
let storage: Storage;
let owner: User;
let agent: User;
let storeId: number;
let deskId: number;
let hookId: number;
const notices: string[] = [];
let admin: Hono<AdminEnv>;
let api: Hono;

/** Everything a refused request must leave as it was: the store, its senders and app passwords, rules, assignment, webhooks, mail notices. */
async function state(): Promise<string> {
  const stores = storage.admin.stores;
  const all = await stores.list();
  const senders = (await Promise.all(all.map((s) => stores.senders(s.id)))).flat();
  return JSON.stringify({
    stores: all,
    senders,
    creds: await Promise.all(senders.map((s) => storage.admin.credentials.list(s.id))),
    policy: await Promise.all(all.map((s) => stores.policy(s.id))),
    roundRobin: await Promise.all(all.map((s) => stores.roundRobin(s.id))),
    pendingMailbox: await Promise.all(all.map((s) => storage.admin.mailboxChanges.pending(s.id))),
    hooks: (await storage.webhooks.list()).map((h) => [h.id, h.url, h.events]),
    notices,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'maskgate-rights-'));
  db = openDb(dir);
  storage = sqliteStorage(db, { sessionTtlMs: 3_600_000 });
  const store = (await storage.market.createStore({ slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' }))!;
  storeId = store.id;
  deskId = (await storage.market.addSender(storeId, 'desk@acme.example', 'blocked'))!.id;
  hookId = (await storage.webhooks.create('https://market.example/hooks', ['message.received'])).row.id;
  owner = (await storage.admin.users.insert({ email: 'olivia@seller.example', name: 'Olivia', role: 'owner', passwordHash: 'x' }))!;
  agent = (await storage.admin.users.insert({ email: 'alex@seller.example', name: 'Alex', role: 'agent', passwordHash: 'x', storeIds: [storeId] }))!;

  // The admin's store and webhook pages, with the user the request names (the session's work, done by requireUser in the app).
  const log = pino({ level: 'silent' });
  const resolver = staticResolver({});
  const mailboxes = new MailboxConfirmation(
    storage.admin.mailboxChanges,
    storage.secrets,
    async (to) => void notices.push(to),
    () => 'https://mail.example',
    log,
  );
  admin = new Hono<AdminEnv>();
  admin.use('*', errorPages(storage.sessions, storage.admin.users));
  admin.use('*', async (c, next) => {
    const user = c.req.header('x-as') === 'agent' ? agent : owner;
    c.set('user', user);
    c.set('session', { userId: user.id, csrfToken: 'csrf', expiresAt: Date.now() + 60_000 });
    c.set('storeIds', await storage.admin.users.storeIds(user));
    await next();
  });
  admin.route(
    '/',
    storeAdminRoutes(storage.admin, { ...storage.mail, ...storage.market }, resolver, DOMAINS, mailboxes, () => null),
  );
  admin.route('/', webhookAdminRoutes(storage.webhooks));

  // The API's store and webhook routes; the caller apiGuard would set (the token: the owner's rights), or an agent.
  api = new Hono();
  api.use('*', async (c, next) => {
    c.set('caller', c.req.header('x-as') === 'agent' ? { role: 'agent' } : API_TOKEN_CALLER);
    await next();
  });
  api.route('/', storeRoutes(coreApiDeps(storage, DOMAINS, resolver)));
  api.route('/', storeSettingsRoutes({ resolver, admin: storage.admin, submission: () => null }));
  api.route('/', webhookRoutes({ webhooks: storage.webhooks, log }));
});

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const form = (as: 'owner' | 'agent', body: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'x-as': as, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
  body: new URLSearchParams(body).toString(),
});
const json = (as: 'owner' | 'agent', method: string, body?: unknown) => ({
  method,
  headers: { 'x-as': as, 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

// One row an owner-only admin action: the form an agent may not post, and what the owner's same post answers.
const ADMIN: readonly { action: StoreAction; path: () => string; body: Record<string, string>; ownerStatus: number; sentence: RegExp }[] = [
  {
    action: 'rename',
    path: () => `/stores/${storeId}`,
    body: { name: 'Acme Outlet', mailbox: 'support@acme.example' },
    ownerStatus: 200,
    sentence: /renames a store/,
  },
  {
    action: 'mailbox',
    path: () => `/stores/${storeId}`,
    body: { name: 'Acme Outlet', mailbox: 'orders@acme.example' },
    ownerStatus: 200,
    sentence: /where a store/,
  },
  { action: 'policy', path: () => `/stores/${storeId}/policy`, body: { windowDays: '14', pairPerDay: '3' }, ownerStatus: 200, sentence: /messaging rules/ },
  { action: 'assignment', path: () => `/stores/${storeId}/assignment`, body: { roundRobin: '1' }, ownerStatus: 200, sentence: /assigned/ },
  {
    action: 'add-sender',
    path: () => `/stores/${storeId}/senders`,
    body: { email: 'friend@elsewhere.example' },
    ownerStatus: 200,
    sentence: /adds permitted senders/,
  },
  { action: 'enable-sender', path: () => `/senders/${deskId}/status`, body: { status: 'enabled' }, ownerStatus: 303, sentence: /enables permitted senders/ },
  { action: 'issue-app-password', path: () => `/senders/${deskId}/credentials`, body: { label: 'laptop' }, ownerStatus: 200, sentence: /issues app passwords/ },
  {
    action: 'create-store',
    path: () => '/stores',
    body: { name: 'Mugs', slug: 'mugs', mailbox: 'hello@mugs.example' },
    ownerStatus: 303,
    sentence: /adds stores/,
  },
  {
    action: 'webhooks',
    path: () => '/webhooks',
    body: { url: 'https://evil.example/x', events: 'message.received' },
    ownerStatus: 201,
    sentence: /manages webhooks/,
  },
  { action: 'webhooks', path: () => `/webhooks/${hookId}/delete`, body: {}, ownerStatus: 303, sentence: /manages webhooks/ },
];

describe('the admin keeps a store’s identity and policy to the owner', () => {
  for (const row of ADMIN) {
    it(`refuses an agent's ${row.action} (POST ${row.path().replace('undefined', ':id')}) with a 403 page and changes nothing; the owner's goes through`, async () => {
      const before = await state();
      const refused = await admin.request(row.path(), form('agent', row.body));
      expect(refused.status).toBe(403);
      const page = await refused.text();
      expect(page).toMatch(/^<!DOCTYPE html>/);
      expect(page).toMatch(row.sentence);
      expect(await state()).toBe(before);
      const done = await admin.request(row.path(), form('owner', row.body));
      expect(done.status).toBe(row.ownerStatus);
      expect(await state()).not.toBe(before);
    });
  }

  it('refuses an agent even the webhooks page, and a rename that only repeats the name changes nothing', async () => {
    expect((await admin.request('/webhooks', { headers: { 'x-as': 'agent' } })).status).toBe(403);
    const before = await state();
    const store = (await storage.admin.stores.get(storeId))!;
    const same = await admin.request(`/stores/${storeId}`, form('agent', { name: store.name, mailbox: store.mailbox }));
    expect(same.status).toBe(403);
    expect(await state()).toBe(before);
  });

  it('still lets an agent block a sender and revoke an app password (taking trust away)', async () => {
    const sender = (await storage.admin.stores.senders(storeId)).find((s) => s.email === 'desk@acme.example')!;
    const [cred] = await storage.admin.credentials.list(sender.id);
    expect((await admin.request(`/credentials/${cred!.id}/revoke`, form('agent'))).status).toBe(200);
    expect((await admin.request(`/senders/${sender.id}/status`, form('agent', { status: 'blocked' }))).status).toBe(303);
    expect((await storage.admin.stores.sender(sender.id))!.status).toBe('blocked');
    expect((await storage.admin.credentials.list(sender.id))[0]!.revokedAt).not.toBeNull();
  });

  it('shows an agent no control to rename the store, move its mail, or change its rules and assignment', async () => {
    const page = await (await admin.request(`/stores/${storeId}`, { headers: { 'x-as': 'agent' } })).text();
    expect(page).not.toContain(`action="/stores/${storeId}"`);
    expect(page).not.toContain('name="name"');
    expect(page).not.toContain('name="mailbox"');
    expect(page).not.toContain(`action="/stores/${storeId}/policy"`);
    expect(page).not.toContain(`action="/stores/${storeId}/assignment"`);
    expect(page).toContain('data-owner-only');
    const mine = await (await admin.request(`/stores/${storeId}`, { headers: { 'x-as': 'owner' } })).text();
    for (const action of [`action="/stores/${storeId}"`, 'name="name"', `action="/stores/${storeId}/policy"`, `action="/stores/${storeId}/assignment"`])
      expect(mine).toContain(action);
  });
});

// The API's owner-only requests (it has no rename: a store's name is changed in the admin).
const API: readonly { action: StoreAction; method: string; path: () => string; body?: unknown; ownerStatus: number }[] = [
  {
    action: 'create-store',
    method: 'POST',
    path: () => '/stores',
    body: { slug: 'kettles', name: 'Kettles', mailbox: 'hi@kettles.example' },
    ownerStatus: 201,
  },
  { action: 'add-sender', method: 'POST', path: () => `/stores/${storeId}/permitted-senders`, body: { email: 'night@acme.example' }, ownerStatus: 201 },
  { action: 'enable-sender', method: 'PATCH', path: () => `/permitted-senders/${deskId}`, body: { status: 'enabled' }, ownerStatus: 200 },
  { action: 'issue-app-password', method: 'POST', path: () => `/permitted-senders/${deskId}/credentials`, body: { label: 'phone' }, ownerStatus: 201 },
  { action: 'policy', method: 'PATCH', path: () => `/stores/${storeId}/policy`, body: { windowDays: 21 }, ownerStatus: 200 },
  { action: 'webhooks', method: 'POST', path: () => '/webhooks', body: { url: 'https://evil.example/y', events: ['message.received'] }, ownerStatus: 201 },
  { action: 'webhooks', method: 'DELETE', path: () => `/webhooks/${hookId}`, ownerStatus: 204 },
];

describe('the JSON API applies the same rule', () => {
  beforeAll(async () => {
    hookId = (await storage.webhooks.create('https://market.example/again', ['message.sent'])).row.id;
  });

  for (const row of API) {
    it(`answers ${row.method} ${row.path().replace('undefined', '{id}')} from a caller without the owner's rights with 403 OWNER_ONLY and changes nothing`, async () => {
      const before = await state();
      const refused = await api.request(row.path(), json('agent', row.method, row.body));
      expect(refused.status).toBe(403);
      const body = (await refused.json()) as { error: string; code: string; message: string };
      expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message']);
      expect(body).toMatchObject({ error: 'Forbidden', code: 'OWNER_ONLY' });
      expect(body.message).toMatch(/^Only the owner /);
      expect(await state()).toBe(before);
      const done = await api.request(row.path(), json('owner', row.method, row.body));
      expect(done.status).toBe(row.ownerStatus);
      expect(await state()).not.toBe(before);
    });
  }

  it('lets such a caller still block a sender and revoke an app password', async () => {
    const [cred] = await storage.admin.credentials.list(deskId);
    expect((await api.request(`/credentials/${cred!.id}`, json('agent', 'DELETE'))).status).toBe(200);
    expect((await api.request(`/permitted-senders/${deskId}`, json('agent', 'PATCH', { status: 'blocked' }))).status).toBe(200);
  });

  it('guards every owner-only action in at least one shell', () => {
    const covered = new Set([...ADMIN, ...API].map((r) => r.action));
    expect(OWNER_ACTIONS.filter((a) => !covered.has(a))).toEqual([]);
  });
});

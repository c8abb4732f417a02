// The admin on PostgreSQL nodes (issue 16): two gateway nodes (startPgGateway, in this process) on
// one fresh database. The first owner is made through the same /setup?token= link both nodes print;
// a session and its CSRF token made on one node work on the other; every admin page shows what a
// person would check there on both nodes, and nothing is served from a local SQLite file.
//
// PAGES is the table of what is visited: every group of the admin, each on both nodes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
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

/** The pages of the groups on the ports: path (after the store is made: {store} is its id) and what the page must show. */
const PAGES: readonly (readonly [string, RegExp])[] = [
  ['/stores', /<h1>Stores<\/h1>[\s\S]*Kettle Shop[\s\S]*support@kettles\.example/],
  ['/stores/{store}', /Kettle Shop: messaging permissions[\s\S]*support@kettles\.example[\s\S]*Messaging rules/],
  ['/team', /<h1>Team<\/h1>[\s\S]*Olga Owner[\s\S]*Alex Agent/],
  ['/account', /<h1>Your account<\/h1>[\s\S]*olga@shop\.example/],
  ['/outbox', /<h1>Outbox<\/h1>[\s\S]*new-mailbox@kettles\.example/],
  ['/dns', /DNS records to publish[\s\S]*_domainkey\.relay\.localhost/],
  ['/dns/doctor', /data-check="Database"[\s\S]*PostgreSQL \d+[^<]* answers/],
  ['/api-reference', /<h1>API reference<\/h1>[\s\S]*\/api\/v1\/stores/],
  ['/inbox', /<title>[^<]*Inbox · maskgate<\/title>[\s\S]*Kettle Shop/],
  ['/reports/response-times', /<h1>Response times<\/h1>/],
  ['/templates', /<h1>Reply templates<\/h1>/],
  ['/tags', /<h1>Tags<\/h1>/],
  ['/notifications', /<h1>Notifications<\/h1>[\s\S]*Olga Owner/],
  ['/webhooks', /<h1>Webhooks<\/h1>/],
  ['/orders/import', /<h1>Import orders<\/h1>[\s\S]*Kettle Shop/],
  ['/settings', /<h1>Settings<\/h1>/],
  ['/campaigns', /<h1>Campaigns<\/h1>/],
];

interface Node {
  readonly gw: PgGateway;
  readonly base: string;
  readonly dir: string;
}

async function startNode(url: string): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), 'maskgate-pgadmin-'));
  const HOST = 'mx.relay.localhost';
  const overrides = {
    dataDir: dir,
    domains: [DOMAIN],
    hostname: HOST,
    smtp: { port: 0, host: '127.0.0.1', workerThreads: 1 },
    http: { port: 0, host: '127.0.0.1' },
    api: { token: 'admin-postgres-token-0123456789abcdef' },
    database: { url },
    log: { level: 'silent' as const },
  };
  const selector = loadConfig({ env: {}, overrides }).dkim.selector;
  // Every name the DNS page and the doctor look up is answered here (no DNS in tests).
  const dns = {
    [DOMAIN]: { MX: [`10 ${HOST}`], TXT: ['v=spf1 mx ~all'] },
    [`_dmarc.${DOMAIN}`]: { TXT: ['v=DMARC1; p=none'] },
    [`${selector}._domainkey.${DOMAIN}`]: {},
    [HOST]: { A: ['127.0.0.1'] },
    '1.0.0.127.in-addr.arpa': { PTR: [HOST] },
  };
  const config = loadConfig({ env: {}, overrides: { ...overrides, dns: { static: dns } } });
  const gw = await startPgGateway(config, pino({ level: 'silent' }));
  return { gw, base: `http://127.0.0.1:${gw.httpPort}`, dir };
}

const html = { accept: 'text/html' };

let a: Node;
let b: Node;
let owner: AdminClient;
let storeId = 0;
let dbUrl = '';
beforeAll(async () => {
  const url = await freshDatabase();
  dbUrl = url;
  a = await startNode(url);
  b = await startNode(url);
}, 180_000);
afterAll(async () => {
  for (const n of [a, b]) {
    if (!n) continue;
    await n.gw.stop();
    rmSync(n.dir, { recursive: true, force: true });
  }
});

// 90 s a test: each hashes passwords and crosses two nodes and a database; on a loaded machine the
// first took over vitest's 30 s default and every test after it failed with it (round 25).
describe('the admin on two PostgreSQL nodes', { timeout: 90_000 }, () => {
  it('prints one setup link on both nodes, and either node makes the first owner from it once', async () => {
    expect(a.gw.setupUrl).toMatch(/\/setup\?token=[A-Za-z0-9_-]{32}$/);
    const token = new URL(a.gw.setupUrl!).searchParams.get('token')!;
    expect(new URL(b.gw.setupUrl!).searchParams.get('token')).toBe(token);

    const form = await fetch(`${b.base}/setup?token=${token}`, { headers: html });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain(`value="${token}"`);
    const made = await fetch(`${b.base}/setup`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, ...OWNER }).toString(),
    });
    expect(made.status).toBe(303);
    expect(made.headers.getSetCookie().join('\n')).toMatch(/mg_session=/);

    // Spent on every node.
    for (const n of [a, b]) {
      const again = await fetch(`${n.base}/setup?token=${token}`, { headers: html });
      expect(again.status).toBe(404);
      expect(await again.text()).toContain('This setup link is no longer valid.');
    }
    // The session the setup started works on the other node.
    const cookie = /mg_session=[^;]+/.exec(made.headers.getSetCookie().join('\n'))![0];
    const team = await fetch(`${a.base}/team`, { headers: { cookie, ...html } });
    expect(team.status).toBe(200);
    expect(await team.text()).toContain('Olga Owner');
  });

  it('logs in on one node and takes that session and its CSRF token on the other: a store made, an agent added', async () => {
    owner = await adminLogin(a.base, OWNER.email, OWNER.password, '/stores');
    const onB = (path: string, form: Record<string, string>) =>
      fetch(`${b.base}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: owner.csrf, ...form }).toString(),
      });
    const created = await onB('/stores', { name: 'Kettle Shop', slug: 'kettles', mailbox: 'Support@Kettles.Example' });
    expect(created.status).toBe(303);
    storeId = Number(/^\/stores\/(\d+)$/.exec(created.headers.get('location') ?? '')?.[1]);
    expect(storeId).toBeGreaterThan(0);

    // The same slug again is refused with the rule's sentence, whichever node is asked.
    const twice = await owner.post('/stores', { name: 'Other', slug: 'kettles', mailbox: 'other@kettles.example' });
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain('A store with slug &quot;kettles&quot; already exists.');

    // Without the CSRF token the same session's form is refused on either node.
    const forged = await fetch(`${b.base}/team`, {
      method: 'POST',
      headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'Mallory', email: 'mallory@evil.example' }).toString(),
    });
    expect(forged.status).toBe(403);

    const added = await onB('/team', { name: 'Alex Agent', email: 'alex@shop.example', storeId: String(storeId) });
    expect(added.status).toBe(200);
    const password = /Password for alex@shop\.example: <code>([^<]+)<\/code>/.exec(await added.text())?.[1];
    expect(password).toBeTruthy();
    // The agent logs in on the other node with the password shown once, and sees its store only.
    const agent = await adminLogin(a.base, 'alex@shop.example', password!, '/stores');
    const stores = await (await agent.get('/stores')).text();
    expect(stores).toContain('Kettle Shop');
    expect((await agent.get('/team')).status).toBe(403);
  });

  it('moves a store’s mail only once its new mailbox confirms the link sent through the outbox', async () => {
    const asked = await owner.post(`/stores/${storeId}`, { name: 'Kettle Shop', mailbox: 'new-mailbox@kettles.example' });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('A confirmation link was sent to new-mailbox@kettles.example');
    const row = (await a.gw.storage.admin.operations.outbox({ limit: 10 })).find((r) => r.envTo === 'new-mailbox@kettles.example');
    expect(row).toBeDefined();
    const raw = (await a.gw.storage.outbox.raw(row!.id))!.toString('utf8').replace(/=\r\n/g, '').replace(/=3D/g, '=');
    const link = /\/mailbox\/confirm\?t=([A-Za-z0-9._%-]+)/.exec(raw)?.[1];
    expect(link).toBeTruthy();
    const t = decodeURIComponent(link!);
    // Opened on the other node than the one that signed it.
    expect((await fetch(`${b.base}/mailbox/confirm?t=${encodeURIComponent(t)}`)).status).toBe(200);
    const done = await fetch(`${b.base}/mailbox/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ t }).toString(),
    });
    expect(done.status).toBe(200);
    expect((await a.gw.storage.admin.stores.get(storeId))!.mailbox).toBe('new-mailbox@kettles.example');
    // Back to the first mailbox for the pages below (the mailbox stays the owner's choice).
    await a.gw.storage.admin.stores.update(storeId, { name: 'Kettle Shop', mailbox: 'support@kettles.example' });
  });

  it.each(PAGES.map(([path, shows]) => [path, shows] as const))('serves %s on both nodes with what it shows', async (path, shows) => {
    const p = path.replace('{store}', String(storeId));
    for (const base of [a.base, b.base]) {
      const res = await fetch(`${base}${p}`, { headers: { cookie: owner.cookie, ...html } });
      expect([p, res.status]).toEqual([p, 200]);
      expect(await res.text()).toMatch(shows);
    }
  });

  it('asks for a login before any page and writes nothing to a local SQLite file', async () => {
    // Without a session the login comes first, as for every page behind it.
    expect((await fetch(`${a.base}/inbox`, { redirect: 'manual' })).status).toBe(303);
    // Nothing was made on a local SQLite file.
    for (const n of [a, b]) expect(readdirSync(n.dir).filter((f) => /\.(db|sqlite)/.test(f))).toEqual([]);
  });

  it('lists and adds staff from the command line on the same database, and the doctor checks PostgreSQL, not a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-pgcli-'));
    const env = { ...process.env, MASKGATE_DATABASE_URL: dbUrl, MASKGATE_DATA_DIR: dir, MASKGATE_DOMAIN: DOMAIN };
    // Asynchronous: the nodes in this process keep serving while the command runs.
    const cli = (...args: string[]) =>
      new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.once('error', reject);
        p.once('close', () => resolve({ stdout, stderr }));
      });
    try {
      expect((await cli('user', 'list')).stdout).toMatch(/\tolga@shop\.example\towner\tOlga Owner\n[\s\S]*\talex@shop\.example\tagent\tAlex Agent/);
      const added = await cli('user', 'add', 'sam@shop.example', '--agent', '--store', String(storeId), '--name', 'Sam');
      expect(added.stdout).toMatch(/^created agent sam@shop\.example \(id \d+\)\npassword \(shown only now\): \S+/);
      expect((await cli('user', 'add', 'sam@shop.example', '--agent', '--store', String(storeId))).stderr).toContain('a user sam@shop.example already exists');
      const doctor = (await cli('doctor')).stdout;
      expect(doctor).toMatch(/Database\s+PostgreSQL \d+[^\n]* answers/);
      expect(readdirSync(dir).filter((f) => /\.(db|sqlite)/.test(f))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('logs out everywhere from one node, and the other node no longer takes the session', async () => {
    const out = await owner.post('/logout-everywhere', {});
    expect(out.status).toBe(303);
    const after = await fetch(`${b.base}/stores`, { headers: { cookie: owner.cookie }, redirect: 'manual' });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/login?next=%2Fstores');
  });
});

// Logging in to the admin under attack, over real HTTP: throttling per account and per real client
// (issue 12.3), X-Forwarded-For believed only from configured proxies, attempts counted before the
// password is checked, and the one-time setup link spent once however many requests present it (12.7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { postLogin } from '../helpers/admin-client.js';
import { OWNER, startWithOwner } from '../helpers/admin-harness.js';
import { startHarness, type Harness } from '../helpers/gateway.js';

const login = postLogin;

// Generous limits: every attempt runs scrypt, and the shared test machines are often busy.
describe('login throttling without a proxy', { timeout: 120_000 }, () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    ({ h, base } = await startWithOwner());
    await new UserRepo(h.gw.db).create({ email: 'alex@seller.example', name: 'Alex', role: 'agent', password: 'agent password 123' });
  }, 120_000);
  afterAll(() => h.close());

  it('lets a staff member log in after five failed logins for made-up accounts from the same address', async () => {
    for (let i = 0; i < 5; i++) expect((await login(base, `nobody${i}@seller.example`, 'guess')).status).toBe(401);
    const r = await login(base, OWNER.email, OWNER.password);
    expect(r.status).toBe(303);
    expect(r.headers.get('set-cookie')).toMatch(/mg_session=/);
  });

  it('does not take X-Forwarded-Proto from a client that is not a configured proxy: no Secure cookie over plain HTTP', async () => {
    const r = await login(base, OWNER.email, OWNER.password, { 'x-forwarded-proto': 'https' });
    expect(r.status).toBe(303);
    expect(r.headers.get('set-cookie')).toMatch(/^mg_session=/);
    expect(r.headers.get('set-cookie')).not.toMatch(/Secure/);
  });

  it('evaluates only five of 30 concurrent guesses at one account; the rest are told to wait', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => login(base, 'alex@seller.example', `guess-${i}`)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
    // Even the right password waits now, from this client.
    expect((await login(base, 'alex@seller.example', 'agent password 123')).status).toBe(429);
  });

  it('ignores X-Forwarded-For from a client that is not a configured proxy', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await login(base, OWNER.email, `wrong-${i}`, { 'x-forwarded-for': `198.51.100.${i + 1}` })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('login throttling behind a configured proxy', { timeout: 120_000 }, () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    ({ h, base } = await startWithOwner({ http: { port: 0, host: '127.0.0.1', trustedProxies: ['127.0.0.1'] } }));
  }, 120_000);
  afterAll(() => h.close());

  it("throttles the guessing client, not the account's owner on another client", async () => {
    const attacker = { 'x-forwarded-for': '203.0.113.7' };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(base, OWNER.email, `guess-${i}`, attacker)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const owner = await login(base, OWNER.email, OWNER.password, { 'x-forwarded-for': '198.51.100.20', 'x-forwarded-proto': 'https' });
    expect(owner.status).toBe(303);
    // The proxy is trusted, so its X-Forwarded-Proto counts: the cookie is Secure.
    expect(owner.headers.get('set-cookie')).toMatch(/mg_session=[^;]+;.*Secure/);
  });

  it('stops a client spraying made-up accounts after 20 failures', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await login(base, `made-up-${i}@seller.example`, 'x', { 'x-forwarded-for': '203.0.113.50' })).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('locks an account guessed at from many clients, except for a browser that logged in to it before', async () => {
    // The owner's browser logged in once and keeps its known-device cookie.
    const first = await login(base, OWNER.email, OWNER.password, { 'x-forwarded-for': '198.51.100.30' });
    expect(first.status).toBe(303);
    const device = /mg_device=[^;]+/.exec(first.headers.getSetCookie().join('\n'))?.[0];
    expect(device).toBeDefined();
    // 45 more wrong guesses (50 with the first five) from 23 addresses, under every per-client limit.
    const guesses = await Promise.all(
      Array.from({ length: 45 }, (_, i) => login(base, OWNER.email, `guess-${i}`, { 'x-forwarded-for': `192.0.2.${Math.floor(i / 2) + 1}` })),
    );
    expect(guesses.every((r) => r.status === 401)).toBe(true);
    expect((await login(base, OWNER.email, OWNER.password, { 'x-forwarded-for': '198.51.100.31' })).status).toBe(429);
    expect((await login(base, OWNER.email, OWNER.password, { 'x-forwarded-for': '198.51.100.31', cookie: device! })).status).toBe(303);
  }, 240_000); // 45 scrypt checks on a shared machine
});

describe('the one-time setup link', { timeout: 120_000 }, () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness({}, { sink: false });
    base = `http://127.0.0.1:${h.gw.httpPort}`;
  }, 120_000);
  afterAll(() => h.close());

  it('is what the login page points to while no staff account exists, and the page says so no more once one does', async () => {
    const first = await (await fetch(`${base}/login`)).text();
    expect(first).toContain('No staff account yet');
    expect(first).toContain('npx maskgate user add you@example.com --owner');
    const fresh = await startHarness({}, { sink: false });
    try {
      await new UserRepo(fresh.gw.db).create({ email: 'alex@seller.example', name: 'Alex', role: 'agent', password: 'agent password 123' });
      expect(await (await fetch(`http://127.0.0.1:${fresh.gw.httpPort}/login`)).text()).not.toContain('No staff account yet');
    } finally {
      await fresh.close();
    }
  });

  it('creates exactly one owner when it is posted six times at once', async () => {
    const token = new URL(h.gw.setupUrl!).searchParams.get('token')!;
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        fetch(`${base}/setup`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token, name: `Owner ${i}`, email: `owner${i}@seller.example`, password: 'a long enough password' }).toString(),
        }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([303, 404, 404, 404, 404, 404]);
    expect(new UserRepo(h.gw.db).list().map((u) => u.role)).toEqual(['owner']);
  });
  it('says, once it is spent, how the owner is made instead (an agent added from the shell first spends it too)', async () => {
    const fresh = await startHarness({}, { sink: false });
    try {
      const link = fresh.gw.setupUrl!;
      await new UserRepo(fresh.gw.db).create({ email: 'alex@seller.example', name: 'Alex', role: 'agent', password: 'agent password 123' });
      const page = await fetch(`http://127.0.0.1:${fresh.gw.httpPort}${new URL(link).pathname}${new URL(link).search}`);
      expect(page.status).toBe(404);
      const text = await page.text();
      expect(text).toContain('This setup link is no longer valid.');
      expect(text).toContain('npx maskgate user add you@example.com --owner');
    } finally {
      await fresh.close();
    }
  });
});

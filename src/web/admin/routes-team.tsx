// Owns staff accounts in the admin: the owner's team page (add an agent, give it stores, disable or
// enable it, reset its password to a temporary one shown once) and every user's own account page
// (their time zone and their password). Passwords are only ever stored as scrypt hashes.
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { isTimeZone } from '../../core/display-time.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../../store/passwords.js';
import type { AdminStore, SessionStore } from '../../store/ports.js';
import { AccountPage } from '../../../views/account.js';
import { TeamPage, type ShownPassword } from '../../../views/team.js';
import { frameOf, startSession, type AdminEnv } from './session.js';
import { paramId } from './param-id.js';

const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[a-z0-9.-]+\.[a-z]{2,}$/i;
const ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');
/** 96 random bits, typed once by the agent and then changed. */
const temporaryPassword = () => randomBytes(12).toString('base64url');

export function teamRoutes(admin: Pick<AdminStore, 'users' | 'stores'>, sessions: SessionStore, defaultZone: string): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const { users, stores } = admin;
  const ownerOnly = async (c: any, next: () => Promise<void>) => (c.get('user').role === 'owner' ? next() : c.text('Only the owner manages the team.', 403));
  app.use('/team', ownerOnly);
  app.use('/team/*', ownerOnly);

  const storeIdsOf = async (form: Record<string, string | File | (string | File)[]>) => {
    const raw = form['storeId'] ?? form['storeId[]'];
    const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(Number);
    const known = new Set((await stores.list()).map((s) => s.id));
    return [...new Set(list.filter((id) => known.has(id)))];
  };
  const team = async (c: any, status: 200 | 400 | 404 | 409 = 200, o: { shown?: ShownPassword; error?: string; notice?: string } = {}) => {
    c.header('Cache-Control', 'no-store');
    const members = await Promise.all((await users.list()).map(async (u) => ({ ...u, storeIds: await users.storeIds(u) })));
    const storeList = await stores.list();
    return c.html(
      <TeamPage
        {...frameOf(c)}
        me={c.get('user').id}
        members={members}
        stores={storeList.map((s) => ({ id: s.id, name: s.name }))}
        shown={o.shown}
        error={o.error}
        notice={o.notice}
      />,
      status,
    );
  };
  const agentOf = async (c: any) => {
    const u = await users.get(paramId(c.req.param('id')));
    return u && u.role === 'agent' ? u : null;
  };

  app.get('/team', (c) => team(c));

  app.post('/team', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const name = String(form.name ?? '').trim();
    const email = String(form.email ?? '')
      .trim()
      .toLowerCase();
    if (!name || name.length > 100 || !EMAIL.test(email)) return team(c, 400, { error: 'An agent needs a name and an email address.' });
    const taken = { error: `${email} already has an account.` };
    if (await users.withHash(email)) return team(c, 409, taken);
    const password = temporaryPassword();
    const made = await users.insert({ email, name, role: 'agent', passwordHash: await hashPassword(password), storeIds: await storeIdsOf(form) });
    if (!made) return team(c, 409, taken);
    return team(c, 200, { shown: { email, password }, notice: `${name} can now log in.` });
  });

  app.post('/team/:id/stores', async (c) => {
    const agent = await agentOf(c);
    if (!agent) return team(c, 404, { error: 'No such agent.' });
    await users.setStores(agent.id, await storeIdsOf(await c.req.parseBody({ all: true })));
    return team(c, 200, { notice: `${agent.name}'s stores were saved.` });
  });

  app.post('/team/:id/disable', async (c) => {
    const agent = await agentOf(c);
    if (!agent) return team(c, 404, { error: 'No such agent.' });
    await users.setDisabled(agent.id, true);
    await sessions.endAll(agent.id);
    return team(c, 200, { notice: `${agent.name} is disabled and logged out everywhere.` });
  });

  app.post('/team/:id/enable', async (c) => {
    const agent = await agentOf(c);
    if (!agent) return team(c, 404, { error: 'No such agent.' });
    await users.setDisabled(agent.id, false);
    return team(c, 200, { notice: `${agent.name} may log in again.` });
  });

  app.post('/team/:id/reset-password', async (c) => {
    const agent = await agentOf(c);
    if (!agent) return team(c, 404, { error: 'No such agent.' });
    const password = temporaryPassword();
    await users.setPasswordHash(agent.id, await hashPassword(password));
    await sessions.endAll(agent.id);
    return team(c, 200, { shown: { email: agent.email, password }, notice: `${agent.name}'s old password no longer works; they were logged out.` });
  });

  const account = async (c: any, status: 200 | 400 | 403 = 200, o: { error?: string | undefined; notice?: string | undefined } = {}) => {
    const me = (await users.get(c.get('user').id))!;
    return c.html(
      <AccountPage {...frameOf(c)} email={me.email} timeZone={me.timeZone} defaultZone={defaultZone} zones={ZONES} error={o.error} notice={o.notice} />,
      status,
    );
  };

  const SAVED: Record<string, string> = { zone: 'Time zone saved.', password: 'Password changed. You were logged out everywhere else.' };
  app.get('/account', (c) => account(c, 200, { notice: SAVED[c.req.query('saved') ?? ''] }));

  app.post('/account/time-zone', async (c) => {
    const tz = String((await c.req.parseBody()).timeZone ?? '').trim();
    if (tz && !isTimeZone(tz)) return account(c, 400, { error: `${tz} is not a time zone.` });
    await users.setTimeZone(c.get('user').id, tz || null);
    // The next page already shows times in the new zone.
    return c.redirect('/account?saved=zone', 303);
  });

  app.post('/account/password', async (c) => {
    const form = await c.req.parseBody();
    const me = await users.withHash(c.get('user').email);
    const ok = await verifyPassword(String(form.current ?? ''), me?.passwordHash ?? DUMMY_HASH);
    if (!me || !ok) return account(c, 403, { error: 'The current password is wrong.' });
    const password = String(form.password ?? '');
    if (password.length < 12) return account(c, 400, { error: 'A password needs at least 12 characters.' });
    await users.setPasswordHash(me.id, await hashPassword(password));
    // Every other session ends; this browser gets a fresh one.
    await sessions.endAll(me.id);
    await startSession(c, sessions, me.id);
    return c.redirect('/account?saved=password', 303);
  });

  return app;
}

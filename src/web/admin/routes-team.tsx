// Owns staff accounts in the admin: the owner's team page (add an agent, give it stores, disable or
// enable it, reset its password to a temporary one shown once) and every user's own account page
// (their time zone and their password). Passwords are only ever stored as scrypt hashes.
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { isTimeZone } from '../../core/display-time.js';
import { DUMMY_HASH, verifyPassword } from '../../store/passwords.js';
import type { SessionRepo } from '../../store/sessions.js';
import type { StoreRepo } from '../../store/stores.js';
import type { UserRepo } from '../../store/users.js';
import { AccountPage } from '../../../views/account.js';
import { TeamPage, type ShownPassword } from '../../../views/team.js';
import { frameOf, startSession, type AdminEnv } from './session.js';

const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[a-z0-9.-]+\.[a-z]{2,}$/i;
const ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');
/** 96 random bits, typed once by the agent and then changed. */
const temporaryPassword = () => randomBytes(12).toString('base64url');

export function teamRoutes(users: UserRepo, sessions: SessionRepo, stores: StoreRepo, defaultZone: string): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const ownerOnly = async (c: any, next: () => Promise<void>) => (c.get('user').role === 'owner' ? next() : c.text('Only the owner manages the team.', 403));
  app.use('/team', ownerOnly);
  app.use('/team/*', ownerOnly);

  const storeIdsOf = (form: Record<string, string | File | (string | File)[]>) => {
    const raw = form['storeId'] ?? form['storeId[]'];
    const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(Number);
    const known = new Set(stores.list().map((s) => s.id));
    return [...new Set(list.filter((id) => known.has(id)))];
  };
  const team = (c: any, status: 200 | 400 | 404 | 409 = 200, o: { shown?: ShownPassword; error?: string; notice?: string } = {}) => {
    c.header('Cache-Control', 'no-store');
    const members = users.list().map((u) => ({ ...u, storeIds: users.storeIds(u) }));
    return c.html(
      <TeamPage
        {...frameOf(c)}
        me={c.get('user').id}
        members={members}
        stores={stores.list().map((s) => ({ id: s.id, name: s.name }))}
        shown={o.shown}
        error={o.error}
        notice={o.notice}
      />,
      status,
    );
  };
  const agentOf = (c: any) => {
    const u = users.get(Number(c.req.param('id')));
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
    if (users.withHash(email)) return team(c, 409, { error: `${email} already has an account.` });
    const password = temporaryPassword();
    await users.create({ email, name, role: 'agent', password, storeIds: storeIdsOf(form) });
    return team(c, 200, { shown: { email, password }, notice: `${name} can now log in.` });
  });

  app.post('/team/:id/stores', async (c) => {
    const agent = agentOf(c);
    if (!agent) return team(c, 404, { error: 'No such agent.' });
    users.setStores(agent.id, storeIdsOf(await c.req.parseBody({ all: true })));
    return team(c, 200, { notice: `${agent.name}'s stores were saved.` });
  });

  app.post('/team/:id/disable', (c) => {
    const agent = agentOf(c);
    if (!agent) return team(c, 404, { error: 'No such agent.' });
    users.setDisabled(agent.id, true);
    sessions.endAll(agent.id);
    return team(c, 200, { notice: `${agent.name} is disabled and logged out everywhere.` });
  });

  app.post('/team/:id/enable', (c) => {
    const agent = agentOf(c);
    if (!agent) return team(c, 404, { error: 'No such agent.' });
    users.setDisabled(agent.id, false);
    return team(c, 200, { notice: `${agent.name} may log in again.` });
  });

  app.post('/team/:id/reset-password', async (c) => {
    const agent = agentOf(c);
    if (!agent) return team(c, 404, { error: 'No such agent.' });
    const password = temporaryPassword();
    await users.setPassword(agent.id, password);
    sessions.endAll(agent.id);
    return team(c, 200, { shown: { email: agent.email, password }, notice: `${agent.name}'s old password no longer works; they were logged out.` });
  });

  const account = (c: any, status: 200 | 400 | 403 = 200, o: { error?: string | undefined; notice?: string | undefined } = {}) => {
    const me = users.get(c.get('user').id)!;
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
    users.setTimeZone(c.get('user').id, tz || null);
    // The next page already shows times in the new zone.
    return c.redirect('/account?saved=zone', 303);
  });

  app.post('/account/password', async (c) => {
    const form = await c.req.parseBody();
    const me = users.withHash(c.get('user').email);
    const ok = await verifyPassword(String(form.current ?? ''), me?.passwordHash ?? DUMMY_HASH);
    if (!me || !ok) return account(c, 403, { error: 'The current password is wrong.' });
    const password = String(form.password ?? '');
    if (password.length < 12) return account(c, 400, { error: 'A password needs at least 12 characters.' });
    await users.setPassword(me.id, password);
    // Every other session ends; this browser gets a fresh one.
    sessions.endAll(me.id);
    startSession(c, sessions, me.id);
    return c.redirect('/account?saved=password', 303);
  });

  return app;
}

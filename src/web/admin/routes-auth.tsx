// Owns logging in and out, and the one-time setup of the first owner.
import { Hono } from 'hono';
import type { Db } from '../../store/db.js';
import { DUMMY_HASH, verifyPassword } from '../../store/passwords.js';
import type { SessionRepo } from '../../store/sessions.js';
import type { UserRepo } from '../../store/users.js';
import { LoginPage, SetupPage } from '../../../views/login.js';
import { endSession, LoginThrottle, sameOrigin, startSession, type AdminEnv } from './session.js';
import { setupTokenValid, spendSetupToken } from './setup-token.js';

/** Only a local path: never send a user on to another site after login. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/inbox';
}

export function authRoutes(db: Db, users: UserRepo, sessions: SessionRepo): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const throttle = new LoginThrottle();

  app.get('/login', (c) => c.html(<LoginPage next={safeNext(c.req.query('next'))} />));

  app.post('/login', async (c) => {
    if (!sameOrigin(c)) return c.text('Cross-site request refused.', 403);
    const form = await c.req.parseBody();
    const email = String(form.email ?? '')
      .trim()
      .toLowerCase();
    const password = String(form.password ?? '');
    const next = safeNext(form.next);
    const ip = c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'local';
    const keys = [`ip:${ip}`, `user:${email}`];
    const wait = throttle.waitMs(keys);
    if (wait > 0) {
      return c.html(<LoginPage email={email} next={next} error={`Too many failed attempts. Try again in ${Math.ceil(wait / 60_000)} minute(s).`} />, 429);
    }
    const user = users.withHash(email);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabledAt !== null) {
      throttle.fail(keys);
      return c.html(<LoginPage email={email} next={next} error="Wrong email or password." />, 401);
    }
    throttle.clear([`user:${email}`]);
    startSession(c, sessions, user.id);
    return c.redirect(next, 303);
  });

  app.get('/setup', (c) => {
    const token = c.req.query('token') ?? '';
    if (users.count() > 0 || !setupTokenValid(db, token)) return c.text('This setup link is no longer valid.', 404);
    return c.html(<SetupPage token={token} />);
  });

  app.post('/setup', async (c) => {
    if (!sameOrigin(c)) return c.text('Cross-site request refused.', 403);
    const form = await c.req.parseBody();
    const token = String(form.token ?? '');
    if (users.count() > 0 || !setupTokenValid(db, token)) return c.text('This setup link is no longer valid.', 404);
    const name = String(form.name ?? '').trim();
    const email = String(form.email ?? '')
      .trim()
      .toLowerCase();
    const password = String(form.password ?? '');
    if (!name || !/^[^\s@]+@[^\s@]+$/.test(email) || password.length < 12) {
      return c.html(<SetupPage token={token} error="Give a name, an email address and a password of at least 12 characters." />, 400);
    }
    const user = await users.create({ email, name, role: 'owner', password });
    spendSetupToken(db);
    startSession(c, sessions, user.id);
    return c.redirect('/inbox', 303);
  });

  return app;
}

/** Log out here, or everywhere (every session of the user). Behind requireUser and requireCsrf. */
export function logoutRoutes(sessions: SessionRepo): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.post('/logout', (c) => {
    endSession(c, sessions);
    return c.redirect('/login', 303);
  });
  app.post('/logout-everywhere', (c) => {
    sessions.endAll(c.get('user').id);
    endSession(c, sessions);
    return c.redirect('/login', 303);
  });
  return app;
}

// Owns logging in and out, and the one-time setup of the first owner.
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../../store/passwords.js';
import type { SessionStore, Storage } from '../../store/ports.js';
import { LoginPage, SetupPage } from '../../../views/login.js';
import { KnownDevices } from './known-device.js';
import { LoginThrottle } from './login-throttle.js';
import { endSession, isHttps, sameOrigin, startSession, type AdminEnv } from './session.js';
import { retireSetupSecret, setupSwap, setupTokenValid } from './setup-token.js';

/** Only a local path: never send a user on to another site after login. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/inbox';
}

// What a spent or unknown setup link answers: how else the owner is made (an agent added from the
// shell first spends the link too, and a restart prints none once any staff account exists).
const SETUP_LINK_SPENT =
  'This setup link is no longer valid. It works once, for 24 hours, and only while no staff account exists. ' +
  'Log in, or create the owner from a shell on the server: npx maskgate user add you@example.com --owner';

/** Logging in and the first owner's setup, on the storage ports (any node serves them). */
export function authRoutes(storage: Pick<Storage, 'admin' | 'secrets' | 'sessions'>, log: Logger): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const users = storage.admin.users;
  const sessions = storage.sessions;
  const settings = { ...storage.secrets, swapSetting: storage.admin.swapSetting };
  // In this process's memory: each node counts the attempts it sees (README, "More than one machine").
  const throttle = new LoginThrottle();
  const devices = new KnownDevices(storage.secrets);

  // Before any staff account exists the admin's address (printed first at start) leads here: the
  // page says how the first owner is made, since no login can work yet (round-18 newcomer pass).
  app.get('/login', async (c) => c.html(<LoginPage next={safeNext(c.req.query('next'))} firstRun={(await users.count()) === 0} />));

  app.post('/login', async (c) => {
    if (!sameOrigin(c)) return c.text('Cross-site request refused.', 403);
    const form = await c.req.parseBody();
    const email = String(form.email ?? '')
      .trim()
      .toLowerCase();
    const password = String(form.password ?? '');
    const next = safeNext(form.next);
    const knownDevice = await devices.isKnown(c, email);
    // Counted before the password is checked (begin is synchronous): concurrent guesses cannot slip past the limit.
    const gate = throttle.begin(email, c.get('client').address, { knownDevice });
    if ('waitMs' in gate) {
      log.warn({ event: 'admin.login-throttled', client: c.get('client').address }, 'login attempt refused: too many failures');
      return c.html(
        <LoginPage email={email} next={next} error={`Too many failed attempts. Try again in ${Math.ceil(gate.waitMs / 60_000)} minute(s).`} />,
        429,
      );
    }
    const user = await users.withHash(email);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabledAt !== null) {
      return c.html(<LoginPage email={email} next={next} error="Wrong email or password." />, 401);
    }
    gate.attempt.succeeded();
    await startSession(c, sessions, user.id);
    await devices.remember(c, email, isHttps(c));
    return c.redirect(next, 303);
  });

  app.get('/setup', async (c) => {
    const token = c.req.query('token') ?? '';
    if ((await users.count()) > 0 || !(await setupTokenValid(settings, token))) return c.text(SETUP_LINK_SPENT, 404);
    return c.html(<SetupPage token={token} />);
  });

  app.post('/setup', async (c) => {
    if (!sameOrigin(c)) return c.text('Cross-site request refused.', 403);
    const form = await c.req.parseBody();
    const token = String(form.token ?? '');
    if ((await users.count()) > 0 || !(await setupTokenValid(settings, token))) return c.text(SETUP_LINK_SPENT, 404);
    const name = String(form.name ?? '').trim();
    const email = String(form.email ?? '')
      .trim()
      .toLowerCase();
    const password = String(form.password ?? '');
    if (!name || !/^[^\s@]+@[^\s@]+$/.test(email) || password.length < 12) {
      return c.html(<SetupPage token={token} error="Give a name, an email address and a password of at least 12 characters." />, 400);
    }
    // Hash first (slow, off the event loop); then spend the token and create the owner in one
    // transaction, which only one of several concurrent requests (on any node) can win.
    const passwordHash = await hashPassword(password);
    const swap = await setupSwap(settings, token);
    const user = swap ? await users.insertFirstOwner({ email, name, passwordHash }, swap) : null;
    if (!user) return c.text(SETUP_LINK_SPENT, 404);
    await retireSetupSecret(settings);
    await startSession(c, sessions, user.id);
    return c.redirect('/inbox', 303);
  });

  return app;
}

/** Log out here, or everywhere (every session of the user). Behind requireUser and requireCsrf. */
export function logoutRoutes(sessions: SessionStore): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.post('/logout', async (c) => {
    await endSession(c, sessions);
    return c.redirect('/login', 303);
  });
  app.post('/logout-everywhere', async (c) => {
    await sessions.endAll(c.get('user').id);
    await endSession(c, sessions);
    return c.redirect('/login', 303);
  });
  return app;
}

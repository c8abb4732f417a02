// Owns who is using the admin: the session cookie (HttpOnly, SameSite=Lax, Secure behind TLS), the
// CSRF check on every state-changing request (a per-session token in a form field or the
// X-CSRF-Token header that htmx sends), and a same-origin check. Login throttling: login-throttle.ts.
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Session, SessionStore, User, UserStore } from '../../store/ports.js';
import type { Client } from '../client-address.js';

export const COOKIE = 'mg_session';
export const SESSION_TTL_MS = 24 * 3600 * 1000;

export interface AdminEnv {
  Variables: {
    user: User;
    session: Session;
    token: string;
    /** The stores this user may see (all for the owner). */
    storeIds: number[];
    /** Who is on the other end (client-address.ts), set for every admin request. */
    client: Client;
    /**
     * Example addresses of documentation this page shows (the API reference's), which the display
     * scrub keeps as written (display-scrub.ts); unset on every other page.
     */
    documentedAddresses: readonly string[] | undefined;
  };
}

/** What every page's frame needs: who is logged in and the CSRF token for its forms. */
export function frameOf(c: { get: (k: 'user' | 'session') => unknown }): { user: { name: string; role: string }; csrf: string } {
  const user = c.get('user') as User;
  return { user: { name: user.name, role: user.role }, csrf: (c.get('session') as Session).csrfToken };
}

/** Whether the request reached the peer it came through by a trusted proxy (`http.trustedProxies`). */
function viaTrustedProxy(c: Context): boolean {
  return (c.get('client') as Client | undefined)?.viaTrustedProxy === true;
}

/** Behind a TLS proxy the request URL is http; a trusted proxy says https in X-Forwarded-Proto. */
export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || (viaTrustedProxy(c) && c.req.header('x-forwarded-proto') === 'https');
}

/** Starts a session (stored, so any node serves it) and sets its cookie. */
export async function startSession(c: Context, sessions: SessionStore, userId: number): Promise<void> {
  const { token } = await sessions.create(userId);
  setCookie(c, COOKIE, token, { httpOnly: true, sameSite: 'Lax', secure: isHttps(c), path: '/', maxAge: SESSION_TTL_MS / 1000 });
}

export async function endSession(c: Context, sessions: SessionStore): Promise<void> {
  const token = getCookie(c, COOKIE);
  if (token) await sessions.end(token);
  deleteCookie(c, COOKIE, { path: '/' });
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A POST from another site is refused before anything else (the browser always sends Origin on POST). */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (!origin) return true; // non-browser clients; the CSRF token still applies
  const host = (viaTrustedProxy(c) ? c.req.header('x-forwarded-host') : undefined) ?? c.req.header('host');
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Requires a logged-in user; pages redirect to /login, htmx requests get 401 and HX-Redirect. */
export function requireUser(sessions: SessionStore, users: UserStore): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const token = getCookie(c, COOKIE);
    const session = token ? await sessions.touch(token) : null;
    const user = session ? await users.get(session.userId) : null;
    if (!token || !session || !user || user.disabledAt !== null) {
      if (c.req.header('hx-request')) {
        c.header('HX-Redirect', '/login');
        return c.text('Your session has ended; log in again.', 401);
      }
      const next = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(next.pathname + next.search)}`, 303);
    }
    c.set('user', user);
    c.set('session', session);
    c.set('token', token);
    c.set('storeIds', await users.storeIds(user));
    await next();
  };
}

/** Every request that changes something carries the session's CSRF token and comes from our origin. */
export function requireCsrf(): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (!sameOrigin(c)) return c.text('Cross-site request refused.', 403);
    let presented = c.req.header('x-csrf-token') ?? '';
    if (!presented) {
      const type = c.req.header('content-type') ?? '';
      if (type.includes('form')) {
        const form = await c.req.parseBody();
        presented = typeof form._csrf === 'string' ? form._csrf : '';
      }
    }
    if (!presented || !same(presented, c.get('session').csrfToken))
      return c.text('The form has expired or did not come from this site; reload the page and try again.', 403);
    await next();
  };
}

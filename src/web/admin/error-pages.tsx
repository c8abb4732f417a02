// Owns how the admin answers a browser that asked for a page and got a refusal: every handler may
// answer a short text (`c.text('No such template.', 404)`), and a person navigating sees it inside
// the admin's frame with a way back, never a bare line. htmx requests, API clients and fetches that
// do not ask for HTML keep the plain text.
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Session, SessionStore, User, UserStore } from '../../store/ports.js';
import { ErrorPage, type WayBack } from '../../../views/error-page.js';
import { COOKIE, type AdminEnv } from './session.js';

// Where "back" goes from a path: the list the missing thing belongs to.
const SECTIONS: readonly [RegExp, WayBack][] = [
  [/^\/(conversations|messages|inbox)\b/, { href: '/inbox', label: 'Inbox' }],
  [/^\/templates\b/, { href: '/templates', label: 'Templates' }],
  [/^\/campaigns\b/, { href: '/campaigns', label: 'Campaigns' }],
  [/^\/(stores|senders|credentials)\b/, { href: '/stores', label: 'Stores' }],
  [/^\/outbox\b/, { href: '/outbox', label: 'Outbox' }],
  [/^\/dns\b/, { href: '/dns', label: 'DNS' }],
  [/^\/settings\b/, { href: '/settings', label: 'Settings' }],
  [/^\/tags\b/, { href: '/tags', label: 'Tags' }],
  [/^\/notifications\b/, { href: '/notifications', label: 'Notifications' }],
  [/^\/reports\/response-times\b/, { href: '/reports/response-times', label: 'Reports' }],
  [/^\/reports\b/, { href: '/reports', label: 'Reported messages' }],
  [/^\/(setup|login)\b/, { href: '/login', label: 'Log in' }],
];

// Sections whose list only the owner sees: a refusal there must not lead back to the same refusal.
const OWNER_ONLY = new Set(['/outbox', '/dns', '/settings', '/reports']);

/** The way back from `path`, answered `status`, for someone logged in or not. */
export function wayBack(path: string, loggedIn: boolean, status = 404): WayBack {
  const hit = SECTIONS.find(([re]) => re.test(path))?.[1];
  if (hit && status === 403 && OWNER_ONLY.has(hit.href)) return loggedIn ? { href: '/inbox', label: 'Inbox' } : { href: '/login', label: 'Log in' };
  if (hit && (loggedIn || hit.href === '/login')) return hit;
  return loggedIn ? { href: '/inbox', label: 'Inbox' } : { href: '/login', label: 'Log in' };
}

export function errorPages(sessions: SessionStore, users: UserStore): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (res.status < 400 || c.req.header('hx-request')) return;
    if (!(res.headers.get('content-type') ?? '').startsWith('text/plain')) return;
    if (!(c.req.header('accept') ?? '').includes('text/html')) return;
    const message = (await res.clone().text()).trim() || 'That did not work.';
    // The frame shows who is logged in; a page outside the session (setup, unsubscribe) has none.
    let user: User | null = c.get('user') ?? null;
    let session: Session | null = c.get('session') ?? null;
    if (!user) {
      const token = getCookie(c, COOKIE);
      session = token ? await sessions.touch(token) : null;
      user = session ? await users.get(session.userId) : null;
      if (user?.disabledAt !== null) user = null;
    }
    const frame = user && session ? { user: { name: user.name, role: user.role }, csrf: session.csrfToken } : { user: null, csrf: null };
    const headers = new Headers(res.headers);
    headers.set('content-type', 'text/html; charset=UTF-8');
    headers.delete('content-length');
    const html =
      '<!DOCTYPE html>' + String(<ErrorPage status={res.status} message={message} back={wayBack(c.req.path, !!frame.user, res.status)} {...frame} />);
    c.res = new Response(html, { status: res.status, headers });
  };
}

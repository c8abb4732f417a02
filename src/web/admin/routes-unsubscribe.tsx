// Owns the public unsubscribe endpoints, authorised by the signed token alone (no login): GET shows
// the page, a POST from its form applies the buyer's choices, and an RFC 8058 one-click POST
// (`List-Unsubscribe=One-Click`, sent by mail providers without cookies or origin) unsubscribes.
import { Hono } from 'hono';
import type { Unsubscribes } from '../../campaigns/unsubscribe.js';
import { UnsubscribePage, UnsubscribeUnknown } from '../../../views/unsubscribe.js';

export function unsubscribeRoutes(u: Unsubscribes): Hono {
  const app = new Hono();
  app.get('/u/:token', async (c) => {
    const token = c.req.param('token');
    const view = await u.page(token);
    c.header('Cache-Control', 'no-store');
    c.header('X-Robots-Tag', 'noindex');
    return view ? c.html(<UnsubscribePage token={token} view={view} />) : c.html(<UnsubscribeUnknown />, 404);
  });
  app.post('/u/:token', async (c) => {
    const token = c.req.param('token');
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    if (form['List-Unsubscribe'] === 'One-Click') {
      return (await u.apply(token, 'one-click')) ? c.text('Unsubscribed.') : c.text('Unknown link.', 404);
    }
    const page = form.page === '1';
    const choices = page ? { optOut: form.optOut === '1', hideName: form.hideName === '1' } : {};
    if (!(await u.apply(token, 'page', choices))) return c.html(<UnsubscribeUnknown />, 404);
    return c.html(<UnsubscribePage token={token} view={(await u.page(token))!} done />);
  });
  return app;
}

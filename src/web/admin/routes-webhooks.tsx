// Owns the owner's webhooks page: the same endpoints as /api/v1/webhooks, through the same repo
// and the same validation.
import { Hono } from 'hono';
import { WebhooksPage } from '../../../views/webhooks.js';
import type { Db } from '../../store/db.js';
import { WebhookRepo } from '../../store/webhooks.js';
import { webhookSchema } from '../api/schemas.js';
import { firstIssue } from '../api/validate.js';
import { frameOf, type AdminEnv } from './session.js';

export function webhookAdminRoutes(db: Db): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const hooks = new WebhookRepo(db);
  const ownerOnly = 'Only the owner manages webhooks.';
  const page = (c: any, extra: { created?: { id: number; secret: string }; error?: string } = {}, status: 200 | 201 | 400 = 200) =>
    c.html(<WebhooksPage {...frameOf(c)} hooks={hooks.list()} {...extra} />, status);

  app.get('/webhooks', (c) => (c.get('user').role === 'owner' ? page(c) : c.text(ownerOnly, 403)));

  app.post('/webhooks', async (c) => {
    if (c.get('user').role !== 'owner') return c.text(ownerOnly, 403);
    const form = await c.req.parseBody({ all: true });
    const events = form.events === undefined ? [] : ([] as unknown[]).concat(form.events);
    const parsed = webhookSchema.safeParse({ url: String(form.url ?? ''), events });
    if (!parsed.success) return page(c, { error: firstIssue(parsed.error) }, 400);
    const { row, secret } = hooks.create(parsed.data.url, parsed.data.events);
    // The secret is in this page only; a reload no longer shows it.
    return page(c, { created: { id: row.id, secret } }, 201);
  });

  app.post('/webhooks/:id/delete', (c) => {
    if (c.get('user').role !== 'owner') return c.text(ownerOnly, 403);
    hooks.delete(Number(c.req.param('id')));
    return c.redirect('/webhooks', 303);
  });

  return app;
}

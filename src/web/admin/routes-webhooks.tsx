// Owns the owner's webhooks page: the same endpoints as /api/v1/webhooks, through the same port
// (both databases) and the same validation.
import { Hono } from 'hono';
import { WebhooksPage } from '../../../views/webhooks.js';
import type { WebhookStore } from '../../store/ports.js';
import { webhookSchema } from '../api/schemas.js';
import { firstIssue } from '../api/validate.js';
import { frameOf, type AdminEnv } from './session.js';
import { paramId } from './param-id.js';
import { refusedStoreAction } from './store-rights.js';

export function webhookAdminRoutes(hooks: WebhookStore): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const page = async (c: any, extra: { created?: { id: number; secret: string }; error?: string } = {}, status: 200 | 201 | 400 = 200) =>
    c.html(<WebhooksPage {...frameOf(c)} hooks={await hooks.list()} {...extra} />, status);

  // Webhooks carry every store's events to another system: the owner's (usecases/store-rights.ts).
  app.get('/webhooks', (c) => refusedStoreAction(c, 'webhooks') ?? page(c));

  app.post('/webhooks', async (c) => {
    const refused = refusedStoreAction(c, 'webhooks');
    if (refused) return refused;
    const form = await c.req.parseBody({ all: true });
    const events = form.events === undefined ? [] : ([] as unknown[]).concat(form.events);
    const parsed = webhookSchema.safeParse({ url: String(form.url ?? ''), events });
    if (!parsed.success) return page(c, { error: firstIssue(parsed.error) }, 400);
    const { row, secret } = await hooks.create(parsed.data.url, parsed.data.events);
    // The secret is in this page only; a reload no longer shows it.
    return page(c, { created: { id: row.id, secret } }, 201);
  });

  app.post('/webhooks/:id/delete', async (c) => {
    const refused = refusedStoreAction(c, 'webhooks');
    if (refused) return refused;
    await hooks.delete(paramId(c.req.param('id')));
    return c.redirect('/webhooks', 303);
  });

  return app;
}

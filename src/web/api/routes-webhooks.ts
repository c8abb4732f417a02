// Owns /api/v1/webhooks (endpoints the marketplace registers) and /api/v1/events (the ordered
// feed every webhook is sent from, for a receiver that was down to catch up).
import { Hono } from 'hono';
import { apiError } from '../api-error.js';
import { refusedApiAction } from './caller.js';
import type { Logger } from 'pino';
import type { WebhookRow, WebhookStore } from '../../store/ports.js';
import { iso } from './present.js';
import { eventsQuery, webhookSchema } from './schemas.js';
import { idParam, jsonBody, query } from './validate.js';

export function presentWebhook(w: WebhookRow) {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    createdAt: iso(w.createdAt),
    // Delivery state: the last event handled, failures at the next one, when it is tried again.
    cursor: w.cursor,
    failedAttempts: w.attempts,
    nextAttemptAt: w.attempts > 0 ? iso(w.nextAttemptAt) : null,
    lastStatus: w.lastStatus,
    lastError: w.lastError,
    lastAttemptAt: iso(w.lastAttemptAt),
    delivered: w.delivered,
    dropped: w.dropped,
  };
}

/** What the routes use: the webhooks port (both databases) and the request log. */
export interface WebhookRouteDeps {
  readonly webhooks: WebhookStore;
  readonly log: Logger;
}

export function webhookRoutes(d: WebhookRouteDeps): Hono {
  const app = new Hono();
  const hooks = d.webhooks;

  app.get('/events', async (c) => {
    const q = query(c, eventsQuery);
    const items = await hooks.eventsAfter(q.after, q.limit, q.type ? [q.type] : undefined);
    const last = items[items.length - 1];
    // `next` is the `after` for the next page; the same id again when nothing is newer yet.
    return c.json({ items, next: last ? last.id : q.after });
  });

  // Registering or removing an endpoint is the owner's (usecases/store-rights.ts); reading is not.
  app.post('/webhooks', async (c) => {
    const denied = refusedApiAction(c, 'webhooks');
    if (denied) return denied;
    const body = await jsonBody(c, webhookSchema);
    const { row, secret } = await hooks.create(body.url, body.events);
    d.log.info({ event: 'webhook.created', webhookId: row.id, events: row.events }, 'webhook endpoint registered');
    // The secret is in this answer only.
    return c.json({ ...presentWebhook(row), secret }, 201);
  });

  app.get('/webhooks', async (c) => c.json({ items: (await hooks.list()).map(presentWebhook) }));

  app.get('/webhooks/:id', async (c) => {
    const row = await hooks.get(idParam(c));
    return row ? c.json(presentWebhook(row)) : apiError(c, 'NOT_FOUND', 'no webhook with that id');
  });

  app.delete('/webhooks/:id', async (c) => {
    const denied = refusedApiAction(c, 'webhooks');
    if (denied) return denied;
    const id = idParam(c);
    if (!(await hooks.delete(id))) return apiError(c, 'NOT_FOUND', 'no webhook with that id');
    d.log.info({ event: 'webhook.deleted', webhookId: id }, 'webhook endpoint removed');
    return c.body(null, 204);
  });

  return app;
}

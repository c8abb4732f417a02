// Owns /api/v1/messages and /api/v1/outbox: what was stored, what was delivered or captured.
import { Hono } from 'hono';
import { apiError } from '../api-error.js';
import type { ApiDeps } from './deps.js';
import { presentMessage, presentOutbox } from './present.js';
import { messagesQuery, outboxQuery } from './schemas.js';
import { idParam, query } from './validate.js';

export function mailRoutes(d: ApiDeps): Hono {
  const app = new Hono();

  app.get('/messages', (c) => {
    const q = query(c, messagesQuery);
    const alias = q.alias?.split('@')[0];
    const items = d.messages.list({ alias, storeId: q.storeId, direction: q.direction, beforeId: q.before, limit: q.limit });
    const last = items[items.length - 1];
    return c.json({ items: items.map(presentMessage), next: items.length === q.limit && last ? last.id : null });
  });

  app.get('/outbox', (c) => {
    const q = query(c, outboxQuery);
    const items = d.outbox.list({ status: q.status, beforeId: q.before, limit: q.limit });
    const last = items[items.length - 1];
    return c.json({ items: items.map(presentOutbox), next: items.length === q.limit && last ? last.id : null });
  });

  app.get('/outbox/:id', (c) => {
    const row = d.outbox.get(idParam(c));
    return row ? c.json(presentOutbox(row)) : apiError(c, 'NOT_FOUND', 'no outbox row with that id');
  });

  app.get('/outbox/:id/raw', (c) => {
    const raw = d.outbox.raw(idParam(c));
    if (!raw) return apiError(c, 'NOT_FOUND', 'no outbox row with that id');
    return c.body(new Uint8Array(raw), 200, { 'content-type': 'message/rfc822', 'content-disposition': 'inline' });
  });

  return app;
}

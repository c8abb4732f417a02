// Owns /api/v1/messages and /api/v1/outbox: what was stored, what was delivered or captured. The
// messages (list and send) and the outbox (the admin's operations list, the queue's rows) are on the
// storage ports, served on either database.
import { Hono } from 'hono';
import { apiError } from '../api-error.js';
import type { MessageApiDeps } from './deps.js';
import type { OperationsStore, OutboxQueue } from '../../store/ports.js';
import { presentMessage, presentOutbox } from './present.js';
import { isRefusal } from '../../core/alias-token.js';
import { refusalText } from '../../core/verdicts.js';
import { sendAsStore } from '../../relay/send-as-store.js';
import { messagesQuery, outboxQuery, sendMessageSchema } from './schemas.js';
import { idParam, jsonBody, query } from './validate.js';

/** GET /messages and POST /pairs/{alias}/messages, on the storage ports only. */
export function messageRoutes(d: MessageApiDeps): Hono {
  const app = new Hono();

  app.get('/messages', async (c) => {
    const q = query(c, messagesQuery);
    const alias = q.alias?.split('@')[0];
    const items = await d.inbox.messages({ alias, storeId: q.storeId, direction: q.direction, beforeId: q.before, limit: q.limit });
    const last = items[items.length - 1];
    return c.json({ items: items.map(presentMessage), next: items.length === q.limit && last ? last.id : null });
  });

  // A store writes to a buyer through the API (a marketplace's own message centre): the message
  // is composed as MIME and goes through the same pipeline as mail from Outlook, so the same rules
  // and filters answer, with the verdict's HTTP status (403 opted out, 429 rate limited, …).
  app.post('/pairs/:alias/messages', async (c) => {
    const token = (c.req.param('alias') ?? '').split('@')[0]!.toLowerCase();
    const body = await jsonBody(c, sendMessageSchema);
    const view = await d.mail.pairByToken(token);
    if (!view) return apiError(c, 'NOT_FOUND', 'no pair with that alias');
    const sender = await d.mail.sender(body.senderId);
    if (!sender || sender.storeId !== view.store.id) return apiError(c, 'VALIDATION_FAILED', "senderId: not a permitted sender of this pair's store");
    let inReplyTo: string | null = null;
    if (body.inReplyTo !== undefined) {
      inReplyTo = await d.inbox.relayIdInPair(body.inReplyTo, view.pair.id);
      if (!inReplyTo) return apiError(c, 'VALIDATION_FAILED', 'inReplyTo: no message with that id in this conversation');
    }
    const result = await sendAsStore(d.relay, {
      sender: { id: sender.id, email: sender.email, storeId: sender.storeId },
      pairToken: view.pair.token,
      subject: body.subject,
      text: body.text,
      html: body.html,
      inReplyTo,
      source: 'api',
      log: d.log,
    });
    if (isRefusal(result)) return apiError(c, result.code, refusalText(result));
    const id = result.messageIds[0] as number;
    const [stored] = await d.inbox.messages({ alias: view.pair.token, beforeId: id + 1, limit: 1 });
    return c.json(stored ? presentMessage(stored) : { messageIds: result.messageIds }, 201);
  });

  return app;
}

/** What the outbox routes read: the list the admin's outbox page reads, and the rows of the delivery queue. */
export interface OutboxApiDeps {
  readonly operations: Pick<OperationsStore, 'outbox'>;
  readonly outbox: Pick<OutboxQueue, 'get' | 'raw'>;
}

/** The outbox's list and rows: on both databases, through the ports. */
export function outboxRoutes(d: OutboxApiDeps): Hono {
  const app = new Hono();

  app.get('/outbox', async (c) => {
    const q = query(c, outboxQuery);
    const items = await d.operations.outbox({ status: q.status, beforeId: q.before, limit: q.limit });
    const last = items[items.length - 1];
    return c.json({ items: items.map(presentOutbox), next: items.length === q.limit && last ? last.id : null });
  });

  app.get('/outbox/:id', async (c) => {
    const row = await d.outbox.get(idParam(c));
    return row ? c.json(presentOutbox(row)) : apiError(c, 'NOT_FOUND', 'no outbox row with that id');
  });

  app.get('/outbox/:id/raw', async (c) => {
    const raw = await d.outbox.raw(idParam(c));
    if (!raw) return apiError(c, 'NOT_FOUND', 'no outbox row with that id');
    return c.body(new Uint8Array(raw), 200, { 'content-type': 'message/rfc822', 'content-disposition': 'inline' });
  });

  return app;
}

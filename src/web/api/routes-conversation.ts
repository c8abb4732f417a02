// Owns reading a conversation back for the marketplace's member centre: GET
// /pairs/{alias}/messages (both directions, newest first) and one attachment. Every body is parsed
// from the bytes its recipient was delivered — already masked, so neither side's real address is
// there — and the HTML is sanitised again (no scripts, images, styles or remote loads).
import { Hono } from 'hono';
import sanitizeHtml from 'sanitize-html';
import type { ParsedMail } from '../../core/types.js';
import type { PairMessage } from '../../store/pair-messages.js';
import type { OutboxQueue } from '../../store/ports.js';
import { apiError } from '../api-error.js';
import type { CoreApiDeps } from './deps.js';
import { iso } from './present.js';
import { pairMessagesQuery } from './schemas.js';
import { idParam, query } from './validate.js';

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'img'),
  allowedAttributes: { a: ['href'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] },
  allowedSchemes: ['http', 'https', 'mailto'],
};

const PARSE_MS = 5000;

async function deliveredMail(outbox: Pick<OutboxQueue, 'raw'>, m: PairMessage): Promise<ParsedMail | null> {
  const raw = m.outboxId === null ? null : await outbox.raw(m.outboxId);
  // The MIME parser is loaded on the first message read here, not at start (it runs on the pool threads otherwise).
  return raw ? (await import('../../relay/parse.js')).parseMail(raw, PARSE_MS).catch(() => null) : null;
}

function present(alias: string, m: PairMessage, mail: ParsedMail | null) {
  return {
    id: m.id,
    direction: m.direction,
    source: m.source,
    subject: mail?.subject ?? m.subject,
    text: mail ? (mail.text ?? null) : null,
    html: mail?.html ? sanitizeHtml(mail.html, SANITIZE) : null,
    attachments: (mail?.attachments ?? []).map((a, i) => ({
      id: i + 1,
      filename: a.filename,
      contentType: a.contentType,
      size: a.content.byteLength,
      url: `/api/v1/pairs/${alias}/messages/${m.id}/attachments/${i + 1}`,
    })),
    // false once retention purged the body (the row and its delivery status stay).
    bodyAvailable: mail !== null,
    delivery: { status: m.status, attempts: m.attempts, doneAt: iso(m.doneAt) },
    receivedAt: iso(m.receivedAt),
  };
}

/** On the storage ports only (served on either database). */
export function conversationRoutes(d: Pick<CoreApiDeps, 'mail' | 'inbox' | 'deliveries'>): Hono {
  const app = new Hono();

  app.get('/pairs/:alias/messages', async (c) => {
    const token = (c.req.param('alias') ?? '').split('@')[0]!.toLowerCase();
    const q = query(c, pairMessagesQuery);
    const view = await d.mail.pairByToken(token);
    if (!view) return apiError(c, 'NOT_FOUND', 'no pair with that alias');
    const rows = await d.inbox.pairMessages(view.pair.id, q.before, q.limit);
    const items = [];
    for (const m of rows) items.push(present(view.pair.token, m, await deliveredMail(d.deliveries, m)));
    const last = rows[rows.length - 1];
    return c.json({ items, next: rows.length === q.limit && last ? last.id : null });
  });

  app.get('/pairs/:alias/messages/:id/attachments/:n', async (c) => {
    const token = (c.req.param('alias') ?? '').split('@')[0]!.toLowerCase();
    const view = await d.mail.pairByToken(token);
    const m = view ? await d.inbox.pairMessage(view.pair.id, idParam(c)) : null;
    const mail = m ? await deliveredMail(d.deliveries, m) : null;
    const a = mail?.attachments[idParam(c, 'n') - 1];
    if (!a) return apiError(c, 'NOT_FOUND', 'no such attachment in this conversation');
    const filename = (a.filename ?? 'attachment').replace(/[^\w.\- ]+/g, '_').slice(0, 200);
    return c.body(new Uint8Array(a.content), 200, {
      'content-type': a.contentType,
      'content-disposition': `attachment; filename="${filename}"`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
  });

  return app;
}

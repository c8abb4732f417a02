// Owns the marketplace website's door into conversations: a buyer writes in their pair from the
// site (POST /pairs/{alias}/buyer-messages), a visitor writes to a store (POST
// /stores/{id}/visitor-messages). Both go through the one pipeline like mail to the alias or to
// `<slug>@`: refusals answer with the verdict's HTTP status and store nothing.
import { Hono } from 'hono';
import { isRefusal } from '../../core/alias-token.js';
import { refusalText } from '../../core/verdicts.js';
import { writeAsBuyer } from '../../relay/write-as-buyer.js';
import { apiError } from '../api-error.js';
import type { MessageApiDeps } from './deps.js';
import { presentMessage } from './present.js';
import { buyerMessageSchema, visitorMessageSchema } from './schemas.js';
import { idParam, jsonBody } from './validate.js';

const files = (list: readonly { filename: string; contentType?: string | undefined; content: string }[] | undefined) =>
  (list ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content, 'base64') }));

/** On both databases, through the ports (d.mail, d.market, d.inbox) and the node's pipeline (d.relay). */
export function websiteRoutes(d: MessageApiDeps): Hono {
  const app = new Hono();

  const stored = async (alias: string, id: number) => {
    const [m] = await d.inbox.messages({ alias, beforeId: id + 1, limit: 1 });
    return m ? presentMessage(m) : null;
  };

  app.post('/pairs/:alias/buyer-messages', async (c) => {
    const token = (c.req.param('alias') ?? '').split('@')[0]!.toLowerCase();
    const body = await jsonBody(c, buyerMessageSchema);
    const view = await d.mail.pairByToken(token);
    if (!view) return apiError(c, 'NOT_FOUND', 'no pair with that alias');
    let inReplyTo: string | null = null;
    if (body.inReplyTo !== undefined) {
      inReplyTo = await d.inbox.relayIdInPair(body.inReplyTo, view.pair.id);
      if (!inReplyTo) return apiError(c, 'VALIDATION_FAILED', 'inReplyTo: no message with that id in this conversation');
    }
    // The pair's buyer writes, as themselves (the stored address, never one from the request).
    const result = await writeAsBuyer(d.relay, {
      writer: { email: view.buyer.email, name: view.buyer.name },
      to: d.relay.aliasAddress(view.pair.token),
      subject: body.subject,
      text: body.text,
      html: body.html,
      attachments: files(body.attachments),
      inReplyTo,
      log: d.log,
    });
    if (isRefusal(result)) return apiError(c, result.code, refusalText(result));
    return c.json((await stored(view.pair.token, result.messageIds[0] as number)) ?? { messageIds: result.messageIds }, 201);
  });

  app.post('/stores/:id/visitor-messages', async (c) => {
    const store = await d.market.store(idParam(c));
    const body = await jsonBody(c, visitorMessageSchema);
    if (!store) return apiError(c, 'NOT_FOUND', 'no store with that id');
    const result = await writeAsBuyer(d.relay, {
      writer: { email: body.email, name: body.name ?? '' },
      to: `${store.slug}@${d.domain}`,
      subject: body.subject,
      text: body.text,
      html: body.html,
      attachments: files(body.attachments),
      log: d.log,
    });
    if (isRefusal(result)) return apiError(c, result.code, refusalText(result));
    const view = await d.mail.pairByStoreAndEmail(store.id, body.email);
    if (!view) return apiError(c, 'TEMPORARY_FAILURE');
    return c.json(
      {
        alias: view.pair.token,
        address: d.relay.aliasAddress(view.pair.token),
        message: await stored(view.pair.token, result.messageIds[0] as number),
      },
      201,
    );
  });

  return app;
}

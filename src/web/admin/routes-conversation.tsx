// Owns the conversation page: the thread (the newest cards open, older ones loaded when opened),
// the files each delivered copy carries and their download, conversation status, assignment and
// snooze, who else is viewing or replying, the live refresh, each pending message's delivery badge
// (it refreshes itself until the state is final), the reply box with its server-side
// draft, template and order choice, and the reply itself (which asks first when a newer message
// came in since the box was shown). Reading the page writes nothing: it marks read with a POST,
// sent only while a person can see the page, of the messages it shows.
// Every lookup is checked against the stores the user may see: another store's conversation is a
// 404, by URL too.
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { Logger } from 'pino';
import sanitizeHtml from 'sanitize-html';
import { isRefusal } from '../../core/alias-token.js';
import { CATEGORIES, type Category } from '../../core/categorize.js';
import { draftWarnings } from '../../core/draft-check.js';
import { zonedToInstant } from '../../core/zoned-time.js';
import { namedOrder } from '../../core/named-order.js';
import { baseValues, formatDay, formatItems, formatMoney, renderTemplate } from '../../core/template.js';
import { refusalText } from '../../core/verdicts.js';
import { parseMail } from '../../relay/parse.js';
import type { Relay } from '../../relay/pipeline.js';
import type { ConversationMessage, PairHeader, StoredMessage } from '../../store/inbox.js';
import type { InboxStore } from '../../store/inbox-ports.js';
import type { OrderRow } from '../../store/orders.js';
import type { ImportStore, MailStore, MarketStore, OutboxQueue, TagStore, TemplateStore } from '../../store/ports.js';
import {
  ConversationPage,
  DeliveryBadge,
  DraftWarnings,
  Live,
  MessageCard,
  Notes,
  ReplyForm,
  type OrderView,
  type ReplyFormProps,
  type ShownMessage,
} from '../../../views/conversation.js';
import { mailboxSender, sendAdminReply } from '../../usecases/admin-reply.js';
import { safeDownload } from './attachment-download.js';
import { sandboxedHtml } from './sandboxed-html.js';
import { frameOf, type AdminEnv } from './session.js';
import { displayZone } from '../../../views/time-format.js';
import { paramId } from './param-id.js';
import { UndeliverableNotice } from '../../../views/undeliverable.js';

export interface ConversationDeps {
  /** Tags, internal notes and reported messages (either database). */
  readonly tags: TagStore;
  /** Reply templates (either database). */
  readonly templates: TemplateStore;
  /** The reply form's one-time keys (either database): a form sent twice acts once, across nodes. */
  readonly imports: Pick<ImportStore, 'claimFormKey' | 'releaseFormKey' | 'formKeyDone'>;
  /** The mail path's reads (the store's mailbox as a permitted sender). */
  readonly mail: MailStore;
  /** The pair's orders (the order panel and the reply box's order choice). */
  readonly market: Pick<MarketStore, 'ordersForPair' | 'stores' | 'clearUndeliverable'>;
  /** The inbox, the conversations' state and reply drafts (either database). */
  readonly inbox: InboxStore;
  readonly filters: { readonly linkAllowList: readonly string[]; readonly linkAction: 'redact' | 'refuse' };
  /** The delivered (masked) bytes of a message, from its outbox row. */
  readonly outbox: Pick<OutboxQueue, 'raw'>;
  readonly relay: Relay;
  readonly log: Logger;
}

/** The newest cards shown open (and parsed); older ones are a line each until opened. */
const OPEN_CARDS = 3;
/** A viewer not heard from for this long has left. */
const PRESENCE_MS = 20_000;
/** How often an open conversation looks for news. */
const POLL_MS = 5000;

const orderView = (o: OrderRow): OrderView => ({
  number: o.number,
  status: o.status,
  items: formatItems(o.items),
  amount: formatMoney(o.totalMinor, o.currency),
  placed: formatDay(o.placedAt),
  completed: o.completedAt ? formatDay(o.completedAt) : null,
});

type Ctx = Context<AdminEnv>;

export function conversationRoutes(d: ConversationDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const inbox = d.inbox;
  const conversations = d.inbox;
  const { templates, tags } = d;
  const frame = frameOf;
  /** Who has each conversation open: pair → user → name, last heard from, typing a reply. In memory: it only matters now. */
  const presence = new Map<number, Map<number, { name: string; at: number; replying: boolean }>>();

  function here(pairId: number, user: { id: number; name: string }, replying: boolean, now = Date.now()): string[] {
    let viewers = presence.get(pairId);
    if (!viewers) presence.set(pairId, (viewers = new Map()));
    viewers.set(user.id, { name: user.name, at: now, replying });
    const others: string[] = [];
    for (const [id, v] of viewers) {
      if (now - v.at > PRESENCE_MS) viewers.delete(id);
      else if (id !== user.id) others.push(`${v.name} is ${v.replying ? 'replying' : 'viewing'}`);
    }
    return others;
  }

  /** The message if the user may see it (one row: another store's is none), with its delivery, pair and store. */
  const messageFor = async (c: Ctx): Promise<StoredMessage | null> => {
    const id = paramId(c.req.param('id'));
    return Number.isSafeInteger(id) && id > 0 ? inbox.message(id, c.get('storeIds')) : null;
  };
  const pairFor = async (c: Ctx) => {
    const id = paramId(c.req.param('id'));
    const pair = Number.isSafeInteger(id) ? await inbox.pair(id) : null;
    return pair && c.get('storeIds').includes(pair.storeId) ? pair : null;
  };

  /** One message as the other side received it: the delivered copy, parsed now (text, HTML, files). */
  async function show(m: ConversationMessage, tagsOf: Map<number, ShownMessage['tags']>, reported: Set<number>, open: boolean): Promise<ShownMessage> {
    const base = { ...m, tags: tagsOf.get(m.id) ?? [], reported: reported.has(m.id), open };
    if (!open) return { ...base, text: m.snippet, hasHtml: false, files: [] };
    // What the other side received (masked and filtered); the original stays in the database.
    const raw = m.outboxId ? await d.outbox.raw(m.outboxId) : null;
    const mail = raw ? await parseMail(raw, 5000).catch(() => null) : null;
    return {
      ...base,
      text: mail
        ? (mail.text ?? (mail.html ? sanitizeHtml(mail.html, { allowedTags: [], allowedAttributes: {} }) : ''))
        : raw
          ? ''
          : '(the text is no longer kept: removed by the retention period or an erasure request)',
      hasHtml: Boolean(mail?.html),
      files: (mail?.attachments ?? []).map((a, index) => ({
        index,
        name: a.filename ?? `${a.disposition === 'inline' ? 'inline' : 'attachment'}-${index + 1}`,
        type: a.contentType,
        size: a.content.byteLength,
      })),
    };
  }

  /** The pair's messages (or those after `afterId`), the newest OPEN_CARDS open. */
  async function shown(pairId: number, o: { afterId?: number; all?: ConversationMessage[] } = {}): Promise<ShownMessage[]> {
    const all = o.all ?? (await inbox.conversation(pairId));
    const openFrom = Math.max(0, all.length - OPEN_CARDS);
    const picked = all.map((m, i) => ({ m, open: i >= openFrom })).filter(({ m }) => o.afterId === undefined || m.id > o.afterId);
    const ids = picked.map(({ m }) => m.id);
    const tagsOf = await tags.forMessages(ids);
    const reported = await tags.reportedIds(ids);
    return Promise.all(picked.map(({ m, open }) => show(m, tagsOf, reported, open)));
  }

  /** One message's card, opened (`at` as read for the request: read again after a change to its row). */
  const card = async (c: Ctx, at: StoredMessage | null, status: 200 | 409 = 200) => {
    if (!at) return c.text('No such message.', 404);
    const pair = (await inbox.pair(at.pairId))!;
    const ids = [at.id];
    const m = await show(at, await tags.forMessages(ids), await tags.reportedIds(ids), true);
    if (c.req.header('hx-request')) return c.html(<MessageCard m={m} pair={pair} csrf={frame(c).csrf} allTags={await tags.list()} />, status);
    return c.redirect(`/conversations/${at.pairId}#m${at.id}`, 303);
  };

  // One card, opened: an older message's text, files and controls, loaded when its line is opened.
  app.get('/messages/:id/card', async (c) => {
    const at = await messageFor(c);
    if (!at) return c.text('No such message.', 404);
    return card(c, at);
  });

  // One message's delivery badge, for the badge to refresh itself while the state is pending
  // (views/conversation.tsx DeliveryBadge): `step` counts the rechecks, so the asking backs off and ends.
  app.get('/messages/:id/delivery', async (c) => {
    const m = await messageFor(c);
    if (!m) return c.text('No such message.', 404);
    const step = Number(c.req.query('step') ?? '0');
    c.header('Cache-Control', 'no-store');
    return c.html(<DeliveryBadge id={m.id} delivery={m.delivery} lastError={m.lastError} step={Number.isSafeInteger(step) && step > 0 ? step : 0} />);
  });

  app.post('/messages/:id/tags', async (c) => {
    const at = await messageFor(c);
    if (!at) return c.text('No such message.', 404);
    const outcome = await tags.add(at.id, paramId(String((await c.req.parseBody()).tagId ?? '')));
    if (outcome === 'unknown') return c.text('No such tag.', 400);
    return card(c, at, outcome === 'limit' ? 409 : 200);
  });

  app.post('/messages/:id/tags/:tag/remove', async (c) => {
    const at = await messageFor(c);
    if (!at) return c.text('No such message.', 404);
    await tags.removeFrom(at.id, paramId(c.req.param('tag')));
    return card(c, at);
  });

  app.post('/messages/:id/report', async (c) => {
    const at = await messageFor(c);
    if (!at) return c.text('No such message.', 404);
    const reason = String((await c.req.parseBody()).reason ?? '').trim();
    if (!reason) return c.text('Say why.', 400);
    await tags.report(at.id, c.get('user').id, reason.slice(0, 500));
    return card(c, at);
  });

  // Re-categorise one message by hand.
  app.post('/messages/:id/category', async (c) => {
    const at = await messageFor(c);
    if (!at) return c.text('No such message.', 404);
    const category = String((await c.req.parseBody()).category ?? '');
    if (!(CATEGORIES as readonly string[]).includes(category) || category === 'sent') return c.text('Unknown category.', 400);
    await inbox.setMessageCategory(at.id, category as Category, c.get('storeIds'));
    return card(c, await inbox.message(at.id, c.get('storeIds')));
  });

  /** The reply box's values: the chosen (or named, or latest) order, the template filled with it. */
  async function replyProps(
    c: Ctx,
    pair: PairHeader,
    o: { templateId?: number; orderNumber?: string | null; subject: string; text: string; messages?: ConversationMessage[]; orders?: OrderRow[] },
  ): Promise<ReplyFormProps> {
    const choices = await templates.visible([pair.storeId]);
    const pairOrders = o.orders ?? (await d.market.ordersForPair(pair.pairId));
    const messages = o.messages ?? (await inbox.conversation(pair.pairId));
    const named =
      o.orderNumber && pairOrders.some((x) => x.number === o.orderNumber)
        ? o.orderNumber
        : namedOrder(
            messages
              .filter((m) => m.direction === 'buyer_to_store')
              .reverse()
              .map((m) => `${m.subject}\n${m.snippet}`),
            pairOrders.map((x) => x.number),
          );
    const order = pairOrders.find((x) => x.number === named) ?? null;
    const t = choices.find((x) => x.id === o.templateId);
    const values = baseValues(pair.buyerName, pair.storeName, order);
    const subject = t ? renderTemplate(t.subject, values) : null;
    const body = t ? renderTemplate(t.body, values) : null;
    const unknown = [...(subject?.unknown ?? []), ...(body?.unknown ?? [])];
    return {
      pairId: pair.pairId,
      csrf: frame(c).csrf,
      subject: subject?.text ?? o.subject,
      text: body?.text ?? o.text,
      formKey: randomBytes(16).toString('hex'),
      templates: choices.map((x) => ({ id: x.id, name: x.name })),
      templateId: t?.id,
      orders: pairOrders.map((x) => ({ number: x.number, label: `${x.number} · ${formatMoney(x.totalMinor, x.currency)} · ${formatDay(x.placedAt)}` })),
      orderNumber: order?.number ?? null,
      seen: messages[messages.length - 1]?.id ?? 0,
      warning: unknown.length ? `Unknown variable(s) in the template: ${unknown.join(', ')}` : undefined,
      filled: body?.text,
    };
  }

  const defaultSubject = async (pairId: number, given?: ConversationMessage[]) => {
    const messages = given ?? (await inbox.conversation(pairId));
    const lastBuyer = [...messages].reverse().find((m) => m.direction === 'buyer_to_store');
    return lastBuyer ? (/^re:/i.test(lastBuyer.subject) ? lastBuyer.subject : `Re: ${lastBuyer.subject}`) : '';
  };

  app.get('/conversations/:id', async (c) => {
    const pair = await pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const user = c.get('user');
    const all = await inbox.conversation(pair.pairId);
    const pairOrders = await d.market.ordersForPair(pair.pairId);
    const messages = await shown(pair.pairId, { all });
    const draft = await inbox.draft(user.id, pair.pairId);
    const others = here(pair.pairId, user, false);
    const state = await conversations.state(pair.pairId);
    return c.html(
      <ConversationPage
        {...frame(c)}
        pair={pair}
        messages={messages}
        reply={await replyProps(c, pair, {
          subject: draft?.subject || (await defaultSubject(pair.pairId, all)),
          text: draft?.body ?? '',
          orderNumber: draft?.orderNumber ?? null,
          messages: all,
          orders: pairOrders,
        })}
        draftRestored={draft !== null}
        sent={c.req.query('sent') === '1'}
        state={state}
        users={await conversations.assignable([pair.storeId])}
        viewers={others}
        pollMs={POLL_MS}
        orders={pairOrders.map(orderView)}
        notes={await tags.notes(pair.pairId)}
        allTags={await tags.list()}
        others={await inbox.otherConversations(pair.pairId, c.get('storeIds'))}
      />,
    );
  });

  // Shown = read: the page posts this, with the last message it shows, once a person can see it
  // (views/assets/app.js: a tab in the background waits until it is looked at). A GET never
  // writes: a cross-site <img src>, a prefetch or a poll marks nothing read.
  app.post('/conversations/:id/read', async (c) => {
    const pair = await pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const seen = paramId(String((await c.req.parseBody()).seen ?? ''));
    if (seen <= 0) return c.text('Say which message was shown last.', 400);
    await conversations.readShown(pair.pairId, seen, c.get('storeIds'));
    return c.body(null, 204);
  });

  // The live refresh: who else is here, and the messages after the last one shown (appended).
  app.get('/conversations/:id/live', async (c) => {
    const pair = await pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const user = c.get('user');
    const after = Number(c.req.query('after') ?? '0');
    const draft = await inbox.draft(user.id, pair.pairId);
    const viewers = here(pair.pairId, user, draft !== null && Date.now() - draft.updatedAt < PRESENCE_MS * 3);
    const fresh = Number.isInteger(after) && after > 0 ? await shown(pair.pairId, { afterId: after }) : [];
    const last = fresh.length ? fresh[fresh.length - 1]!.id : after;
    // New buyer mail is appended, not read: the page marks it read when a person can see it.
    return c.html(
      <Live
        pairId={pair.pairId}
        after={last}
        viewers={viewers}
        pollMs={POLL_MS}
        fresh={fresh}
        markRead={fresh.some((m) => m.direction === 'buyer_to_store')}
        pair={pair}
        csrf={frame(c).csrf}
        allTags={await tags.list()}
      />,
    );
  });

  app.post('/conversations/:id/assign', async (c) => {
    const pair = await pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const to = String((await c.req.parseBody()).user ?? '');
    const userId = to === 'me' ? c.get('user').id : to === '' ? null : paramId(to);
    if (userId !== null && userId < 0) return c.text('No such user.', 400);
    await conversations.assign([pair.pairId], userId, c.get('storeIds'));
    return c.redirect(`/conversations/${pair.pairId}`, 303);
  });

  // Snooze until a date and time (a datetime-local field, read in the user's own time zone, the one
  // the page shows times in), or wake now (empty).
  app.post('/conversations/:id/snooze', async (c) => {
    const pair = await pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const until = String((await c.req.parseBody()).until ?? '');
    const at = until ? zonedToInstant(until, displayZone()) : null;
    if (until && (at === null || at <= Date.now())) return c.text('Choose a time in the future.', 400);
    await conversations.snooze([pair.pairId], at, c.get('storeIds'));
    return c.redirect(at ? '/inbox' : `/conversations/${pair.pairId}`, 303);
  });

  // The live check under the reply box: what the pipeline would say, before sending. It also keeps
  // the draft (server-side, per user and conversation), so the check and the save are one request.
  app.post('/conversations/:id/check', async (c) => {
    const pair = await pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const form = await c.req.parseBody();
    const subject = String(form.subject ?? '');
    const text = String(form.text ?? '');
    await inbox.saveDraft(c.get('user').id, pair.pairId, {
      subject: subject.slice(0, 998),
      body: text.slice(0, 100_000),
      orderNumber: String(form.order ?? '') || null,
    });
    const warnings = draftWarnings(
      { subject, text },
      {
        bannedWords: await d.mail.bannedWords(pair.storeId),
        linkAllowList: d.filters.linkAllowList,
        linkAction: d.filters.linkAction,
        orderNumbers: (await d.market.ordersForPair(pair.pairId)).map((o) => o.number),
        isReply: (await inbox.conversation(pair.pairId)).some((m) => m.direction === 'buyer_to_store'),
        requireOrderId: (await d.mail.policy(pair.storeId)).requireOrderId,
      },
    );
    return c.html(<DraftWarnings warnings={warnings} />);
  });

  // Staff clear a buyer's undeliverable mark (the buyer gave a working address, or their mailbox is
  // back): any agent of the store may, as with every other conversation action. The change and its
  // buyer.deliverable event (who did it) commit together; clearing an unmarked buyer writes nothing.
  app.post('/conversations/:id/deliverable', async (c) => {
    const pair = await pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const user = c.get('user');
    const cleared = await d.market.clearUndeliverable(pair.pairId, 'admin', user.id);
    if (cleared) d.log.info({ event: 'buyer.deliverable', via: 'admin', userId: user.id, pairId: pair.pairId }, 'undeliverable mark cleared by staff');
    if (c.req.header('hx-request')) return c.html(<UndeliverableNotice pairId={pair.pairId} since={null} reason={null} csrf={frame(c).csrf} />);
    return c.redirect(`/conversations/${pair.pairId}`, 303);
  });

  app.post('/conversations/:id/notes', async (c) => {
    const pair = await pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const body = String((await c.req.parseBody()).body ?? '').trim();
    if (body) await tags.addNote(pair.pairId, c.get('user').id, body.slice(0, 5000));
    if (c.req.header('hx-request')) return c.html(<Notes pairId={pair.pairId} csrf={frame(c).csrf} notes={await tags.notes(pair.pairId)} />);
    return c.redirect(`/conversations/${pair.pairId}`, 303);
  });

  // The reply box again with a template and an order chosen: the template filled with that order's
  // values (default: the order the buyer's message names, else the latest); without a template
  // the typed text stays.
  const replyForm = async (c: Ctx, get: (k: string) => string | undefined) => {
    const pair = await pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const props = await replyProps(c, pair, {
      templateId: Number(get('template') ?? ''),
      orderNumber: get('order') ?? null,
      subject: get('subject') ?? (await defaultSubject(pair.pairId)),
      text: get('text') ?? '',
    });
    return c.html(<ReplyForm {...props} />);
  };
  app.get('/conversations/:id/reply-form', (c) => replyForm(c, (k) => c.req.query(k)));
  app.post('/conversations/:id/reply-form', async (c) => {
    const form = await c.req.parseBody();
    return replyForm(c, (k) => (typeof form[k] === 'string' ? (form[k] as string) : undefined));
  });

  // The reply goes through the same pipeline as mail from Outlook, as the store's mailbox sender.
  // The form carries a one-time key: a double click or a retried request sends once. A message
  // that came in after the box was shown (the buyer's, or another agent's reply) is shown first.
  app.post('/conversations/:id/reply', async (c) => {
    const pair = await pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const user = c.get('user');
    const form = await c.req.parseBody({ all: true });
    const one = (k: string) => {
      const v = form[k];
      return typeof v === 'string' ? v : '';
    };
    const subject = one('subject').trim();
    const text = one('text');
    const key = one('key');
    // Files from the form; the pipeline judges their type by content and their size, as for Outlook.
    const files = ([] as unknown[]).concat(form.attachments ?? []).filter((f): f is File => f instanceof File && f.size > 0);
    const after = one('after');
    const messages = await inbox.conversation(pair.pairId);
    const again = async (error?: string, extra: Partial<ReplyFormProps> = {}) =>
      c.html(
        <ReplyForm
          {...await replyProps(c, pair, { subject, text, orderNumber: one('order') || null, messages })}
          seen={Number(one('seen')) || 0}
          error={error}
          {...extra}
        />,
      );
    if (!/^[0-9a-f]{32}$/.test(key)) return again('the form is incomplete; reload the page');
    if (!subject || !text.trim()) return again('write a subject and a message');
    const seen = Number(one('seen'));
    const newer = messages.filter((m) => Number.isInteger(seen) && seen > 0 && m.id > seen);
    if (newer.length && one('send_anyway') !== '1') {
      const who = newer.some((m) => m.direction === 'buyer_to_store') ? 'the buyer wrote again' : 'another reply was sent';
      return again(undefined, {
        newer: `Not sent yet: ${who} after you opened this reply box (${newer.length} new message(s) above). Read it, then send again to send anyway.`,
        sendAnyway: true,
        seen,
      });
    }
    const sender = await mailboxSender(d, pair.pairId);
    if (!sender) return again("the store's mailbox is not a permitted sender");
    if (!(await d.imports.claimFormKey(key, user.id))) return again(undefined, { sent: true, text: '' }); // the same form again: already handled
    const result = await sendAdminReply(d.relay, d, {
      pairId: pair.pairId,
      alias: pair.alias,
      userId: user.id,
      sender,
      subject,
      text,
      attachments: await Promise.all(
        files.map(async (f) => ({ filename: f.name, content: Buffer.from(await f.arrayBuffer()), contentType: f.type || undefined })),
      ),
      messages,
      log: d.log,
    }).catch(async (err: unknown) => {
      await d.imports.releaseFormKey(key); // nothing was sent: the same form may try again
      throw err;
    });
    if (isRefusal(result)) {
      await d.imports.releaseFormKey(key); // refused: the user may fix and resend
      return again(refusalText(result));
    }
    await d.imports.formKeyDone(key, result);
    if (after === 'processed') await conversations.setStatus([pair.pairId], 'processed', c.get('storeIds'));
    if (c.req.header('hx-request')) {
      c.header('HX-Redirect', `/conversations/${pair.pairId}?sent=1`);
      return again(undefined, { sent: true, text: '' });
    }
    return c.redirect(`/conversations/${pair.pairId}?sent=1`, 303);
  });

  // The HTML part, sanitised again, for a sandboxed iframe: no scripts, no remote loads, no forms.
  app.get('/messages/:id/body', async (c) => {
    const m = await messageFor(c);
    if (!m) return c.text('No such message.', 404);
    const raw = m.outboxId ? await d.outbox.raw(m.outboxId) : null;
    return sandboxedHtml(c, raw);
  });

  // A file of the delivered copy (what staff may see is the masked one), always as a download.
  app.get('/messages/:id/files/:n', async (c) => {
    const m = await messageFor(c);
    if (!m) return c.text('No such message.', 404);
    const raw = m.outboxId ? await d.outbox.raw(m.outboxId) : null;
    const mail = raw ? await parseMail(raw, 5000).catch(() => null) : null;
    const file = mail?.attachments[Number(c.req.param('n'))];
    if (!file) return c.text('No such file.', 404);
    return safeDownload(c, file);
  });

  return app;
}

// Owns the inbox, the conversation page, the reply box and the message body frame. Every lookup is
// checked against the stores the user may see: another store's conversation is a 404, by URL too.
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import sanitizeHtml from 'sanitize-html';
import { isRefusal } from '../../core/alias-token.js';
import { CATEGORIES, type Category } from '../../core/categorize.js';
import { refusalText } from '../../core/verdicts.js';
import { parseMail } from '../../relay/parse.js';
import type { Relay } from '../../relay/pipeline.js';
import { sendAsStore } from '../../relay/send-as-store.js';
import type { Db } from '../../store/db.js';
import { InboxRepo, type InboxView, type MessageStatus } from '../../store/inbox.js';
import type { OutboxRepo } from '../../store/outbox.js';
import type { StoreRepo } from '../../store/stores.js';
import { ConversationPage, DraftWarnings, MessageCard, Notes, ReplyForm, type OrderView, type ShownMessage } from '../../../views/conversation.js';
import { baseValues, formatDay, formatItems, formatMoney, renderTemplate } from '../../core/template.js';
import { OrderRepo, type OrderRow } from '../../store/orders.js';
import { TemplateRepo } from '../../store/templates.js';
import { TagRepo } from '../../store/tags.js';
import { NoteRepo } from '../../store/notes.js';
import { MessageRepo } from '../../store/messages.js';
import { FormSubmissionRepo } from '../../store/form-submissions.js';
import { BannedWordRepo } from '../../store/banned-words.js';
import { draftWarnings } from '../../core/draft-check.js';
import { InboxPage } from '../../../views/inbox.js';
import { sandboxedHtml } from './sandboxed-html.js';
import { frameOf, type AdminEnv } from './session.js';
import { ReportRepo } from '../../store/reports.js';

const orderView = (o: OrderRow): OrderView => ({
  number: o.number,
  status: o.status,
  items: formatItems(o.items),
  amount: formatMoney(o.totalMinor, o.currency),
  placed: formatDay(o.placedAt),
  completed: o.completedAt ? formatDay(o.completedAt) : null,
});

const PAGE = 50;
const BULK_MAX = 10_000;
const STATUSES = ['pending', 'follow_up', 'processed', 'replied_on_platform'] as const;
const DAY = 86_400_000;

function sinceMs(since: string, now: number): number | undefined {
  if (since === 'today') return now - (now % DAY);
  if (since === '7d') return now - 7 * DAY;
  if (since === '30d') return now - 30 * DAY;
  return undefined;
}

export interface InboxDeps {
  readonly db: Db;
  readonly filters: { readonly linkAllowList: readonly string[]; readonly linkAction: 'redact' | 'refuse' };
  readonly stores: StoreRepo;
  readonly outbox: OutboxRepo;
  readonly relay: Relay;
  readonly log: Logger;
}

export function inboxRoutes(d: InboxDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const inbox = new InboxRepo(d.db);
  const orders = new OrderRepo(d.db);
  const templates = new TemplateRepo(d.db);
  const tags = new TagRepo(d.db);
  const notes = new NoteRepo(d.db);
  const banned = new BannedWordRepo(d.db);
  const messageRepo = new MessageRepo(d.db);
  const forms = new FormSubmissionRepo(d.db);
  const frame = frameOf;

  app.get('/', (c) => c.redirect('/inbox', 303));

  /** The inbox filter from a query string or a posted form, limited to what the user may see. */
  function readFilter(get: (k: string) => string | undefined, allowed: readonly number[]) {
    const storeParam = Number(get('store') ?? '');
    const store = Number.isInteger(storeParam) && allowed.includes(storeParam) ? storeParam : undefined;
    const viewParam = get('view');
    const view: InboxView = viewParam === 'sent' || viewParam === 'all' ? viewParam : 'in';
    const since = ['today', '7d', '30d'].includes(get('since') ?? '') ? (get('since') as string) : '';
    // A range of days (UTC), either end optional: from=2026-11-01&to=2026-11-15.
    const date = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? v : '');
    const from = date(get('from'));
    const to = date(get('to'));
    const statusParam = get('status') ?? '';
    const status = (STATUSES as readonly string[]).includes(statusParam) ? (statusParam as MessageStatus) : undefined;
    const categoryParam = get('category') ?? '';
    const category = (CATEGORIES as readonly string[]).includes(categoryParam) ? (categoryParam as Category) : undefined;
    const sort = get('sort') === 'due' ? ('due' as const) : undefined;
    const tagParam = Number(get('tag') ?? '');
    const tag = Number.isInteger(tagParam) && tagParam > 0 ? tagParam : undefined;
    return { store, view, unread: get('unread') === '1', q: (get('q') ?? '').slice(0, 200), since, from, to, status, category, sort, tag };
  }
  const listFor = (f: ReturnType<typeof readFilter>, allowed: readonly number[], limit: number, before?: number) =>
    inbox.list({
      storeIds: f.store ? [f.store] : allowed,
      view: f.view,
      unread: f.unread,
      q: f.q,
      status: f.status,
      category: f.category,
      tagId: f.tag,
      sort: f.sort,
      sinceMs: f.from ? Date.parse(`${f.from}T00:00:00Z`) : sinceMs(f.since, Date.now()),
      untilMs: f.to ? Date.parse(`${f.to}T00:00:00Z`) + DAY : undefined,
      beforeId: f.sort === 'due' ? undefined : before,
      limit,
    });

  app.get('/inbox', (c) => {
    const allowed = c.get('storeIds');
    const f = readFilter((k) => c.req.query(k), allowed);
    const before = Number(c.req.query('before') ?? '');
    const rows = listFor(f, allowed, PAGE, Number.isInteger(before) && before > 0 ? before : undefined);
    const counts = inbox.unreadByStore(allowed);
    const stores = d.stores
      .list()
      .filter((s) => allowed.includes(s.id))
      .map((s) => ({ id: s.id, name: s.name, unread: counts.get(s.id) ?? 0 }));
    const last = rows[rows.length - 1];
    const done = Number(c.req.query('done') ?? '');
    return c.html(
      <InboxPage
        {...frame(c)}
        stores={stores}
        filter={f}
        rows={rows}
        categories={inbox.unreadByCategory(f.store ? [f.store] : allowed)}
        tags={tags.list()}
        rowTags={tags.forMessages(rows.map((r) => r.id))}
        now={Date.now()}
        next={rows.length === PAGE && last && f.sort !== 'due' ? last.id : null}
        notice={Number.isInteger(done) && c.req.query('done') !== undefined ? `${done} message(s) updated.` : undefined}
      />,
    );
  });

  // Bulk marks on the selected rows, or on everything the filter matches (up to BULK_MAX).
  app.post('/inbox/bulk', async (c) => {
    const allowed = c.get('storeIds');
    const form = await c.req.parseBody({ all: true });
    const one = (k: string) => {
      const v = form[k];
      return typeof v === 'string' ? v : undefined;
    };
    const action = one('action') ?? '';
    const f = readFilter(one, allowed);
    const ids =
      one('scope') === 'matching'
        ? listFor(f, allowed, BULK_MAX).map((r) => r.id)
        : ([] as unknown[])
            .concat(form.ids ?? [])
            .map(Number)
            .filter((n) => Number.isInteger(n) && n > 0)
            .slice(0, BULK_MAX);
    let changed: number;
    const tagAction = /^tag:(\d+)$/.exec(action);
    if (tagAction) {
      // Only messages the user may see; the two-tag limit holds for each one.
      const visible = new Set(ids.filter((id) => allowed.includes(inbox.storeOfMessage(id)?.storeId ?? -1)));
      changed = [...visible].filter((id) => tags.add(id, Number(tagAction[1])) === 'added').length;
    } else if (action === 'read' || action === 'unread') changed = inbox.setRead(ids, action === 'read', allowed);
    else if ((STATUSES as readonly string[]).includes(action)) changed = inbox.setStatus(ids, action as MessageStatus, allowed);
    else return c.text('Unknown action.', 400);
    const back = one('back') ?? '/inbox';
    const target = back.startsWith('/inbox') ? back : '/inbox';
    return c.redirect(`${target}${target.includes('?') ? '&' : '?'}done=${changed}`, 303);
  });

  /** The message if the user may see it, with its pair. */
  const messageFor = (c: { req: { param: (k: string) => string | undefined }; get: (k: 'storeIds') => number[] }) => {
    const id = Number(c.req.param('id'));
    const where = inbox.storeOfMessage(id);
    return where && c.get('storeIds').includes(where.storeId) ? { id, ...where } : null;
  };
  const card = async (c: any, at: { id: number; pairId: number }, status: 200 | 409 = 200) => {
    const pair = inbox.pair(at.pairId)!;
    const [m] = await shown(at.pairId, at.id);
    if (!m) return c.text('No such message.', 404);
    if (c.req.header('hx-request')) return c.html(<MessageCard m={m} pair={pair} csrf={frame(c).csrf} allTags={tags.list()} />, status);
    return c.redirect(`/conversations/${at.pairId}#m${at.id}`, 303);
  };

  app.post('/messages/:id/tags', async (c) => {
    const at = messageFor(c);
    if (!at) return c.text('No such message.', 404);
    const outcome = tags.add(at.id, Number((await c.req.parseBody()).tagId));
    if (outcome === 'unknown') return c.text('No such tag.', 400);
    return card(c, at, outcome === 'limit' ? 409 : 200);
  });

  app.post('/messages/:id/tags/:tag/remove', async (c) => {
    const at = messageFor(c);
    if (!at) return c.text('No such message.', 404);
    tags.removeFrom(at.id, Number(c.req.param('tag')));
    return card(c, at);
  });

  app.post('/messages/:id/report', async (c) => {
    const at = messageFor(c);
    if (!at) return c.text('No such message.', 404);
    const reason = String((await c.req.parseBody()).reason ?? '').trim();
    if (!reason) return c.text('Say why.', 400);
    notes.report(at.id, c.get('user').id, reason.slice(0, 500));
    return card(c, at);
  });

  // Re-categorise one message by hand.
  app.post('/messages/:id/category', async (c) => {
    const at = messageFor(c);
    if (!at) return c.text('No such message.', 404);
    const category = String((await c.req.parseBody()).category ?? '');
    if (!(CATEGORIES as readonly string[]).includes(category) || category === 'sent') return c.text('Unknown category.', 400);
    inbox.setCategory(at.id, category as Category, c.get('storeIds'));
    return card(c, at);
  });

  // One message's status, from its card in the conversation.
  app.post('/messages/:id/status', async (c) => {
    const at = messageFor(c);
    if (!at) return c.text('No such message.', 404);
    const status = String((await c.req.parseBody()).status ?? '');
    if (!(STATUSES as readonly string[]).includes(status)) return c.text('Unknown status.', 400);
    inbox.setStatus([at.id], status as MessageStatus, c.get('storeIds'));
    return card(c, at);
  });

  const pairFor = (c: { req: { param: (k: string) => string | undefined }; get: (k: 'storeIds') => number[] }) => {
    const pair = inbox.pair(Number(c.req.param('id')));
    return pair && c.get('storeIds').includes(pair.storeId) ? pair : null;
  };

  /** The pair's messages (or just `onlyId`) as the other side received them: each one parsed. */
  async function shown(pairId: number, onlyId?: number): Promise<ShownMessage[]> {
    const messages = inbox.conversation(pairId).filter((m) => onlyId === undefined || m.id === onlyId);
    const ids = messages.map((m) => m.id);
    const tagsOf = tags.forMessages(ids);
    const reported = notes.reportedIds(ids);
    return Promise.all(
      messages.map(async (m) => {
        // What the other side received (masked and filtered); the original stays in the database.
        const raw = m.outboxId ? d.outbox.raw(m.outboxId) : null;
        const mail = raw ? await parseMail(raw, 5000).catch(() => null) : null;
        return {
          ...m,
          text: mail
            ? (mail.text ?? (mail.html ? sanitizeHtml(mail.html, { allowedTags: [], allowedAttributes: {} }) : ''))
            : raw
              ? ''
              : '(the text is no longer kept: removed by the retention period or an erasure request)',
          hasHtml: Boolean(mail?.html),
          tags: tagsOf.get(m.id) ?? [],
          reported: reported.has(m.id),
        };
      }),
    );
  }

  app.get('/conversations/:id', async (c) => {
    const pair = pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    inbox.markPairRead(pair.pairId);
    const messages = await shown(pair.pairId);
    const lastBuyer = [...messages].reverse().find((m) => m.direction === 'buyer_to_store');
    const subject = lastBuyer ? (/^re:/i.test(lastBuyer.subject) ? lastBuyer.subject : `Re: ${lastBuyer.subject}`) : '';
    return c.html(
      <ConversationPage
        {...frame(c)}
        pair={pair}
        messages={messages}
        reply={{ subject, formKey: randomBytes(16).toString('hex') }}
        orders={orders.forPair(pair.pairId).map(orderView)}
        templates={templates.visible([pair.storeId]).map((t) => ({ id: t.id, name: t.name }))}
        notes={notes.forPair(pair.pairId)}
        allTags={tags.list()}
        others={inbox.otherConversations(pair.pairId, c.get('storeIds'))}
      />,
    );
  });

  // The live check under the reply box: what the pipeline would say, before sending.
  app.post('/conversations/:id/check', async (c) => {
    const pair = pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const form = await c.req.parseBody();
    const warnings = draftWarnings(
      { subject: String(form.subject ?? ''), text: String(form.text ?? '') },
      {
        bannedWords: banned.wordsFor(pair.storeId),
        linkAllowList: d.filters.linkAllowList,
        linkAction: d.filters.linkAction,
        orderNumbers: orders.forPair(pair.pairId).map((o) => o.number),
        isReply: inbox.conversation(pair.pairId).some((m) => m.direction === 'buyer_to_store'),
        requireOrderId: d.stores.policy(pair.storeId).requireOrderId,
      },
    );
    return c.html(<DraftWarnings warnings={warnings} />);
  });

  app.post('/conversations/:id/notes', async (c) => {
    const pair = pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const body = String((await c.req.parseBody()).body ?? '').trim();
    if (body) notes.add(pair.pairId, c.get('user').id, body.slice(0, 5000));
    if (c.req.header('hx-request')) return c.html(<Notes pairId={pair.pairId} csrf={frame(c).csrf} notes={notes.forPair(pair.pairId)} />);
    return c.redirect(`/conversations/${pair.pairId}`, 303);
  });

  // The reply box filled from a template, with the buyer's, store's and latest order's values.
  app.get('/conversations/:id/reply-form', (c) => {
    const pair = pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
    const choices = templates.visible([pair.storeId]);
    const t = choices.find((x) => x.id === Number(c.req.query('template')));
    const values = baseValues(pair.buyerName, pair.storeName, orders.latestForPair(pair.pairId));
    const subject = t ? renderTemplate(t.subject, values) : null;
    const body = t ? renderTemplate(t.body, values) : null;
    const unknown = [...(subject?.unknown ?? []), ...(body?.unknown ?? [])];
    return c.html(
      <ReplyForm
        pairId={pair.pairId}
        csrf={frame(c).csrf}
        subject={subject?.text ?? ''}
        text={body?.text ?? ''}
        formKey={randomBytes(16).toString('hex')}
        templates={choices.map((x) => ({ id: x.id, name: x.name }))}
        warning={unknown.length ? `Unknown variable(s) in the template: ${unknown.join(', ')}` : undefined}
      />,
    );
  });

  // The reply goes through the same pipeline as mail from Outlook, as the store's mailbox sender.
  // The form carries a one-time key: a double click or a retried request sends once.
  app.post('/conversations/:id/reply', async (c) => {
    const pair = pairFor(c);
    if (!pair) return c.text('No such conversation.', 404);
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
    const f = frame(c);
    const again = (error?: string, sent = false) =>
      c.html(
        <ReplyForm
          pairId={pair.pairId}
          csrf={f.csrf}
          subject={subject}
          formKey={randomBytes(16).toString('hex')}
          error={error}
          sent={sent}
          text={sent ? '' : text}
          templates={templates.visible([pair.storeId]).map((t) => ({ id: t.id, name: t.name }))}
        />,
      );
    if (!/^[0-9a-f]{32}$/.test(key)) return again('the form is incomplete; reload the page');
    if (!subject || !text.trim()) return again('write a subject and a message');
    const store = d.stores.get(pair.storeId);
    const sender = store ? d.stores.findSender(store.id, store.mailbox) : null;
    if (!store || !sender) return again("the store's mailbox is not a permitted sender");
    if (!forms.claim(key, c.get('user').id)) return again(undefined, true); // the same form again: already handled
    const messages = inbox.conversation(pair.pairId);
    const lastBuyer = [...messages].reverse().find((m) => m.direction === 'buyer_to_store');
    const relayId = lastBuyer ? messageRepo.relayIdInPair(lastBuyer.id, pair.pairId) : null;
    const result = await sendAsStore(d.relay, {
      sender: { id: sender.id, email: sender.email, storeId: store.id },
      pairToken: pair.alias,
      subject,
      text,
      attachments: await Promise.all(
        files.map(async (f) => ({ filename: f.name, content: Buffer.from(await f.arrayBuffer()), contentType: f.type || undefined })),
      ),
      inReplyTo: relayId,
      source: 'web',
      log: d.log,
    }).catch((err: unknown) => {
      forms.release(key); // nothing was sent: the same form may try again
      throw err;
    });
    if (isRefusal(result)) {
      forms.release(key); // refused: the user may fix and resend
      return again(refusalText(result));
    }
    forms.done(key, result);
    new ReportRepo(d.db).recordStaffReply(result.messageIds, c.get('user').id); // the response clock's "who answered"
    const answered = messages.filter((m) => m.direction === 'buyer_to_store' && m.status === 'pending').map((m) => m.id);
    if (after === 'processed') inbox.setStatus(answered, 'processed', c.get('storeIds'));
    if (c.req.header('hx-request')) {
      c.header('HX-Refresh', 'true');
      return again(undefined, true);
    }
    return c.redirect(`/conversations/${pair.pairId}`, 303);
  });

  // The HTML part, sanitised again, for a sandboxed iframe: no scripts, no remote loads, no forms.
  app.get('/messages/:id/body', async (c) => {
    const id = Number(c.req.param('id'));
    const where = inbox.storeOfMessage(id);
    if (!where || !c.get('storeIds').includes(where.storeId)) return c.text('No such message.', 404);
    const m = inbox.conversation(where.pairId).find((x) => x.id === id);
    const raw = m?.outboxId ? d.outbox.raw(m.outboxId) : null;
    return sandboxedHtml(c, raw);
  });

  return app;
}

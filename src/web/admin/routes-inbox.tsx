// Owns the inbox: the conversation list, its live refresh, the status switch on a row, and bulk
// actions. A bulk action acts on the rows selected or on exactly the filter the page shows (the
// filter travels in one field rendered with the rows), says how many conversations it touches, and
// asks first above BULK_CONFIRM_ABOVE, whenever the count is not the one the page showed, and
// always for the final mark. Every lookup is limited to the stores the user may see. The
// conversation page lives in routes-conversation.tsx.
import { Hono } from 'hono';
import { CATEGORIES, CATEGORY_LABELS, type Category } from '../../core/categorize.js';
import { CONVERSATION_STATUSES, type ConversationStatus } from '../../store/inbox.js';
import { BulkConfirmPage, describeFilter, InboxPage, STATUS_LABELS } from '../../../views/inbox.js';
import { readFilter, toQuery } from './inbox-filter.js';
import { conversationRoutes, type ConversationDeps } from './routes-conversation.js';
import { frameOf, type AdminEnv } from './session.js';
import { paramId } from './param-id.js';

const PAGE = 50;
const BULK_MAX = 10_000;
/** A bulk action on more conversations than this asks first. */
export const BULK_CONFIRM_ABOVE = 20;
/** How often an open inbox looks for new mail. */
const POLL_MS = 5000;

export type InboxDeps = ConversationDeps;

export function inboxRoutes(d: InboxDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  // The inbox's reads and the conversations' state go through the storage port (either database).
  const inbox = d.inbox;
  const conversations = d.inbox;
  const tags = d.tags;
  const frame = frameOf;

  app.get('/', (c) => c.redirect('/inbox', 303));

  app.get('/inbox', async (c) => {
    const allowed = c.get('storeIds');
    const user = c.get('user');
    const now = Date.now();
    const f = readFilter((k) => c.req.query(k), allowed);
    const before = Number(c.req.query('before') ?? '');
    const rows = await inbox.list(
      toQuery(f, { allowed, userId: user.id, limit: PAGE, before: Number.isInteger(before) && before > 0 ? before : undefined, now }),
    );
    const counts = await inbox.unreadByStore(allowed);
    const stores = (await d.market.stores()).filter((s) => allowed.includes(s.id)).map((s) => ({ id: s.id, name: s.name, unread: counts.get(s.id) ?? 0 }));
    const last = rows[rows.length - 1];
    const done = c.req.query('done');
    const full = rows.length === PAGE;
    return c.html(
      <InboxPage
        {...frame(c)}
        stores={stores}
        filter={f}
        rows={rows}
        categories={await inbox.unreadByCategory(f.store ? [f.store] : allowed)}
        tags={await tags.list()}
        rowTags={await inbox.tagsForPairs(rows.map((r) => r.pairId))}
        users={await conversations.assignable(allowed)}
        now={now}
        next={full && last && f.sort !== 'due' ? last.id : null}
        matching={full || (before > 0 && Number.isInteger(before)) ? null : rows.length}
        pollMs={POLL_MS}
        notice={done !== undefined && /^\d+$/.test(done) ? `${done} conversation(s) updated.` : undefined}
      />,
    );
  });

  // The status of one conversation, from its row in the list or the conversation page.
  app.post('/conversations/:id/status', async (c) => {
    const pairId = paramId(c.req.param('id'));
    const state = await conversations.state(pairId);
    if (!state || !c.get('storeIds').includes(state.storeId)) return c.text('No such conversation.', 404);
    const status = String((await c.req.parseBody()).status ?? '');
    if (!(CONVERSATION_STATUSES as readonly string[]).includes(status)) return c.text('Unknown status.', 400);
    await conversations.setStatus([pairId], status as ConversationStatus, c.get('storeIds'));
    if (c.req.header('hx-request')) {
      c.header('HX-Trigger', 'conversation-changed');
      return c.body(null, 204);
    }
    return c.redirect(c.req.header('referer')?.includes('/conversations/') ? `/conversations/${pairId}` : '/inbox', 303);
  });

  /** What a bulk action is, in words, and whether it is final; null when unknown. */
  async function bulkAction(
    action: string,
    userId: number,
  ): Promise<{ label: string; final: boolean; run: (ids: number[], allowed: readonly number[]) => Promise<number> } | null> {
    const [kind, a, b] = action.split(':');
    if (kind === 'status' && (CONVERSATION_STATUSES as readonly string[]).includes(a ?? '')) {
      const status = a as ConversationStatus;
      return {
        label: `Mark ${STATUS_LABELS[status].toLowerCase()}`,
        final: status === 'replied_on_platform',
        run: (ids, s) => conversations.setStatus(ids, status, s),
      };
    }
    if (kind === 'read' || kind === 'unread') return { label: `Mark ${kind}`, final: false, run: (ids, s) => conversations.setRead(ids, kind === 'read', s) };
    if (kind === 'assign') {
      const to = a === 'me' ? userId : a === 'none' ? null : paramId(a);
      if (to !== null && to < 0) return null;
      return {
        label: to === null ? 'Unassign' : 'Assign',
        final: false,
        // Only conversations of stores the assignee may see.
        run: (ids, s) => conversations.assign(ids, to, s),
      };
    }
    if (kind === 'tag' && (a === 'add' || a === 'remove')) {
      const tag = await tags.get(paramId(b));
      if (!tag) return null;
      return {
        label: `${a === 'add' ? 'Add' : 'Remove'} tag “${tag.name}”`,
        final: false,
        run: async (ids, s) => {
          let n = 0;
          for (const id of await conversations.visible(ids, s)) {
            if (a === 'add') {
              // On the latest buyer message (or the latest one); the two-tag limit holds.
              const messages = await inbox.latest(id);
              const target = messages.lastBuyer ?? messages.last;
              if (target !== null && (await tags.add(target, tag.id)) === 'added') n++;
            } else {
              let removed = false;
              for (const m of await inbox.taggedMessages(id, tag.id)) {
                await tags.removeFrom(m, tag.id);
                removed = true;
              }
              if (removed) n++;
            }
          }
          return n;
        },
      };
    }
    if (kind === 'category' && (CATEGORIES as readonly string[]).includes(a ?? '') && a !== 'sent')
      return { label: `Set category ${CATEGORY_LABELS[a as Category]}`, final: false, run: (ids, s) => conversations.setCategory(ids, a as Category, s) };
    return null;
  }

  app.post('/inbox/bulk', async (c) => {
    const allowed = c.get('storeIds');
    const user = c.get('user');
    const form = await c.req.parseBody({ all: true });
    const one = (k: string) => {
      const v = form[k];
      return typeof v === 'string' ? v : undefined;
    };
    const action = await bulkAction(one('action') ?? '', user.id);
    if (!action) return c.text('Unknown action.', 400);
    const filterText = one('filter') ?? '';
    const params = new URLSearchParams(filterText);
    const f = readFilter((k) => params.get(k) ?? undefined, allowed);
    const scope = one('scope') === 'matching' ? 'matching' : 'selected';
    const ids =
      scope === 'matching'
        ? (await inbox.list(toQuery(f, { allowed, userId: user.id, limit: BULK_MAX, now: Date.now() }))).map((r) => r.pairId)
        : await conversations.visible(
            [
              ...new Set(
                ([] as unknown[])
                  .concat(form.ids ?? [])
                  .map(Number)
                  .filter((n) => Number.isInteger(n) && n > 0),
              ),
            ].slice(0, BULK_MAX),
            allowed,
          );
    const expect = one('expect');
    // The page said how many match (or the confirmation did): a different number now asks again.
    const changed = scope === 'matching' && expect !== undefined && Number(expect) !== ids.length;
    const confirmed = one('confirm') === '1' && !changed;
    // Ask first: when the page did not say the count, above the threshold, or a final mark.
    const ask = !confirmed && (ids.length > BULK_CONFIRM_ABOVE || action.final || changed || (scope === 'matching' && expect === undefined));
    if (ask && ids.length > 0) {
      const stores = (await d.market.stores()).filter((s) => allowed.includes(s.id));
      return c.html(
        <BulkConfirmPage
          {...frame(c)}
          action={one('action') ?? ''}
          actionLabel={action.label}
          count={ids.length}
          scope={scope}
          filter={new URLSearchParams(filterText).toString()}
          filterText={describeFilter(f, stores, await tags.list())}
          ids={ids}
          changed={changed}
          final={action.final}
        />,
      );
    }
    const done = ids.length ? await action.run(ids, allowed) : 0;
    const back = filterText ? `/inbox?${new URLSearchParams(filterText).toString()}&done=${done}` : `/inbox?done=${done}`;
    return c.redirect(back, 303);
  });

  app.route('/', conversationRoutes(d));
  return app;
}

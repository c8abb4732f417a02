// Owns reading the inbox filter from a query string (the page, the live refresh) or from the bulk
// form's one `filter` field, limited to what the user may see, and turning it into the store query.
import { CATEGORIES, type Category } from '../../core/categorize.js';
import { CONVERSATION_STATUSES, type ConversationStatus, type InboxFilter, type InboxView } from '../../store/inbox.js';
import type { InboxFilterView } from '../../../views/inbox.js';

const DAY = 86_400_000;

function sinceMs(since: string, now: number): number | undefined {
  if (since === 'today') return now - (now % DAY);
  if (since === '7d') return now - 7 * DAY;
  if (since === '30d') return now - 30 * DAY;
  return undefined;
}

export function readFilter(get: (k: string) => string | undefined, allowed: readonly number[]): InboxFilterView {
  const storeParam = Number(get('store') ?? '');
  const store = Number.isInteger(storeParam) && allowed.includes(storeParam) ? storeParam : undefined;
  const viewParam = get('view');
  const view: InboxView = viewParam === 'sent' || viewParam === 'all' ? viewParam : 'in';
  const since = ['today', '7d', '30d'].includes(get('since') ?? '') ? (get('since') as string) : '';
  // A range of days (UTC), either end optional: from=2026-11-01&to=2026-11-15.
  const date = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? v : '');
  const statusParam = get('status') ?? '';
  const status = (CONVERSATION_STATUSES as readonly string[]).includes(statusParam) ? (statusParam as ConversationStatus) : undefined;
  const categoryParam = get('category') ?? '';
  const category = (CATEGORIES as readonly string[]).includes(categoryParam) ? (categoryParam as Category) : undefined;
  const tagParam = Number(get('tag') ?? '');
  const owner = get('owner');
  return {
    store,
    view,
    owner: owner === 'mine' || owner === 'none' ? owner : '',
    snoozed: get('snoozed') === '1',
    unread: get('unread') === '1',
    q: (get('q') ?? '').slice(0, 200),
    since,
    from: date(get('from')),
    to: date(get('to')),
    status,
    category,
    sort: get('sort') === 'due' ? 'due' : undefined,
    tag: Number.isInteger(tagParam) && tagParam > 0 ? tagParam : undefined,
  };
}

/** The store query for a filter, as `userId` sees it. */
export function toQuery(
  f: InboxFilterView,
  o: { allowed: readonly number[]; userId: number; limit: number; before?: number | undefined; now: number },
): InboxFilter {
  return {
    storeIds: f.store ? [f.store] : o.allowed,
    view: f.view,
    unread: f.unread,
    q: f.q,
    status: f.status,
    category: f.category,
    tagId: f.tag,
    assigneeId: f.owner === 'mine' ? o.userId : f.owner === 'none' ? null : undefined,
    snoozed: f.snoozed,
    sort: f.sort,
    sinceMs: f.from ? Date.parse(`${f.from}T00:00:00Z`) : sinceMs(f.since, o.now),
    untilMs: f.to ? Date.parse(`${f.to}T00:00:00Z`) + DAY : undefined,
    beforeId: f.sort === 'due' ? undefined : o.before,
    limit: o.limit,
    now: o.now,
  };
}

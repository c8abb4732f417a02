// The unified inbox: one list across the user's stores, filters in the URL, unread in bold.
import { CATEGORIES, CATEGORY_LABELS, dueText, type Category } from '../src/core/categorize.js';
import type { InboxRow, InboxView, MessageStatus } from '../src/store/inbox.js';
import type { Tag } from '../src/store/tags.js';
import { TagChip } from './tags.js';
import { Csrf, Layout } from './layout.js';
import { formatTime } from './time-format.js';

export interface InboxProps {
  readonly user: { name: string; role: string };
  readonly csrf: string;
  readonly stores: readonly { id: number; name: string; unread: number }[];
  readonly filter: {
    store?: number | undefined;
    view: InboxView;
    unread: boolean;
    q: string;
    since: string;
    from: string;
    to: string;
    status?: MessageStatus | undefined;
    category?: Category | undefined;
    sort?: 'newest' | 'due' | undefined;
    tag?: number | undefined;
  };
  readonly tags: readonly Tag[];
  readonly rowTags: ReadonlyMap<number, readonly Tag[]>;
  readonly categories: ReadonlyMap<Category, number>;
  readonly now: number;
  readonly notice?: string | undefined;
  readonly rows: readonly InboxRow[];
  readonly next: number | null;
}

const STATUSES: [MessageStatus, string][] = [
  ['pending', 'Pending'],
  ['follow_up', 'To follow up'],
  ['processed', 'Processed'],
  ['replied_on_platform', 'Replied on platform'],
];

const VIEWS: [InboxView, string][] = [
  ['in', 'Buyer messages'],
  ['sent', 'Sent'],
  ['all', 'Everything'],
];

export function inboxHref(f: InboxProps['filter'], patch: Partial<InboxProps['filter']> & { before?: number } = {}): string {
  const merged = { ...f, ...patch };
  const p = new URLSearchParams();
  if (merged.store) p.set('store', String(merged.store));
  if (merged.view !== 'in') p.set('view', merged.view);
  if (merged.unread) p.set('unread', '1');
  if (merged.q) p.set('q', merged.q);
  if (merged.since) p.set('since', merged.since);
  if (merged.from) p.set('from', merged.from);
  if (merged.to) p.set('to', merged.to);
  if (merged.status) p.set('status', merged.status);
  if (merged.category) p.set('category', merged.category);
  if (merged.sort === 'due') p.set('sort', 'due');
  if (merged.tag) p.set('tag', String(merged.tag));
  if (patch.before) p.set('before', String(patch.before));
  const s = p.toString();
  return s ? `/inbox?${s}` : '/inbox';
}

function time(ms: number): string {
  return formatTime(ms);
}

function Due(props: { row: InboxRow; now: number }) {
  const r = props.row;
  if (r.direction !== 'buyer_to_store' || r.status === 'processed' || r.status === 'replied_on_platform') return null;
  const due = dueText(r.receivedAt, r.category, props.now, r.replied);
  return due ? <div class={due.overdue ? 'badge bad due' : 'badge due'}>{due.text}</div> : null;
}

export function InboxRows(props: { rows: readonly InboxRow[]; now: number; rowTags: ReadonlyMap<number, readonly Tag[]> }) {
  return (
    <>
      {props.rows.map((r) => (
        <tr class={r.read || r.direction === 'store_to_buyer' ? '' : 'unread'} data-href={`/conversations/${r.pairId}`} data-message-id={String(r.id)}>
          <td>
            <input type="checkbox" name="ids" value={String(r.id)} form="bulk" aria-label="Select" />
          </td>
          <td class="wide">{r.storeName}</td>
          <td>
            {r.buyerName || r.alias} <span class="badge">{r.buyerKind}</span>
          </td>
          <td>
            <a href={`/conversations/${r.pairId}`}>{r.subject || '(no subject)'}</a> {r.replied ? <span class="badge ok">replied</span> : null}
            {r.suspicious ? <span class="badge bad">suspicious</span> : null}{' '}
            {(props.rowTags.get(r.id) ?? []).map((t) => (
              <TagChip tag={t} />
            ))}
            <div class="snippet">{r.snippet}</div>
          </td>
          <td class="wide">{CATEGORY_LABELS[r.category] ?? r.category}</td>
          <td class="wide">{r.status.replace(/_/g, ' ')}</td>
          <td class="muted">
            {time(r.receivedAt)}
            <Due row={r} now={props.now} />
          </td>
        </tr>
      ))}
    </>
  );
}

export function InboxPage(props: InboxProps) {
  const total = props.stores.reduce((n, s) => n + s.unread, 0);
  const f = props.filter;
  return (
    <Layout title="Inbox" user={props.user} csrf={props.csrf} unread={total}>
      <main>
        <aside class="side">
          <h3>Stores</h3>
          <a href={inboxHref(f, { store: undefined })} class={f.store ? '' : 'on'}>
            All stores <span>{total || ''}</span>
          </a>
          {props.stores.map((s) => (
            <a href={inboxHref(f, { store: s.id })} class={f.store === s.id ? 'on' : ''} data-store={String(s.id)}>
              {s.name} <span class="unread-count">{s.unread || ''}</span>
            </a>
          ))}
          <h3>Show</h3>
          {VIEWS.map(([v, label]) => (
            <a href={inboxHref(f, { view: v })} class={f.view === v ? 'on' : ''}>
              {label}
            </a>
          ))}
          <h3>Category</h3>
          <a href={inboxHref(f, { category: undefined })} class={f.category ? '' : 'on'}>
            Any category
          </a>
          {CATEGORIES.filter((cat) => cat !== 'sent').map((cat) => (
            <a href={inboxHref(f, { category: cat })} class={f.category === cat ? 'on' : ''} data-category={cat}>
              {CATEGORY_LABELS[cat]} <span>{props.categories.get(cat) || ''}</span>
            </a>
          ))}
          {props.tags.length ? <h3>Tags</h3> : null}
          {props.tags.length ? (
            <a href={inboxHref(f, { tag: undefined })} class={f.tag ? '' : 'on'}>
              Any tag
            </a>
          ) : null}
          {props.tags.map((t) => (
            <a href={inboxHref(f, { tag: t.id })} class={f.tag === t.id ? 'on' : ''} data-tag-filter={t.name}>
              <TagChip tag={t} />
            </a>
          ))}
          <h3>Order</h3>
          <a href={inboxHref(f, { sort: 'newest' })} class={f.sort === 'due' ? '' : 'on'}>
            Newest first
          </a>
          <a href={inboxHref(f, { sort: 'due' })} class={f.sort === 'due' ? 'on' : ''}>
            Due first (unanswered)
          </a>
          <h3>Status</h3>
          <a href={inboxHref(f, { status: undefined })} class={f.status ? '' : 'on'}>
            Any status
          </a>
          {STATUSES.map(([st, label]) => (
            <a href={inboxHref(f, { status: st })} class={f.status === st ? 'on' : ''}>
              {label}
            </a>
          ))}
        </aside>
        <section class="content">
          <form
            class="filters"
            method="get"
            action="/inbox"
            hx-get="/inbox"
            hx-target="#rows"
            hx-select="#rows"
            hx-swap="outerHTML"
            hx-push-url="true"
            hx-trigger="submit, change"
          >
            {f.store ? <input type="hidden" name="store" value={String(f.store)} /> : null}
            {f.view !== 'in' ? <input type="hidden" name="view" value={f.view} /> : null}
            {f.status ? <input type="hidden" name="status" value={f.status} /> : null}
            {f.category ? <input type="hidden" name="category" value={f.category} /> : null}
            {f.sort === 'due' ? <input type="hidden" name="sort" value="due" /> : null}
            {f.tag ? <input type="hidden" name="tag" value={String(f.tag)} /> : null}
            <input type="search" name="q" value={f.q} placeholder="Search subject, text, buyer, alias, order number" aria-label="Search" />
            <select name="since" aria-label="Time">
              <option value="" selected={f.since === ''}>
                Any time
              </option>
              <option value="today" selected={f.since === 'today'}>
                Today
              </option>
              <option value="7d" selected={f.since === '7d'}>
                7 days
              </option>
              <option value="30d" selected={f.since === '30d'}>
                30 days
              </option>
            </select>
            <label>
              from <input type="date" name="from" value={f.from} aria-label="From date" />
            </label>
            <label>
              to <input type="date" name="to" value={f.to} aria-label="To date" />
            </label>
            <label>
              <input type="checkbox" name="unread" value="1" checked={f.unread} /> Unread only
            </label>
            <button type="submit">Filter</button>
          </form>
          <form id="bulk" class="filters" method="post" action="/inbox/bulk">
            <Csrf token={props.csrf} />
            <input type="hidden" name="back" value={inboxHref(f)} />
            {f.store ? <input type="hidden" name="store" value={String(f.store)} /> : null}
            <input type="hidden" name="view" value={f.view} />
            {f.unread ? <input type="hidden" name="unread" value="1" /> : null}
            <input type="hidden" name="q" value={f.q} />
            <input type="hidden" name="since" value={f.since} />
            <input type="hidden" name="from" value={f.from} />
            <input type="hidden" name="to" value={f.to} />
            {f.status ? <input type="hidden" name="status" value={f.status} /> : null}
            {f.category ? <input type="hidden" name="category" value={f.category} /> : null}
            {f.sort === 'due' ? <input type="hidden" name="sort" value="due" /> : null}
            {f.tag ? <input type="hidden" name="tag" value={String(f.tag)} /> : null}
            <select name="action" aria-label="Bulk action">
              <option value="processed">Mark processed</option>
              <option value="follow_up">Mark to follow up</option>
              <option value="pending">Mark pending</option>
              <option value="replied_on_platform">Mark replied on platform (final)</option>
              <option value="read">Mark read</option>
              <option value="unread">Mark unread</option>
              {props.tags.map((t) => (
                <option value={`tag:${t.id}`}>Tag “{t.name}”</option>
              ))}
            </select>
            <button type="submit" name="scope" value="selected" class="plain">
              Apply to selected
            </button>
            <button type="submit" name="scope" value="matching" class="plain">
              Apply to everything matching this filter
            </button>
          </form>
          {props.notice ? (
            <p class="notice" role="status">
              {props.notice}
            </p>
          ) : null}
          <div id="rows">
            {props.rows.length === 0 ? (
              <p class="muted">No messages match.</p>
            ) : (
              <table class="list">
                <thead>
                  <tr>
                    <th></th>
                    <th class="wide">Store</th>
                    <th>Buyer</th>
                    <th>Subject</th>
                    <th class="wide">Category</th>
                    <th class="wide">Status</th>
                    <th>Time (UTC) / due</th>
                  </tr>
                </thead>
                <tbody>
                  <InboxRows rows={props.rows} now={props.now} rowTags={props.rowTags} />
                </tbody>
              </table>
            )}
            {props.next ? <a href={inboxHref(f, { before: props.next })}>Older →</a> : null}
          </div>
        </section>
      </main>
    </Layout>
  );
}

// The unified inbox: one row per conversation across the user's stores (latest message, unread
// count, status switchable from the row), filters in the URL, bulk actions on the selection or on
// exactly the filter shown. The filter form swaps #results (rows, bulk bar and its filter) and the
// sidebar together, so no part of the page keeps an older filter.
import { CATEGORIES, CATEGORY_LABELS, dueText, type Category } from '../src/core/categorize.js';
import type { ConversationStatus, InboxRow, InboxView } from '../src/store/inbox.js';
import type { Tag } from '../src/store/tags.js';
import { TagChip } from './tags.js';
import { Csrf, Layout } from './layout.js';
import { displayZone, formatTime } from './time-format.js';
import { PaperClip } from './icons.js';
import { UndeliverableBadge } from './undeliverable.js';

export interface InboxFilterView {
  store?: number | undefined;
  view: InboxView;
  unread: boolean;
  q: string;
  since: string;
  from: string;
  to: string;
  status?: ConversationStatus | undefined;
  category?: Category | undefined;
  sort?: 'newest' | 'due' | undefined;
  tag?: number | undefined;
  /** mine: assigned to me; none: unassigned; '': everyone's. */
  owner: '' | 'mine' | 'none';
  snoozed: boolean;
}

export interface InboxProps {
  readonly user: { name: string; role: string };
  readonly csrf: string;
  readonly stores: readonly { id: number; name: string; unread: number }[];
  readonly filter: InboxFilterView;
  readonly tags: readonly Tag[];
  readonly rowTags: ReadonlyMap<number, readonly Tag[]>;
  readonly categories: ReadonlyMap<Category, number>;
  readonly users: readonly { id: number; name: string }[];
  readonly now: number;
  readonly notice?: string | undefined;
  readonly rows: readonly InboxRow[];
  readonly next: number | null;
  /** How many conversations the filter matches, when all fit on this page; null: more than a page. */
  readonly matching: number | null;
  /** How often the page looks for new mail (ms). */
  readonly pollMs: number;
}

export const STATUS_LABELS: Record<ConversationStatus, string> = {
  open: 'Open',
  pending: 'Pending (waiting on buyer)',
  follow_up: 'To follow up',
  processed: 'Processed',
  replied_on_platform: 'Replied on platform',
};

const VIEWS: [InboxView, string][] = [
  ['in', 'Buyer conversations'],
  ['sent', 'Waiting on the buyer'],
  ['all', 'Everything'],
];

export function inboxQuery(f: InboxFilterView, patch: Partial<InboxFilterView> & { before?: number } = {}): string {
  const merged = { ...f, ...patch };
  const p = new URLSearchParams();
  if (merged.store) p.set('store', String(merged.store));
  if (merged.view !== 'in') p.set('view', merged.view);
  if (merged.owner) p.set('owner', merged.owner);
  if (merged.unread) p.set('unread', '1');
  if (merged.snoozed) p.set('snoozed', '1');
  if (merged.q) p.set('q', merged.q);
  if (merged.since) p.set('since', merged.since);
  if (merged.from) p.set('from', merged.from);
  if (merged.to) p.set('to', merged.to);
  if (merged.status) p.set('status', merged.status);
  if (merged.category) p.set('category', merged.category);
  if (merged.sort === 'due') p.set('sort', 'due');
  if (merged.tag) p.set('tag', String(merged.tag));
  if (patch.before) p.set('before', String(patch.before));
  return p.toString();
}

export function inboxHref(f: InboxFilterView, patch: Partial<InboxFilterView> & { before?: number } = {}): string {
  const s = inboxQuery(f, patch);
  return s ? `/inbox?${s}` : '/inbox';
}

/** The filter in words, for the bulk confirmation. */
export function describeFilter(f: InboxFilterView, stores: readonly { id: number; name: string }[], tags: readonly Tag[]): string {
  const parts: string[] = [];
  parts.push(f.store ? `store ${stores.find((s) => s.id === f.store)?.name ?? f.store}` : 'all your stores');
  parts.push(VIEWS.find(([v]) => v === f.view)?.[1].toLowerCase() ?? f.view);
  if (f.owner === 'mine') parts.push('assigned to you');
  if (f.owner === 'none') parts.push('unassigned');
  if (f.q) parts.push(`search “${f.q}”`);
  if (f.unread) parts.push('unread');
  if (f.snoozed) parts.push('snoozed');
  if (f.status) parts.push(`status ${STATUS_LABELS[f.status].toLowerCase()}`);
  if (f.category) parts.push(`category ${CATEGORY_LABELS[f.category] ?? f.category}`);
  if (f.tag) parts.push(`tag ${tags.find((t) => t.id === f.tag)?.name ?? f.tag}`);
  if (f.since) parts.push(f.since === 'today' ? 'today' : `last ${f.since.replace('d', ' days')}`);
  if (f.from || f.to) parts.push(`${f.from || '…'} to ${f.to || '…'}`);
  return parts.join(', ');
}

/** Today's rows show the time, older ones the date, both in the viewer's time zone. */
function time(ms: number, now: number): string {
  const day = formatTime(ms, 'date');
  return day === formatTime(now, 'date') ? formatTime(ms).slice(11) : day;
}

function Due(props: { row: InboxRow; now: number }) {
  const r = props.row;
  if (r.waitingSince === null || !r.category || r.status === 'processed' || r.status === 'replied_on_platform') return null;
  const due = dueText(r.waitingSince, r.category, props.now, false);
  return due ? <span class={due.overdue ? 'badge bad due' : 'badge due'}>{due.text}</span> : null;
}

/** The status of one conversation, switchable from its row (the final mark is on the conversation page and in bulk, with a confirmation). */
function RowStatus(props: { row: InboxRow; csrf: string }) {
  const r = props.row;
  if (r.status === 'replied_on_platform') return <span class="muted status">replied on platform</span>;
  return (
    <form
      class="inline row-status"
      method="post"
      action={`/conversations/${r.pairId}/status`}
      hx-post={`/conversations/${r.pairId}/status`}
      hx-trigger="change"
      hx-swap="none"
    >
      <Csrf token={props.csrf} />
      <select name="status" aria-label="Status">
        {(['open', 'pending', 'follow_up', 'processed'] as const).map((s) => (
          <option value={s} selected={r.status === s}>
            {STATUS_LABELS[s].replace(' (waiting on buyer)', '')}
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit">Set</button>
      </noscript>
    </form>
  );
}

export function InboxRows(props: { rows: readonly InboxRow[]; now: number; rowTags: ReadonlyMap<number, readonly Tag[]>; csrf: string }) {
  return (
    <>
      {props.rows.map((r) => (
        <tr class={r.unread > 0 ? 'unread' : ''} data-href={`/conversations/${r.pairId}`} data-pair-id={String(r.pairId)} data-message-id={String(r.id)}>
          <td class="pick">
            <input type="checkbox" name="ids" value={String(r.pairId)} form="bulk" aria-label="Select" />
          </td>
          <td class="who">
            {r.unread > 1 ? <span class="badge count">{r.unread}</span> : null}
            <span class="buyer">{r.buyerName || r.alias}</span> <span class="muted small">· {r.storeName}</span>{' '}
            <UndeliverableBadge since={r.undeliverableAt} />
          </td>
          <td class="what">
            {r.files ? (
              <span class="clip" title="Has attachments" aria-label="Has attachments">
                <PaperClip />
              </span>
            ) : null}
            {r.direction === 'store_to_buyer' ? <span class="muted">You: </span> : null}
            <a href={`/conversations/${r.pairId}`}>{r.subject || '(no subject)'}</a>
            {r.suspicious ? <span class="badge bad">suspicious</span> : null}{' '}
            {(props.rowTags.get(r.pairId) ?? []).map((t) => (
              <TagChip tag={t} />
            ))}
            <span class="snippet"> {r.snippet}</span>
          </td>
          <td class="wide">{r.category ? (CATEGORY_LABELS[r.category] ?? r.category) : ''}</td>
          <td class="wide">{r.assignee ?? <span class="muted">—</span>}</td>
          <td class="state">
            <RowStatus row={r} csrf={props.csrf} />
          </td>
          <td class="when muted">
            {time(r.receivedAt, props.now)} <Due row={r} now={props.now} />
            {r.snoozedUntil && r.snoozedUntil > props.now ? <span class="badge">snoozed</span> : null}
          </td>
        </tr>
      ))}
    </>
  );
}

function Sidebar(props: InboxProps) {
  const f = props.filter;
  const total = props.stores.reduce((n, s) => n + s.unread, 0);
  return (
    <aside class="side" id="side">
      <h3>Conversations</h3>
      {(
        [
          ['', 'All'],
          ['mine', 'Mine'],
          ['none', 'Unassigned'],
        ] as const
      ).map(([o, label]) => (
        <a href={inboxHref(f, { owner: o, snoozed: false })} class={f.owner === o && !f.snoozed ? 'on' : ''} data-owner={o || 'all'}>
          {label}
        </a>
      ))}
      <a href={inboxHref(f, { snoozed: true })} class={f.snoozed ? 'on' : ''} data-snoozed="1">
        Snoozed
      </a>
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
      <h3>Status</h3>
      <a href={inboxHref(f, { status: undefined })} class={f.status ? '' : 'on'}>
        Any status
      </a>
      {(Object.keys(STATUS_LABELS) as ConversationStatus[]).map((st) => (
        <a href={inboxHref(f, { status: st })} class={f.status === st ? 'on' : ''} data-status={st}>
          {STATUS_LABELS[st]}
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
    </aside>
  );
}

/** The bulk bar, inside #results: it always carries the filter the rows were read with. */
function BulkBar(props: InboxProps) {
  const f = props.filter;
  const known = props.matching;
  return (
    // The typed part of the filter the rows were read with: a click on "all matching" while the
    // search bar says something else (typed, or its rows still on their way) acts on nothing
    // (inbox.js asks for the rows of the bar first).
    <form
      id="bulk"
      class="filters bulk"
      method="post"
      action="/inbox/bulk"
      data-q={f.q}
      data-since={f.since}
      data-from={f.from}
      data-to={f.to}
      data-unread={f.unread ? '1' : ''}
    >
      <Csrf token={props.csrf} />
      <input type="hidden" name="filter" value={inboxQuery(f)} />
      {known !== null ? <input type="hidden" name="expect" value={String(known)} /> : null}
      <button type="button" class="plain select-all" aria-label="Select all on this page">
        Select all
      </button>
      <select name="action" aria-label="Bulk action">
        <optgroup label="Status">
          <option value="status:processed">Mark processed</option>
          <option value="status:follow_up">Mark to follow up</option>
          <option value="status:open">Mark open</option>
          <option value="status:pending">Mark pending</option>
          <option value="status:replied_on_platform">Mark replied on platform (final)</option>
        </optgroup>
        <optgroup label="Read">
          <option value="read">Mark read</option>
          <option value="unread">Mark unread</option>
        </optgroup>
        <optgroup label="Assign">
          <option value="assign:me">Assign to me</option>
          <option value="assign:none">Unassign</option>
          {props.users.map((u) => (
            <option value={`assign:${u.id}`}>Assign to {u.name}</option>
          ))}
        </optgroup>
        {props.tags.length ? (
          <optgroup label="Tags">
            {props.tags.map((t) => (
              <option value={`tag:add:${t.id}`}>Add tag “{t.name}”</option>
            ))}
            {props.tags.map((t) => (
              <option value={`tag:remove:${t.id}`}>Remove tag “{t.name}”</option>
            ))}
          </optgroup>
        ) : null}
        <optgroup label="Category">
          {CATEGORIES.filter((c) => c !== 'sent').map((c) => (
            <option value={`category:${c}`}>Set category {CATEGORY_LABELS[c]}</option>
          ))}
        </optgroup>
      </select>
      <button type="submit" name="scope" value="selected" class="plain">
        Apply to selected
      </button>
      <button type="submit" name="scope" value="matching" class="plain">
        {known !== null ? `Apply to all ${known} matching this filter` : 'Apply to everything matching this filter (50+)'}
      </button>
    </form>
  );
}

export function InboxPage(props: InboxProps) {
  const total = props.stores.reduce((n, s) => n + s.unread, 0);
  const f = props.filter;
  return (
    <Layout title="Inbox" user={props.user} csrf={props.csrf} unread={total}>
      <main class="inbox">
        <Sidebar {...props} />
        <section class="content">
          <form
            class="filters"
            id="filter"
            method="get"
            action="/inbox"
            hx-get="/inbox"
            hx-target="#results"
            hx-select="#results"
            hx-select-oob="#side"
            hx-swap="outerHTML"
            hx-push-url="true"
            hx-trigger="submit, change"
            hx-sync="this:replace"
          >
            <button type="button" class="plain show-filters" aria-controls="side" aria-expanded="false">
              Filters
            </button>
            {f.store ? <input type="hidden" name="store" value={String(f.store)} /> : null}
            {f.view !== 'in' ? <input type="hidden" name="view" value={f.view} /> : null}
            {f.owner ? <input type="hidden" name="owner" value={f.owner} /> : null}
            {f.snoozed ? <input type="hidden" name="snoozed" value="1" /> : null}
            {f.status ? <input type="hidden" name="status" value={f.status} /> : null}
            {f.category ? <input type="hidden" name="category" value={f.category} /> : null}
            {f.sort === 'due' ? <input type="hidden" name="sort" value="due" /> : null}
            {f.tag ? <input type="hidden" name="tag" value={String(f.tag)} /> : null}
            <input type="search" name="q" value={f.q} placeholder="Search subject, text, buyer, alias, order number" aria-label="Search" />
            <span class="more">
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
            </span>
            <button type="submit">Filter</button>
          </form>
          <div id="results" data-poll-ms={String(props.pollMs)}>
            <BulkBar {...props} />
            {props.notice ? (
              <p class="notice" role="status">
                {props.notice}
              </p>
            ) : null}
            {props.rows.length === 0 && props.stores.length === 0 ? (
              props.user.role === 'owner' ? (
                <p class="muted">
                  No store yet: add one under <a href="/stores">Stores &amp; permissions</a>, then create an order (API or{' '}
                  <a href="/orders/import">Import orders</a>) to give its buyer an alias.
                </p>
              ) : (
                <p class="muted">No store has been given to you yet: ask the owner to add you to one.</p>
              )
            ) : props.rows.length === 0 ? (
              <p class="muted">No conversations match.</p>
            ) : (
              <table class="list conversations">
                <thead>
                  <tr>
                    <th class="pick"></th>
                    <th class="who">Buyer · store</th>
                    <th class="what">Latest message</th>
                    <th class="wide">Category</th>
                    <th class="wide">Assigned</th>
                    <th class="state">Status</th>
                    <th class="when">Time ({displayZone()}) / due</th>
                  </tr>
                </thead>
                <tbody>
                  <InboxRows rows={props.rows} now={props.now} rowTags={props.rowTags} csrf={props.csrf} />
                </tbody>
              </table>
            )}
            {props.next ? <a href={inboxHref(f, { before: props.next })}>Older →</a> : null}
          </div>
        </section>
      </main>
      <script src="/assets/inbox.js" defer></script>
    </Layout>
  );
}

/** Asks before a bulk action: what it does, to how many conversations, chosen how. */
export function BulkConfirmPage(props: {
  user: { name: string; role: string };
  csrf: string;
  action: string;
  actionLabel: string;
  count: number;
  scope: 'selected' | 'matching';
  filter: string;
  filterText: string;
  ids: readonly number[];
  changed: boolean;
  final: boolean;
}) {
  const back = props.filter ? `/inbox?${props.filter}` : '/inbox';
  return (
    <Layout title="Confirm" user={props.user} csrf={props.csrf}>
      <main>
        <section class="content confirm">
          <h2>
            {props.actionLabel}: {props.count} conversation(s)?
          </h2>
          {props.changed ? <p class="warn">The number of conversations matching changed since the page was shown.</p> : null}
          <p>
            {props.scope === 'matching' ? (
              <>
                Every conversation matching <b>{props.filterText}</b>.
              </>
            ) : (
              <>The {props.count} selected conversation(s).</>
            )}
          </p>
          {props.final ? <p class="warn">This mark is final: it cannot be changed back by hand (a new buyer message reopens the conversation).</p> : null}
          <form method="post" action="/inbox/bulk" class="inline">
            <Csrf token={props.csrf} />
            <input type="hidden" name="action" value={props.action} />
            <input type="hidden" name="scope" value={props.scope} />
            <input type="hidden" name="filter" value={props.filter} />
            <input type="hidden" name="expect" value={String(props.count)} />
            <input type="hidden" name="confirm" value="1" />
            {props.scope === 'selected' ? props.ids.map((id) => <input type="hidden" name="ids" value={String(id)} />) : null}
            <button type="submit">
              Yes, {props.actionLabel.toLowerCase()} ({props.count})
            </button>{' '}
            <a href={back}>Cancel</a>
          </form>
        </section>
      </main>
    </Layout>
  );
}

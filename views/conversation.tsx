// One conversation: the pair's whole history, both directions, with delivery status and what the
// filters changed; HTML bodies in a sandboxed iframe; the reply box.
import { CATEGORIES, CATEGORY_LABELS } from '../src/core/categorize.js';
import type { ConversationMessage, PairHeader } from '../src/store/inbox.js';
import type { Note } from '../src/store/notes.js';
import { MAX_TAGS_PER_MESSAGE, type Tag } from '../src/store/tags.js';
import { TagChip } from './tags.js';
import { Csrf, Layout } from './layout.js';
import { formatTime } from './time-format.js';

export interface ShownMessage extends ConversationMessage {
  readonly text: string;
  readonly hasHtml: boolean;
  readonly tags: readonly Tag[];
  readonly reported: boolean;
}

export interface OrderView {
  readonly number: string;
  readonly status: string;
  readonly items: string;
  readonly amount: string;
  readonly placed: string;
  readonly completed: string | null;
}

export interface ConversationProps {
  readonly user: { name: string; role: string };
  readonly csrf: string;
  readonly pair: PairHeader;
  readonly messages: readonly ShownMessage[];
  readonly reply: { subject: string; formKey: string };
  readonly orders: readonly OrderView[];
  readonly templates: readonly { id: number; name: string }[];
  readonly notes: readonly Note[];
  readonly allTags: readonly Tag[];
  readonly others: readonly { pairId: number; storeName: string }[];
}

export function Notes(props: { pairId: number; csrf: string; notes: readonly Note[] }) {
  return (
    <div id="notes">
      <ul class="notes">
        {props.notes.map((n) => (
          <li>
            <b>{n.author}</b> <span class="muted">{time(n.createdAt)}</span>
            <div>{n.body}</div>
          </li>
        ))}
      </ul>
      <form
        method="post"
        action={`/conversations/${props.pairId}/notes`}
        hx-post={`/conversations/${props.pairId}/notes`}
        hx-target="#notes"
        hx-swap="outerHTML"
      >
        <Csrf token={props.csrf} />
        <textarea name="body" required maxlength={5000} rows={2} aria-label="Internal note" placeholder="Internal note (never sent)"></textarea>
        <button type="submit" class="plain">
          Add note
        </button>
      </form>
    </div>
  );
}

function time(ms: number): string {
  return formatTime(ms);
}

const DELIVERY: Record<string, string> = {
  queued: 'queued',
  deferred: 'deferred (will retry)',
  sent: 'sent',
  captured: 'captured (no smarthost)',
  failed: 'failed',
  none: '—',
};

const MARKS: [string, string][] = [
  ['processed', 'Processed'],
  ['follow_up', 'To follow up'],
  ['pending', 'Pending'],
  ['replied_on_platform', 'Replied on platform'],
];

function Marks(props: { m: ShownMessage; csrf: string }) {
  if (props.m.status === 'replied_on_platform') return null; // final
  return (
    <form
      class="marks"
      method="post"
      action={`/messages/${props.m.id}/status`}
      hx-post={`/messages/${props.m.id}/status`}
      hx-target={`#m${props.m.id}`}
      hx-swap="outerHTML"
    >
      <Csrf token={props.csrf} />
      {MARKS.filter(([s]) => s !== props.m.status).map(([s, label]) => (
        <button type="submit" name="status" value={s} class="plain">
          {label}
        </button>
      ))}
    </form>
  );
}

function TagControls(props: { m: ShownMessage; csrf: string; allTags: readonly Tag[] }) {
  const m = props.m;
  const target = `#m${m.id}`;
  const addable = props.allTags.filter((t) => !m.tags.some((x) => x.id === t.id));
  return (
    <span class="tags">
      {m.tags.map((t) => (
        <TagChip tag={t} csrf={props.csrf} removeAction={`/messages/${m.id}/tags/${t.id}/remove`} target={target} />
      ))}
      {/* The add control disappears at the limit. */}
      {m.tags.length < MAX_TAGS_PER_MESSAGE && addable.length ? (
        <form
          class="inline add-tag"
          method="post"
          action={`/messages/${m.id}/tags`}
          hx-post={`/messages/${m.id}/tags`}
          hx-target={target}
          hx-swap="outerHTML"
          hx-trigger="change"
        >
          <Csrf token={props.csrf} />
          <select name="tagId" aria-label="Add a tag">
            <option value="">+ tag</option>
            {addable.map((t) => (
              <option value={String(t.id)}>{t.name}</option>
            ))}
          </select>
          <noscript>
            <button type="submit">Add</button>
          </noscript>
        </form>
      ) : null}
    </span>
  );
}

export function MessageCard(props: { m: ShownMessage; pair: PairHeader; csrf: string; allTags: readonly Tag[] }) {
  const m = props.m;
  const who = m.direction === 'buyer_to_store' ? props.pair.buyerName || 'Buyer' : `${props.pair.storeName} (${m.source === 'web' ? 'admin' : m.authorEmail})`;
  return (
    <article class={`message ${m.direction}`} id={`m${m.id}`} data-message-id={String(m.id)}>
      <div>
        <b>{who}</b> <span class="muted">{time(m.receivedAt)} UTC</span> ·{' '}
        <span class={m.delivery === 'failed' ? 'badge bad' : 'badge'}>{DELIVERY[m.delivery] ?? m.delivery}</span>
        {m.lastError && m.delivery !== 'sent' ? <span class="muted"> {m.lastError}</span> : null}
        {m.suspicious ? <span class="badge bad">suspicious sender</span> : null}
        {m.critical ? <span class="badge">important</span> : null}
        <span class="muted status"> · {m.status.replace(/_/g, ' ')}</span>
        {m.reported ? <span class="badge bad">reported</span> : null} <TagControls m={m} csrf={props.csrf} allTags={props.allTags} />
      </div>
      {m.direction === 'buyer_to_store' ? (
        <div class="filters">
          <Marks m={m} csrf={props.csrf} />
          <form
            method="post"
            action={`/messages/${m.id}/category`}
            hx-post={`/messages/${m.id}/category`}
            hx-target={`#m${m.id}`}
            hx-swap="outerHTML"
            hx-trigger="change"
          >
            <Csrf token={props.csrf} />
            <select name="category" aria-label="Category">
              {CATEGORIES.filter((cat) => cat !== 'sent').map((cat) => (
                <option value={cat} selected={m.category === cat}>
                  {CATEGORY_LABELS[cat]}
                </option>
              ))}
            </select>
            <noscript>
              <button type="submit">Set</button>
            </noscript>
          </form>
        </div>
      ) : null}
      <div>
        <b>{m.subject}</b>
      </div>
      <pre class="body">{m.text}</pre>
      {m.hasHtml ? (
        <details>
          <summary>Formatted version</summary>
          <iframe sandbox="" referrerpolicy="no-referrer" src={`/messages/${m.id}/body`} title="Formatted message" loading="lazy"></iframe>
        </details>
      ) : null}
      {!m.reported ? (
        <details class="report">
          <summary>Report this message</summary>
          <form
            method="post"
            action={`/messages/${m.id}/report`}
            hx-post={`/messages/${m.id}/report`}
            hx-target={`#m${m.id}`}
            hx-swap="outerHTML"
            class="inline"
          >
            <Csrf token={props.csrf} />
            <input name="reason" required maxlength={500} placeholder="Why should the owner look at it?" aria-label="Reason" />
            <button type="submit" class="plain">
              Report
            </button>
          </form>
        </details>
      ) : null}
      {m.changes.length ? (
        <details>
          <summary>{m.changes.length} change(s) by the filters</summary>
          <ul>
            {m.changes.map((c) => (
              <li>{JSON.stringify(c)}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </article>
  );
}

export function ReplyResult(props: { error?: string | undefined; sent?: boolean }) {
  if (props.error)
    return (
      <p class="error" role="alert">
        Not sent: {props.error}
      </p>
    );
  return props.sent ? (
    <p class="notice" role="status">
      Sent.
    </p>
  ) : null;
}

export function DraftWarnings(props: { warnings: readonly string[] }) {
  return (
    <div id="draft-warnings" aria-live="polite">
      {props.warnings.map((w) => (
        <p class="warn">{w}</p>
      ))}
    </div>
  );
}

export function ReplyForm(props: {
  pairId: number;
  csrf: string;
  subject: string;
  formKey: string;
  error?: string | undefined;
  sent?: boolean;
  text?: string;
  templates?: readonly { id: number; name: string }[];
  warning?: string | undefined;
}) {
  return (
    <form
      class="reply"
      id="reply"
      method="post"
      action={`/conversations/${props.pairId}/reply`}
      hx-post={`/conversations/${props.pairId}/reply`}
      hx-target="#reply"
      hx-swap="outerHTML"
      hx-disabled-elt="find button"
      enctype="multipart/form-data"
      hx-encoding="multipart/form-data"
    >
      <Csrf token={props.csrf} />
      <input type="hidden" name="key" value={props.formKey} />
      <ReplyResult error={props.error} sent={props.sent ?? false} />
      {props.warning ? <p class="warn">{props.warning}</p> : null}
      {props.templates?.length ? (
        <label>
          Template{' '}
          <select
            name="template"
            hx-get={`/conversations/${props.pairId}/reply-form`}
            hx-target="#reply"
            hx-swap="outerHTML"
            hx-trigger="change"
            hx-include="this"
            aria-label="Template"
          >
            <option value="">—</option>
            {props.templates.map((t) => (
              <option value={String(t.id)}>{t.name}</option>
            ))}
          </select>
        </label>
      ) : null}
      <label>
        Subject
        <input name="subject" value={props.subject} required maxlength={998} />
      </label>
      <textarea
        name="text"
        required
        aria-label="Reply"
        placeholder="Write your reply (r)"
        hx-post={`/conversations/${props.pairId}/check`}
        hx-trigger="load, input changed delay:400ms"
        hx-target="#draft-warnings"
        hx-swap="outerHTML"
        hx-include="closest form"
      >
        {props.text ?? ''}
      </textarea>
      <DraftWarnings warnings={[]} />
      <label class="muted">
        Attachments (text, PDF, Word, JPEG, GIF, PNG; at most 10 MB each){' '}
        <input
          type="file"
          name="attachments"
          multiple
          accept=".txt,.pdf,.doc,.docx,.jpg,.jpeg,.gif,.png,text/plain,application/pdf,image/jpeg,image/gif,image/png"
        />
      </label>
      <button type="submit" name="after" value="">
        Send
      </button>{' '}
      <button type="submit" name="after" value="processed" class="plain">
        Send and mark processed
      </button>
    </form>
  );
}

export function ConversationPage(props: ConversationProps) {
  const p = props.pair;
  return (
    <Layout title={`${p.buyerName || p.alias} · ${p.storeName}`} user={props.user} csrf={props.csrf}>
      <main>
        <aside class="side">
          <h3>Buyer</h3>
          <div>
            {p.buyerName || '(no name)'} <span class="badge">{p.buyerKind}</span>
          </div>
          <div class="muted">alias {p.alias}</div>
          {p.optedOut ? <div class="badge bad">opted out</div> : <div class="muted">receives messages</div>}
          {props.others.length ? (
            <div class="others">
              Also writes to:{' '}
              {props.others.map((o) => (
                <a href={`/conversations/${o.pairId}`}>{o.storeName} </a>
              ))}
            </div>
          ) : null}
          <h3>Orders</h3>
          {props.orders.length ? (
            <ul class="orders">
              {props.orders.map((o) => (
                <li>
                  <b class="order-number">{o.number}</b>{' '}
                  <button type="button" class="plain copy" data-copy={o.number} title="Copy the order number">
                    copy
                  </button>
                  <div>{o.items}</div>
                  <div class="muted">
                    {o.amount} · {o.status} · ordered {o.placed}
                    {o.completed ? ` · completed ${o.completed}` : ''}
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <div class="muted">No orders (a visitor).</div>
          )}
          <h3>Notes</h3>
          <Notes pairId={p.pairId} csrf={props.csrf} notes={props.notes} />
          <h3>Store</h3>
          <div>{p.storeName}</div>
          <p>
            <a href="/inbox">← Inbox</a>
          </p>
        </aside>
        <section class="content">
          <div id="thread">
            {props.messages.map((m) => (
              <MessageCard m={m} pair={p} csrf={props.csrf} allTags={props.allTags} />
            ))}
          </div>
          <details open class="reply-box">
            <summary>Reply</summary>
            <ReplyForm pairId={p.pairId} csrf={props.csrf} subject={props.reply.subject} formKey={props.reply.formKey} templates={props.templates} />
          </details>
        </section>
      </main>
    </Layout>
  );
}

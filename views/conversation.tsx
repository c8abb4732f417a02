// One conversation: the pair's whole history, both directions, with delivery status, files and what
// the filters changed; the newest cards open and older ones a line each (opened on demand); HTML
// bodies in a sandboxed iframe; status, assignee and snooze; who else is here; the reply box.
import { CATEGORIES, CATEGORY_LABELS } from '../src/core/categorize.js';
import { describeChange } from '../src/core/change-words.js';
import type { ConversationState } from '../src/store/conversations.js';
import type { ConversationMessage, ConversationStatus, PairHeader } from '../src/store/inbox.js';
import type { Note } from '../src/store/notes.js';
import { MAX_TAGS_PER_MESSAGE, type Tag } from '../src/store/tags.js';
import { TagChip } from './tags.js';
import { Csrf, Layout } from './layout.js';
import { ResponseClockBox } from './response-clock.js';
import { displayZone, formatTime } from './time-format.js';
import { PaperClip } from './icons.js';
import { UndeliverableNotice } from './undeliverable.js';

export interface ShownFile {
  /** Its place among the delivered copy's attachments (the download URL's last part). */
  readonly index: number;
  readonly name: string;
  readonly type: string;
  /** Bytes. */
  readonly size: number;
}

export interface ShownMessage extends ConversationMessage {
  readonly text: string;
  readonly hasHtml: boolean;
  readonly tags: readonly Tag[];
  readonly reported: boolean;
  /** false: an older message shown as one line until opened (text is the snippet, files unknown). */
  readonly open: boolean;
  readonly files: readonly ShownFile[];
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
  readonly reply: ReplyFormProps;
  /** The reply box holds a draft kept from before. */
  readonly draftRestored: boolean;
  /** A reply was just sent. */
  readonly sent: boolean;
  readonly state: ConversationState | null;
  readonly users: readonly { id: number; name: string }[];
  /** "Alex is viewing", "Sam is replying". */
  readonly viewers: readonly string[];
  readonly pollMs: number;
  readonly orders: readonly OrderView[];
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

/** Delivery states that still change by themselves (OutboxStatus in src/store/outbox.ts); sent, captured and failed are final. */
const PENDING_DELIVERY: ReadonlySet<string> = new Set(['queued', 'deferred']);
/** A pending badge asks again after 2 s, then 5 s, then every 15 s … */
export const DELIVERY_RECHECK_MS: readonly number[] = [2000, 5000, 15_000];
/** … DELIVERY_RECHECKS times in all (about five minutes); after that a reload shows the state. */
export const DELIVERY_RECHECKS = 22;

/**
 * A message's delivery state. While it is pending the badge loads itself again
 * (GET /messages/:id/delivery, htmx `load delay`), backing off; a final state, or the last
 * recheck, comes back without the trigger, so the asking stops.
 */
export function DeliveryBadge(props: { id: number; delivery: string; lastError: string | null; step?: number }) {
  const step = props.step ?? 0;
  const delay = DELIVERY_RECHECK_MS[Math.min(step, DELIVERY_RECHECK_MS.length - 1)] as number;
  const again =
    PENDING_DELIVERY.has(props.delivery) && step < DELIVERY_RECHECKS
      ? { 'hx-get': `/messages/${props.id}/delivery?step=${step + 1}`, 'hx-trigger': `load delay:${delay}ms`, 'hx-swap': 'outerHTML' }
      : {};
  return (
    <span class="delivery" id={`delivery-${props.id}`} data-delivery={props.delivery} {...again}>
      <span class={props.delivery === 'failed' ? 'badge bad' : 'badge'}>{DELIVERY[props.delivery] ?? props.delivery}</span>
      {props.lastError && props.delivery !== 'sent' ? <span class="muted"> {props.lastError}</span> : null}
    </span>
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

function size(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/** The files the delivered copy carries, each a download. */
function Files(props: { m: ShownMessage }) {
  if (props.m.files.length === 0) return null;
  return (
    <ul class="files" aria-label="Attachments">
      {props.m.files.map((f) => (
        <li>
          <PaperClip />{' '}
          <a href={`/messages/${props.m.id}/files/${f.index}`} download={f.name}>
            {f.name}
          </a>{' '}
          <span class="muted">
            {f.type} · {size(f.size)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** An older message as one line; opening it loads the whole card in its place. */
function ClosedCard(props: { m: ShownMessage; pair: PairHeader }) {
  const m = props.m;
  const who = m.direction === 'buyer_to_store' ? props.pair.buyerName || 'Buyer' : props.pair.storeName;
  return (
    <details
      class={`message closed ${m.direction}`}
      id={`m${m.id}`}
      data-message-id={String(m.id)}
      hx-get={`/messages/${m.id}/card`}
      hx-trigger="toggle once"
      hx-swap="outerHTML"
    >
      <summary>
        <b>{who}</b> <span class="muted">{time(m.receivedAt)}</span> {m.subject} <span class="snippet">{m.text}</span>
      </summary>
    </details>
  );
}

export function MessageCard(props: { m: ShownMessage; pair: PairHeader; csrf: string; allTags: readonly Tag[] }) {
  const m = props.m;
  if (!m.open) return <ClosedCard m={m} pair={props.pair} />;
  const who = m.direction === 'buyer_to_store' ? props.pair.buyerName || 'Buyer' : `${props.pair.storeName} (${m.source === 'web' ? 'admin' : m.authorEmail})`;
  return (
    <article class={`message ${m.direction}`} id={`m${m.id}`} data-message-id={String(m.id)}>
      <div>
        <b>{who}</b>{' '}
        <span class="muted">
          {time(m.receivedAt)} {displayZone()}
        </span>{' '}
        · <DeliveryBadge id={m.id} delivery={m.delivery} lastError={m.lastError} />
        {m.suspicious ? <span class="badge bad">suspicious sender</span> : null}
        {m.critical ? <span class="badge">important</span> : null}
        {m.reported ? <span class="badge bad">reported</span> : null} <TagControls m={m} csrf={props.csrf} allTags={props.allTags} />
      </div>
      {m.direction === 'buyer_to_store' ? (
        <div class="filters">
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
      <div class="subject">
        <b>{m.subject}</b>
      </div>
      <pre class="body">{m.text}</pre>
      <Files m={m} />
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
              <li>{describeChange(c)}</li>
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

export interface ReplyFormProps {
  pairId: number;
  csrf: string;
  subject: string;
  formKey: string;
  error?: string | undefined;
  sent?: boolean;
  text?: string;
  templates?: readonly { id: number; name: string }[];
  templateId?: number | undefined;
  /** The buyer's orders, newest first, and the one the template values come from. */
  orders?: readonly { number: string; label: string }[];
  orderNumber?: string | null;
  /** The newest message id when the box was shown: a reply on top of a newer one asks first. */
  seen: number;
  /** Set when a newer message came in: says so and offers to send anyway. */
  newer?: string | undefined;
  sendAnyway?: boolean;
  warning?: string | undefined;
  /** The text a template filled in: a later template or order replaces edits of it only after asking. */
  filled?: string | undefined;
}

export function ReplyForm(props: ReplyFormProps) {
  const refill = {
    'hx-post': `/conversations/${props.pairId}/reply-form`,
    'hx-target': '#reply',
    'hx-swap': 'outerHTML',
    'hx-trigger': 'change',
    'hx-include': 'closest form',
  };
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
      // The send disables the form's buttons; the template, order and draft requests of its fields
      // must not inherit that ("find button" inside a select finds nothing: an htmx error each time).
      hx-disinherit="hx-disabled-elt"
      enctype="multipart/form-data"
      hx-encoding="multipart/form-data"
    >
      <Csrf token={props.csrf} />
      <input type="hidden" name="key" value={props.formKey} />
      <input type="hidden" name="seen" value={String(props.seen)} />
      {props.sendAnyway ? <input type="hidden" name="send_anyway" value="1" /> : null}
      <ReplyResult error={props.error} sent={props.sent ?? false} />
      {props.newer ? (
        <p class="warn newer" role="alert">
          {props.newer}
        </p>
      ) : null}
      {props.warning ? <p class="warn">{props.warning}</p> : null}
      <div class="reply-choices">
        {props.templates?.length ? (
          <label>
            Template{' '}
            <select name="template" aria-label="Template" {...refill}>
              <option value="">—</option>
              {props.templates.map((t) => (
                <option value={String(t.id)} selected={props.templateId === t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {props.orders?.length ? (
          <label>
            Order{' '}
            <select name="order" aria-label="Order" {...refill}>
              {props.orders.map((o) => (
                <option value={o.number} selected={props.orderNumber === o.number}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
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
        data-filled={props.filled ?? ''}
      >
        {props.text ?? ''}
      </textarea>
      <DraftWarnings warnings={[]} />
      <label class="muted">
        Attachments (text, PDF, Word, JPEG, GIF, PNG; at most 10 MB each){' '}
        {/* The files chosen stay chosen when the box is drawn again (a template, another order, a
            refusal, a newer message): htmx keeps this element across the swap. A sent reply
            reloads the page. */}
        <input
          type="file"
          id="reply-files"
          hx-preserve={props.sent ? undefined : 'true'}
          name="attachments"
          multiple
          accept=".txt,.pdf,.doc,.docx,.jpg,.jpeg,.gif,.png,text/plain,application/pdf,image/jpeg,image/gif,image/png"
        />
      </label>
      <button type="submit" name="after" value="">
        {props.sendAnyway ? 'Send anyway' : 'Send'}
      </button>{' '}
      <button type="submit" name="after" value="processed" class="plain">
        {props.sendAnyway ? 'Send anyway and mark processed' : 'Send and mark processed'}
      </button>
    </form>
  );
}

/**
 * Shown = read: posts the last message shown (`seen`, a message id) when a person can see the page.
 * views/assets/app.js fires it (the `shown` event) once the tab is visible: at once, or when the tab
 * is next looked at. `oob` swaps it in for the page's earlier one (the live refresh brought more).
 */
export function MarkRead(props: { pairId: number; seen: number; oob?: boolean }) {
  return (
    <div
      id="mark-read"
      data-mark-read
      hx-post={`/conversations/${props.pairId}/read`}
      hx-trigger="shown"
      hx-vals={JSON.stringify({ seen: props.seen })}
      hx-swap="none"
      hx-swap-oob={props.oob ? 'true' : undefined}
    ></div>
  );
}

/**
 * The live part of the page, polled: who else has the conversation open (and whether they are
 * replying), and the messages that came after the last one shown, appended to the thread; with
 * `markRead` (new buyer mail among them), a fresh MarkRead up to the last of them.
 */
export function Live(props: {
  pairId: number;
  after: number;
  viewers: readonly string[];
  pollMs: number;
  fresh: readonly ShownMessage[];
  markRead?: boolean;
  pair: PairHeader;
  csrf: string;
  allTags: readonly Tag[];
}) {
  return (
    <>
      <div
        id="live"
        class="live"
        aria-live="polite"
        hx-get={`/conversations/${props.pairId}/live?after=${props.after}`}
        hx-trigger={`every ${Math.round(props.pollMs / 1000)}s`}
        hx-swap="outerHTML"
      >
        {props.viewers.map((v) => (
          <span class="badge presence">{v}</span>
        ))}
      </div>
      {props.fresh.length ? (
        <div hx-swap-oob="beforeend:#thread">
          {props.fresh.map((m) => (
            <MessageCard m={m} pair={props.pair} csrf={props.csrf} allTags={props.allTags} />
          ))}
        </div>
      ) : null}
      {props.markRead ? <MarkRead pairId={props.pairId} seen={props.after} oob /> : null}
    </>
  );
}

export const CONVERSATION_STATUS_LABELS: Record<ConversationStatus, string> = {
  open: 'Open',
  pending: 'Pending',
  follow_up: 'To follow up',
  processed: 'Processed',
  replied_on_platform: 'Replied on platform',
};

/** Status, assignee and snooze of the conversation, at the top of the thread. */
function ConversationBar(props: ConversationProps) {
  const s = props.state;
  if (!s) return null;
  const id = props.pair.pairId;
  return (
    <div class="conv-bar">
      <form class="inline" method="post" action={`/conversations/${id}/status`}>
        <Csrf token={props.csrf} />
        <span class="muted">Status:</span> <b class="conv-status">{CONVERSATION_STATUS_LABELS[s.status]}</b>
        {s.status !== 'replied_on_platform'
          ? (['open', 'pending', 'follow_up', 'processed'] as const)
              .filter((x) => x !== s.status)
              .map((x) => (
                <button type="submit" name="status" value={x} class="plain">
                  {CONVERSATION_STATUS_LABELS[x]}
                </button>
              ))
          : null}
        {s.status !== 'replied_on_platform' ? (
          <button
            type="submit"
            name="status"
            value="replied_on_platform"
            class="plain"
            data-confirm="Mark replied on platform? This mark is final: it cannot be changed back by hand (a new buyer message reopens the conversation)."
          >
            Replied on platform…
          </button>
        ) : null}
      </form>
      <form class="inline" method="post" action={`/conversations/${id}/assign`}>
        <Csrf token={props.csrf} />
        <label>
          Assigned to{' '}
          <select name="user" aria-label="Assigned to" class="submit-on-change">
            <option value="" selected={s.assigneeId === null}>
              nobody
            </option>
            {props.users.map((u) => (
              <option value={String(u.id)} selected={s.assigneeId === u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <noscript>
          <button type="submit">Assign</button>
        </noscript>
      </form>
      <form class="inline" method="post" action={`/conversations/${id}/snooze`}>
        <Csrf token={props.csrf} />
        {s.snoozedUntil && s.snoozedUntil > Date.now() ? (
          <>
            <span class="badge">
              snoozed until {time(s.snoozedUntil)} {displayZone()}
            </span>
            <button type="submit" name="until" value="" class="plain">
              Wake now
            </button>
          </>
        ) : (
          <>
            <label>
              Snooze until <input type="datetime-local" name="until" required aria-label={`Snooze until (${displayZone()})`} />{' '}
              <span class="muted small">{displayZone()}</span>
            </label>
            <button type="submit" class="plain">
              Snooze
            </button>
          </>
        )}
      </form>
    </div>
  );
}

export function ConversationPage(props: ConversationProps) {
  const p = props.pair;
  const last = props.messages[props.messages.length - 1];
  return (
    <Layout title={`${p.buyerName || p.alias} · ${p.storeName}`} user={props.user} csrf={props.csrf}>
      <main class="conversation" data-pair-id={String(p.pairId)}>
        <section class="content">
          <p class="back">
            <a href="/inbox">← Inbox</a> · <b>{p.buyerName || p.alias}</b> · {p.storeName}
          </p>
          <ConversationBar {...props} />
          <UndeliverableNotice pairId={p.pairId} since={p.undeliverableAt} reason={p.undeliverableReason} csrf={props.csrf} />
          {/* Shown = read: a POST once a person can see the page (reading never writes). */}
          {last ? <MarkRead pairId={p.pairId} seen={last.id} /> : <div id="mark-read"></div>}
          <Live
            pairId={p.pairId}
            after={last?.id ?? 0}
            viewers={props.viewers}
            pollMs={props.pollMs}
            fresh={[]}
            pair={p}
            csrf={props.csrf}
            allTags={props.allTags}
          />
          <div id="thread">
            {props.messages.map((m) => (
              <MessageCard m={m} pair={p} csrf={props.csrf} allTags={props.allTags} />
            ))}
          </div>
          <details open class="reply-box">
            <summary>Reply{props.draftRestored ? <span class="muted"> (your draft, kept)</span> : null}</summary>
            <ReplyForm {...props.reply} sent={props.sent} />
          </details>
        </section>
        <aside class="side">
          <h3>Buyer</h3>
          <div>
            {p.buyerName || '(no name)'} <span class="badge">{p.buyerKind}</span>
          </div>
          <div class="muted">alias {p.alias}</div>
          {p.optedOut ? (
            <div class="badge bad">opted out</div>
          ) : p.undeliverableAt !== null ? (
            <div class="badge bad">undeliverable</div>
          ) : (
            <div class="muted">receives messages</div>
          )}
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
          <ResponseClockBox pairId={p.pairId} />
        </aside>
      </main>
      <script src="/assets/inbox.js" defer></script>
    </Layout>
  );
}

// The owner's operational pages: the outbox (deliveries, retry now, captured mail shown safely)
// and the setup page: the DNS records to publish with whether they are live, and the doctor's checks.
import type { Check } from '../src/doctor.js';
import type { OutboxRow } from '../src/store/outbox.js';
import { Layout, PostButton } from './layout.js';
import { displayZone, formatTime } from './time-format.js';

interface Frame {
  user: { name: string; role: string };
  csrf: string;
}

const time = (ms: number | null) => formatTime(ms);

export interface OutboxView extends OutboxRow {
  /** Who it goes to, as staff may see it: a buyer is shown by alias, never by address. */
  readonly recipient: string;
}

export function OutboxPage(props: Frame & { rows: readonly OutboxView[]; status: string; notice?: string | undefined }) {
  const statuses = ['', 'queued', 'deferred', 'sent', 'captured', 'failed'];
  return (
    <Layout title="Outbox" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Outbox</h1>
        <p>
          {statuses.map((s) => (
            <>
              <a href={s ? `/outbox?status=${s}` : '/outbox'} class={props.status === s ? 'badge' : ''}>
                {s || 'all'}
              </a>{' '}
            </>
          ))}
        </p>
        {props.notice ? (
          <p class="notice" role="status">
            {props.notice}
          </p>
        ) : null}
        <table class="list">
          <thead>
            <tr>
              <th>#</th>
              <th>Kind</th>
              <th>To</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Next try / done ({displayZone()})</th>
              <th>Last error</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr data-outbox={String(r.id)}>
                <td>
                  <a href={`/outbox/${r.id}`}>{r.id}</a>
                </td>
                <td>{r.kind}</td>
                <td>{r.recipient}</td>
                <td>
                  <span class={r.status === 'failed' ? 'badge bad' : r.status === 'sent' ? 'badge ok' : 'badge'}>{r.status}</span>
                </td>
                <td>{r.attempts}</td>
                <td>{r.status === 'queued' || r.status === 'deferred' ? time(r.nextAttemptAt) : time(r.doneAt)}</td>
                <td class="muted">{r.lastError ?? ''}</td>
                <td>
                  {r.status === 'deferred' || r.status === 'queued' ? (
                    <PostButton action={`/outbox/${r.id}/retry`} label="Retry now" csrf={props.csrf} />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

/** The doctor's checks, one line each: what is right and what to fix. */
export function DoctorResults(props: { checks: readonly Check[] }) {
  const failing = props.checks.filter((c) => c.result === 'fail').length;
  return (
    <>
      <p class={failing ? 'badge bad' : 'badge ok'} data-doctor-summary>
        {failing ? `${failing} check${failing === 1 ? '' : 's'} to fix` : 'Everything checks out'}
      </p>
      <table class="list" data-doctor>
        <tbody>
          {props.checks.map((c) => (
            <tr data-check={c.name} class={`check-${c.result}`}>
              <td>
                <span class={c.result === 'ok' ? 'badge ok' : 'badge bad'}>{MARK[c.result]}</span>
              </td>
              <td>{c.name}</td>
              <td>{c.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function OutboxItemPage(props: Frame & { row: OutboxView; text: string; hasHtml: boolean; source: string }) {
  return (
    <Layout title={`Outbox #${props.row.id}`} user={props.user} csrf={props.csrf}>
      <section class="content">
        <p>
          <a href="/outbox">← Outbox</a>
        </p>
        <h1>
          #{props.row.id} · {props.row.status} · to {props.row.recipient}
        </h1>
        <article class="message">
          <pre class="body">{props.text}</pre>
          {props.hasHtml ? <iframe sandbox="" referrerpolicy="no-referrer" src={`/outbox/${props.row.id}/body`} title="Formatted message"></iframe> : null}
        </article>
        <details>
          <summary>Source (buyer addresses shown as their alias)</summary>
          <pre class="body source">{props.source}</pre>
        </details>
      </section>
    </Layout>
  );
}

export interface DnsCheck {
  readonly type: string;
  readonly name: string;
  readonly value: string;
  readonly purpose: string;
  readonly live: 'yes' | 'no' | 'unknown';
  readonly found: string;
}

export function DnsPage(props: Frame & { checks: readonly DnsCheck[] }) {
  return (
    <Layout title="DNS and setup" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>DNS records to publish</h1>
        <table class="list">
          <thead>
            <tr>
              <th>Type</th>
              <th>Name</th>
              <th>Value</th>
              <th>Live?</th>
            </tr>
          </thead>
          <tbody>
            {props.checks.map((c) => (
              <tr data-record={`${c.type} ${c.name}`}>
                <td>{c.type}</td>
                <td>{c.name}</td>
                <td>
                  <code class="dns-value">{c.value}</code>
                  <div class="muted">{c.purpose}</div>
                </td>
                <td>
                  <span class={c.live === 'yes' ? 'badge ok' : 'badge bad'}>
                    {c.live === 'yes' ? 'live' : c.live === 'no' ? 'missing or different' : 'lookup failed'}
                  </span>
                  {c.found ? <div class="muted">found: {c.found}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Health check</h2>
        <p class="muted">
          The same checks as <code>maskgate doctor</code>, against the real DNS and the running config.
        </p>
        <div id="doctor" hx-get="/dns/doctor" hx-trigger="load" hx-swap="innerHTML">
          Running the checks…
        </div>
      </section>
    </Layout>
  );
}

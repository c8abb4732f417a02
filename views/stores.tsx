// Stores and messaging permissions: who may write to buyers as each store.
import type { Readiness } from '../src/dns/sender-readiness.js';
import type { CredentialRow } from '../src/store/credentials.js';
import type { PermittedSenderRow, StoreRow } from '../src/store/stores.js';
import { Csrf, Flash, Layout, PostButton } from './layout.js';
import { formatTime } from './time-format.js';

export function StoresPage(props: {
  user: { name: string; role: string };
  csrf: string;
  stores: readonly (StoreRow & { bound: boolean })[];
  domain: string;
  error?: string | undefined;
}) {
  return (
    <Layout title="Stores" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Stores</h1>
        <Flash error={props.error} />
        <table class="list">
          <thead>
            <tr>
              <th>Store</th>
              <th>Contact address</th>
              <th>Mailbox</th>
              <th>Bound</th>
            </tr>
          </thead>
          <tbody>
            {props.stores.map((s) => (
              <tr>
                <td>
                  <a href={`/stores/${s.id}`}>{s.name}</a>
                </td>
                <td>
                  {s.slug}@{props.domain}
                </td>
                <td>{s.mailbox}</td>
                <td>{s.bound ? <span class="badge ok">mail has arrived</span> : <span class="muted">no mail yet</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {props.user.role === 'owner' ? (
          <>
            <h2>New store</h2>
            <form method="post" action="/stores" class="filters">
              <Csrf token={props.csrf} />
              <input name="name" required maxlength={100} placeholder="Store name" aria-label="Store name" />
              <input name="slug" required pattern="[a-z0-9][a-z0-9-]{0,62}" placeholder="slug (contact address)" aria-label="Slug" />
              <input name="mailbox" type="email" required placeholder="support@store.example" aria-label="Mailbox" />
              <button type="submit">Add store</button>
            </form>
          </>
        ) : null}
      </section>
    </Layout>
  );
}

export function ReadinessCell(props: { r: Readiness }) {
  const r = props.r;
  const mark = (ok: boolean, label: string) => <span class={ok ? 'badge ok' : 'badge bad'}>{`${label} ${ok ? '✓' : '✗'}`}</span>;
  return (
    <span class="readiness" title={r.errors.length ? `lookups failed: ${r.errors.join('; ')}` : r.dkim.note}>
      {mark(r.spf.published, 'SPF')} {mark(r.dkim.selectorsFound.length > 0, 'DKIM')}{' '}
      {mark(r.dmarc.published, `DMARC${r.dmarc.policy ? ` p=${r.dmarc.policy}` : ''}`)}
    </span>
  );
}

export function Credentials(props: {
  senderId: number;
  csrf: string;
  creds: readonly CredentialRow[];
  shown?: { username: string; password: string } | undefined;
  enabled: boolean;
}) {
  const target = `#creds-${props.senderId}`;
  return (
    <div id={`creds-${props.senderId}`} class="creds">
      {props.shown ? (
        <p class="notice" role="status">
          App password for {props.shown.username} (shown only now): <code class="app-password">{props.shown.password}</code>
        </p>
      ) : null}
      {props.creds.map((c) => (
        <div>
          {c.label} <span class="muted">{c.revokedAt ? 'revoked' : c.lastUsedAt ? `last used ${formatTime(c.lastUsedAt, 'date')}` : 'never used'}</span>{' '}
          {c.revokedAt ? null : (
            <form
              method="post"
              action={`/credentials/${c.id}/revoke`}
              hx-post={`/credentials/${c.id}/revoke`}
              hx-target={target}
              hx-swap="outerHTML"
              class="inline"
            >
              <Csrf token={props.csrf} />
              <button type="submit" class="plain">
                Revoke
              </button>
            </form>
          )}
        </div>
      ))}
      {props.enabled ? (
        <form
          method="post"
          action={`/senders/${props.senderId}/credentials`}
          hx-post={`/senders/${props.senderId}/credentials`}
          hx-target={target}
          hx-swap="outerHTML"
          class="inline"
        >
          <Csrf token={props.csrf} />
          <input name="label" maxlength={80} placeholder="device, e.g. Outlook at the desk" aria-label="App password label" />
          <button type="submit" class="plain">
            Issue app password
          </button>
        </form>
      ) : null}
    </div>
  );
}

export function SenderRows(props: { senders: readonly PermittedSenderRow[]; csrf: string; creds: ReadonlyMap<number, readonly CredentialRow[]> }) {
  return (
    <tbody id="senders">
      {props.senders.map((p) => (
        <tr data-sender={p.email}>
          <td>
            {p.email}
            <div hx-get={`/senders/${p.id}/readiness`} hx-trigger="load" hx-swap="innerHTML" class="muted">
              checking DNS…
            </div>
          </td>
          <td>
            <span class={p.status === 'enabled' ? 'badge ok' : 'badge bad'}>{p.status}</span>
          </td>
          <td>
            <form method="post" action={`/senders/${p.id}/status`} hx-post={`/senders/${p.id}/status`} hx-target="#senders" hx-swap="outerHTML">
              <Csrf token={props.csrf} />
              <input type="hidden" name="status" value={p.status === 'enabled' ? 'blocked' : 'enabled'} />
              <button type="submit" class="plain">
                {p.status === 'enabled' ? 'Block' : 'Enable'}
              </button>
            </form>
            <PostButton action={`/senders/${p.id}/remove`} label="Remove" csrf={props.csrf} />
          </td>
          <td>
            <Credentials senderId={p.id} csrf={props.csrf} creds={props.creds.get(p.id) ?? []} enabled={p.status === 'enabled'} />
          </td>
        </tr>
      ))}
    </tbody>
  );
}

export function StorePage(props: {
  user: { name: string; role: string };
  csrf: string;
  store: StoreRow;
  senders: readonly PermittedSenderRow[];
  creds: ReadonlyMap<number, readonly CredentialRow[]>;
  error?: string | undefined;
  notice?: string | undefined;
  /** A mailbox change waiting for the new mailbox to confirm it. */
  pendingMailbox?: { readonly mailbox: string; readonly expiresAt: number } | null;
}) {
  return (
    <Layout title={props.store.name} user={props.user} csrf={props.csrf}>
      <section class="content">
        <p>
          <a href="/stores">← Stores</a>
        </p>
        <h1>{props.store.name}: messaging permissions</h1>
        <form method="post" action={`/stores/${props.store.id}`} class="filters">
          <Csrf token={props.csrf} />
          <input name="name" required maxlength={100} value={props.store.name} aria-label="Store name" />
          <input name="mailbox" type="email" required value={props.store.mailbox} aria-label="Mailbox" readonly={props.user.role !== 'owner'} />
          <button type="submit" class="plain">
            Save store
          </button>
        </form>
        {props.pendingMailbox ? (
          <p class="muted" data-pending-mailbox>
            Waiting for {props.pendingMailbox.mailbox} to confirm (link sent, valid until {formatTime(props.pendingMailbox.expiresAt)}); mail goes to{' '}
            {props.store.mailbox} until then.
          </p>
        ) : null}
        <p class="muted">Permitted senders may write to this store's buyers from their own mail client. Blocked ones are refused.</p>
        <Flash error={props.error} notice={props.notice} />
        <table class="list">
          <thead>
            <tr>
              <th>Sender (its domain's SPF, DKIM, DMARC)</th>
              <th>Status</th>
              <th></th>
              <th>Submission app passwords</th>
            </tr>
          </thead>
          <SenderRows senders={props.senders} csrf={props.csrf} creds={props.creds} />
        </table>
        <form method="post" action={`/stores/${props.store.id}/senders`} class="filters">
          <Csrf token={props.csrf} />
          <input type="email" name="email" required placeholder="staff@store.example" aria-label="New permitted sender" />
          <button type="submit">Add permitted sender</button>
        </form>
      </section>
    </Layout>
  );
}

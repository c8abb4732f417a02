// Stores and messaging permissions: who may write to buyers as each store, and the store's
// messaging rules.
import { SLUG_HTML_PATTERN } from '../src/core/alias-token.js';
import type { StorePolicy } from '../src/core/messaging-rules.js';
import { POLICY_LIMITS } from '../src/core/policy-limits.js';
import { readinessWords } from '../src/core/sender-readiness-words.js';
import type { Readiness } from '../src/dns/sender-readiness.js';
import type { CredentialRow } from '../src/store/credentials.js';
import type { PermittedSenderRow, StoreRow } from '../src/store/stores.js';
import type { StoreAction } from '../src/usecases/store-rights.js';
import { Csrf, Flash, Layout, PostButton } from './layout.js';
import { formatTime } from './time-format.js';

export function StoresPage(props: {
  user: { name: string; role: string };
  csrf: string;
  stores: readonly (StoreRow & { bound: boolean })[];
  domain: string;
  error?: string | undefined;
  /** What was typed into the new-store form, kept after a refusal. */
  typed?: { name: string; slug: string; mailbox: string } | undefined;
}) {
  const typed = props.typed ?? { name: '', slug: '', mailbox: '' };
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
              <input name="name" required maxlength={100} placeholder="Store name" aria-label="Store name" value={typed.name} />
              <input
                name="slug"
                required
                maxlength={32}
                pattern={SLUG_HTML_PATTERN}
                title="1–32 lowercase letters, digits or inner dashes"
                placeholder="slug (contact address)"
                aria-label="Slug"
                value={typed.slug}
              />
              <input name="mailbox" type="email" required placeholder="its support mailbox (real address)" aria-label="Mailbox" value={typed.mailbox} />
              <button type="submit">Add store</button>
            </form>
          </>
        ) : null}
      </section>
    </Layout>
  );
}

export function ReadinessCell(props: { r: Readiness; submissionOpen: boolean }) {
  const r = props.r;
  const mark = (ok: boolean, label: string) => <span class={ok ? 'badge ok' : 'badge bad'}>{`${label} ${ok ? '✓' : '✗'}`}</span>;
  const words = readinessWords(r, props.submissionOpen);
  return (
    <>
      <span class="readiness" title={r.errors.length ? `lookups failed: ${r.errors.join('; ')}` : r.dkim.note}>
        {mark(r.spf.published, 'SPF')} {mark(r.dkim.selectorsFound.length > 0, 'DKIM')}{' '}
        {mark(r.dmarc.published, `DMARC${r.dmarc.policy ? ` p=${r.dmarc.policy}` : ''}`)}
      </span>
      <p class={words.outlook === 'likely' ? 'readiness-words' : 'readiness-words error'} data-readiness={words.outlook}>
        {words.sentence}
      </p>
    </>
  );
}

/** Where a mail client sends with an app password; null when the submission port is off. */
export interface SubmissionServer {
  readonly host: string;
  readonly port: number;
  readonly implicitTlsPort: number | null;
}

function SubmissionHint(props: { server: SubmissionServer | null }) {
  const s = props.server;
  if (!s)
    return (
      <p class="error" data-submission-off>
        The submission port is off (no TLS certificate: set <code>tls.cert</code> and <code>tls.key</code>), so an app password cannot be used yet.
      </p>
    );
  return (
    <p class="muted" data-submission-server>
      In the mail client: server <code>{s.host}</code>, port <code>{s.port}</code> with STARTTLS
      {s.implicitTlsPort !== null ? (
        <>
          {' '}
          (or <code>{s.implicitTlsPort}</code> with SSL/TLS)
        </>
      ) : null}
      , user name = the sender's address, password = the app password.
    </p>
  );
}

export function Credentials(props: {
  senderId: number;
  csrf: string;
  creds: readonly CredentialRow[];
  shown?: { username: string; password: string } | undefined;
  enabled: boolean;
  /** The owner: may issue app passwords (anyone of the store may revoke one). */
  owner: boolean;
  server: SubmissionServer | null;
}) {
  const target = `#creds-${props.senderId}`;
  return (
    <div id={`creds-${props.senderId}`} class="creds">
      {props.shown ? (
        <p class="notice" role="status">
          App password for {props.shown.username} (shown only now): <code class="app-password">{props.shown.password}</code>
        </p>
      ) : null}
      {props.shown || (props.enabled && props.creds.some((c) => !c.revokedAt)) ? <SubmissionHint server={props.server} /> : null}
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
              <button type="submit" class="plain" data-confirm="Revoke this app password? The mail client that uses it can no longer send.">
                Revoke
              </button>
            </form>
          )}
        </div>
      ))}
      {props.enabled && props.owner ? (
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

export function SenderRows(props: {
  senders: readonly PermittedSenderRow[];
  csrf: string;
  creds: ReadonlyMap<number, readonly CredentialRow[]>;
  server: SubmissionServer | null;
  /** The owner: may enable a sender (anyone of the store may block or remove one). */
  owner: boolean;
}) {
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
            {p.status === 'enabled' || props.owner ? (
              <form method="post" action={`/senders/${p.id}/status`} hx-post={`/senders/${p.id}/status`} hx-target="#senders" hx-swap="outerHTML">
                <Csrf token={props.csrf} />
                <input type="hidden" name="status" value={p.status === 'enabled' ? 'blocked' : 'enabled'} />
                <button
                  type="submit"
                  class="plain"
                  data-confirm={p.status === 'enabled' ? 'Block this permitted sender? Its mail to buyers is refused until enabled again.' : undefined}
                >
                  {p.status === 'enabled' ? 'Block' : 'Enable'}
                </button>
              </form>
            ) : (
              <span class="muted" data-owner-only>
                the owner enables it again
              </span>
            )}
            <PostButton
              action={`/senders/${p.id}/remove`}
              label="Remove"
              csrf={props.csrf}
              confirm="Remove this permitted sender? Its mail to buyers is refused from then on."
            />
          </td>
          <td>
            <Credentials
              senderId={p.id}
              csrf={props.csrf}
              creds={props.creds.get(p.id) ?? []}
              enabled={p.status === 'enabled'}
              owner={props.owner}
              server={props.server}
            />
          </td>
        </tr>
      ))}
    </tbody>
  );
}

export function StorePage(props: {
  user: { name: string; role: string };
  csrf: string;
  /** What this user may change (usecases/store-rights.ts): a control they may not use is not shown. */
  may: ReadonlySet<StoreAction>;
  store: StoreRow;
  senders: readonly PermittedSenderRow[];
  creds: ReadonlyMap<number, readonly CredentialRow[]>;
  server: SubmissionServer | null;
  policy: StorePolicy;
  /** New conversations go to the store's agents in turn. */
  roundRobin: boolean;
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
        {props.may.has('rename') && props.may.has('mailbox') ? (
          <form method="post" action={`/stores/${props.store.id}`} class="filters">
            <Csrf token={props.csrf} />
            <input name="name" required maxlength={100} value={props.store.name} aria-label="Store name" />
            <input name="mailbox" type="email" required value={props.store.mailbox} aria-label="Mailbox" />
            <button type="submit" class="plain">
              Save store
            </button>
          </form>
        ) : (
          <p class="muted" data-owner-only data-store-identity>
            Buyer mail goes to <strong data-mailbox>{props.store.mailbox}</strong>. Only the owner renames the store (its name is the From: name every buyer
            sees) or changes where its mail goes.
          </p>
        )}
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
          <SenderRows senders={props.senders} csrf={props.csrf} creds={props.creds} server={props.server} owner={props.may.has('enable-sender')} />
        </table>
        {props.server ? null : (
          <p class="muted" data-submission-note>
            App passwords are for maskgate's submission port, which is off here (no TLS certificate): staff reply from their own mail host, or through the admin
            and the API.
          </p>
        )}
        {props.may.has('add-sender') ? (
          <form method="post" action={`/stores/${props.store.id}/senders`} class="filters">
            <Csrf token={props.csrf} />
            <input type="email" name="email" required placeholder="a staff member’s address" aria-label="New permitted sender" />
            <button type="submit">Add permitted sender</button>
          </form>
        ) : (
          <p class="muted" data-owner-only>
            Only the owner adds or enables permitted senders and issues app passwords: a permitted sender writes as this store to every buyer, and an app
            password is a login that does. You may block a sender, remove one, or revoke an app password.
          </p>
        )}
        {props.may.has('policy') ? <PolicyForm storeId={props.store.id} policy={props.policy} csrf={props.csrf} /> : <PolicyList policy={props.policy} />}
        {props.may.has('assignment') ? (
          <form method="post" action={`/stores/${props.store.id}/assignment`} class="policy" data-assignment>
            <Csrf token={props.csrf} />
            <h2>Assignment</h2>
            <label>
              <input type="checkbox" name="roundRobin" value="1" checked={props.roundRobin} /> Give each new conversation to the store’s agents in turn
              (round-robin; to the owners when the store has no agent)
            </label>{' '}
            <button type="submit">Save assignment</button>
          </form>
        ) : (
          <section class="policy" data-assignment data-owner-only>
            <h2>Assignment</h2>
            <p>
              {props.roundRobin
                ? 'Each new conversation goes to the store’s agents in turn (round-robin).'
                : 'New conversations are left unassigned until someone takes them.'}{' '}
              <span class="muted">Only the owner changes this.</span>
            </p>
          </section>
        )}
      </section>
    </Layout>
  );
}

/** The store's messaging rules as an agent reads them: the values, no form. */
export function PolicyList(props: { policy: StorePolicy }) {
  return (
    <section class="policy" data-policy data-owner-only>
      <h2>Messaging rules</h2>
      <p class="muted">What every message from this store to a buyer must respect — from Outlook, the admin, the API and campaigns alike.</p>
      <ul>
        {POLICY_LIMITS.map((l) => (
          <li class="policy-rule">
            {l.label}: <strong>{l.kind === 'boolean' ? (props.policy[l.key] === true ? 'on' : 'off') : `${String(props.policy[l.key])} ${l.unit}`}</strong>
          </li>
        ))}
      </ul>
      <p class="muted">Only the owner changes these.</p>
    </section>
  );
}

/** The store's messaging rules (core/policy-limits.ts), editable by the owner. */
export function PolicyForm(props: { storeId: number; policy: StorePolicy; csrf: string }) {
  return (
    <form method="post" action={`/stores/${props.storeId}/policy`} class="policy" id="policy" data-policy>
      <Csrf token={props.csrf} />
      <h2>Messaging rules</h2>
      <p class="muted">What every message from this store to a buyer must respect — from Outlook, the admin, the API and campaigns alike.</p>
      {POLICY_LIMITS.map((l) => (
        <div class="policy-rule">
          {l.kind === 'boolean' ? (
            <label>
              <input type="checkbox" name={l.key} value="1" checked={props.policy[l.key] === true} /> {l.label}
            </label>
          ) : (
            <label>
              {l.label} <input type="number" name={l.key} value={String(props.policy[l.key])} min={String(l.min)} max={String(l.max)} step="1" required />{' '}
              {l.unit}
            </label>
          )}
          <div class="muted">{l.help}</div>
        </div>
      ))}
      <button type="submit" class="plain">
        Save rules
      </button>
    </form>
  );
}

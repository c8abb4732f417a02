// Stores and messaging permissions: who may write to buyers as each store.
import type { PermittedSenderRow, StoreRow } from '../src/store/stores.js';
import { Csrf, Layout } from './layout.js';

export function StoresPage(props: { user: { name: string; role: string }; csrf: string; stores: readonly StoreRow[]; domain: string }) {
  return (
    <Layout title="Stores" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Stores</h1>
        <table class="list">
          <thead>
            <tr>
              <th>Store</th>
              <th>Contact address</th>
              <th>Mailbox</th>
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
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

export function SenderRows(props: { senders: readonly PermittedSenderRow[]; csrf: string }) {
  return (
    <tbody id="senders">
      {props.senders.map((p) => (
        <tr data-sender={p.email}>
          <td>{p.email}</td>
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
  error?: string | undefined;
  notice?: string | undefined;
}) {
  return (
    <Layout title={props.store.name} user={props.user} csrf={props.csrf}>
      <section class="content">
        <p>
          <a href="/stores">← Stores</a>
        </p>
        <h1>{props.store.name}: messaging permissions</h1>
        <p class="muted">Permitted senders may write to this store's buyers from their own mail client. Blocked ones are refused.</p>
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        {props.notice ? (
          <p class="notice" role="status">
            {props.notice}
          </p>
        ) : null}
        <table class="list">
          <thead>
            <tr>
              <th>Sender</th>
              <th>Status</th>
              <th></th>
            </tr>
          </thead>
          <SenderRows senders={props.senders} csrf={props.csrf} />
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

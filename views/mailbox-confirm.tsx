// The page a store's new mailbox opens from its confirmation link. GET only shows it (mail scanners
// prefetch links); the Confirm button POSTs.
import { Layout } from './layout.js';

export function MailboxConfirmPage(props: { token: string; storeName: string; mailbox: string; done?: boolean }) {
  return (
    <Layout title="Confirm the new mailbox" user={null} csrf={null}>
      <form class="login" method="post" action="/mailbox/confirm" data-mailbox-confirm>
        <h1>Mail for {props.storeName}</h1>
        {props.done ? (
          <p class="flash ok" role="status" data-done>
            Confirmed. Buyer mail for {props.storeName} now goes to {props.mailbox}.
          </p>
        ) : (
          <>
            <p>
              From now on, buyer mail for {props.storeName} will go to <b>{props.mailbox}</b>.
            </p>
            <input type="hidden" name="t" value={props.token} />
            <button type="submit">Confirm</button>
          </>
        )}
        <p>
          <a href="/login">Log in to the admin</a>
        </p>
      </form>
    </Layout>
  );
}

export function MailboxConfirmInvalid(props: { why: string }) {
  return (
    <Layout title="Confirm the new mailbox" user={null} csrf={null}>
      <div class="login">
        <h1>This link does not work any more</h1>
        <p data-why>{props.why}</p>
        <p>
          <a href="/login">Log in to the admin</a>
        </p>
      </div>
    </Layout>
  );
}

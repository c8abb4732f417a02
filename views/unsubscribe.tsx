// The buyer's unsubscribe page, opened from the link in a campaign email. GET only shows it (mail
// scanners that prefetch links must not unsubscribe anyone); the button POSTs.
import { Layout } from './layout.js';

export interface UnsubscribeView {
  readonly storeName: string;
  readonly optedOut: boolean;
  readonly hideName: boolean;
  readonly unsubscribed: boolean;
}

export function UnsubscribePage(props: { token: string; view: UnsubscribeView; done?: boolean }) {
  const v = props.view;
  return (
    <Layout title={`Emails from ${v.storeName}`} user={null} csrf={null}>
      <form class="login" method="post" action={`/u/${props.token}`} data-unsubscribe>
        <h1>Emails from {v.storeName}</h1>
        {props.done ? (
          <p class="flash ok" role="status" data-done>
            Done. You will get no more offers from {v.storeName}
            {v.optedOut ? ', and no other messages except critical ones about your orders' : ''}.
          </p>
        ) : v.unsubscribed ? (
          <p class="muted">You are unsubscribed from offers by {v.storeName}. You may still change the choices below.</p>
        ) : (
          <p>Stop getting offers and campaign emails from {v.storeName}.</p>
        )}
        <label class="check">
          <input type="checkbox" name="optOut" value="1" checked={v.optedOut} /> Also stop all other messages from {v.storeName}, except critical ones about an
          order
        </label>
        <label class="check">
          <input type="checkbox" name="hideName" value="1" checked={v.hideName} /> Do not show my name to {v.storeName}
        </label>
        <input type="hidden" name="page" value="1" />
        <button type="submit">{v.unsubscribed ? 'Save my choices' : 'Unsubscribe'}</button>
      </form>
    </Layout>
  );
}

export function UnsubscribeUnknown() {
  return (
    <Layout title="Unsubscribe" user={null} csrf={null}>
      <div class="login">
        <h1>This link is not valid</h1>
        <p>Copy the whole link from the email, or reply to the email with "unsubscribe".</p>
      </div>
    </Layout>
  );
}

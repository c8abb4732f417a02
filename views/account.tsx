// Every user's own account: the time zone times are shown in, and their password.
import { Csrf, Flash, Layout } from './layout.js';

export function AccountPage(props: {
  user: { name: string; role: string };
  csrf: string;
  email: string;
  /** The user's own zone, or null for the gateway's. */
  timeZone: string | null;
  defaultZone: string;
  zones: readonly string[];
  error?: string | undefined;
  notice?: string | undefined;
}) {
  return (
    <Layout title="Your account" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Your account</h1>
        <p class="muted">{props.email}</p>
        <Flash error={props.error} notice={props.notice} />
        <h2>Time zone</h2>
        <form method="post" action="/account/time-zone" class="filters">
          <Csrf token={props.csrf} />
          <select name="timeZone" aria-label="Time zone">
            <option value="" selected={props.timeZone === null}>
              The gateway's ({props.defaultZone})
            </option>
            {props.zones.map((z) => (
              <option value={z} selected={props.timeZone === z}>
                {z}
              </option>
            ))}
          </select>
          <button type="submit">Save time zone</button>
        </form>
        <p class="muted">Times across the admin are shown in this zone.</p>
        <h2>Password</h2>
        <form method="post" action="/account/password" class="filters">
          <Csrf token={props.csrf} />
          <input name="current" type="password" required autocomplete="current-password" placeholder="Current password" aria-label="Current password" />
          <input
            name="password"
            type="password"
            required
            minlength={12}
            autocomplete="new-password"
            placeholder="New password (12+ characters)"
            aria-label="New password"
          />
          <button type="submit">Change password</button>
        </form>
        <p class="muted">Changing it logs you out everywhere else.</p>
      </section>
    </Layout>
  );
}

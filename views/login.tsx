// The login page and the one-time setup page that creates the first owner.
import { Flash, Layout } from './layout.js';

/** The login form; `firstRun` (no staff account yet) says how the first owner is made instead. */
export function LoginPage(props: { error?: string | undefined; email?: string | undefined; next?: string | undefined; firstRun?: boolean }) {
  return (
    <Layout title="Log in" user={null} csrf={null}>
      <form class="login" method="post" action="/login">
        <h1>maskgate</h1>
        <Flash error={props.error} />
        {props.firstRun && (
          <p class="muted">
            No staff account yet, so no login works. Open the one-time setup link maskgate printed when it started (a restart prints it again), or run{' '}
            <code>npx maskgate user add you@example.com --owner</code> on the server.
          </p>
        )}
        <label>
          Email
          <input name="email" type="email" autocomplete="username" required value={props.email ?? ''} autofocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <input type="hidden" name="next" value={props.next ?? '/inbox'} />
        <button type="submit">Log in</button>
      </form>
    </Layout>
  );
}

export function SetupPage(props: { token: string; error?: string | undefined }) {
  return (
    <Layout title="Create the owner" user={null} csrf={null}>
      <form class="login" method="post" action="/setup">
        <h1>Create the owner account</h1>
        <Flash error={props.error} />
        <input type="hidden" name="token" value={props.token} />
        <label>
          Name
          <input name="name" required maxlength={100} />
        </label>
        <label>
          Email
          <input name="email" type="email" required autocomplete="username" />
        </label>
        <label>
          Password (at least 12 characters)
          <input name="password" type="password" required minlength={12} autocomplete="new-password" />
        </label>
        <button type="submit">Create and log in</button>
      </form>
    </Layout>
  );
}

// The page frame of the admin: head (our own CSS and htmx, no CDN), top bar, and the CSRF token
// that every htmx request sends as a header.
import type { Child } from 'hono/jsx';
import { displayZone } from './time-format.js';

export interface Frame {
  readonly title: string;
  readonly user: { readonly name: string; readonly role: string } | null;
  readonly csrf: string | null;
  readonly unread?: number;
}

export function Layout(props: Frame & { children?: Child }) {
  const title = props.unread ? `(${props.unread}) ${props.title} · maskgate` : `${props.title} · maskgate`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowScriptTags":false,"allowEval":false}' />
        <title>{title}</title>
        {/* No icon, said so: else the browser asks for /favicon.ico and logs its 404 on a first visit. */}
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/assets/app.css" />
        <script src="/assets/htmx.min.js" defer></script>
        <script src="/assets/app.js" defer></script>
      </head>
      <body hx-headers={props.csrf ? JSON.stringify({ 'X-CSRF-Token': props.csrf }) : undefined}>
        {props.user ? (
          <header class="top">
            <span class="brand">maskgate</span>
            <nav>
              <a href="/inbox">Inbox</a>
              <a href="/campaigns">Campaigns</a>
              <a href="/templates">Templates</a>
              <a href="/tags">Tags</a>
              <a href="/notifications">Notifications</a>
              <a href="/reports/response-times">Reports</a>
              <a href="/stores">Stores &amp; permissions</a>
              {/* The rest of the day's pages behind one menu, so the bar stays one line at 1366 px. */}
              <details class="more-menu">
                <summary>More</summary>
                <div>
                  <a href="/orders/import">Import orders</a>
                  <a href="/api-reference">API</a>
                  {props.user.role === 'owner' ? <a href="/reports">Reported messages</a> : null}
                  {props.user.role === 'owner' ? <a href="/outbox">Outbox</a> : null}
                  {props.user.role === 'owner' ? <a href="/dns">DNS</a> : null}
                  {props.user.role === 'owner' ? <a href="/settings">Settings</a> : null}
                  {props.user.role === 'owner' ? <a href="/webhooks">Webhooks</a> : null}
                  {props.user.role === 'owner' ? <a href="/team">Team</a> : null}
                </div>
              </details>
            </nav>
            <form method="post" action="/logout">
              <input type="hidden" name="_csrf" value={props.csrf ?? ''} />
              <a class="muted" href="/account" title={`Times in ${displayZone()}`} data-account>
                {props.user.name} ({props.user.role})
              </a>{' '}
              <button class="plain" type="submit">
                Log out
              </button>{' '}
              <button class="plain" type="submit" formaction="/logout-everywhere">
                Log out everywhere
              </button>
            </form>
          </header>
        ) : null}
        {props.children}
        {props.user ? (
          <dialog id="help">
            <p>
              <b>j</b>/<b>k</b> move · <b>Enter</b> open · <b>r</b> reply · <b>e</b> processed · <b>f</b> follow up · <b>t</b> tag · <b>?</b> this help
            </p>
            <form method="dialog">
              <button>Close</button>
            </form>
          </dialog>
        ) : null}
      </body>
    </html>
  );
}

export function Csrf(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** The answer to the last action: an error (role=alert) or a notice (role=status). */
export function Flash(props: { error?: string | undefined; notice?: string | undefined }) {
  return (
    <>
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
    </>
  );
}

/** A one-button form that posts (with the CSRF token) to an action. */
/** A one-button form; `confirm` is a question asked first (app.js), for what cannot be undone. */
export function PostButton(props: { action: string; label: string; csrf: string; class?: string; confirm?: string }) {
  return (
    <form method="post" action={props.action} class={props.class}>
      <Csrf token={props.csrf} />
      <button type="submit" class="plain" data-confirm={props.confirm}>
        {props.label}
      </button>
    </form>
  );
}

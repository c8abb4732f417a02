// The owner's webhook endpoints: register one (its signing secret shown once), see each one's
// delivery state, remove one.
import { EVENT_TYPES, EVENT_TYPE_NAMES } from '../src/core/event-types.js';
import type { WebhookRow } from '../src/store/webhooks.js';
import { Csrf, Flash, Layout, PostButton } from './layout.js';

const when = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));

export function WebhooksPage(props: {
  user: { name: string; role: string };
  csrf: string;
  hooks: readonly WebhookRow[];
  created?: { id: number; secret: string } | undefined;
  error?: string | undefined;
}) {
  return (
    <Layout title="Webhooks" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Webhooks</h1>
        <p class="muted">
          maskgate POSTs each event the endpoint asks for, signed with its secret (<code>Maskgate-Signature: t=…,v1=…</code>), and retries for a day. Every
          event is also in <code>GET /api/v1/events</code>. See the <a href="/api-reference">API reference</a>.
        </p>
        <Flash error={props.error} />
        {props.created ? (
          <div class="notice" role="status" data-webhook-secret>
            <p>
              Endpoint {props.created.id} registered. Its signing secret is shown <b>only now</b>; copy it into your receiver:
            </p>
            <p>
              <code data-secret>{props.created.secret}</code>
            </p>
          </div>
        ) : null}
        <table class="list">
          <thead>
            <tr>
              <th>URL</th>
              <th>Events</th>
              <th>Delivered</th>
              <th>Given up</th>
              <th>Last attempt</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.hooks.map((w) => (
              <tr data-webhook={w.id}>
                <td>
                  <code>{w.url}</code>
                </td>
                <td>{w.events.join(', ')}</td>
                <td>{w.delivered}</td>
                <td>{w.dropped}</td>
                <td>
                  {when(w.lastAttemptAt)}
                  {w.lastStatus !== null ? ` · HTTP ${w.lastStatus}` : ''}
                  {w.attempts > 0 ? ` · failing (${w.attempts}×: ${w.lastError ?? ''}), next try ${when(w.nextAttemptAt)}` : ''}
                </td>
                <td>
                  <PostButton
                    action={`/webhooks/${w.id}/delete`}
                    label="Remove"
                    csrf={props.csrf}
                    class="inline"
                    confirm="Remove this webhook? Its events are no longer sent."
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Register an endpoint</h2>
        <form method="post" action="/webhooks">
          <Csrf token={props.csrf} />
          <p>
            <label>
              URL <input name="url" type="url" required maxlength={2000} placeholder="https://market.example/hooks/maskgate" size={60} />
            </label>
          </p>
          <fieldset>
            <legend>Events</legend>
            {EVENT_TYPE_NAMES.map((t) => (
              <label title={EVENT_TYPES[t]}>
                <input type="checkbox" name="events" value={t} checked /> {t}
              </label>
            ))}
          </fieldset>
          <button type="submit">Register</button>
        </form>
      </section>
    </Layout>
  );
}

// Reported messages, for the owner.
import type { Report } from '../src/store/notes.js';
import { Layout, PostButton } from './layout.js';
import { formatTime } from './time-format.js';

export function ReportsPage(props: { user: { name: string; role: string }; csrf: string; reports: readonly Report[] }) {
  return (
    <Layout title="Reported messages" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Reported messages</h1>
        {props.reports.length === 0 ? <p class="muted">Nothing to review.</p> : null}
        <table class="list">
          <tbody>
            {props.reports.map((r) => (
              <tr>
                <td>
                  <a href={`/conversations/${r.pairId}#m${r.messageId}`}>{r.subject || '(no subject)'}</a>
                </td>
                <td>{r.reason}</td>
                <td class="muted">
                  {r.reporter}, {formatTime(r.createdAt)}
                </td>
                <td>
                  <PostButton action={`/reports/${r.id}/resolve`} label="Resolved" csrf={props.csrf} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

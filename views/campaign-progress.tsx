// A started campaign: its text, audience and live progress with pause, resume and cancel.
import type { Campaign, Progress } from '../src/store/campaigns.js';
import { STATUS_LABEL, when, type Frame } from './campaign-common.js';
import { Flash, Layout, PostButton } from './layout.js';

function Reasons(props: { by: Readonly<Record<string, number>> }) {
  return (
    <>
      {Object.entries(props.by).map(([why, n]) => (
        <div class="muted">
          {n} {why}
        </div>
      ))}
    </>
  );
}

export function ProgressPanel(props: { c: Campaign; p: Progress; csrf: string }) {
  const { c, p } = props;
  const live = c.status === 'sending' || c.status === 'paused';
  const left = p.ratePerSecond > 0 ? Math.ceil(p.pending / p.ratePerSecond) : null;
  return (
    <div
      id="progress"
      data-progress
      data-status={c.status}
      {...(live ? { 'hx-get': `/campaigns/${c.id}/progress`, 'hx-trigger': 'every 1s', 'hx-swap': 'outerHTML' } : {})}
    >
      <p>
        Status: <strong data-status-label>{STATUS_LABEL[c.status]}</strong>
      </p>
      <table class="list">
        <tbody>
          <tr>
            <td>Sent</td>
            <td data-count="sent">{p.sent}</td>
          </tr>
          <tr>
            <td>Pending</td>
            <td data-count="pending">{p.pending}</td>
          </tr>
          <tr>
            <td>Skipped</td>
            <td data-count="skipped">
              {p.skipped}
              <Reasons by={p.skippedBy} />
            </td>
          </tr>
          <tr>
            <td>Failed</td>
            <td data-count="failed">
              {p.failed}
              <Reasons by={p.failedBy} />
            </td>
          </tr>
          {p.unknown ? (
            <tr>
              <td>Unknown</td>
              <td data-count="unknown">{p.unknown} (the server stopped during their delivery; not repeated)</td>
            </tr>
          ) : null}
          <tr>
            <td>Rate</td>
            <td>
              {p.ratePerSecond.toFixed(1)} a second{left !== null && p.pending ? `, about ${left} s left` : ''}
            </td>
          </tr>
        </tbody>
      </table>
      {c.status === 'sending' ? <PostButton action={`/campaigns/${c.id}/pause`} label="Pause" csrf={props.csrf} /> : null}
      {c.status === 'paused' ? <PostButton action={`/campaigns/${c.id}/resume`} label="Resume" csrf={props.csrf} /> : null}
      {live ? (
        <PostButton
          action={`/campaigns/${c.id}/cancel`}
          label="Cancel"
          csrf={props.csrf}
          confirm="Cancel this campaign? The messages not yet sent are never sent."
        />
      ) : null}
    </div>
  );
}

export function CampaignPage(
  props: Frame & { c: Campaign; p: Progress; audienceText: string; tz: string; notice?: string | undefined; error?: string | undefined },
) {
  const c = props.c;
  return (
    <Layout title={c.name} user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>{c.name}</h1>
        <Flash error={props.error} notice={props.notice} />
        <p class="muted">
          Started {when(c.startedAt, props.tz)}
          {c.finishedAt ? `, ended ${when(c.finishedAt, props.tz)}` : ''}. Audience: {props.audienceText}.
        </p>
        <p>
          Subject: <strong>{c.subject}</strong>
        </p>
        <pre class="source">{c.body}</pre>
        <ProgressPanel c={c} p={props.p} csrf={props.csrf} />
      </section>
    </Layout>
  );
}

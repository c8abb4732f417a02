// The Reports page: how fast the stores answer buyers (late rate, average and median first
// response per store, agent and category), messages per day with a server-rendered SVG chart, the
// spread of response times, and a CSV of it all.
import { durationText, REPORT_DAYS } from '../src/core/response-clock.js';
import type { ReportLine, ResponseReport } from '../src/store/reports.js';
import { Layout } from './layout.js';

export interface ReportPageProps {
  readonly user: { name: string; role: string };
  readonly csrf: string;
  readonly report: ResponseReport;
  readonly stores: readonly { id: number; name: string }[];
  readonly agents: readonly { id: number; name: string }[];
  readonly query: { storeId?: number | undefined; days: number; agentId?: number | undefined };
}

export const percent = (r: number | null) => (r === null ? '—' : `${(Math.round(r * 1000) / 10).toString()} %`);

function Lines(props: { title: string; lines: readonly ReportLine[]; id: string }) {
  return (
    <section>
      <h2>{props.title}</h2>
      {props.lines.length === 0 ? (
        <p class="muted">No buyer messages in this period.</p>
      ) : (
        <table class="list report" id={props.id}>
          <thead>
            <tr>
              <th>{props.title.replace(/^Per /, '').replace(/^./, (c) => c.toUpperCase())}</th>
              <th title="Answered, marked late, or still open past 24 h">Counted</th>
              <th>Late</th>
              <th>Late rate</th>
              <th>Average first response</th>
              <th>Median first response</th>
              <th title="Marked within 24 h: left out">No response needed</th>
              <th title="Open under 24 h: not counted yet">Waiting</th>
            </tr>
          </thead>
          <tbody>
            {props.lines.map((l) => (
              <tr data-key={l.key}>
                <td>{l.name}</td>
                <td>{l.counted}</td>
                <td>{l.late}</td>
                <td>{percent(l.lateRate)}</td>
                <td>{durationText(l.averageMs)}</td>
                <td>{durationText(l.medianMs)}</td>
                <td>{l.notNeeded}</td>
                <td>{l.open}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Buyer messages (bars) and store replies (dots) per day, as inline SVG: no script, no CSS needed. */
export function VolumeChart(props: { days: ResponseReport['volumeByDay'] }) {
  const W = 640;
  const H = 160;
  const pad = 24;
  const n = props.days.length;
  const max = Math.max(1, ...props.days.map((d) => Math.max(d.received, d.replies)));
  const step = (W - pad * 2) / n;
  const y = (v: number) => H - pad - (v / max) * (H - pad * 2);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="Buyer messages and replies per day">
      <title>Buyer messages (bars) and replies (dots) per day; most in a day: {max}</title>
      <line x1={pad} y1={H - pad} x2={W - pad} y2={H - pad} stroke="#999" />
      <text x={pad} y={pad - 8} font-size="11" fill="#555">
        {max}
      </text>
      {props.days.map((d, i) => (
        <g>
          <rect x={pad + i * step + step * 0.15} y={y(d.received)} width={Math.max(1, step * 0.7)} height={H - pad - y(d.received)} fill="#4a7bd0">
            <title>
              {d.day}: {d.received} received, {d.replies} replies
            </title>
          </rect>
          {d.replies ? <circle cx={pad + i * step + step / 2} cy={y(d.replies)} r={Math.min(4, step / 3)} fill="#d07a2a" /> : null}
          {n <= 31 || i % Math.ceil(n / 15) === 0 ? (
            <text x={pad + i * step + step / 2} y={H - 8} font-size="9" text-anchor="middle" fill="#555">
              {d.day.slice(5)}
            </text>
          ) : null}
        </g>
      ))}
    </svg>
  );
}

export function ResponseReportPage(props: ReportPageProps) {
  const r = props.report;
  const q = props.query;
  const csv = `/reports/response-times.csv?${new URLSearchParams({
    days: String(q.days),
    ...(q.storeId ? { storeId: String(q.storeId) } : {}),
    ...(q.agentId ? { agentId: String(q.agentId) } : {}),
  }).toString()}`;
  const o = r.overall;
  const maxBucket = Math.max(1, ...r.distribution.map((b) => b.count));
  return (
    <Layout title="Reports" user={props.user} csrf={props.csrf}>
      <section class="content report-page">
        <h1>Response times</h1>
        <form method="get" action="/reports/response-times" class="filters">
          <label>
            Store{' '}
            <select name="storeId">
              <option value="">All {props.user.role === 'owner' ? 'stores' : 'my stores'}</option>
              {props.stores.map((s) => (
                <option value={String(s.id)} selected={q.storeId === s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            Period{' '}
            <select name="days">
              {REPORT_DAYS.map((d) => (
                <option value={String(d)} selected={q.days === d}>
                  last {d} days
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            Answered by{' '}
            <select name="agentId">
              <option value="">anyone</option>
              {props.agents.map((a) => (
                <option value={String(a.id)} selected={q.agentId === a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>{' '}
          <button type="submit">Show</button> <a href={csv}>Download CSV</a>
        </form>
        <p class="muted">
          {new Date(r.since).toISOString().slice(0, 10)} to {new Date(r.until).toISOString().slice(0, 16).replace('T', ' ')} UTC. A response is late after 24
          hours, weekends included; the clock starts at the first unanswered buyer message.
        </p>
        <dl class="report-summary" id="summary">
          <div>
            <dt>Late responses</dt>
            <dd data-figure="late-rate">{percent(o.lateRate)}</dd>
            <dd class="muted">
              {o.late} of {o.counted}
            </dd>
          </div>
          <div>
            <dt>Average first response</dt>
            <dd data-figure="average">{durationText(o.averageMs)}</dd>
          </div>
          <div>
            <dt>Median first response</dt>
            <dd data-figure="median">{durationText(o.medianMs)}</dd>
          </div>
          <div>
            <dt>Answered</dt>
            <dd data-figure="answered">{o.answered}</dd>
          </div>
          <div>
            <dt>No response needed</dt>
            <dd data-figure="not-needed">{o.notNeeded}</dd>
          </div>
          <div>
            <dt>Waiting, under 24 h</dt>
            <dd data-figure="waiting">{o.open}</dd>
          </div>
        </dl>
        <h2>Messages per day</h2>
        <VolumeChart days={r.volumeByDay} />
        <Lines title="Per store" id="by-store" lines={r.byStore} />
        <Lines title="Per agent" id="by-agent" lines={r.byAgent} />
        <Lines title="Per category" id="by-category" lines={r.byCategory} />
        <section>
          <h2>Buyer messages per category</h2>
          <table class="list report" id="volume-by-category">
            <tbody>
              {r.volumeByCategory.map((v) => (
                <tr data-key={v.category}>
                  <td>{v.name}</td>
                  <td>{v.received}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section>
          <h2>How long answers took</h2>
          <table class="list report distribution">
            <tbody>
              {r.distribution
                .filter((b) => b.count > 0)
                .map((b) => (
                  <tr>
                    <td>{b.label}</td>
                    <td>{b.count}</td>
                    <td>
                      <svg viewBox="0 0 200 10" width="200" height="10" aria-hidden="true">
                        <rect x="0" y="0" height="10" width={(b.count / maxBucket) * 200} fill="#4a7bd0" />
                      </svg>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
      </section>
    </Layout>
  );
}

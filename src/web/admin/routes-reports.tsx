// Owns the admin's Reports page (response times, for the stores the user may see), its CSV export,
// and the response clock on a conversation with its "No response needed" mark.
import { Hono, type Context } from 'hono';
import type { InboxStore } from '../../store/inbox-ports.js';
import type { MarketStore } from '../../store/market-ports.js';
import type { ReportLine, ResponseReport } from '../../store/reports.js';
import { ResponseClockPanel } from '../../../views/response-clock.js';
import { ResponseReportPage } from '../../../views/response-report.js';
import { reportQuery } from '../api/routes-reports.js';
import { firstIssue } from '../api/validate.js';
import { frameOf, type AdminEnv } from './session.js';
import { paramId } from './param-id.js';

// Quote every cell; neutralise spreadsheet formulas (CSV injection).
const cell = (v: string | number | null) => {
  const t = v === null ? '' : String(v);
  return `"${(/^[=+\-@\t\r]/.test(t) ? `'${t}` : t).replace(/"/g, '""')}"`;
};
const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 600) / 100);

/** One table of everything on the page: a `section` column says which part a row belongs to. */
export function reportCsv(r: ResponseReport): string {
  const head = [
    'section',
    'name',
    'counted',
    'late',
    'late_rate',
    'average_minutes',
    'median_minutes',
    'answered',
    'no_response_needed',
    'waiting',
    'received',
    'replies',
  ];
  const line = (section: string, l: ReportLine) => [
    section,
    l.name,
    l.counted,
    l.late,
    l.lateRate === null ? null : Math.round(l.lateRate * 10000) / 10000,
    minutes(l.averageMs),
    minutes(l.medianMs),
    l.answered,
    l.notNeeded,
    l.open,
    null,
    null,
  ];
  const blank = Array.from({ length: 8 }, () => null);
  const rows = [
    head,
    line('all', r.overall),
    ...r.byStore.map((l) => line('store', l)),
    ...r.byAgent.map((l) => line('agent', l)),
    ...r.byCategory.map((l) => line('category', l)),
    ...r.volumeByDay.map((d) => ['day', d.day, ...blank, d.received, d.replies]),
    ...r.volumeByCategory.map((v) => ['category_volume', v.name, ...blank, v.received, null]),
  ];
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** The Reports page and a conversation's clock, on the storage ports only (served on either database). */
export function reportAdminRoutes(inbox: InboxStore, market: Pick<MarketStore, 'stores'>): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  /** The report the query asks for, within the user's stores; or the reason it cannot be made. */
  const build = async (c: Context<AdminEnv>) => {
    const parsed = reportQuery.safeParse(Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== '')));
    if (!parsed.success) return { error: firstIssue(parsed.error), status: 400 as const };
    const q = parsed.data;
    const mine = c.get('storeIds');
    if (q.storeId !== undefined && !mine.includes(q.storeId)) return { error: 'No such store.', status: 404 as const };
    const report = await inbox.responseTimes({ storeIds: q.storeId !== undefined ? [q.storeId] : mine, days: q.days, agentUserId: q.agentId });
    return { q, report };
  };

  app.get('/reports/response-times', async (c) => {
    const b = await build(c);
    if ('error' in b) return c.text(b.error ?? '', b.status);
    const mine = new Set(c.get('storeIds'));
    return c.html(
      <ResponseReportPage
        {...frameOf(c)}
        report={b.report}
        query={b.q}
        stores={(await market.stores()).filter((s) => mine.has(s.id)).map((s) => ({ id: s.id, name: s.name }))}
        agents={(await inbox.staff()).filter((u) => !u.disabled).map((u) => ({ id: u.id, name: u.name }))}
      />,
    );
  });

  app.get('/reports/response-times.csv', async (c) => {
    const b = await build(c);
    if ('error' in b) return c.text(b.error ?? '', b.status);
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="response-times-${b.q.days}d-${new Date().toISOString().slice(0, 10)}.csv"`);
    return c.body(reportCsv(b.report));
  });

  const pairIn = async (c: Context<AdminEnv>) => {
    const pairId = paramId(c.req.param('id'));
    const pair = Number.isSafeInteger(pairId) ? await inbox.pair(pairId) : null;
    return pair && c.get('storeIds').includes(pair.storeId) ? pair.pairId : null;
  };

  app.get('/conversations/:id/response-clock', async (c) => {
    const pairId = await pairIn(c);
    if (pairId === null) return c.text('No such conversation.', 404);
    return c.html(<ResponseClockPanel pairId={pairId} clock={await inbox.conversationClock(pairId)} csrf={frameOf(c).csrf} now={Date.now()} />);
  });

  app.post('/conversations/:id/no-response-needed', async (c) => {
    const pairId = await pairIn(c);
    if (pairId === null) return c.text('No such conversation.', 404);
    await inbox.markNoResponseNeeded(pairId, c.get('user').id);
    if (c.req.header('hx-request'))
      return c.html(<ResponseClockPanel pairId={pairId} clock={await inbox.conversationClock(pairId)} csrf={frameOf(c).csrf} now={Date.now()} />);
    return c.redirect(`/conversations/${pairId}`, 303);
  });

  return app;
}

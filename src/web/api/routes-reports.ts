// Owns /api/v1/reports/response-times: the response-clock report (store/reports.ts) as JSON, and the
// query both it and the admin's Reports page accept.
import { Hono } from 'hono';
import { z } from 'zod';
import { LATE_AFTER_MS, REPORT_DAYS, type ReportDays } from '../../core/response-clock.js';
import type { ResponseReport } from '../../store/reports.js';
import { apiError } from '../api-error.js';
import type { CoreApiDeps } from './deps.js';
import { iso } from './present.js';
import { query } from './validate.js';

/** `?storeId=&days=7|30|90&agentId=`: days defaults to 30. */
export const reportQuery = z
  .object({
    storeId: z.coerce.number().int().positive().optional(),
    days: z
      .enum(REPORT_DAYS.map(String) as [string, ...string[]], { message: 'must be 7, 30 or 90' })
      .default('30')
      .transform((d) => Number(d) as ReportDays),
    agentId: z.coerce.number().int().positive().optional(),
  })
  .strict();

/** The report as the API answers it: times as ISO 8601, durations in milliseconds, rates 0..1. */
export function presentReport(r: ResponseReport, q: { storeId?: number | undefined; agentId?: number | undefined }) {
  return {
    days: r.days,
    since: iso(r.since),
    until: iso(r.until),
    storeId: q.storeId ?? null,
    agentId: q.agentId ?? null,
    lateAfterHours: LATE_AFTER_MS / 3_600_000,
    overall: r.overall,
    byStore: r.byStore,
    byAgent: r.byAgent,
    byCategory: r.byCategory,
    distribution: r.distribution,
    volumeByDay: r.volumeByDay,
    volumeByCategory: r.volumeByCategory,
  };
}

/** The report on the storage ports only (served on either database). */
export function reportRoutes(d: Pick<CoreApiDeps, 'market' | 'inbox'>): Hono {
  const app = new Hono();

  app.get('/reports/response-times', async (c) => {
    const q = query(c, reportQuery);
    if (q.storeId !== undefined && !(await d.market.store(q.storeId))) return apiError(c, 'NOT_FOUND', `no store with id ${q.storeId}`);
    if (q.agentId !== undefined && !(await d.inbox.staff()).some((u) => u.id === q.agentId))
      return apiError(c, 'NOT_FOUND', `no staff user with id ${q.agentId}`);
    const storeIds = q.storeId !== undefined ? [q.storeId] : (await d.market.stores()).map((s) => s.id);
    return c.json(presentReport(await d.inbox.responseTimes({ storeIds, days: q.days, agentUserId: q.agentId }), q));
  });

  return app;
}

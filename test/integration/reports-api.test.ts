// GET /api/v1/reports/response-times over a real gateway, on the hand-computed week of
// test/helpers/response-fixture.ts: the numbers, the filters, and the error shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_7_DAYS, seedResponseFixture, type ResponseFixture } from '../helpers/response-fixture.js';
import { startHarness, type Harness } from '../helpers/gateway.js';

const H = 3_600_000;
let h: Harness;
let f: ResponseFixture;

beforeAll(async () => {
  h = await startHarness({}, { sink: false });
  f = await seedResponseFixture(h.gw.db, Date.now());
});
afterAll(async () => {
  await h.close();
});

const hours = (ms: number | null) => (ms === null ? null : Math.round((ms / H) * 1000) / 1000);
const byName = (lines: { name: string; counted: number; late: number; averageMs: number | null; medianMs: number | null }[]) =>
  Object.fromEntries(lines.map((l) => [l.name, { counted: l.counted, late: l.late, averageH: hours(l.averageMs), medianH: hours(l.medianMs) }]));

describe('GET /api/v1/reports/response-times', () => {
  it('answers the hand-computed late rate, average and median per store, agent and category for 7 days', async () => {
    const r = await h.api('GET', '/api/v1/reports/response-times?days=7');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ days: 7, storeId: null, agentId: null, lateAfterHours: 24 });
    expect(r.body.overall).toMatchObject({ counted: 7, late: 4, answered: 5, notNeeded: 1, open: 1 });
    expect(r.body.overall.lateRate).toBeCloseTo(4 / 7, 6);
    expect(hours(r.body.overall.averageMs)).toBe(16.7);
    expect(hours(r.body.overall.medianMs)).toBe(4);
    expect(byName(r.body.byStore)).toEqual(EXPECTED_7_DAYS.byStore);
    expect(byName(r.body.byAgent)).toEqual(EXPECTED_7_DAYS.byAgent);
    expect(byName(r.body.byCategory)).toEqual(EXPECTED_7_DAYS.byCategory);
    expect(Object.fromEntries(r.body.volumeByCategory.map((v: { name: string; received: number }) => [v.name, v.received]))).toEqual(EXPECTED_7_DAYS.received);
    expect(r.body.volumeByDay).toHaveLength(7);
    expect(r.body.volumeByDay.reduce((a: number, d: { replies: number }) => a + d.replies, 0)).toBe(EXPECTED_7_DAYS.replies);
  });

  it('narrows to one store and one agent, and defaults to 30 days', async () => {
    const acme = await h.api('GET', `/api/v1/reports/response-times?days=7&storeId=${f.stores.acme}`);
    expect(acme.body.byStore.map((s: { name: string }) => s.name)).toEqual(['Acme Store']);
    expect(acme.body.overall).toMatchObject({ counted: 4, late: 2 });
    const alex = await h.api('GET', `/api/v1/reports/response-times?days=7&agentId=${f.alex.id}`);
    expect(byName(alex.body.byAgent)).toEqual({ 'Alex Agent': EXPECTED_7_DAYS.byAgent['Alex Agent'] });
    const month = await h.api('GET', '/api/v1/reports/response-times');
    expect(month.body).toMatchObject({ days: 30, overall: { counted: 8, late: 4 } });
  });

  it('refuses a bad period, an unknown store or agent, and an unknown parameter with the error shape', async () => {
    const bad = await h.api('GET', '/api/v1/reports/response-times?days=14');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'Bad Request', code: 'VALIDATION_FAILED', message: expect.stringMatching(/^days: must be 7, 30 or 90/) });
    const store = await h.api('GET', '/api/v1/reports/response-times?storeId=999');
    expect(store.status).toBe(404);
    expect(store.body).toMatchObject({ code: 'NOT_FOUND', message: 'no store with id 999' });
    expect((await h.api('GET', '/api/v1/reports/response-times?agentId=999')).status).toBe(404);
    expect((await h.api('GET', '/api/v1/reports/response-times?storeId=abc')).body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await h.api('GET', '/api/v1/reports/response-times?color=red')).status).toBe(400);
    expect((await h.api('GET', '/api/v1/reports/response-times', undefined, 'wrong-token')).status).toBe(401);
  });
});

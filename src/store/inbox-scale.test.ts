// The inbox's indexed walks (migration 015, the id bounds of a time window) on the support team's
// archive of bench/seed-inbox.ts, small: each page equals the same question answered the slow way
// (every conversation looked at), and the plans walk an index instead of sorting every waiting
// conversation. Speed itself is measured by bench/inbox-bench.ts, not here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedInbox } from '../../bench/seed-inbox.js';
import { openDb, type Db } from './db.js';
import { InboxRepo, type InboxFilter } from './inbox.js';
import { ReportRepo } from './reports.js';
import { median } from '../core/response-clock.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-25T12:00:00Z');
let dir: string;
let db: Db;
const stores = Array.from({ length: 50 }, (_, i) => i + 1);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mg-inbox-scale-'));
  seedInbox(dir, { messages: 6000, days: 90, now: NOW });
  db = openDb(dir);
}, 120_000);
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const list = (f: Partial<InboxFilter>) => new InboxRepo(db).list({ storeIds: stores, view: 'in', limit: 50, now: NOW, ...f }).map((r) => r.pairId);

/** The same question, every conversation read and sorted in JavaScript. */
function slow(where: (c: Record<string, number | string | null>) => boolean, order: (c: Record<string, number | string | null>) => number[]) {
  const all = db
    .prepare('SELECT c.*, m.received_at AS at FROM conversations c JOIN messages m ON m.id = c.last_message_id WHERE c.last_buyer_id IS NOT NULL')
    .all() as Record<string, number | string | null>[];
  return all
    .filter((c) => (c.snoozed_until === null || (c.snoozed_until as number) <= NOW) && where(c))
    .sort((a, b) => {
      const x = order(a);
      const y = order(b);
      const i = x.findIndex((v, k) => v !== y[k]);
      return i < 0 ? 0 : (x[i] as number) - (y[i] as number);
    })
    .slice(0, 50)
    .map((c) => c.pair_id as number);
}

describe('the inbox at scale', () => {
  it('lists due first the conversations still waiting, by deadline, over all stores and one', () => {
    const waiting = (c: Record<string, number | string | null>) =>
      c.waiting_since !== null && ['open', 'follow_up'].includes(c.status as string) && !['marketplace_notification', 'sent'].includes(c.category as string);
    const deadline = (c: Record<string, number | string | null>) => [
      (c.waiting_since as number) + (c.category === 'a_to_z_claim' ? 2 : 1) * DAY,
      c.pair_id as number,
    ];
    const due = list({ sort: 'due' });
    expect(due.length).toBeGreaterThan(10);
    expect(due).toEqual(slow(waiting, deadline));
    expect(list({ sort: 'due', storeIds: [1] })).toEqual(slow((c) => c.store_id === 1 && waiting(c), deadline));
  });

  it('lists exactly the conversations whose latest message falls in a time window, newest first', () => {
    const newest = (c: Record<string, number | string | null>) => [-(c.last_message_id as number)];
    const from = NOW - 60 * DAY;
    const to = NOW - 50 * DAY;
    const window = list({ sinceMs: from, untilMs: to });
    expect(window.length).toBeGreaterThan(10);
    expect(window).toEqual(slow((c) => (c.at as number) >= from && (c.at as number) < to, newest));
    expect(list({ sinceMs: NOW - 2 * DAY, status: 'open' })).toEqual(slow((c) => (c.at as number) >= NOW - 2 * DAY && c.status === 'open', newest));
    expect(list({ untilMs: NOW - 200 * DAY })).toEqual([]);
  });

  it('walks an index for due first and for a status, instead of sorting every waiting conversation', () => {
    const plan = (sql: string, ...args: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(
      plan(
        `SELECT pair_id FROM conversations c INDEXED BY conversations_due WHERE c.waiting_since IS NOT NULL AND c.status IN ('open', 'follow_up') AND c.category NOT IN ('marketplace_notification', 'sent')
         ORDER BY c.waiting_since + CASE c.category WHEN 'a_to_z_claim' THEN 172800000 ELSE 86400000 END, c.pair_id LIMIT 50`,
      ),
    ).not.toMatch(/TEMP B-TREE/);
    expect(plan('SELECT pair_id FROM conversations c WHERE c.status = ? ORDER BY c.last_message_id DESC LIMIT 50', 'follow_up')).toMatch(
      /conversations_status/,
    );
    expect(
      plan(
        "SELECT pair_id FROM conversations c WHERE c.store_id = ? AND c.status IN ('open', 'follow_up') AND c.waiting_since IS NOT NULL AND c.category NOT IN ('marketplace_notification', 'sent') ORDER BY c.waiting_since + CASE c.category WHEN 'a_to_z_claim' THEN 172800000 ELSE 86400000 END, c.pair_id LIMIT 50",
        3,
      ),
    ).toMatch(/conversations_store_due/);
  });

  it("gives the 90-day report's exact medians, walked from either end of a bucket, overall, per store, agent and category", async () => {
    const r = await new ReportRepo(db).responseTimes({ storeIds: stores, days: 90, now: NOW });
    const since = r.since;
    const times = (where: string, ...args: unknown[]) =>
      db
        .prepare(`SELECT response_ms FROM response_clocks WHERE response_ms IS NOT NULL AND started_at >= ? ${where}`)
        .pluck()
        .all(since, ...args) as number[];
    expect(r.overall.medianMs).toBe(median(times('')));
    expect(r.byStore.length).toBeGreaterThan(40);
    for (const line of r.byStore) expect(line.medianMs).toBe(median(times('AND store_id = ?', Number(line.key.split(':')[1]))));
    for (const line of r.byCategory) expect(line.medianMs).toBe(median(times('AND category = ?', line.key.split(':')[1])));
    for (const line of r.byAgent.filter((l) => l.key.startsWith('user:')))
      expect(line.medianMs).toBe(median(times('AND responder_user_id = ?', Number(line.key.split(':')[1]))));
  });
});

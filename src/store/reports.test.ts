// The response-time report against a week worked out by hand (test/helpers/response-fixture.ts),
// and the clocks the triggers keep against the reference definition in core/response-clock.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUCKET_EDGES_MIN, bucketOf, clocksOf, median, statsOf, windowStart, type ClockEvent } from '../core/response-clock.js';
import { EXPECTED_7_DAYS, FIXTURE_NOW, seedResponseFixture } from '../../test/helpers/response-fixture.js';
import { openDb, type Db } from './db.js';
import { MessageRepo } from './messages.js';
import { BUCKET_EDGES_MIN as FROZEN_EDGES } from './migrations/011-response-clocks.js';
import { MIGRATIONS } from './migrations/index.js';
import { ReportRepo, type ReportLine } from './reports.js';

const H = 3_600_000;
let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mg-reports-'));
  db = openDb(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const hours = (ms: number | null) => (ms === null ? null : Math.round((ms / H) * 1000) / 1000);
const pick = (l: ReportLine) => ({ counted: l.counted, late: l.late, averageH: hours(l.averageMs), medianH: hours(l.medianMs) });
const table = (lines: readonly ReportLine[]) => Object.fromEntries(lines.map((l) => [l.name, pick(l)]));

describe('response-time report', () => {
  it('gives the hand-computed late rate, average and median per store, agent and category over 7 days', async () => {
    const f = await seedResponseFixture(db, FIXTURE_NOW);
    const r = await new ReportRepo(db).responseTimes({ storeIds: [f.stores.acme, f.stores.birch], days: 7, now: FIXTURE_NOW });
    const e = EXPECTED_7_DAYS.overall;
    expect({ ...pick(r.overall), answered: r.overall.answered, notNeeded: r.overall.notNeeded, open: r.overall.open }).toEqual({
      counted: e.counted,
      late: e.late,
      averageH: e.averageH,
      medianH: e.medianH,
      answered: e.answered,
      notNeeded: e.notNeeded,
      open: e.open,
    });
    expect(r.overall.lateRate).toBeCloseTo(4 / 7);
    expect(table(r.byStore)).toEqual(EXPECTED_7_DAYS.byStore);
    expect(table(r.byAgent)).toEqual(EXPECTED_7_DAYS.byAgent);
    expect(table(r.byCategory)).toEqual(EXPECTED_7_DAYS.byCategory);
  });

  it('counts buyer messages and replies per UTC day and per category, campaigns left out', async () => {
    const f = await seedResponseFixture(db, FIXTURE_NOW);
    const r = await new ReportRepo(db).responseTimes({ storeIds: [f.stores.acme, f.stores.birch], days: 7, now: FIXTURE_NOW });
    expect(r.volumeByDay).toEqual([
      { day: '2026-11-19', received: 0, replies: 0 },
      { day: '2026-11-20', received: 0, replies: 0 },
      { day: '2026-11-21', received: 4, replies: 1 },
      { day: '2026-11-22', received: 2, replies: 0 },
      { day: '2026-11-23', received: 2, replies: 3 },
      { day: '2026-11-24', received: 2, replies: 1 },
      { day: '2026-11-25', received: 2, replies: 0 },
    ]);
    expect(Object.fromEntries(r.volumeByCategory.map((v) => [v.name, v.received]))).toEqual(EXPECTED_7_DAYS.received);
    expect(r.distribution.reduce((a, b) => a + b.count, 0)).toBe(5);
  });

  it('widens to 30 days, narrows to one agent, and to the stores an agent may see', async () => {
    const f = await seedResponseFixture(db, FIXTURE_NOW);
    const repo = new ReportRepo(db);
    const all = [f.stores.acme, f.stores.birch];
    const month = await repo.responseTimes({ storeIds: all, days: 30, now: FIXTURE_NOW });
    expect(pick(month.overall)).toEqual({ counted: 8, late: 4, averageH: 14.083, medianH: 3 }); // + P9, 1 h
    const alex = await repo.responseTimes({ storeIds: all, days: 7, agentUserId: f.alex.id, now: FIXTURE_NOW });
    expect(pick(alex.overall)).toEqual({ counted: 2, late: 1, averageH: 17, medianH: 17 });
    expect(alex.byAgent.map((a) => a.name)).toEqual(['Alex Agent']);
    const acmeOnly = await repo.responseTimes({ storeIds: [f.stores.acme], days: 7, now: FIXTURE_NOW });
    expect(acmeOnly.byStore.map((s) => s.name)).toEqual(['Acme Store']);
    expect(pick(acmeOnly.overall)).toEqual(EXPECTED_7_DAYS.byStore['Acme Store']);
  });

  it('stops a running clock with "no response needed" once, and the next buyer message starts a new one', async () => {
    const f = await seedResponseFixture(db, FIXTURE_NOW);
    const repo = new ReportRepo(db);
    expect(await repo.conversationClock(f.pairs.p6)).toMatchObject({ answeredAt: null, notNeededAt: null });
    expect(await repo.markNoResponseNeeded(f.pairs.p6, f.alex.id, FIXTURE_NOW)).toBe(true);
    expect(await repo.markNoResponseNeeded(f.pairs.p6, f.alex.id, FIXTURE_NOW)).toBe(false);
    expect(await repo.conversationClock(f.pairs.p6)).toMatchObject({ notNeededAt: FIXTURE_NOW, notNeededBy: 'Alex Agent' });
    const r = await repo.responseTimes({ storeIds: [f.stores.birch], days: 7, now: FIXTURE_NOW });
    expect(r.overall.notNeeded).toBe(1);
    expect(r.overall.open).toBe(0);
  });

  it('names the staff user who answered from the reply box in the insert that stores the reply: no later write, nothing if it rolls back', async () => {
    const f = await seedResponseFixture(db, FIXTURE_NOW);
    const messages = new MessageRepo(db);
    const clock = () =>
      db
        .prepare('SELECT answered_at AS answeredAt, responder_user_id AS userId FROM response_clocks WHERE pair_id = ? ORDER BY id DESC LIMIT 1')
        .get(f.pairs.p6);
    const reply = (relayMessageId: string) =>
      messages.insert({
        pairId: f.pairs.p6,
        storeId: f.stores.birch,
        critical: false,
        criticalToOptedOut: false,
        suspicious: false,
        autoSubmitted: false,
        direction: 'store_to_buyer',
        source: 'web',
        authorEmail: 'help@birch.example',
        permittedSenderId: null,
        subject: 'Re: your order',
        originalMessageId: null,
        relayMessageId,
        verdict: 'accept',
        findings: [],
        changes: [],
        raw: Buffer.from('x'),
        receivedAt: FIXTURE_NOW,
        staffUserId: f.alex.id,
      });
    // A commit that fails after the insert (a crash, a full disk) leaves the clock as it was.
    expect(() =>
      db.transaction(() => {
        reply('<rolled-back@relay.localhost>');
        throw new Error('the commit fails');
      })(),
    ).toThrow('the commit fails');
    expect(clock()).toEqual({ answeredAt: null, userId: null });
    db.transaction(() => reply('<kept@relay.localhost>'))();
    expect(clock()).toEqual({ answeredAt: FIXTURE_NOW, userId: f.alex.id });
    const r = await new ReportRepo(db).responseTimes({ storeIds: [f.stores.birch], days: 7, now: FIXTURE_NOW });
    expect(r.byAgent.find((l) => l.name === 'Alex Agent')?.answered).toBe(1);
  });

  it('follows a message re-categorised by hand', async () => {
    const f = await seedResponseFixture(db, FIXTURE_NOW);
    const start = (await new ReportRepo(db).conversationClock(f.pairs.p3))!.startMessageId;
    db.prepare("UPDATE messages SET category = 'refund' WHERE id = ?").run(start);
    const r = await new ReportRepo(db).responseTimes({ storeIds: [f.stores.acme, f.stores.birch], days: 7, now: FIXTURE_NOW });
    expect(table(r.byCategory)['Refund']).toEqual({ counted: 3, late: 2, averageH: 16, medianH: 16 });
    expect(Object.fromEntries(r.volumeByCategory.map((v) => [v.name, v.received]))['Refund']).toBe(3);
  });
});

describe('response clocks in SQL', () => {
  it('keeps the same bucket edges as the core', () => {
    expect(FROZEN_EDGES).toEqual(BUCKET_EDGES_MIN);
  });

  it('agree with the reference definition on random conversations, and the backfill agrees with the triggers', () => {
    // 360 random messages over 9 conversations go into this database, which has the triggers, and
    // into one that gets migration 011 only afterwards (the backfill).
    const old = new Database(join(dir, 'old.sqlite'));
    for (const m of MIGRATIONS.filter((m) => m.version < 11)) old.exec(m.sql);
    const expected = randomArchive([db, old]);
    old.exec(MIGRATIONS.find((m) => m.version === 11)!.sql);
    const read = (d: Database.Database | Db, pairId: number) =>
      d
        .prepare(
          `SELECT start_message_id AS startMessageId, started_at AS startedAt, answer_message_id AS answerMessageId, answered_at AS answeredAt,
             not_needed_at AS notNeededAt, response_ms AS ms, bucket FROM response_clocks WHERE pair_id = ? ORDER BY id`,
        )
        .all(pairId) as { startMessageId: number; answeredAt: number | null; startedAt: number; ms: number | null; bucket: number | null }[];
    let clocks = 0;
    for (const [pairId, want] of expected) {
      const got = read(db, pairId);
      expect(got.map(({ ms: _ms, bucket: _b, ...c }) => c)).toEqual(want);
      for (const c of got) if (c.answeredAt !== null) expect([c.ms, c.bucket]).toEqual([c.answeredAt - c.startedAt, bucketOf(c.answeredAt - c.startedAt)]);
      expect(read(old, pairId)).toEqual(got);
      clocks += got.length;
    }
    expect(clocks).toBeGreaterThan(40);
    const sums = (d: Database.Database | Db) => d.prepare('SELECT sum(clocks) AS c, sum(answered) AS a, sum(sum_ms) AS s FROM response_daily').get();
    expect(sums(old)).toEqual(db.prepare('SELECT count(*) AS c, count(answered_at) AS a, coalesce(sum(response_ms), 0) AS s FROM response_clocks').get());
    expect(sums(db)).toEqual(sums(old));
    old.close();
  });

  it('keep the 8- and 64-day blocks equal to the days they cover, by triggers and by the backfill of an existing database', () => {
    const old = new Database(join(dir, 'old.sqlite'));
    for (const m of MIGRATIONS.filter((m) => m.version < 11)) old.exec(m.sql);
    randomArchive([db, old]);
    // The database made before migration 017 brings its messages to 011's backfill, then to 017's.
    for (const m of MIGRATIONS.filter((m) => m.version >= 11)) old.exec(m.sql);
    db.prepare("UPDATE messages SET category = 'refund' WHERE id % 5 = 0 AND direction = 'buyer_to_store'").run();
    db.prepare(
      'UPDATE response_clocks SET not_needed_at = started_at + 3600000, not_needed_by = 1 WHERE start_message_id % 7 = 0 AND answered_at IS NULL',
    ).run();
    db.prepare('DELETE FROM response_clocks WHERE start_message_id % 11 = 0').run();
    old.prepare("UPDATE messages SET category = 'refund' WHERE id % 5 = 0 AND direction = 'buyer_to_store'").run();
    old
      .prepare('UPDATE response_clocks SET not_needed_at = started_at + 3600000, not_needed_by = 1 WHERE start_message_id % 7 = 0 AND answered_at IS NULL')
      .run();
    old.prepare('DELETE FROM response_clocks WHERE start_message_id % 11 = 0').run();
    const cols = `clocks, answered, answered_late, sum_ms, not_needed, not_needed_late, ${BUCKET_EDGES_MIN.map((_, i) => `b${i}`).join(', ')}`;
    const sumsOf = cols
      .split(', ')
      .map((c) => `sum(${c}) AS ${c}`)
      .join(', ');
    const blocks = (d: Database.Database | Db) =>
      d.prepare(`SELECT span, day, store_id, category, user_id, sender_id, ${cols} FROM response_blocks WHERE clocks != 0 ORDER BY 1, 2, 3, 4, 5, 6`).all();
    const fromDays = (d: Database.Database | Db) =>
      d
        .prepare(
          `SELECT span, day / span * span AS day, store_id, category, user_id, sender_id, ${sumsOf}
           FROM response_daily, (SELECT 8 AS span UNION ALL SELECT 64) GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(clocks) != 0 ORDER BY 1, 2, 3, 4, 5, 6`,
        )
        .all();
    const kept = blocks(db);
    expect(kept.length).toBeGreaterThan(20);
    expect(kept).toEqual(fromDays(db));
    expect(blocks(old)).toEqual(kept);
    old.close();
  });

  it('match the reference definition on every day of half a year, for 7, 30 and 90 days, per store and overall', async () => {
    const expected = randomArchive([db]);
    const clocks = [...expected].flatMap(([pairId, list]) => list.map((c) => ({ ...c, storeId: 1 + (pairId % 2) })));
    const reports = new ReportRepo(db);
    const reference = (list: typeof clocks, now: number, days: 7 | 30 | 90) => {
      const inWindow = list.filter((c) => c.startedAt >= windowStart(now, days));
      const times = inWindow.filter((c) => c.answeredAt !== null).map((c) => Math.max(0, (c.answeredAt as number) - c.startedAt));
      const open = inWindow.filter((c) => c.answeredAt === null);
      const openRecent = open.filter((c) => c.startedAt >= now - 24 * H).length;
      return statsOf(
        {
          clocks: inWindow.length,
          answered: times.length,
          answeredLate: times.filter((ms) => ms > 24 * H).length,
          sumMs: times.reduce((a, b) => a + b, 0),
          notNeeded: 0,
          notNeededLate: 0,
          open: openRecent,
          openLate: open.length - openRecent,
        },
        median(times),
      );
    };
    const first = Math.min(...clocks.map((c) => c.startedAt));
    const last = Math.max(...clocks.map((c) => c.startedAt));
    let compared = 0;
    for (let now = first; now < last + 100 * 24 * H; now += 24 * H + 7 * 60_000) {
      for (const days of [7, 30, 90] as const) {
        const r = await reports.responseTimes({ storeIds: [1, 2], days, now });
        const { key: _k, name: _n, ...overall } = r.overall;
        expect(overall).toEqual(reference(clocks, now, days));
        for (const line of r.byStore) {
          const { key, name: _name, ...stats } = line;
          expect(stats).toEqual(
            reference(
              clocks.filter((c) => `store:${c.storeId}` === key),
              now,
              days,
            ),
          );
        }
        compared += r.overall.answered;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});

/**
 * 360 random messages over 9 conversations of two stores, half a year from FIXTURE_NOW - 1000 h on,
 * written into each database; the clocks of each conversation by the reference definition.
 */
function randomArchive(dbs: readonly (Db | Database.Database)[]): Map<number, ReturnType<typeof clocksOf>> {
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  for (const d of dbs)
    d.exec(`INSERT INTO stores (id, slug, name, mailbox, created_at) VALUES (1, 'a', 'A', 'a@shop.example', 0), (2, 'b', 'B', 'b@shop.example', 0);
      INSERT INTO buyers (id, email, name, kind, created_at) SELECT value, 'b' || value || '@x.example', 'B', 'customer', 0 FROM json_each('[1,2,3,4,5,6,7,8,9]');
      INSERT INTO pairs (id, store_id, buyer_id, token, created_at) SELECT value, 1 + value % 2, value, 't' || value, 0 FROM json_each('[1,2,3,4,5,6,7,8,9]');`);
  const repos = dbs.map((d) => new MessageRepo(d as Db));
  const expected = new Map<number, ReturnType<typeof clocksOf>>();
  let t = FIXTURE_NOW - 1000 * H;
  const pairIds = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const events = new Map<number, ClockEvent[]>();
  const insertAll = (): void => {
    for (let i = 0; i < 360; i++) {
      const pairId = pairIds[rand(pairIds.length)] as number;
      const storeId = 1 + (pairId % 2);
      t += rand(30) * H + rand(60) * 60_000;
      const kind = rand(6);
      const direction = kind < 3 ? 'buyer_to_store' : 'store_to_buyer';
      const autoSubmitted = (kind === 0 || kind === 4) && rand(3) === 0;
      const category = direction === 'store_to_buyer' ? 'sent' : kind === 1 && rand(4) === 0 ? 'marketplace_notification' : 'buyer_message';
      const source = direction === 'store_to_buyer' && kind === 5 && rand(2) === 0 ? 'campaign' : 'smtp';
      const m = {
        pairId,
        storeId,
        critical: false,
        criticalToOptedOut: false,
        suspicious: false,
        autoSubmitted,
        direction,
        source,
        authorEmail: 'someone@example.com',
        permittedSenderId: null,
        subject: 's',
        originalMessageId: null,
        relayMessageId: `<r${i}@relay.localhost>`,
        verdict: 'accept',
        findings: [],
        changes: [],
        raw: Buffer.from('x'),
        category,
        receivedAt: t,
      } as const;
      const ids = repos.map((r) => r.insert(m));
      const id = ids[0] as number;
      const list = events.get(pairId) ?? events.set(pairId, []).get(pairId)!;
      list.push(
        direction === 'buyer_to_store'
          ? { kind: 'buyer', id, at: t, autoSubmitted, category }
          : { kind: 'store', id, at: t, campaign: source === 'campaign', autoSubmitted },
      );
    }
  };
  const all = dbs.reduce<() => void>((inner, d) => () => d.transaction(inner)(), insertAll);
  all();
  for (const [pairId, list] of events) expected.set(pairId, clocksOf(list));
  return expected;
}

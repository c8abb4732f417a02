// Owns the response-time report: the late rate, average and median first-response time per store,
// agent and category over the last 7/30/90 days, the response-time distribution, and the volume of
// messages per day and category — read from the summaries the triggers of migrations 011 and 017
// keep (response_daily per day, response_blocks per 8 and 64 days, message_daily), so a 90-day
// report over a million messages reads a few thousand rows and walks to each median inside one
// response-time bucket. Also the "no response needed" mark and who answered a web reply. One
// implementation for both databases (the same SQL through a SqlRunner; PostgreSQL's schema 005
// keeps the same summaries): the storage port's `inbox` serves it on either.
import { CATEGORY_LABELS, type Category } from '../core/categorize.js';
import {
  BUCKET_EDGES_MIN,
  bucketLabel,
  DAY_MS,
  LATE_AFTER_MS,
  medianPositions,
  statsOf,
  windowStart,
  type ClockTally,
  type ReportDays,
  type ResponseStats,
} from '../core/response-clock.js';
import type { Db } from './db.js';
import { marks, sqliteRunner, type SqlRunner } from './sql-runner.js';

export interface ReportScope {
  /** The stores to report on: already intersected with what the caller may see. */
  readonly storeIds: readonly number[];
  readonly days: ReportDays;
  /** Only clocks this staff user answered. */
  readonly agentUserId?: number | undefined;
  readonly now?: number | undefined;
}

export interface ReportLine extends ResponseStats {
  /** "store:3", "user:2", "sender:5", "category:refund", "all". */
  readonly key: string;
  readonly name: string;
}

export interface ResponseReport {
  readonly days: ReportDays;
  /** The window: from the start of the UTC day `days - 1` days ago to now (ms). */
  readonly since: number;
  readonly until: number;
  readonly overall: ReportLine;
  readonly byStore: readonly ReportLine[];
  readonly byAgent: readonly ReportLine[];
  readonly byCategory: readonly ReportLine[];
  /** Answered clocks per response-time bucket. */
  readonly distribution: readonly { readonly label: string; readonly count: number }[];
  /** Every day of the window, oldest first: buyer messages received and store replies (no campaigns). */
  readonly volumeByDay: readonly { readonly day: string; readonly received: number; readonly replies: number }[];
  readonly volumeByCategory: readonly { readonly category: Category; readonly name: string; readonly received: number }[];
}

export interface ConversationClock {
  readonly startMessageId: number;
  readonly startedAt: number;
  readonly answeredAt: number | null;
  readonly notNeededAt: number | null;
  readonly notNeededBy: string | null;
}

const B = BUCKET_EDGES_MIN.length;
const BUCKETS = Array.from({ length: B }, (_, i) => `b${i}`).join(', ');
const OPEN = 'answered_at IS NULL AND not_needed_at IS NULL';

interface SummaryRow {
  storeId: number;
  category: Category;
  userId: number;
  senderId: number;
  clocks: number;
  answered: number;
  answeredLate: number;
  sumMs: number;
  notNeeded: number;
  notNeededLate: number;
  hist: number[];
}

/** A group being summed: the tally less open clocks, and the histogram. */
class Acc {
  clocks = 0;
  answered = 0;
  answeredLate = 0;
  sumMs = 0;
  notNeeded = 0;
  notNeededLate = 0;
  openRecent = 0;
  readonly hist: number[] = Array.from({ length: B }, () => 0);
  add(r: SummaryRow): void {
    this.clocks += r.clocks;
    this.answered += r.answered;
    this.answeredLate += r.answeredLate;
    this.sumMs += r.sumMs;
    this.notNeeded += r.notNeeded;
    this.notNeededLate += r.notNeededLate;
    r.hist.forEach((n, i) => (this.hist[i] = (this.hist[i] as number) + n));
  }
  tally(): ClockTally {
    const open = this.clocks - this.answered - this.notNeeded - this.notNeededLate;
    return { ...this, open: this.openRecent, openLate: open - this.openRecent };
  }
}

/** A count or sum as a number: PostgreSQL answers sum() of integers as a numeric string. */
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export class ReportRepo {
  readonly #sql: SqlRunner;
  /** Over the SQLite connection (a Db) or either database's runner. */
  constructor(db: Db | SqlRunner) {
    this.#sql = 'dialect' in db ? db : sqliteRunner(db);
  }

  async responseTimes(scope: ReportScope): Promise<ResponseReport> {
    const now = scope.now ?? Date.now();
    const since = windowStart(now, scope.days);
    const stores = scope.storeIds;
    const agent = scope.agentUserId;
    const empty = stores.length === 0;
    const rows = empty ? [] : await this.#summary(stores, since, agent);

    const overall = new Acc();
    const byStore = new Map<number, Acc>();
    const byCategory = new Map<Category, Acc>();
    const byAgent = new Map<string, Acc>();
    const get = <K>(m: Map<K, Acc>, k: K) => m.get(k) ?? m.set(k, new Acc()).get(k)!;
    for (const r of rows) {
      overall.add(r);
      get(byStore, r.storeId).add(r);
      get(byCategory, r.category).add(r);
      const who = r.userId ? `user:${r.userId}` : r.senderId ? `sender:${r.senderId}` : null;
      if (who) get(byAgent, who).add(r);
    }
    // Open clocks under 24 hours old are not counted yet; the rest of the open ones are late.
    if (!empty && agent === undefined) {
      const indexed = this.#sql.dialect === 'sqlite' ? 'INDEXED BY response_clocks_open_time' : '';
      const recent = await this.#sql.all<{ storeId: number; category: Category; n: number }>(
        `SELECT store_id AS "storeId", category, count(*) AS n FROM response_clocks ${indexed}
         WHERE ${OPEN} AND started_at >= ? AND started_at >= ? AND store_id IN (${marks(stores.length)}) GROUP BY store_id, category`,
        [since, now - LATE_AFTER_MS, ...stores],
      );
      for (const r of recent) {
        const n = num(r.n);
        overall.openRecent += n;
        get(byStore, r.storeId).openRecent += n;
        get(byCategory, r.category).openRecent += n;
      }
    }

    const names = await this.#names([...byStore.keys()], [...byAgent.keys()]);
    // The store list is a filter only when it leaves some store out: checking 50 ids on every row
    // walked to a median costs ten times the walk.
    const everyStore = stores.length === num((await this.#sql.get<{ n: number }>('SELECT count(*) AS n FROM stores'))?.n);
    const base = { stores: everyStore ? null : stores, since, agent };
    const line = async (key: string, name: string, acc: Acc, where: string, args: unknown[], inScope = true): Promise<ReportLine> => ({
      key,
      name,
      ...statsOf(acc.tally(), await this.#median(acc.hist, where, args, inScope ? base : { ...base, stores: null })),
    });
    const sortByName = (a: ReportLine, b: ReportLine) => a.name.localeCompare(b.name);
    // One after the other: a SQLite runner must not interleave, and a pool connection serves one at a time.
    const lines = async (list: [string, string, Acc, string, unknown[], boolean?][]) => {
      const out: ReportLine[] = [];
      for (const [key, name, acc, where, args, inScope] of list) out.push(await line(key, name, acc, where, args, inScope));
      return out.sort(sortByName);
    };
    return {
      days: scope.days,
      since,
      until: now,
      overall: await line('all', 'All', overall, '', []),
      byStore: await lines([...byStore].map(([id, acc]) => [`store:${id}`, names.get(`store:${id}`) ?? `store ${id}`, acc, 'store_id = ?', [id], false])),
      byAgent: await lines(
        [...byAgent].map(([key, acc]) => {
          const id = Number(key.split(':')[1]);
          const cond = key.startsWith('user:') ? 'responder_user_id = ?' : 'responder_user_id IS NULL AND responder_sender_id = ?';
          return [key, names.get(key) ?? key, acc, cond, [id]];
        }),
      ),
      byCategory: await lines([...byCategory].map(([cat, acc]) => [`category:${cat}`, CATEGORY_LABELS[cat] ?? cat, acc, 'category = ?', [cat]])),
      distribution: overall.hist.map((count, i) => ({ label: bucketLabel(i), count })),
      ...(await this.#volume(stores, since, now)),
    };
  }

  /**
   * Every group's tally over the window: the days before the next 8-day boundary from
   * response_daily, then the 8-day and 64-day blocks of response_blocks (migration 017), so a
   * 90-day window reads at most 16 rows per group, not 90.
   */
  async #summary(stores: readonly number[], since: number, agent: number | undefined): Promise<SummaryRow[]> {
    const first = since / DAY_MS;
    const [b8, b64] = [Math.ceil(first / 8) * 8, Math.ceil(first / 64) * 64];
    const scoped = [...stores, ...(agent === undefined ? [] : [agent])];
    const filter = `store_id IN (${marks(stores.length)}) ${agent === undefined ? '' : 'AND user_id = ?'}`;
    const cols = `store_id, category, user_id, sender_id, clocks, answered, answered_late, sum_ms, not_needed, not_needed_late, ${BUCKETS}`;
    const sums = ['clocks', 'answered', 'answered_late', 'sum_ms', 'not_needed', 'not_needed_late', ...BUCKETS.split(', ')];
    const raw = await this.#sql.all<Record<string, unknown>>(
      `SELECT store_id, category, user_id, sender_id, ${sums.map((c) => `sum(${c}) AS ${c}`).join(', ')}
       FROM (SELECT ${cols} FROM response_daily WHERE day >= ? AND day < ? AND ${filter}
         UNION ALL SELECT ${cols} FROM response_blocks WHERE span = 8 AND day >= ? AND day < ? AND ${filter}
         UNION ALL SELECT ${cols} FROM response_blocks WHERE span = 64 AND day >= ? AND ${filter}) t
       GROUP BY store_id, category, user_id, sender_id`,
      [[first, b8], [b8, b64], [b64]].flatMap((days) => [...days, ...scoped]),
    );
    return raw.map((r) => ({
      storeId: num(r.store_id),
      category: r.category as Category,
      userId: num(r.user_id),
      senderId: num(r.sender_id),
      clocks: num(r.clocks),
      answered: num(r.answered),
      answeredLate: num(r.answered_late),
      sumMs: num(r.sum_ms),
      notNeeded: num(r.not_needed),
      notNeededLate: num(r.not_needed_late),
      hist: Array.from({ length: B }, (_, i) => num(r[`b${i}`])),
    }));
  }

  /**
   * The exact median of a group's answered response times: the histogram says which bucket holds
   * the middle rank and where in it, and the rank index hands out that one row.
   */
  async #median(
    hist: readonly number[],
    where: string,
    args: unknown[],
    s: { stores: readonly number[] | null; since: number; agent: number | undefined },
  ): Promise<number | null> {
    const positions = medianPositions(hist);
    if (positions.length === 0) return null;
    const stores = s.stores ?? [];
    const conds = ['bucket = ?', 'response_ms IS NOT NULL', 'started_at >= ?'];
    if (where) conds.unshift(where);
    if (stores.length) conds.push(`store_id IN (${marks(stores.length)})`);
    if (s.agent !== undefined) conds.push('responder_user_id = ?');
    // The walk to a rank is as long as its offset inside the bucket (the largest bucket holds a
    // fifth of the clocks at a million messages): walk from the nearer end of the bucket, and read
    // both middle values of an even count in one walk when they share a bucket.
    const walk = async (dir: 'ASC' | 'DESC', n: 1 | 2, values: unknown[]) =>
      (
        await this.#sql.all<{ ms: number }>(
          `SELECT response_ms AS ms FROM response_clocks WHERE ${conds.join(' AND ')} ORDER BY response_ms ${dir} LIMIT ${n} OFFSET ?`,
          values,
        )
      ).map((r) => num(r.ms));
    const args0 = (bucket: number) => [...args, bucket, s.since, ...stores, ...(s.agent === undefined ? [] : [s.agent])];
    const first = positions[0]!;
    const last = positions[positions.length - 1]!;
    const together = positions.length === 2 && first.bucket === last.bucket;
    const read = async (p: { bucket: number; offset: number }, n: 1 | 2): Promise<(number | undefined)[]> => {
      const size = hist[p.bucket] as number;
      const fromTop = size - p.offset - n; // the same rows counted from the bucket's end
      if (fromTop < p.offset) return (await walk('DESC', n, [...args0(p.bucket), fromTop])).reverse();
      return walk('ASC', n, [...args0(p.bucket), p.offset]);
    };
    const values: (number | undefined)[] = [];
    if (together) values.push(...(await read(first, 2)));
    else for (const p of positions) values.push((await read(p, 1))[0]);
    if (values.length !== positions.length || values.some((v) => v === undefined)) throw new Error('response_daily and response_clocks disagree');
    return (values as number[]).reduce((a, b) => a + b, 0) / values.length;
  }

  async #names(storeIds: readonly number[], agentKeys: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (storeIds.length) {
      // One query for every store (a report may name fifty).
      const wanted = new Set(storeIds);
      for (const r of await this.#sql.all<{ id: number; name: string }>('SELECT id, name FROM stores')) if (wanted.has(r.id)) out.set(`store:${r.id}`, r.name);
    }
    for (const key of agentKeys) {
      const id = Number(key.split(':')[1]);
      const r = key.startsWith('user:')
        ? await this.#sql.get<{ name: string }>('SELECT name FROM users WHERE id = ?', [id])
        : await this.#sql.get<{ name: string }>("SELECT email || ' (mail)' AS name FROM permitted_senders WHERE id = ?", [id]);
      if (r) out.set(key, r.name);
    }
    return out;
  }

  async #volume(stores: readonly number[], since: number, now: number): Promise<Pick<ResponseReport, 'volumeByDay' | 'volumeByCategory'>> {
    const firstDay = since / DAY_MS;
    const lastDay = Math.floor(now / DAY_MS);
    const days = Array.from({ length: lastDay - firstDay + 1 }, (_, i) => ({
      day: new Date((firstDay + i) * DAY_MS).toISOString().slice(0, 10),
      received: 0,
      replies: 0,
    }));
    const byCategory = new Map<Category, number>();
    if (stores.length) {
      const rows = await this.#sql.all<{ day: number; category: Category; direction: string; n: number | string }>(
        `SELECT day, category, direction, sum(n) AS n FROM message_daily WHERE day >= ? AND day <= ? AND store_id IN (${marks(stores.length)})
         GROUP BY day, category, direction`,
        [firstDay, lastDay, ...stores],
      );
      for (const r of rows) {
        const d = days[num(r.day) - firstDay];
        const n = num(r.n);
        if (!d || n === 0) continue;
        if (r.direction === 'buyer_to_store') {
          d.received += n;
          byCategory.set(r.category, (byCategory.get(r.category) ?? 0) + n);
        } else d.replies += n;
      }
    }
    return {
      volumeByDay: days,
      volumeByCategory: [...byCategory]
        .filter(([, n]) => n > 0)
        .map(([category, received]) => ({ category, name: CATEGORY_LABELS[category] ?? category, received }))
        .sort((a, b) => b.received - a.received || a.name.localeCompare(b.name)),
    };
  }

  /** Every staff user, by id, as the report's agent filter lists and checks them. */
  staff(): Promise<{ id: number; name: string; disabled: boolean }[]> {
    return this.#sql
      .all<{ id: number; name: string; disabledAt: number | null }>('SELECT id, name, disabled_at AS "disabledAt" FROM users ORDER BY id')
      .then((rows) => rows.map((r) => ({ id: r.id, name: r.name, disabled: r.disabledAt !== null })));
  }

  /** The conversation's latest clock, for the conversation page; null when a buyer never wrote. */
  conversationClock(pairId: number): Promise<ConversationClock | null> {
    return this.#sql.get<ConversationClock>(
      `SELECT c.start_message_id AS "startMessageId", c.started_at AS "startedAt", c.answered_at AS "answeredAt", c.not_needed_at AS "notNeededAt",
         u.name AS "notNeededBy"
       FROM response_clocks c LEFT JOIN users u ON u.id = c.not_needed_by WHERE c.pair_id = ? ORDER BY c.id DESC LIMIT 1`,
      [pairId],
    );
  }

  /**
   * Stops the conversation's running clock: "no response needed"; the inbox's due clock
   * (conversations.waiting_since) stops with it, in the same transaction, until the buyer writes
   * again. False when none was running.
   */
  markNoResponseNeeded(pairId: number, userId: number, now = Date.now()): Promise<boolean> {
    return this.#sql.transaction(async (t) => {
      await t.run('UPDATE conversations SET waiting_since = NULL WHERE pair_id = ? AND waiting_since IS NOT NULL', [pairId]);
      return (await t.run(`UPDATE response_clocks SET not_needed_at = ?, not_needed_by = ? WHERE pair_id = ? AND ${OPEN}`, [now, userId, pairId])) > 0;
    });
  }
}

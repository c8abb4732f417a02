// Owns the definition of the response clock the Reports page grades a store on: which buyer message
// starts it, what stops it, when a response is late, the response-time buckets, and the
// arithmetic of a report (late rate, average, median). Pure: the store keeps clocks in SQL
// (migration 011) and this file is the reference they are checked against.
//
// A clock per conversation (pair):
// - starts at the first buyer message that nobody has answered yet — later buyer messages join the
//   running clock; machine-sent mail (auto_submitted) and marketplace notifications never start one;
// - stops at the next store → buyer message from any channel (mail, submission, web reply, API),
//   never a campaign or a machine-sent one (an out-of-office); or when staff mark the conversation
//   "no response needed";
// - a response is late when it came more than 24 hours after the start, weekends included.
// A clock marked "no response needed" within 24 hours is left out of the numbers; one marked later
// counts as late (a mark cannot undo a late answer). A clock still open counts as late once 24 hours
// have passed, and is left out until then.

export const LATE_AFTER_MS = 24 * 3_600_000;
export const DAY_MS = 86_400_000;
export const REPORT_DAYS = [7, 30, 90] as const;
export type ReportDays = (typeof REPORT_DAYS)[number];

/** Lower edges of the response-time buckets, in minutes; the last bucket has no upper edge. */
export const BUCKET_EDGES_MIN: readonly number[] = [
  0, 5, 10, 15, 30, 45, 60, 90, 120, 180, 240, 360, 480, 600, 720, 900, 1080, 1260, 1440, 1800, 2160, 2880, 4320, 7200, 10080,
];

/** The bucket index of a response time (ms ≥ 0). */
export function bucketOf(ms: number): number {
  const min = Math.max(0, ms) / 60_000;
  let i = 0;
  while (i + 1 < BUCKET_EDGES_MIN.length && min >= (BUCKET_EDGES_MIN[i + 1] as number)) i++;
  return i;
}

/** "under 5 min", "1–1.5 h", "7 d or more": a bucket in words. */
export function bucketLabel(i: number): string {
  const lo = BUCKET_EDGES_MIN[i] as number;
  const hi = BUCKET_EDGES_MIN[i + 1];
  const fmt = (m: number) => (m < 60 ? `${m} min` : m < 2880 ? `${m / 60} h` : `${m / 1440} d`);
  if (hi === undefined) return `${fmt(lo)} or more`;
  if (lo === 0) return `under ${fmt(hi)}`;
  return `${fmt(lo)}–${fmt(hi)}`;
}

/** One event of a conversation, in arrival order, as the clock sees it. */
export type ClockEvent =
  | { readonly kind: 'buyer'; readonly id: number; readonly at: number; readonly autoSubmitted: boolean; readonly category: string }
  | { readonly kind: 'store'; readonly id: number; readonly at: number; readonly campaign: boolean; readonly autoSubmitted?: boolean }
  | { readonly kind: 'no_response_needed'; readonly at: number };

export interface Clock {
  readonly startMessageId: number;
  readonly startedAt: number;
  readonly answerMessageId: number | null;
  readonly answeredAt: number | null;
  readonly notNeededAt: number | null;
}

/** The clocks of one conversation: the reference definition (the SQL triggers must agree with it). */
export function clocksOf(events: readonly ClockEvent[]): Clock[] {
  const out: Clock[] = [];
  let open: { startMessageId: number; startedAt: number } | null = null;
  for (const e of events) {
    if (e.kind === 'buyer') {
      if (e.autoSubmitted || e.category === 'marketplace_notification') continue;
      if (!open) open = { startMessageId: e.id, startedAt: e.at };
    } else if (e.kind === 'store') {
      if (e.campaign || e.autoSubmitted || !open) continue;
      out.push({ ...open, answerMessageId: e.id, answeredAt: e.at, notNeededAt: null });
      open = null;
    } else if (open) {
      out.push({ ...open, answerMessageId: null, answeredAt: null, notNeededAt: e.at });
      open = null;
    }
  }
  if (open) out.push({ ...open, answerMessageId: null, answeredAt: null, notNeededAt: null });
  return out;
}

export type ClockState = 'on_time' | 'late' | 'not_needed' | 'open' | 'open_late';

/** Where a clock stands at `now`. */
export function clockState(c: Pick<Clock, 'startedAt' | 'answeredAt' | 'notNeededAt'>, now: number): ClockState {
  if (c.answeredAt !== null) return c.answeredAt - c.startedAt > LATE_AFTER_MS ? 'late' : 'on_time';
  if (c.notNeededAt !== null) return c.notNeededAt - c.startedAt > LATE_AFTER_MS ? 'late' : 'not_needed';
  return now - c.startedAt > LATE_AFTER_MS ? 'open_late' : 'open';
}

/** The first instant of the report window: the start of the UTC day `days - 1` days before `now`'s. */
export function windowStart(now: number, days: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
}

/** The counts a report line is made of. */
export interface ClockTally {
  /** Clocks started in the window. */
  readonly clocks: number;
  readonly answered: number;
  readonly answeredLate: number;
  /** Sum of the answered clocks' response times, ms. */
  readonly sumMs: number;
  /** Marked "no response needed" within 24 hours: left out. */
  readonly notNeeded: number;
  /** Marked after 24 hours: late. */
  readonly notNeededLate: number;
  /** Still open and past 24 hours: late. */
  readonly openLate: number;
  /** Still open, under 24 hours: not counted yet. */
  readonly open: number;
}

export interface ResponseStats {
  /** Clocks the late rate counts: answered, marked late, open past 24 h. */
  readonly counted: number;
  readonly late: number;
  /** late / counted, 0..1; null when nothing is counted. */
  readonly lateRate: number | null;
  readonly answered: number;
  readonly notNeeded: number;
  readonly open: number;
  /** Over answered clocks, ms; null when none. */
  readonly averageMs: number | null;
  readonly medianMs: number | null;
}

export function statsOf(t: ClockTally, medianMs: number | null): ResponseStats {
  const counted = t.answered + t.notNeededLate + t.openLate;
  const late = t.answeredLate + t.notNeededLate + t.openLate;
  return {
    counted,
    late,
    lateRate: counted ? late / counted : null,
    answered: t.answered,
    notNeeded: t.notNeeded,
    open: t.open,
    averageMs: t.answered ? t.sumMs / t.answered : null,
    medianMs,
  };
}

/**
 * Where the median of `n` sorted values sits, given how many fall in each bucket: one or two
 * (bucket, offset within the bucket) positions whose values are averaged. Empty for n = 0.
 */
export function medianPositions(perBucket: readonly number[]): { bucket: number; offset: number }[] {
  const n = perBucket.reduce((a, b) => a + b, 0);
  if (n === 0) return [];
  const ranks = n % 2 ? [(n - 1) / 2] : [n / 2 - 1, n / 2];
  return ranks.map((rank) => {
    let before = 0;
    for (let b = 0; b < perBucket.length; b++) {
      const k = perBucket[b] as number;
      if (rank < before + k) return { bucket: b, offset: rank - before };
      before += k;
    }
    throw new Error('rank beyond the counts');
  });
}

/** The median of plain values (the reference for medianPositions + the indexed look-up). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** "3 h 20 min", "45 min", "2 d 4 h" (rounded down to the minute). */
export function durationText(ms: number | null): string {
  if (ms === null) return '—';
  const min = Math.floor(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${Math.floor(h / 24)} d`;
}

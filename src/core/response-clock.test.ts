import { describe, expect, it } from 'vitest';
import { bucketLabel, bucketOf, clocksOf, clockState, durationText, median, medianPositions, statsOf, windowStart, type ClockEvent } from './response-clock.js';

const H = 3_600_000;
const buyer = (id: number, h: number, extra: Partial<{ autoSubmitted: boolean; category: string }> = {}): ClockEvent => ({
  kind: 'buyer',
  id,
  at: h * H,
  autoSubmitted: false,
  category: 'buyer_message',
  ...extra,
});
const store = (id: number, h: number, campaign = false, autoSubmitted = false): ClockEvent => ({ kind: 'store', id, at: h * H, campaign, autoSubmitted });

describe('the response clock', () => {
  it('starts at the first unanswered buyer message and stops at the next store message that is neither a campaign nor an out-of-office', () => {
    expect(clocksOf([buyer(1, 0), buyer(2, 1), store(3, 2, true), store(7, 3, false, true), store(4, 5), store(5, 6), buyer(6, 7)])).toEqual([
      { startMessageId: 1, startedAt: 0, answerMessageId: 4, answeredAt: 5 * H, notNeededAt: null },
      { startMessageId: 6, startedAt: 7 * H, answerMessageId: null, answeredAt: null, notNeededAt: null },
    ]);
  });

  it('is not started by auto-replies or marketplace notifications, and is stopped by "no response needed"', () => {
    const events: ClockEvent[] = [
      buyer(1, 0, { autoSubmitted: true }),
      buyer(2, 1, { category: 'marketplace_notification' }),
      buyer(3, 2),
      { kind: 'no_response_needed', at: 3 * H },
      store(4, 4),
      buyer(5, 5),
    ];
    expect(clocksOf(events).map((c) => [c.startMessageId, c.answerMessageId, c.notNeededAt])).toEqual([
      [3, null, 3 * H],
      [5, null, null],
    ]);
  });

  it('is late after 24 hours, whatever the day of the week; a late mark is late, an open clock is late once past 24 hours', () => {
    const sat = Date.parse('2026-11-21T10:00:00Z');
    expect(clockState({ startedAt: sat, answeredAt: sat + 24 * H, notNeededAt: null }, 0)).toBe('on_time');
    expect(clockState({ startedAt: sat, answeredAt: sat + 47 * H, notNeededAt: null }, 0)).toBe('late');
    expect(clockState({ startedAt: sat, answeredAt: null, notNeededAt: sat + H }, 0)).toBe('not_needed');
    expect(clockState({ startedAt: sat, answeredAt: null, notNeededAt: sat + 30 * H }, 0)).toBe('late');
    expect(clockState({ startedAt: sat, answeredAt: null, notNeededAt: null }, sat + 10 * H)).toBe('open');
    expect(clockState({ startedAt: sat, answeredAt: null, notNeededAt: null }, sat + 25 * H)).toBe('open_late');
  });

  it('adds up a report line: late rate over counted clocks, average over answered ones', () => {
    const s = statsOf({ clocks: 9, answered: 5, answeredLate: 2, sumMs: 83.5 * H, notNeeded: 1, notNeededLate: 1, openLate: 1, open: 1 }, 4 * H);
    expect(s).toEqual({ counted: 7, late: 4, lateRate: 4 / 7, answered: 5, notNeeded: 1, open: 1, averageMs: 16.7 * H, medianMs: 4 * H });
    expect(statsOf({ clocks: 0, answered: 0, answeredLate: 0, sumMs: 0, notNeeded: 0, notNeededLate: 0, openLate: 0, open: 0 }, null).lateRate).toBeNull();
  });

  it('finds the median rank inside the histogram, as the plain median would', () => {
    const values = [0.5, 2, 4, 30, 47].map((h) => h * H);
    const hist = Array.from({ length: 25 }, (_, b) => values.filter((v) => bucketOf(v) === b).length);
    const pos = medianPositions(hist);
    expect(pos).toEqual([{ bucket: bucketOf(4 * H), offset: 0 }]);
    expect(median(values)).toBe(4 * H);
    expect(medianPositions([2, 0, 2])).toEqual([
      { bucket: 0, offset: 1 },
      { bucket: 2, offset: 0 },
    ]);
    expect(medianPositions([0, 0])).toEqual([]);
  });

  it('names buckets, durations and the window in words a seller reads', () => {
    expect([bucketOf(0), bucketOf(5 * 60_000 - 1), bucketOf(5 * 60_000), bucketOf(30 * 24 * H)]).toEqual([0, 0, 1, 24]);
    expect([bucketLabel(0), bucketLabel(7), bucketLabel(24)]).toEqual(['under 5 min', '1.5 h–2 h', '7 d or more']);
    expect([durationText(null), durationText(45 * 60_000), durationText(16.7 * H), durationText(47 * H), durationText(50 * H)]).toEqual([
      '—',
      '45 min',
      '16 h 42 min',
      '47 h',
      '2 d 2 h',
    ]);
    expect(new Date(windowStart(Date.parse('2026-11-25T12:00:00Z'), 7)).toISOString()).toBe('2026-11-19T00:00:00.000Z');
  });
});

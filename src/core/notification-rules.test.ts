import { describe, expect, it } from 'vitest';
import { localTime, ruleMatches, windowOpen } from './notification-rules.js';

const WEEKDAYS = 0b0111110; // Monday to Friday
const night = { weekdays: WEEKDAYS, startMinute: 22 * 60, endMinute: 6 * 60 };

describe('notification windows (golden table)', () => {
  it.each([
    ['Monday 23:00, inside a Monday night window', { weekday: 1, minute: 23 * 60 }, true],
    ['Tuesday 03:00, the same window after midnight', { weekday: 2, minute: 3 * 60 }, true],
    ['Saturday 03:00, after Friday night', { weekday: 6, minute: 3 * 60 }, true],
    ['Monday 03:00, after Sunday (not a rule day)', { weekday: 1, minute: 3 * 60 }, false],
    ['Monday 12:00, daytime', { weekday: 1, minute: 12 * 60 }, false],
    ['Saturday 23:00, not a rule day', { weekday: 6, minute: 23 * 60 }, false],
  ])('%s → %s', (_n, t, expected) => expect(windowOpen(night, t)).toBe(expected));

  it('treats start = end as the whole day, and a plain window as [start, end)', () => {
    expect(windowOpen({ weekdays: 0b1111111, startMinute: 0, endMinute: 0 }, { weekday: 3, minute: 5 })).toBe(true);
    expect(windowOpen({ weekdays: 0b1111111, startMinute: 540, endMinute: 1020 }, { weekday: 3, minute: 1020 })).toBe(false);
  });

  it('matches category, store and the stores the user may see', () => {
    const rule = { userId: 1, category: 'refund' as const, storeId: null, weekdays: 0b1111111, startMinute: 0, endMinute: 0 };
    const at = { weekday: 1, minute: 60 };
    expect(ruleMatches(rule, { category: 'refund', storeId: 2, at }, [2])).toBe(true);
    expect(ruleMatches(rule, { category: 'buyer_message', storeId: 2, at }, [2])).toBe(false);
    expect(ruleMatches(rule, { category: 'refund', storeId: 3, at }, [2])).toBe(false);
  });

  it('reads the local weekday and minute in a time zone', () => {
    const t = Date.UTC(2026, 10, 23, 23, 30); // Monday 23:30 UTC
    expect(localTime(t, 'UTC')).toEqual({ weekday: 1, minute: 23 * 60 + 30 });
    expect(localTime(t, 'Europe/Berlin')).toEqual({ weekday: 2, minute: 30 });
  });
});

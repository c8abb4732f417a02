import { describe, expect, it } from 'vitest';
import { formatInZone, isTimeZone } from './display-time.js';

const AT = Date.UTC(2026, 10, 29, 23, 30); // 2026-11-29 23:30 UTC

describe('formatInZone', () => {
  it('writes minutes in UTC, and a dash for no time', () => {
    expect(formatInZone(AT, 'UTC')).toBe('2026-11-29 23:30');
    expect(formatInZone(null, 'UTC')).toBe('—');
  });

  it('writes the time in the given zone, the date included, daylight saving time included', () => {
    expect(formatInZone(AT, 'Europe/Berlin')).toBe('2026-11-30 00:30');
    expect(formatInZone(Date.UTC(2026, 6, 1, 12, 0), 'Europe/Berlin')).toBe('2026-07-01 14:00');
    expect(formatInZone(AT, 'America/New_York', 'date')).toBe('2026-11-29');
    expect(formatInZone(AT, 'Asia/Kolkata')).toBe('2026-11-30 05:00');
  });

  it('knows IANA zones and nothing else', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});

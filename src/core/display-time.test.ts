import { describe, expect, it } from 'vitest';
import { formatInZone, isTimeZone, zonedToUtc } from './display-time.js';

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

describe('zonedToUtc', () => {
  it('reads a wall-clock time typed in a zone as the instant it names, daylight saving time included', () => {
    expect(zonedToUtc('2026-11-30T09:00', 'Asia/Tokyo')).toBe(Date.UTC(2026, 10, 30, 0, 0));
    expect(zonedToUtc('2026-07-01T14:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 1, 12, 0));
    expect(zonedToUtc('2026-11-30T00:30', 'Europe/Berlin')).toBe(AT);
    expect(zonedToUtc('2026-11-30T05:00:00', 'Asia/Kolkata')).toBe(AT);
    expect(zonedToUtc('2026-11-29T23:30', 'UTC')).toBe(AT);
    // Just after the spring change (02:00 became 03:00 in Berlin on 2026-03-29): summer time.
    expect(zonedToUtc('2026-03-29T03:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 1, 30));
  });

  it('refuses what is not a date and time', () => {
    expect(zonedToUtc('tomorrow', 'UTC')).toBeNull();
    expect(zonedToUtc('2026-13-01T09:00', 'UTC')).toBeNull();
  });
});

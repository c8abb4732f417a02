import { describe, expect, it } from 'vitest';
import { zonedToInstant } from './zoned-time.js';

describe('zonedToInstant', () => {
  it.each([
    ['2026-12-01T09:00', 'Europe/Berlin', '2026-12-01T08:00:00.000Z'],
    ['2026-07-01T09:00', 'Europe/Berlin', '2026-07-01T07:00:00.000Z'],
    ['2026-11-23T18:30', 'America/New_York', '2026-11-23T23:30:00.000Z'],
    ['2026-11-23T18:30', 'UTC', '2026-11-23T18:30:00.000Z'],
    ['2026-03-29T03:30', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'],
  ])('%s in %s is %s', (local, tz, iso) => {
    expect(new Date(zonedToInstant(local, tz)!).toISOString()).toBe(iso);
  });
  it('refuses text that is not a local date and time', () => {
    expect(zonedToInstant('tomorrow', 'UTC')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { RoleMailRate } from './role-mail-rate.js';

const limits = { perClient: 3, overall: 10, windowMs: 60_000 };

describe('RoleMailRate', () => {
  it('counts every address of one IPv6 /64 as one client, and says when the oldest count expires', () => {
    let now = 0;
    const rate = new RoleMailRate(limits, () => now);
    expect(['2001:db8:5:6::1', '2001:db8:5:6::2', '2001:db8:5:6:ffff::3'].map((a) => rate.take(a))).toEqual([null, null, null]);
    now = 1000;
    expect(rate.take('2001:db8:5:6::4')).toBe(59_000);
    expect(rate.take('2001:db8:5:7::1')).toBeNull();
    now = 60_001;
    expect(rate.take('2001:db8:5:6::5')).toBeNull();
  });

  it('refuses everyone once the overall limit is reached, without counting the refused', () => {
    let now = 0;
    const rate = new RoleMailRate(limits, () => now);
    for (let i = 0; i < 10; i++) expect(rate.take(`192.0.2.${i}`)).toBeNull();
    for (let i = 0; i < 50; i++) expect(rate.take(`198.51.100.${i}`)).toBe(60_000);
    now = 60_001;
    expect(rate.take('198.51.100.1')).toBeNull();
  });

  it('remembers at most twice the overall limit of clients, however many addresses write', () => {
    let now = 0;
    const rate = new RoleMailRate(limits, () => now);
    for (let i = 0; i < 5000; i++) {
      now += 10_000;
      rate.take(`10.0.${i >> 8}.${i & 255}`);
      expect(rate.trackedClients).toBeLessThanOrEqual(2 * limits.overall + 1);
    }
  });
});

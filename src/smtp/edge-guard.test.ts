import { describe, expect, it } from 'vitest';
import { EdgeGuard } from './edge-guard.js';

const limits = { maxConnectionsPerIp: 3, probeLimit: 6, probeWindowMs: 60_000, tarpitMs: 4000 };

describe('EdgeGuard', () => {
  it('cuts a prober that rotates through the addresses of one IPv6 /64 at the same limit as one address', () => {
    const guard = new EdgeGuard(limits, () => 1000);
    const outcomes = Array.from({ length: limits.probeLimit }, (_, i) => guard.unknownRecipient(`2001:db8:7:8::${(i + 1).toString(16)}`));
    expect(outcomes.slice(0, -1).every((o) => o.action === 'refuse')).toBe(true);
    expect(outcomes.at(-1)!.action).toBe('disconnect');
    // Another /64, and an IPv4 client, are counted apart.
    expect(guard.unknownRecipient('2001:db8:7:9::1').action).toBe('refuse');
    expect(guard.unknownRecipient('::ffff:198.51.100.4').action).toBe('refuse');
  });

  it('counts IPv4 clients per address, written plain or IPv4-mapped alike', () => {
    const guard = new EdgeGuard(limits, () => 1000);
    for (let i = 0; i < limits.probeLimit - 1; i++) guard.unknownRecipient(i % 2 ? '198.51.100.4' : '::ffff:198.51.100.4');
    expect(guard.unknownRecipient('198.51.100.5').action).toBe('refuse');
    expect(guard.unknownRecipient('198.51.100.4').action).toBe('disconnect');
  });

  it('limits concurrent connections per /64, and a closed one frees its place whatever address it came from', () => {
    const guard = new EdgeGuard(limits, () => 1000);
    expect(['2001:db8::1', '2001:db8::2', '2001:db8::3'].map((a) => guard.connect(a))).toEqual([null, null, null]);
    expect(guard.connect('2001:db8::4')).toBe('too-many-connections');
    expect(guard.connect('2001:db8:0:1::4')).toBeNull();
    guard.close('2001:db8::2');
    expect(guard.connect('2001:db8::5')).toBeNull();
  });

  it('forgets probing clients whose window has passed, so a spray of addresses does not grow memory without end', () => {
    let now = 0;
    const guard = new EdgeGuard(limits, () => now);
    for (let i = 0; i < 20_000; i++) guard.unknownRecipient(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    now += limits.probeWindowMs + 1;
    guard.unknownRecipient('192.0.2.1');
    expect(guard.trackedClients).toBeLessThanOrEqual(10_001);
  });
});

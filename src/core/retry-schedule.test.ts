import { describe, expect, it } from 'vitest';
import { afterTemporaryFailure, retryDelay } from './retry-schedule.js';

const policy = { schedule: [300, 600, 1200, 2400], thereafter: 3600, lifetime: 5 * 86400 };

describe('retry schedule', () => {
  it.each([
    [1, 300],
    [2, 600],
    [3, 1200],
    [4, 2400],
    [5, 3600],
    [50, 3600],
  ])('after %i failures waits %i s', (n, s) => expect(retryDelay(n, policy)).toBe(s));

  it('retries at now + delay while within the lifetime', () => {
    expect(afterTemporaryFailure(0, 1, 1000, policy)).toEqual({ action: 'retry', at: 1000 + 300_000 });
  });
  it('makes the last try at the end of the lifetime, then gives up', () => {
    const end = policy.lifetime * 1000;
    expect(afterTemporaryFailure(0, 9, end - 1000, policy)).toEqual({ action: 'retry', at: end });
    expect(afterTemporaryFailure(0, 10, end, policy)).toEqual({ action: 'expire' });
  });
});

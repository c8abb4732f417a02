// Owns when a failed delivery is tried again and when it is given up: 5, 10, 20, 40 minutes, then
// hourly, for at most 5 days by default (all from config).

export interface RetryPolicy {
  /** Delays in seconds after the 1st, 2nd, … failed attempt. */
  readonly schedule: readonly number[];
  /** Delay in seconds once the schedule is used up. */
  readonly thereafter: number;
  /** Seconds after the first queueing when a message is given up. */
  readonly lifetime: number;
}

/** Seconds to wait after `failedAttempts` failures (1-based). */
export function retryDelay(failedAttempts: number, policy: RetryPolicy): number {
  if (failedAttempts < 1) return 0;
  return policy.schedule[failedAttempts - 1] ?? policy.thereafter;
}

export type RetryDecision = { readonly action: 'retry'; readonly at: number } | { readonly action: 'expire' };

/** After a temporary failure at `now` (ms): retry at a time, or give up when past the lifetime. */
export function afterTemporaryFailure(queuedAt: number, failedAttempts: number, now: number, policy: RetryPolicy): RetryDecision {
  const expiresAt = queuedAt + policy.lifetime * 1000;
  if (now >= expiresAt) return { action: 'expire' };
  const at = now + retryDelay(failedAttempts, policy) * 1000;
  // The last try happens at the end of the lifetime rather than never.
  return { action: 'retry', at: Math.min(at, expiresAt) };
}

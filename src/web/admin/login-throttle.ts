// Owns login throttling: failed logins are counted per account on one client, per client over every
// account, and per account over every client, each in a sliding window (15 minutes). An attempt is
// counted *before* its password is checked, so concurrent guesses cannot all slip in under the limit;
// a success takes its own count back. In memory, per process.
//
// Why three keys: per client alone let everyone behind one address (no proxy, or a proxy we were not
// told about) lock each other out; per account alone lets anyone lock a staff member out with five
// guesses. So a client that guesses at one account is stopped after 5 tries there, a client that
// sprays made-up accounts after 20, and a distributed guess at one account after 50 — and that last
// lock does not apply to a browser that has logged in to the account before (known-device.ts).
import { clientKey } from '../../core/client-key.js';

export interface ThrottleLimits {
  /** Failures for one account from one client. */
  readonly perAccountAndClient: number;
  /** Failures from one client, whatever the account. */
  readonly perClient: number;
  /** Failures for one account from every client (not applied to a known device). */
  readonly perAccount: number;
  readonly windowMs: number;
}

const SWEEP_ABOVE = 10_000;

export const DEFAULT_LIMITS: ThrottleLimits = { perAccountAndClient: 5, perClient: 20, perAccount: 50, windowMs: 15 * 60_000 };

/** An attempt that was let through: settle it once the password has been checked. */
export interface LoginAttempt {
  /** The password was right: this attempt no longer counts, and the account's failures on this client are forgotten. */
  succeeded(): void;
}

export class LoginThrottle {
  readonly #hits = new Map<string, number[]>();
  readonly #limits: ThrottleLimits;
  constructor(limits: ThrottleLimits = DEFAULT_LIMITS) {
    this.#limits = limits;
  }

  #lastSweep = Number.NEGATIVE_INFINITY;

  /**
   * Memory stays bounded under a spray of made-up accounts and addresses: above SWEEP_ABOVE keys,
   * forget what has expired — at most ten times per window, so a spray does not make every attempt
   * walk every key.
   */
  #sweep(now: number): void {
    if (now - this.#lastSweep < this.#limits.windowMs / 10) return;
    this.#lastSweep = now;
    for (const key of [...this.#hits.keys()]) this.#recent(key, now);
  }

  #recent(key: string, now: number): number[] {
    const list = (this.#hits.get(key) ?? []).filter((t) => t > now - this.#limits.windowMs);
    if (list.length) this.#hits.set(key, list);
    else this.#hits.delete(key);
    return list;
  }

  /**
   * Counts a login attempt for `account` (lower-cased email) from `client` (an address; IPv6 counted per /64) and lets it
   * through, or — when a limit is reached — counts nothing and says how many milliseconds to wait.
   * Synchronous: between two awaits no other attempt can run, so the count is exact.
   */
  begin(account: string, client: string, opts: { knownDevice?: boolean } = {}, now = Date.now()): { attempt: LoginAttempt } | { waitMs: number } {
    if (this.#hits.size > SWEEP_ABOVE) this.#sweep(now);
    client = clientKey(client);
    const keys: [string, number][] = [
      [`pair:${client}\n${account}`, this.#limits.perAccountAndClient],
      [`client:${client}`, this.#limits.perClient],
    ];
    if (!opts.knownDevice) keys.push([`account:${account}`, this.#limits.perAccount]);
    let wait = 0;
    for (const [key, limit] of keys) {
      const list = this.#recent(key, now);
      if (list.length >= limit) wait = Math.max(wait, (list[list.length - limit] as number) + this.#limits.windowMs - now);
    }
    if (wait > 0) return { waitMs: wait };
    for (const [key] of keys) this.#hits.set(key, [...this.#recent(key, now), now]);
    return {
      attempt: {
        succeeded: () => {
          this.#hits.delete(keys[0]![0]);
          for (const [key] of keys.slice(1)) {
            const list = this.#hits.get(key) ?? [];
            const at = list.indexOf(now);
            if (at >= 0) list.splice(at, 1);
            if (!list.length) this.#hits.delete(key);
          }
        },
      },
    };
  }
}

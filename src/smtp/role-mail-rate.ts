// Owns the rate limit on mail to postmaster@ and abuse@ (relay/role-mail.ts). That mail goes to the
// owner's own inbox, composed anew and signed by our domain: without a limit anyone could flood
// that inbox through us, and make our domain the one that floods it. RFC 5321 §4.5.1 wants
// postmaster to take mail from anyone, so the limit answers 450 (the sender's server retries),
// never 5xx.
//
// The numbers: real reports come a few an hour at most (a DSN storm from one host is one client), so
// 10 recipients an hour from one client (an IPv4 address, an IPv6 /64: core/client-key.ts) never
// touches an honest reporter, and 100 an hour from everyone together is more than an owner reads
// while keeping a flood from many addresses to a readable inbox; a refused report is retried by its
// server for days and arrives once the hour has passed. In memory, per process: a restart forgets.
import { clientKey } from '../core/client-key.js';

export interface RoleMailLimits {
  /** Role recipients one client may have accepted within the window. */
  readonly perClient: number;
  /** Role recipients everyone together may have accepted within the window. */
  readonly overall: number;
  readonly windowMs: number;
}

export const ROLE_MAIL_LIMITS: RoleMailLimits = { perClient: 10, overall: 100, windowMs: 60 * 60_000 };

/**
 * Sliding-window counts per client and overall. Memory is bounded by `overall`: a client is only
 * remembered for a recipient that was also counted overall, so at most `overall` clients have a
 * count inside the window, and the expired ones are swept once the map holds twice that many.
 */
export class RoleMailRate {
  readonly #limits: RoleMailLimits;
  readonly #now: () => number;
  readonly #clients = new Map<string, number[]>();
  #overall: number[] = [];

  constructor(limits: RoleMailLimits = ROLE_MAIL_LIMITS, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** How many clients have a count in memory. */
  get trackedClients(): number {
    return this.#clients.size;
  }

  /**
   * Counts one role recipient from `address` (a remote address as the socket reports it) and
   * returns null, or — when the client's or the overall limit is reached — counts nothing and
   * returns the milliseconds until the next one would be taken. Synchronous, so the count is exact.
   */
  take(address: string): number | null {
    const now = this.#now();
    const since = now - this.#limits.windowMs;
    const key = clientKey(address);
    this.#overall = this.#overall.filter((t) => t > since);
    const mine = (this.#clients.get(key) ?? []).filter((t) => t > since);
    let wait = 0;
    if (mine.length >= this.#limits.perClient) wait = (mine[mine.length - this.#limits.perClient] as number) - since;
    if (this.#overall.length >= this.#limits.overall) wait = Math.max(wait, (this.#overall[this.#overall.length - this.#limits.overall] as number) - since);
    if (wait > 0) return wait;
    mine.push(now);
    this.#overall.push(now);
    this.#clients.set(key, mine);
    if (this.#clients.size > 2 * this.#limits.overall) {
      for (const [k, list] of this.#clients) if (!list.some((t) => t > since)) this.#clients.delete(k);
    }
    return null;
  }
}

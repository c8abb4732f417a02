// Owns the per-address limits at the SMTP edge: concurrent connections per IP, and alias probing
// (repeated unknown-alias RCPTs from one IP are slowed down, then the probing session is cut).
// An address is never refused at connect for probing: behind one IP (a large provider's outbound
// pool) there are many senders, and only the unknown recipients are the prober's; for the rest of
// the window each further unknown recipient from that IP is answered late and cuts its session,
// while mail to real aliases from the same IP goes through. In-memory: a restart forgets, which
// is acceptable for throttling. Every limit counts a client by clientKey: an IPv4 address, or an
// IPv6 /64 (one host may use every address of its /64 and would otherwise rotate past them).
import { clientKey } from '../core/client-key.js';

/** Above this many probing clients, the expired ones are forgotten (memory stays bounded). */
const SWEEP_ABOVE = 10_000;

export interface EdgeLimits {
  readonly maxConnectionsPerIp: number;
  readonly probeLimit: number;
  readonly probeWindowMs: number;
  readonly tarpitMs: number;
}

export type ProbeOutcome = { readonly action: 'refuse'; readonly delayMs: number } | { readonly action: 'disconnect'; readonly delayMs: number };

export class EdgeGuard {
  readonly #limits: EdgeLimits;
  readonly #connections = new Map<string, number>();
  readonly #probes = new Map<string, number[]>();
  readonly #now: () => number;
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(limits: EdgeLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** How many clients have unknown-recipient counts in memory (for the memory bound's test). */
  get trackedClients(): number {
    return this.#probes.size;
  }

  /**
   * Above SWEEP_ABOVE clients, forgets those whose window has passed — at most ten times per window,
   * so a spray of fresh addresses costs one pass over the map now and then, not one per RCPT.
   */
  #sweep(): void {
    if (this.#probes.size <= SWEEP_ABOVE || this.#now() - this.#lastSweep < this.#limits.probeWindowMs / 10) return;
    this.#lastSweep = this.#now();
    for (const key of [...this.#probes.keys()]) this.#recentProbes(key);
  }

  #recentProbes(ip: string): number[] {
    const since = this.#now() - this.#limits.probeWindowMs;
    const list = (this.#probes.get(ip) ?? []).filter((t) => t > since);
    if (list.length) this.#probes.set(ip, list);
    else this.#probes.delete(ip);
    return list;
  }

  /** Why this connection is refused, or null. Counts it when admitted. */
  connect(address: string): 'too-many-connections' | null {
    const ip = clientKey(address);
    const n = this.#connections.get(ip) ?? 0;
    if (n >= this.#limits.maxConnectionsPerIp) return 'too-many-connections';
    this.#connections.set(ip, n + 1);
    return null;
  }

  close(address: string): void {
    const ip = clientKey(address);
    const n = (this.#connections.get(ip) ?? 1) - 1;
    if (n <= 0) this.#connections.delete(ip);
    else this.#connections.set(ip, n);
  }

  /**
   * Records an unknown-alias RCPT: the reply is delayed more as probing goes on; from the limit on
   * (for the rest of the window) the session that tries one more is cut after the longest delay.
   */
  unknownRecipient(address: string): ProbeOutcome {
    const ip = clientKey(address);
    this.#sweep();
    const list = this.#recentProbes(ip);
    list.push(this.#now());
    this.#probes.set(ip, list);
    const over = list.length - Math.floor(this.#limits.probeLimit / 2);
    const delayMs = over > 0 ? Math.min(this.#limits.tarpitMs, over * Math.ceil(this.#limits.tarpitMs / 4)) : 0;
    return list.length >= this.#limits.probeLimit ? { action: 'disconnect', delayMs: this.#limits.tarpitMs } : { action: 'refuse', delayMs };
  }
}

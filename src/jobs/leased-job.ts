// Owns running a periodic job (campaign scheduler/sender, notifier, retention) on one node at a
// time: the node holding the job's lease row (JobLeases port) runs it; every leaseMs / 3 the lease
// is renewed, or taken when it is free or ran out (its holder died), or the job stopped when another
// node holds it. A clean stop gives the lease back so another node takes over at its next check.
// One node alone (SQLite) always holds every lease; a restart clears the dead process's rows first.
import type { Logger } from 'pino';
import type { JobLeases } from '../store/ports.js';

export interface PeriodicJob {
  /** Starts the job; a promise is awaited before the lease check that took it resolves (e.g. recovery first). */
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

/** How long a lease lasts without renewal (ms): a dead node's jobs move within about this long. */
export const JOB_LEASE_MS = 60_000;

export class LeasedJob {
  readonly #leases: JobLeases;
  readonly #name: string;
  readonly #node: string;
  readonly #job: PeriodicJob;
  readonly #log: Logger;
  readonly #leaseMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #checking: Promise<void> = Promise.resolve();

  constructor(leases: JobLeases, name: string, node: string, job: PeriodicJob, log: Logger, leaseMs = JOB_LEASE_MS) {
    this.#leases = leases;
    this.#name = name;
    this.#node = node;
    this.#job = job;
    this.#log = log;
    this.#leaseMs = leaseMs;
  }

  /** True while this node runs the job. */
  get running(): boolean {
    return this.#running;
  }

  /** Takes the lease if it can (resolving after the job started), then keeps checking. */
  async begin(): Promise<void> {
    await this.check();
    this.#timer = setInterval(() => void this.check(), Math.max(1, Math.floor(this.#leaseMs / 3)));
    this.#timer.unref();
  }

  /** One check: renew, take over, or step back. Serialised with itself. */
  check(): Promise<void> {
    this.#checking = this.#checking.then(async () => {
      let mine: boolean;
      try {
        mine = await this.#leases.acquire(this.#name, this.#node, this.#leaseMs);
      } catch (err) {
        this.#log.error({ event: 'job.lease-error', job: this.#name, err: (err as Error).message }, 'could not renew a job lease');
        return;
      }
      if (mine && !this.#running) {
        this.#running = true;
        this.#log.info({ event: 'job.lease-taken', job: this.#name, node: this.#node }, 'this node runs the job now');
        await this.#job.start();
      } else if (!mine && this.#running) {
        this.#running = false;
        this.#log.warn({ event: 'job.lease-lost', job: this.#name, node: this.#node }, 'another node holds the job lease; stopped here');
        await this.#job.stop();
      }
    });
    return this.#checking;
  }

  /** Stops the job here and gives the lease back. */
  async end(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#checking;
    if (this.#running) {
      this.#running = false;
      await this.#job.stop();
    }
    await this.#leases.release(this.#name, this.#node).catch(() => undefined);
  }
}

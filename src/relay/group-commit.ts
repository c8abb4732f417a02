// Owns durable commits: every job runs in its own savepoint inside one transaction per gathering
// window, so many SMTP sessions finishing together share one fsync (group commit), and a job that
// throws rolls back alone. A job's promise resolves only after COMMIT returned: only then may the
// caller answer 250.
import type { Db } from '../store/db.js';

interface Job {
  readonly fn: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * How long a commit waits for company when a client is waiting on it (an SMTP session before its
 * 250, an API call). Work arrives in many small turns (DKIM signatures come back from their thread
 * one by one), so "one transaction per turn" would be nearly one commit per message; 2 ms gathers
 * them again, and costs a 250 at most 2 ms.
 */
const GATHER_MS = 2;

/**
 * How long work nobody is waiting on (delivery bookkeeping, campaign messages) may wait for
 * company. A commit costs far more than the rows in it (WAL frames for every touched index page,
 * the fsync, the checkpoint that follows): 3 messages a commit cost 1.3 ms each, 20 cost 0.55 ms.
 * Such jobs ride along with the next urgent commit, or go by themselves after this long.
 */
const BATCHED_MS = 50;

export class GroupCommit {
  readonly #db: Db;
  #pending: Job[] = [];
  #timer: NodeJS.Timeout | null = null;
  /** When the scheduled flush runs (performance.now()). */
  #dueAt = Infinity;
  readonly #maxBatch: number;

  constructor(db: Db, maxBatch = 64) {
    this.#db = db;
    this.#maxBatch = maxBatch;
  }

  /** Commits fn within GATHER_MS: for work a client is waiting on. */
  run<T>(fn: () => T): Promise<T> {
    return this.#enqueue(fn, GATHER_MS);
  }

  /** Commits fn within BATCHED_MS, or sooner with an urgent job: for work no client waits on. */
  runBatched<T>(fn: () => T): Promise<T> {
    return this.#enqueue(fn, BATCHED_MS);
  }

  #enqueue<T>(fn: () => T, waitMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.length >= this.#maxBatch) {
        this.#flush();
        return;
      }
      const dueAt = performance.now() + waitMs;
      if (dueAt >= this.#dueAt) return;
      if (this.#timer) clearTimeout(this.#timer);
      this.#dueAt = dueAt;
      this.#timer = setTimeout(() => this.#flush(), waitMs);
    });
  }

  /** Commits what is pending now (at shutdown, before the database closes). */
  flush(): void {
    this.#flush();
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#dueAt = Infinity;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.#db.transaction(() => {
        for (const job of batch) {
          try {
            outcomes.push({ ok: true, value: this.#db.transaction(job.fn)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      for (const job of batch) job.reject(error);
      return;
    }
    batch.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.error ?? new Error('commit outcome missing'));
    });
  }
}

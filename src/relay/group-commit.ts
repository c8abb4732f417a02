// Owns durable commits: every job runs in its own savepoint inside one transaction per gathering
// window (GATHER_MS), so many SMTP sessions finishing together share one fsync (group commit), and a job that
// throws rolls back alone. A job's promise resolves only after COMMIT returned: only then may the
// caller answer 250.
import type { Db } from '../store/db.js';

interface Job {
  readonly fn: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * How long a commit waits for company. Work now arrives in many small turns (DKIM signatures come
 * back from their thread one by one), so "one transaction per turn" had become nearly one fsync
 * per message; 2 ms gathers them again, and costs a 250 at most 2 ms.
 */
const GATHER_MS = 2;

export class GroupCommit {
  readonly #db: Db;
  #pending: Job[] = [];
  #scheduled = false;
  readonly #maxBatch: number;

  constructor(db: Db, maxBatch = 64) {
    this.#db = db;
    this.#maxBatch = maxBatch;
  }

  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.length >= this.#maxBatch) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setTimeout(() => this.#flush(), GATHER_MS);
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
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

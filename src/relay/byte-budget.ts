// Owns the byte budget for work in flight: every message being processed holds an estimate of the
// memory it costs (its size times a factor) until it is answered, and every delivery its own (see
// outbound/worker.ts DELIVERY_MEMORY_PER_BYTE) until it is sent; both wait in the one queue. Over the budget a message waits
// its turn, first come first served, for a bounded time; then the caller answers "try later"
// (452 4.3.1), never a hang. The delivery of a message just committed waits ahead of them
// (acquireFirst): its bytes are in memory already, and sending them is what lets them go. One message is always let in when nothing else is in flight, so a
// message larger than the budget (up to smtp.maxMessageBytes) still passes, alone.

/**
 * Memory a message costs while processed, per byte of its size: the raw bytes, the parsed tree, the
 * rewritten and composed copies, the copies passed to and from the worker threads and the signed
 * bytes (RSS measured while 17 MB messages with an attachment were processed one at a time).
 */
export const MEMORY_PER_BYTE = 8;

export type Release = () => void;

interface Waiter {
  readonly cost: number;
  /** Taken by acquireFirst: waits ahead of every ordinary waiter. */
  readonly first: boolean;
  readonly grant: (release: Release | null) => void;
  timer: NodeJS.Timeout | null;
}

export class ByteBudget {
  readonly #limit: number;
  #used = 0;
  #holders = 0;
  readonly #queue: Waiter[] = [];
  readonly #reclaimers = new Set<() => void>();

  /** limit: bytes of estimated memory for all messages in flight together. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Estimated bytes in flight now, and how many messages hold them. */
  get used(): number {
    return this.#used;
  }

  get holders(): number {
    return this.#holders;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Takes `cost` bytes. Resolves with the release function once they fit (call it exactly once),
   * or with null after `waitMs` when they did not fit in time.
   */
  acquire(cost: number, waitMs: number): Promise<Release | null> {
    return this.#acquire(cost, waitMs, false);
  }

  /**
   * As acquire, but ahead of every ordinary waiter (behind the earlier acquireFirst ones, first come
   * first served among them): for the delivery of a message just committed, whose bytes are in
   * memory already and leave memory only once it is sent. Were it to wait behind the messages queued
   * for processing (at 1 MiB with 100 sessions, ~90 of them), the bytes kept for it would be pushed
   * out by later commits and read back from the database (outbound/fresh-bodies.ts). It cannot keep
   * intake waiting for long: such deliveries come one per message committed, each after its message
   * gave back MEMORY_PER_BYTE × its size, and cost less (DELIVERY_MEMORY_PER_BYTE).
   */
  acquireFirst(cost: number, waitMs: number): Promise<Release | null> {
    return this.#acquire(cost, waitMs, true);
  }

  /**
   * Takes `cost` bytes at once when nothing waits ahead of this caller and they fit; else queues it
   * at its place: behind every waiter (ordinary), or behind the earlier first ones only (`first`).
   */
  #acquire(cost: number, waitMs: number, first: boolean): Promise<Release | null> {
    const ahead = first ? this.#firsts() : this.#queue.length;
    // Before anything waits, what only may be held (DATA still arriving) is given back.
    if (ahead > 0 || !this.#fits(cost)) this.#reclaim();
    if (ahead === 0 && this.#fits(cost)) return Promise.resolve(this.#take(cost));
    return this.#wait(cost, waitMs, first, ahead);
  }

  /** How many waiters at the head of the queue came through acquireFirst. */
  #firsts(): number {
    const ordinary = this.#queue.findIndex((w) => !w.first);
    return ordinary < 0 ? this.#queue.length : ordinary;
  }

  /** Queues a waiter at `at` until it is granted (drain) or `waitMs` runs out (null). */
  #wait(cost: number, waitMs: number, first: boolean, at: number): Promise<Release | null> {
    return new Promise((resolve) => {
      const waiter: Waiter = { cost, first, grant: resolve, timer: null };
      waiter.timer = setTimeout(() => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        resolve(null);
        // The head may have been the one that did not fit: the next ones may now.
        this.#drain();
      }, waitMs);
      this.#queue.splice(at, 0, waiter);
    });
  }

  /**
   * Takes `cost` bytes only if they fit now (nothing waits before it, and the same rule as acquire:
   * within the limit, or nothing else in flight); null at once otherwise. Never queues, and never
   * asks what is reclaimable to give its room back (the intake spool takes its room with it).
   */
  tryAcquire(cost: number): Release | null {
    return this.#queue.length === 0 && this.#fits(cost) ? this.#take(cost) : null;
  }

  /**
   * Registers `reclaim`, called (synchronously) whenever an acquire would wait: it releases what it
   * holds of the budget at once (the intake spool writes DATA still arriving to a file and gives back
   * its room), so room taken by a message not yet complete never keeps out one that is, or a
   * delivery. Returns the function that unregisters it.
   */
  reclaimable(reclaim: () => void): () => void {
    this.#reclaimers.add(reclaim);
    return () => void this.#reclaimers.delete(reclaim);
  }

  #reclaim(): void {
    for (const reclaim of [...this.#reclaimers]) reclaim();
  }

  #fits(cost: number): boolean {
    return this.#holders === 0 || this.#used + cost <= this.#limit;
  }

  #take(cost: number): Release {
    this.#used += cost;
    this.#holders += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#used -= cost;
      this.#holders -= 1;
      this.#drain();
    };
  }

  #drain(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0] as Waiter;
      if (!this.#fits(head.cost)) return;
      this.#queue.shift();
      if (head.timer) clearTimeout(head.timer);
      head.grant(this.#take(head.cost));
    }
  }
}

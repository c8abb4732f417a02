// Owns durable commits: every job runs in its own savepoint inside one transaction per gathering
// window, so many SMTP sessions finishing together share one fsync (group commit), and a job that
// throws rolls back alone. A job's promise resolves only after its COMMIT is on disk: only then may
// the caller answer 250.
//
// The fsync runs off the event loop. SQLite's own (synchronous=FULL, the connection's setting for
// every other write) would block the thread that answers SMTP for the whole fsync, 9–14 ms on the
// development machine's disk, a quarter of that thread's time at 10 KiB. So a group's transaction
// commits with synchronous=NORMAL (SQLite writes the WAL frames, no fsync) and the group's promises
// resolve after an fdatasync of the WAL file on libuv's thread pool that started after the COMMIT
// returned: the same durability (the frames of every acknowledged transaction are on disk before the
// 250; SQLite's recovery drops a torn tail by its checksums), while the next group is already being
// gathered. NORMAL still syncs the WAL before a checkpoint and the database after it.
//
// While a sync runs, work is gathered, not committed: a job that arrives then could not be answered
// before the next sync anyway (its COMMIT must precede the sync that covers it, and one sync runs at
// a time), so it commits when the running sync ends, together with everything else that arrived
// meanwhile, and the next sync starts at once. The 250 comes no later than before (but for that
// COMMIT's own time, which used to overlap the running sync), and there are
// fewer, larger commits: a COMMIT costs far more than the rows in it (every B-tree it touches is
// one 16 KiB page in the WAL: at 10 KiB a message, 1 a commit wrote 43.5 pages (695 KiB) a message
// and cost 2.8 ms CPU, 2 a commit 26.6 pages and 2.0 ms, 8 a commit 10 pages and 1.0 ms;
// bench/commit-times.ts), and with the sync taking several GATHER_MS the old 2 ms windows split the
// messages one sync covers into one or two a commit. A full batch (maxBatch) commits at once.
import { close, fdatasync, open } from 'node:fs';
import { promisify } from 'node:util';
import type { Db } from '../store/db.js';

const openFile = promisify(open);
const datasync = promisify(fdatasync);

/** Makes every transaction committed so far durable; rejects when the disk says no (the caller answers 451). */
export type WalSync = (() => Promise<void>) & { close?: () => void };

/**
 * fdatasync of the connection's WAL file (`<database>-wal`) on libuv's thread pool, through one
 * descriptor kept open for the connection's life: opening and closing the file for every sync cost
 * the SMTP thread two more system calls and a FileHandle per group. SQLite never removes or replaces
 * the WAL while a connection is open (it removes it when the last one closes; a TRUNCATE checkpoint
 * shortens the same file), so the descriptor stays the file SQLite writes. No WAL file yet means
 * nothing is waiting in one (it is opened at the first sync that finds it). `close()` (or a sync after
 * the database closed) lets the descriptor go.
 */
export function walSync(db: Db): WalSync {
  const path = `${db.name}-wal`;
  let fd: number | null = null;
  let opening: Promise<number | null> | null = null;
  const release = () => {
    if (fd !== null) close(fd, () => {});
    fd = null;
  };
  const descriptor = async (): Promise<number | null> => {
    if (fd !== null) return fd;
    opening ??= openFile(path, 'r+').then(
      (opened) => {
        fd = opened;
        return opened;
      },
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      },
    );
    try {
      return await opening;
    } finally {
      opening = null;
    }
  };
  const sync: WalSync = async () => {
    if (db.memory) return;
    if (!db.open) return release();
    const handle = await descriptor();
    if (handle !== null) await datasync(handle);
  };
  sync.close = release;
  return sync;
}

interface Synced {
  readonly done: () => void;
  readonly failed: (err: unknown) => void;
}

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
  readonly #sync: WalSync;
  readonly #noSync: { run(): unknown };
  readonly #fullSync: { run(): unknown };
  /** Committed groups waiting for the next sync, and whether one is running. */
  #unsynced: Synced[] = [];
  #syncing = false;
  /** A gathering window ended while a sync ran: the pending work commits when that sync ends. */
  #flushAfterSync = false;
  /** Set by close() while a sync runs: called once no sync is left. */
  #closeAfterSync: (() => void) | null = null;
  /**
   * The error of a failed WAL sync; once set, every later job is refused with it. After a failed
   * fsync, Linux may mark the pages it could not write clean, so a later fsync succeeds although
   * earlier WAL frames never reached the disk, and SQLite's recovery stops at the first bad frame
   * (its checksums are cumulative): every later transaction would be lost with them. Nothing is
   * acknowledged again until a restart, whose recovery reads what the disk really holds
   * (PostgreSQL stops on a failed fsync for the same reason).
   */
  #failed: Error | null = null;

  /** sync: how committed groups are made durable (tests count the calls); the WAL's fdatasync by default. */
  constructor(db: Db, maxBatch = 64, sync: WalSync = walSync(db)) {
    this.#db = db;
    this.#maxBatch = maxBatch;
    this.#sync = sync;
    this.#noSync = db.prepare('PRAGMA synchronous = NORMAL');
    this.#fullSync = db.prepare('PRAGMA synchronous = FULL');
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
      if (this.#failed) return reject(this.#failed);
      this.#pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.length >= this.#maxBatch) {
        this.#flush();
        return;
      }
      const dueAt = performance.now() + waitMs;
      if (dueAt >= this.#dueAt) return;
      if (this.#timer) clearTimeout(this.#timer);
      this.#dueAt = dueAt;
      this.#timer = setTimeout(() => this.#windowEnded(), waitMs);
    });
  }

  /**
   * Why commits have stopped (a WAL sync failed: every job is refused until a restart), else null.
   * /healthz and /readyz report it, so the operator learns it from monitoring, not from bounces.
   */
  get stoppedBecause(): string | null {
    return this.#failed?.message ?? null;
  }

  /** Commits what is pending now (at shutdown, before the database closes). */
  flush(): void {
    this.#flush();
  }

  /** At shutdown, before the database closes: commits what is pending and lets the WAL's descriptor go once its last sync ran. */
  close(): void {
    this.#flush();
    const release = () => this.#sync.close?.();
    if (!this.#syncing) return release();
    this.#closeAfterSync = release;
  }

  /** A gathering window ended: commit now, or when the running sync ends (see the header). */
  #windowEnded(): void {
    if (!this.#syncing) return this.#flush();
    this.#timer = null;
    this.#dueAt = Infinity;
    this.#flushAfterSync = true;
  }

  #flush(): void {
    this.#flushAfterSync = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#dueAt = Infinity;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    if (this.#failed) {
      for (const job of batch) job.reject(this.#failed);
      return;
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      // Inside the try: a job arriving after the database closed (shutdown) is rejected, never thrown
      // from a timer where nothing could catch it.
      this.#noSync.run();
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
    } finally {
      if (this.#db.open) this.#fullSync.run();
    }
    const committed: { job: Job; value: unknown }[] = [];
    batch.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) committed.push({ job, value: outcome.value });
      // A job that threw was rolled back to its savepoint: nothing of it waits for the disk.
      else job.reject(outcome?.error ?? new Error('commit outcome missing'));
    });
    if (committed.length === 0) return;
    this.#afterSync({
      done: () => {
        for (const c of committed) c.job.resolve(c.value);
      },
      failed: (err) => {
        for (const c of committed) c.job.reject(err);
      },
    });
  }

  /** Resolves a committed group after a sync that starts after its COMMIT (one sync at a time, covering every group committed meanwhile). */
  #afterSync(group: Synced): void {
    this.#unsynced.push(group);
    if (!this.#syncing) this.#startSync();
  }

  #startSync(): void {
    const groups = this.#unsynced;
    this.#unsynced = [];
    this.#syncing = true;
    this.#sync()
      .then(
        () => groups.forEach((g) => g.done()),
        (err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          this.#failed = Object.assign(new Error(`a WAL sync failed (${message}); nothing is acknowledged until maskgate restarts`), {
            code: (err as NodeJS.ErrnoException)?.code,
          });
          groups.forEach((g) => g.failed(err));
        },
      )
      .finally(() => {
        this.#syncing = false;
        // What gathered while this sync ran commits now (rejected at once if the sync failed), and
        // its sync starts below with every group committed meanwhile.
        if (this.#flushAfterSync) this.#flush();
        if (this.#syncing) return;
        if (this.#failed) {
          const waiting = this.#unsynced;
          this.#unsynced = [];
          for (const g of waiting) g.failed(this.#failed);
        } else if (this.#unsynced.length > 0) {
          this.#startSync();
          return;
        }
        this.#closeAfterSync?.();
        this.#closeAfterSync = null;
      });
  }
}

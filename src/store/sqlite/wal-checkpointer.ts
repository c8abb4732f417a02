// Owns the copying of the WAL into the database file (SQLite's checkpoint), off the thread that
// answers SMTP and commits. With SQLite's automatic checkpoint the commit that crosses the threshold
// copies the WAL's pages into the database file and fsyncs the WAL and the file, on the committing
// thread: at 1 MiB messages (2.4 MB of bodies a message) that was ~1.8 ms of the SMTP thread's CPU
// per message (in-process, bench/commit-times.ts) and two fsyncs in a row every few commits, with
// every session on that thread waiting. Here a second connection on a worker thread runs PASSIVE
// checkpoints (they never block the writer, and the writer never blocks them: SQLite's WAL design)
// every INTERVAL_MS (one with nothing to copy costs microseconds and no fsync), and the main
// connection's own automatic checkpoint stays as a safety net at a much larger size
// (WAL_SAFETY_PAGES), should this thread fall behind or stop.
//
// Durability is unchanged: a checkpoint fsyncs the WAL before it writes a page into the database
// file and the file before the WAL may be reused (SQLite's own order, on any connection), and the
// group commit's fdatasync still covers every acknowledged transaction's frames (group-commit.ts).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from '../db.js';

/**
 * The main connection checkpoints by itself only once the WAL holds this many pages (16 KiB each:
 * 128 MiB) — never, while the checkpoint thread keeps up.
 */
export const WAL_SAFETY_PAGES = 8192;

/**
 * How often the checkpoint thread copies the WAL (ms). Each checkpoint that copies anything costs
 * two fsyncs (the WAL, then the database file); a quarter second gathers the pages of ~12 MB of
 * 1 MiB messages at 20 a second (SQLite's own threshold was 16 MiB), or of dozens of small ones.
 */
const INTERVAL_MS = 250;

/** The thread's code (CommonJS, no TypeScript: the same in source and in the build). */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('synchronous = FULL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let copied = -1;
function run() {
  try {
    const r = checkpoint.get();
    // Tell the main thread only when something changed (an idle gateway sends nothing).
    if (r.checkpointed !== copied) parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
    copied = r.checkpointed;
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
}
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    run();
    db.close();
    parentPort.close();
  }
});
`;

/** What the last checkpoint found: WAL pages, of which copied into the database file. */
export interface CheckpointState {
  readonly log: number;
  readonly checkpointed: number;
}

export class WalCheckpointer {
  readonly #worker: Worker;
  #last: CheckpointState | null = null;
  #error: string | null = null;
  readonly #exited: Promise<void>;

  /**
   * Starts the thread on `db`'s file and raises the connection's own automatic checkpoint to
   * WAL_SAFETY_PAGES. `db` must be a file database in WAL mode (openDb). onError: a checkpoint
   * failed, or the thread stopped (the main connection's safety net then checkpoints past
   * WAL_SAFETY_PAGES); called once until a checkpoint succeeds again.
   */
  constructor(db: Db, o: { readonly intervalMs?: number; readonly onError?: (message: string) => void } = {}) {
    db.pragma(`wal_autocheckpoint = ${WAL_SAFETY_PAGES}`);
    this.#worker = new Worker(THREAD, {
      eval: true,
      workerData: { path: db.name, driver: createRequire(import.meta.url).resolve('better-sqlite3'), intervalMs: o.intervalMs ?? INTERVAL_MS },
      // A small heap: it holds one connection and one statement.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    this.#worker.unref();
    // A failure is reported once until a checkpoint succeeds again (the thread retries every interval).
    const failed = (message: string) => {
      if (this.#error === null) o.onError?.(message);
      this.#error = message;
    };
    this.#worker.on('message', (m: CheckpointState | { error: string }) => {
      if ('error' in m) failed(m.error);
      else {
        this.#last = m;
        this.#error = null;
      }
    });
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', () => resolve());
      this.#worker.once('error', (err) => {
        failed(`the checkpoint thread stopped: ${err.message}`);
        resolve();
      });
    });
  }

  /** The last checkpoint's outcome (null before the first), and its error if it failed. */
  get state(): { readonly last: CheckpointState | null; readonly error: string | null } {
    return { last: this.#last, error: this.#error };
  }

  /** Runs a last checkpoint, closes the thread's connection and waits for the thread to end (before the main connection closes). */
  async close(): Promise<void> {
    // Referenced while it ends: the thread is unref'd, so when nothing else keeps the event loop
    // alive (a start whose port was taken, after the pool had closed) the process exited with code
    // 0 in the middle of this await, before the caller could say why.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    await this.#exited;
  }
}

// Owns the rule "one gateway per SQLite data directory". A second gateway started on a running
// one's directory would clear the spool of messages the first is receiving and release the first's
// delivery leases (gateway.ts: on SQLite one process owns the file), so both would deliver the same
// mail. The lock is SQLite's own: an EXCLUSIVE transaction held on a small file beside the database,
// taken with POSIX advisory locks that the kernel drops when the process ends however it ends
// (SIGKILL, a crash, a power cut), so a lock is never left stale. CLI commands that are meant to
// run beside the gateway (user add, dns, …) do not take it.
import { mkdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { holderAlive, readPidFile, removePidFile, rewritePidFile, writePidFile, PID_FILE, type PidRecord } from './gateway-pid-file.js';

/** The lock's file name in the data directory. */
export const LOCK_FILE = 'gateway.lock';

/** Thrown by lockDataDir when another process (or another gateway in this one) holds the directory. */
export class DataDirInUse extends Error {
  readonly code = 'EDATADIRINUSE';
}

/** A held data-directory lock; release() is idempotent. */
export interface DataDirLock {
  release(): void;
}

/** How often a held lock checks that its file is still the one it locks (ms). */
export const LOCK_CHECK_MS = 5_000;

export interface LockOptions {
  /** How often to check the lock file (ms); LOCK_CHECK_MS by default. */
  readonly checkMs?: number;
  /** Told once when the file was replaced and another process now holds the new one. */
  readonly onLost?: (message: string) => void;
  /** Whether to check as soon as either file changes (fs.watch), not only every `checkMs`; true by default (false: as on a file system that cannot be watched). */
  readonly watch?: boolean;
}

/** An EXCLUSIVE transaction on `path` and the file's inode; throws DataDirInUse when busy. */
function take(path: string, dataDir: string): { db: Database.Database; ino: number } {
  const db = new Database(path, { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
    return { db, ino: statSync(path).ino };
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY' || (err as { code?: string }).code === 'SQLITE_LOCKED') {
      throw new DataDirInUse(
        `another maskgate is already running on the data directory ${dataDir} (it holds ${LOCK_FILE}): stop it first, or give this one a data directory of its own (dataDir, MASKGATE_DATA_DIR)`,
      );
    }
    if ((err as { code?: string }).code === 'SQLITE_NOTADB') {
      // Not one a gateway made (an empty or SQLite file): so no gateway holds it.
      throw new Error(
        `${path} is not a maskgate lock file (another program's file under that name): remove or move it, then start again; no maskgate holds this data directory through it`,
        { cause: err },
      );
    }
    throw err;
  }
}

/**
 * Takes the data directory for this gateway: creates `dataDir` (0700) if missing and holds an
 * EXCLUSIVE transaction on `dataDir/gateway.lock` until release() or the end of the process.
 * Throws DataDirInUse (with a sentence naming the directory) when another process, or another
 * gateway in this process, holds it; other errors (permissions, a read-only disk) as thrown by
 * better-sqlite3. Never waits: a busy lock answers at once (busy timeout 0).
 *
 * A POSIX lock is on the file, not its name: a lock file deleted (or replaced) while held would
 * let a second gateway lock a new one. As soon as either file changes (fs.watch) and every
 * `checkMs` (an unref'd timer), the holder checks that the name still leads to its file, else takes
 * the new one, and writes gateway.pid again if it is gone; when another process holds the new lock
 * file, `onLost` is told. A start in between is refused all the same: the holder's gateway.pid
 * (gateway-pid-file.ts) names a live process, which no lock file is needed to show.
 */
export function lockDataDir(dataDir: string, options: LockOptions = {}): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE);
  let held = take(path, dataDir);
  // The lock file may be a new one, made after the running gateway's was deleted (it takes the new
  // one only at its next check): the pid file it wrote still names it.
  // Not when its writer held this very file: this start locked it, so that writer ended.
  const other = readPidFile(dataDir);
  if (other && other.lock !== held.ino && holderAlive(other)) {
    close(held.db);
    throw new DataDirInUse(
      `another maskgate is already running on the data directory ${dataDir} (process ${other.pid}, named by ${PID_FILE}; its ${LOCK_FILE} was deleted or replaced): stop it first, or give this one a data directory of its own (dataDir, MASKGATE_DATA_DIR)`,
    );
  }
  let record: PidRecord;
  try {
    record = writePidFile(dataDir, held.ino);
  } catch (err) {
    close(held.db);
    throw err;
  }
  let lost = false;
  const check = () => {
    let ino: number | null = null;
    try {
      ino = statSync(path).ino;
    } catch {
      // Deleted: taken again below (creates it).
    }
    if (ino !== held.ino) {
      try {
        const again = take(path, dataDir);
        close(held.db);
        held = again;
        // The record names the file now held.
        record = { ...record, lock: held.ino };
        try {
          rewritePidFile(dataDir, record);
        } catch {
          // A read-only or full disk: the lock still holds.
        }
      } catch (err) {
        if (lost) return;
        lost = true;
        options.onLost?.(`${LOCK_FILE} in the data directory ${dataDir} was deleted or replaced while this gateway ran: ${(err as Error).message}`);
        return;
      }
    }
    // Holding the current lock file: the pid file names this gateway again if it was deleted too.
    if (readPidFile(dataDir)?.token === record.token) return;
    try {
      rewritePidFile(dataDir, record);
    } catch {
      // A read-only or full disk: the lock still holds.
    }
  };
  // Told at once (inotify, kqueue) when either file is deleted, replaced or changed: the check runs
  // then, so a start begun just after both were deleted finds them back (round 15: within the 5 s
  // between two timed checks it came up beside this one). Each check watches the files as they are
  // now (a replaced file is a new one). Where watching fails (a network file system), the timer
  // alone checks.
  let watchers: FSWatcher[] = [];
  let soon: NodeJS.Immediate | null = null;
  let released = false;
  const watchFiles = () => {
    for (const w of watchers) w.close();
    watchers = [];
    if (released || options.watch === false) return;
    for (const name of [LOCK_FILE, PID_FILE]) {
      try {
        const w = watch(join(dataDir, name), { persistent: false }, checkSoon);
        // A watch that fails is given up (the timer still checks), not armed again: that could spin.
        w.on('error', () => w.close());
        watchers.push(w);
      } catch {
        // Gone between the check and here (its own check follows), or not watchable: the timer checks.
      }
    }
  };
  function checkSoon(): void {
    if (soon || released) return;
    soon = setImmediate(() => {
      soon = null;
      check();
      watchFiles();
    });
  }
  watchFiles();
  const timer = setInterval(check, options.checkMs ?? LOCK_CHECK_MS);
  timer.unref();
  return {
    release() {
      released = true;
      if (soon) clearImmediate(soon);
      watchFiles();
      clearInterval(timer);
      removePidFile(dataDir, record);
      close(held.db);
    },
  };
}

/** Ends the transaction and closes (the lock goes with the connection); never throws (a deleted file fails COMMIT). */
function close(db: Database.Database): void {
  if (!db.open) return;
  try {
    db.exec('COMMIT');
  } catch {
    // The close below rolls back and drops the lock all the same.
  } finally {
    db.close();
  }
}

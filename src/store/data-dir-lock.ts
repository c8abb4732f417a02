// Owns the rule "one gateway per SQLite data directory". A second gateway started on a running
// one's directory would clear the spool of messages the first is receiving and release the first's
// delivery leases (gateway.ts: on SQLite one process owns the file), so both would deliver the same
// mail. The lock is SQLite's own: an EXCLUSIVE transaction held on a small file beside the database,
// taken with POSIX advisory locks that the kernel drops when the process ends however it ends
// (SIGKILL, a crash, a power cut), so a lock is never left stale. CLI commands that are meant to
// run beside the gateway (user add, dns, …) do not take it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

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

/**
 * Takes the data directory for this gateway: creates `dataDir` (0700) if missing and holds an
 * EXCLUSIVE transaction on `dataDir/gateway.lock` until release() or the end of the process.
 * Throws DataDirInUse (with a sentence naming the directory) when another process, or another
 * gateway in this process, holds it; other errors (permissions, a read-only disk) as thrown by
 * better-sqlite3. Never waits: a busy lock answers at once (busy timeout 0).
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE);
  const db = new Database(path, { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY' || (err as { code?: string }).code === 'SQLITE_LOCKED') {
      throw new DataDirInUse(
        `another maskgate is already running on the data directory ${dataDir} (it holds ${LOCK_FILE}): stop it first, or give this one a data directory of its own (dataDir, MASKGATE_DATA_DIR)`,
      );
    }
    throw err;
  }
  return {
    release() {
      if (!db.open) return;
      try {
        db.exec('COMMIT');
      } finally {
        db.close();
      }
    },
  };
}

// Owns `<dataDir>/gateway.pid`, the second witness of which process holds a data directory. The
// lock (data-dir-lock.ts) is a POSIX lock on gateway.lock's inode: deleting or replacing that name
// under a running gateway leaves a new, unlocked file for a second start, until the holder takes the
// new one (at once when it sees the change, else at its next check, every 5 s). A second start therefore also reads this file and refuses while the process
// it names is alive and is the one that wrote it (same start time, read from /proc where there is
// one), so a pid the kernel gave again to another program after a crash is not mistaken for it;
// and not at all when the lock file it just locked is the one the record's writer held (that writer
// ended: its lock is gone), which needs no /proc (macOS, BSD: a crash's record naming a pid the
// system gave again no longer stops every start while that process runs).
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The witness's file name in the data directory. */
export const PID_FILE = 'gateway.pid';

/** What the file holds: who wrote it, and a token naming this holding (one process may hold two directories). */
export interface PidRecord {
  readonly pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22); null without /proc. */
  readonly start: string | null;
  readonly token: string;
  /**
   * The inode of the gateway.lock its writer held when it wrote it (data-dir-lock.ts). A start that
   * took that very file's lock knows the writer no longer holds it (it ended), whatever its pid is
   * now; absent in a record an older gateway wrote.
   */
  readonly lock?: number;
}

/** The tokens this process holds, so a second gateway in the same process is refused too. */
const ours = new Set<string>();

/** A process's start time from /proc, or null where there is no /proc (or no such process). */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces; count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** The record in `dataDir`, or null when there is none or it is not one this module wrote. */
export function readPidFile(dataDir: string): PidRecord | null {
  try {
    const r = JSON.parse(readFileSync(join(dataDir, PID_FILE), 'utf8')) as Partial<PidRecord>;
    if (typeof r.pid !== 'number' || typeof r.token !== 'string') return null;
    return { pid: r.pid, start: typeof r.start === 'string' ? r.start : null, token: r.token, ...(typeof r.lock === 'number' ? { lock: r.lock } : {}) };
  } catch {
    return null;
  }
}

/** Whether the process a record names still runs and holds the directory (false for one a crash left). */
export function holderAlive(record: PidRecord): boolean {
  if (record.pid === process.pid) return ours.has(record.token);
  try {
    process.kill(record.pid, 0);
  } catch (err) {
    // EPERM: it runs, as another user.
    if ((err as { code?: string }).code !== 'EPERM') return false;
  }
  const now = startTime(record.pid);
  return record.start === null || now === null || now === record.start;
}

/** Writes this process's record, holding the lock file of inode `lock` (whole, by rename), and returns it. */
export function writePidFile(dataDir: string, lock: number): PidRecord {
  const record: PidRecord = { pid: process.pid, start: startTime(process.pid), token: randomBytes(12).toString('hex'), lock };
  rewritePidFile(dataDir, record);
  ours.add(record.token);
  return record;
}

/** Writes `record` again (after the file was deleted or overwritten). */
export function rewritePidFile(dataDir: string, record: PidRecord): void {
  const tmp = join(dataDir, `${PID_FILE}.${record.token}`);
  writeFileSync(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  renameSync(tmp, join(dataDir, PID_FILE));
}

/** Forgets `record` and removes the file if it is still this record's; never throws. */
export function removePidFile(dataDir: string, record: PidRecord): void {
  ours.delete(record.token);
  if (readPidFile(dataDir)?.token !== record.token) return;
  try {
    unlinkSync(join(dataDir, PID_FILE));
  } catch {
    // Gone already.
  }
}

import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../store/db.js';
import { GroupCommit } from './group-commit.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mg-gc-'));
  db = openDb(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const put = (key: string) => () => db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(key, 'v');
const keys = () => (db.prepare('SELECT key FROM settings ORDER BY key').all() as { key: string }[]).map((r) => r.key);

describe('GroupCommit', () => {
  it('commits jobs of one turn together, and a failing job rolls back alone', async () => {
    const gc = new GroupCommit(db);
    const results = await Promise.allSettled([
      gc.run(put('a')),
      gc.run(() => {
        put('b')();
        throw new Error('boom');
      }),
      gc.run(put('c')),
      gc.run(put('a')), // duplicate key: fails alone
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(keys()).toEqual(['a', 'c']);
  });

  it('runs on a durable connection: WAL and synchronous=FULL', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('lets work nobody waits on ride along with the next urgent commit', async () => {
    const gc = new GroupCommit(db);
    const batched = gc.runBatched(put('later'));
    await new Promise((r) => setTimeout(r, 10));
    // Not committed on its own within the 2 ms an SMTP client would wait...
    expect(keys()).toEqual([]);
    // ...but in the same transaction as the next urgent job.
    await gc.run(put('now'));
    expect(keys()).toEqual(['later', 'now']);
    await batched;
  });

  it('commits batched work by itself within 50 ms', async () => {
    const gc = new GroupCommit(db);
    const t0 = Date.now();
    await gc.runBatched(put('alone'));
    expect(keys()).toEqual(['alone']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40);
  });

  it('flush() commits what is pending at once (shutdown)', async () => {
    const gc = new GroupCommit(db);
    const p = gc.runBatched(put('pending'));
    gc.flush();
    expect(keys()).toEqual(['pending']);
    await p;
  });

  it('keeps temporary journals in memory (savepoints cost no temp file)', () => {
    expect(db.pragma('temp_store', { simple: true })).toBe(2);
  });

  it('answers a job only once a WAL sync that began after its commit is done; what arrives during a sync commits together when it ends, under one sync', async () => {
    const syncs: (() => void)[] = [];
    const gc = new GroupCommit(db, 64, () => new Promise<void>((resolve) => syncs.push(resolve)));
    let first = false;
    const p1 = gc.run(put('a')).then(() => (first = true));
    await new Promise((r) => setTimeout(r, 10));
    // Committed (visible) but not yet answered: its sync is running.
    expect(keys()).toEqual(['a']);
    expect(syncs).toHaveLength(1);
    expect(first).toBe(false);
    // Two more jobs arrive while that sync runs, in two gathering windows: they are gathered, not
    // committed (they could not be answered before the next sync anyway), and wait for the next
    // sync, not this one.
    let later = 0;
    const p2 = gc.run(put('b')).then(() => later++);
    await new Promise((r) => setTimeout(r, 10));
    const p3 = gc.run(put('c')).then(() => later++);
    await new Promise((r) => setTimeout(r, 10));
    expect(keys()).toEqual(['a']);
    syncs[0]!();
    await p1;
    // The sync ended: both commit at once, and the next sync starts.
    expect(keys()).toEqual(['a', 'b', 'c']);
    expect(later).toBe(0);
    expect(syncs).toHaveLength(2);
    syncs[1]!();
    await Promise.all([p2, p3]);
    expect(later).toBe(2);
    expect(syncs).toHaveLength(2);
    // The connection's own setting stays FULL for every write outside the group commit.
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('rejects the jobs of a group whose sync failed (the session answers 451), and every later job too: nothing after a failed sync is durable', async () => {
    // After a failed fsync Linux may mark the unwritten pages clean, so the next fsync succeeds
    // while the earlier WAL frames never reach the disk; SQLite's recovery stops at the first bad
    // frame (the checksums are cumulative), losing every later group with it. A 250 after that
    // would be a lie (PostgreSQL stops on a failed fsync for the same reason).
    let fail = true;
    let syncs = 0;
    const gc = new GroupCommit(db, 64, async () => {
      syncs++;
      if (fail) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    });
    expect(gc.stoppedBecause).toBeNull();
    await expect(gc.run(put('a'))).rejects.toThrow('EIO');
    expect(gc.stoppedBecause).toMatch(/a WAL sync failed \(EIO.*nothing is acknowledged until maskgate restarts/);
    fail = false;
    await expect(gc.run(put('b'))).rejects.toThrow(/EIO/);
    await expect(gc.runBatched(put('c'))).rejects.toThrow(/EIO/);
    expect(keys()).toEqual(['a']);
    expect(syncs).toBe(1);
  });

  it('syncs the real WAL file of the database', async () => {
    const gc = new GroupCommit(db);
    await gc.run(put('synced'));
    expect(keys()).toEqual(['synced']);
  });

  it('keeps one descriptor of the live WAL file across syncs, also after a TRUNCATE checkpoint, and lets it go on close()', async () => {
    // What /proc says this process holds open on the WAL (Linux): SQLite's own descriptor, and
    // the group commit's one; never a removed file.
    const walFds = () =>
      readdirSync('/proc/self/fd')
        .map((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`);
          } catch {
            return '';
          }
        })
        .filter((target) => target.startsWith(`${db.name}-wal`));
    const gc = new GroupCommit(db);
    await gc.run(put('first'));
    const held = walFds().length;
    for (let i = 0; i < 5; i++) await gc.run(put(`k${i}`));
    expect(walFds()).toHaveLength(held);
    // Erasure empties the WAL this way: the same file, shortened; the next group still syncs it.
    db.pragma('wal_checkpoint(TRUNCATE)');
    await gc.run(put('after-truncate'));
    expect(walFds()).toHaveLength(held);
    expect(walFds().every((target) => target === `${db.name}-wal`)).toBe(true);
    expect(keys()).toContain('after-truncate');
    gc.close();
    // The descriptor is closed on libuv's thread pool: wait for it (a loaded machine may take a while).
    for (let i = 0; i < 100 && walFds().length !== held - 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(walFds()).toHaveLength(held - 1);
  });

  it('flushes at once when a batch is full', async () => {
    const gc = new GroupCommit(db, 2);
    const p = [gc.run(put('x')), gc.run(put('y'))];
    // The second job filled the batch: both are committed before any other turn runs.
    expect(keys()).toEqual(['x', 'y']);
    await Promise.all(p);
  });
});

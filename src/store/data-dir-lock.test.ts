import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirInUse, LOCK_FILE, lockDataDir } from './data-dir-lock.js';
import { PID_FILE } from './gateway-pid-file.js';

/**
 * Another process takes `dir` as a gateway does: exit code 0 when it held it (and released it), 1
 * with the refusal on stderr; with 'kill' it takes it and is killed (SIGKILL) while holding it.
 */
function takeInChild(dir: string, end: 'release' | 'kill' = 'release'): Promise<{ code: number | null; stderr: string }> {
  const script = `import { lockDataDir } from ${JSON.stringify(new URL('./data-dir-lock.ts', import.meta.url).pathname)};
try { lockDataDir(process.argv[1]); } catch (e) { console.error(e.message); process.exit(1); }
if (process.argv[2] === 'kill') process.kill(process.pid, 'SIGKILL');`;
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir, end], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** Waits until `done()` (polling every 10 ms), at most `ms`: a loaded machine runs the holder's check late. */
async function until(done: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !done() && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
}

describe('lockDataDir', () => {
  it('holds a data directory against a second taker until released, and creates it when missing', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'maskgate-lock-')), 'data');
    const held = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUse);
    expect(() => lockDataDir(dir)).toThrow(`another maskgate is already running on the data directory ${dir}`);
    held.release();
    held.release(); // idempotent
    const again = lockDataDir(dir);
    again.release();
  });

  it('lets two data directories be held at once', () => {
    const a = lockDataDir(mkdtempSync(join(tmpdir(), 'maskgate-lock-')));
    const b = lockDataDir(mkdtempSync(join(tmpdir(), 'maskgate-lock-')));
    a.release();
    b.release();
  });

  it('refuses a second taker at once when the lock file was just deleted or replaced under the holder (round 13: it came up within 5 s)', () => {
    for (const spoil of [(f: string) => unlinkSync(f), (f: string) => (writeFileSync(`${f}.new`, ''), renameSync(`${f}.new`, f))]) {
      const dir = mkdtempSync(join(tmpdir(), 'maskgate-lock-'));
      const held = lockDataDir(dir);
      spoil(join(dir, LOCK_FILE));
      expect(() => lockDataDir(dir)).toThrow(`another maskgate is already running on the data directory ${dir} (process ${process.pid}`);
      held.release();
      lockDataDir(dir).release();
    }
  });

  it('refuses a second process at once after the lock file was deleted, and starts it once the holder has ended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-lock-'));
    // Not watching, as on a file system that cannot be watched, and no timed check before the child
    // asks (its start with tsx took over 5 s, LOCK_CHECK_MS, beside 3 busy loops: the holder had
    // put a new lock file back and that refused it): the pid file alone refuses it.
    const held = lockDataDir(dir, { watch: false, checkMs: 1e6 });
    unlinkSync(join(dir, LOCK_FILE));
    const refused = await takeInChild(dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`another maskgate is already running on the data directory ${dir} (process ${process.pid}`);
    held.release();
    expect(existsSync(join(dir, PID_FILE))).toBe(false);
    expect((await takeInChild(dir)).code).toBe(0);
  }, 60_000);

  it('starts over a pid file a killed gateway left (its process is gone)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-lock-'));
    expect((await takeInChild(dir, 'kill')).code).toBe(null);
    expect(readFileSync(join(dir, PID_FILE), 'utf8')).toContain('"pid"');
    lockDataDir(dir).release();
  }, 60_000);

  it('starts over a pid file naming a live process when the lock file it just took is the one that record held (no /proc: a crash, the pid given again)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-lock-'));
    lockDataDir(dir).release();
    const lock = statSync(join(dir, LOCK_FILE)).ino;
    // As written where there is no /proc (start unknown), naming a live process that is not a gateway.
    writeFileSync(join(dir, PID_FILE), JSON.stringify({ pid: process.ppid, start: null, token: 'crashed', lock }));
    lockDataDir(dir).release();
    // Its lock file since replaced (a new file): the record may name a holder whose file was deleted, so it still refuses.
    writeFileSync(join(dir, PID_FILE), JSON.stringify({ pid: process.ppid, start: null, token: 'crashed', lock: lock + 1 }));
    expect(() => lockDataDir(dir)).toThrow(`(process ${process.ppid}, named by ${PID_FILE}`);
  });

  it('takes its file again when the lock and pid files are deleted or replaced while held', async () => {
    for (const spoil of [(f: string) => unlinkSync(f), (f: string) => (writeFileSync(`${f}.new`, ''), renameSync(`${f}.new`, f))]) {
      const dir = mkdtempSync(join(tmpdir(), 'maskgate-lock-'));
      const held = lockDataDir(dir, { checkMs: 20 });
      spoil(join(dir, LOCK_FILE));
      unlinkSync(join(dir, PID_FILE));
      // Its check (the watch or the 20 ms timer) writes the pid file last: wait for it (bounded), as a
      // fixed 200 ms does not on a loaded machine.
      await until(() => existsSync(join(dir, PID_FILE)));
      expect(() => lockDataDir(dir)).toThrow(DataDirInUse);
      held.release();
      held.release(); // never throws, the file replaced or not
      lockDataDir(dir).release();
    }
  });

  it('puts both files back as soon as they are deleted while held, long before its timed check (round 15: a start in between came up)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-lock-'));
    const held = lockDataDir(dir, { checkMs: 1e6 });
    unlinkSync(join(dir, LOCK_FILE));
    unlinkSync(join(dir, PID_FILE));
    // Put back by the watch (a bounded wait, far below the timed check's 1e6 ms), the pid file last.
    await until(() => existsSync(join(dir, PID_FILE)));
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    expect(existsSync(join(dir, PID_FILE))).toBe(true);
    expect((await takeInChild(dir)).code).toBe(1);
    held.release();
    expect((await takeInChild(dir)).code).toBe(0);
  }, 60_000);

  it('tells the holder when another took the new file first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-lock-'));
    const told: string[] = [];
    const held = lockDataDir(dir, { checkMs: 50, onLost: (m) => told.push(m) });
    unlinkSync(join(dir, LOCK_FILE));
    unlinkSync(join(dir, PID_FILE));
    const other = lockDataDir(dir, { checkMs: 1e6 });
    await until(() => told.length > 0);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('was deleted or replaced while this gateway ran');
    other.release();
    held.release();
  });

  it("says so when gateway.lock is another program's file, not a lock", () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-lock-'));
    writeFileSync(join(dir, LOCK_FILE), 'not a lock: some other program wrote this file, long enough to have a header. '.repeat(10));
    expect(() => lockDataDir(dir)).toThrow(`${join(dir, LOCK_FILE)} is not a maskgate lock file`);
  });
});

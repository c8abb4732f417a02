import { mkdtempSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirInUse, LOCK_FILE, lockDataDir } from './data-dir-lock.js';

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

  it('takes its file again when the lock file is deleted or replaced while held (attack pass 13: a second start then came up)', async () => {
    for (const spoil of [(f: string) => unlinkSync(f), (f: string) => (writeFileSync(`${f}.new`, ''), renameSync(`${f}.new`, f))]) {
      const dir = mkdtempSync(join(tmpdir(), 'maskgate-lock-'));
      const held = lockDataDir(dir, { checkMs: 20 });
      spoil(join(dir, 'gateway.lock'));
      await new Promise((r) => setTimeout(r, 200));
      expect(() => lockDataDir(dir)).toThrow(DataDirInUse);
      held.release();
      held.release(); // never throws, the file replaced or not
      lockDataDir(dir).release();
    }
  });

  it('tells the holder when another took the new file first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-lock-'));
    const told: string[] = [];
    const held = lockDataDir(dir, { checkMs: 50, onLost: (m) => told.push(m) });
    unlinkSync(join(dir, 'gateway.lock'));
    const other = lockDataDir(dir, { checkMs: 1e6 });
    await new Promise((r) => setTimeout(r, 300));
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

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirInUse, lockDataDir } from './data-dir-lock.js';

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
});

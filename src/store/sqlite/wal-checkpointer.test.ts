import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_FILE, openDb, type Db } from '../db.js';
import { WAL_SAFETY_PAGES, WalCheckpointer } from './wal-checkpointer.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mg-ckpt-'));
  db = openDb(dir);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = async (what: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('WalCheckpointer', () => {
  it('copies committed pages into the database file on its own thread, while the committing connection checkpoints only past the safety size', async () => {
    const checkpointer = new WalCheckpointer(db, { intervalMs: 20 });
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_SAFETY_PAGES);
      // 3 MB of distinctive bytes, committed in three transactions (the main connection alone would
      // leave them in the WAL: 3 MB is far below its checkpoint size now).
      const marker = Buffer.from('checkpointed-by-the-thread-');
      const blob = Buffer.concat(Array.from({ length: 40_000 }, () => marker));
      for (let i = 0; i < 3; i++) db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(`k${i}`, blob);
      await until(() => {
        const last = checkpointer.state.last;
        return last !== null && last.log > 0 && last.checkpointed === last.log;
      });
      expect(checkpointer.state.error).toBeNull();
      // The bytes are in the database file itself now, not only in the WAL.
      expect(readFileSync(join(dir, DB_FILE)).includes(marker)).toBe(true);
      // The connection keeps writing and reading as before (the WAL restarts once copied).
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('after', 'v');
      expect(db.prepare('SELECT count(*) AS n FROM settings WHERE key LIKE ? OR key = ?').get('k%', 'after')).toEqual({ n: 4 });
    } finally {
      await checkpointer.close();
    }
  });

  it('leaves the main file untouched without the thread (the control for the case above)', async () => {
    const marker = Buffer.from('left-in-the-wal-');
    db.pragma(`wal_autocheckpoint = ${WAL_SAFETY_PAGES}`);
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('k', Buffer.concat(Array.from({ length: 40_000 }, () => marker)));
    await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(join(dir, DB_FILE)).includes(marker)).toBe(false);
  });

  it('reports once, through onError, a thread that cannot do its work (here: the file is gone from its path)', async () => {
    renameSync(join(dir, DB_FILE), join(dir, 'moved.sqlite'));
    const errors: string[] = [];
    const checkpointer = new WalCheckpointer(db, { intervalMs: 20, onError: (e) => errors.push(e) });
    await until(() => errors.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/checkpoint thread stopped/);
    expect(checkpointer.state.error).toBe(errors[0]);
    await checkpointer.close();
  });

  it('close() runs a last checkpoint and ends the thread before the connection closes', async () => {
    const checkpointer = new WalCheckpointer(db, { intervalMs: 60_000 });
    const marker = Buffer.from('copied-at-close-');
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('k', Buffer.concat(Array.from({ length: 10_000 }, () => marker)));
    await checkpointer.close();
    expect(readFileSync(join(dir, DB_FILE)).includes(marker)).toBe(true);
    db.close();
  });
});

// Owns small key/value settings kept in the database (the API token's hash, first-start marker,
// the secrets that sign bounce addresses and unsubscribe links).
import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import { stmt } from './statements.js';

export function getSetting(db: Db, key: string): string | null {
  const row = stmt(db, 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function setSetting(db: Db, key: string, value: string): void {
  stmt(db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function deleteSetting(db: Db, key: string): void {
  stmt(db, 'DELETE FROM settings WHERE key = ?').run(key);
}

/**
 * A 256-bit secret kept under `key`, made on first use; it survives restarts and restores. Created
 * with INSERT … ON CONFLICT DO NOTHING and read back in one transaction, so callers racing on first
 * use (two connections, or later two nodes) all get the one secret that was stored.
 */
export function loadSecret(db: Db, key: string): Buffer {
  const hex = db.transaction(() => {
    stmt(db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING').run(key, randomBytes(32).toString('hex'));
    return getSetting(db, key) as string;
  })();
  return Buffer.from(hex, 'hex');
}

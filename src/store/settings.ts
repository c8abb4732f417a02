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

/** A 256-bit secret kept under `key`, made on first use; it survives restarts and restores. */
export function loadSecret(db: Db, key: string): Buffer {
  let hex = getSetting(db, key);
  if (!hex) {
    hex = randomBytes(32).toString('hex');
    setSetting(db, key, hex);
  }
  return Buffer.from(hex, 'hex');
}

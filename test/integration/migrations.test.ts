// Upgrades: a database made by the first schema (migration 001, as the relay core shipped) opens
// under the current code, each later migration applied in its own transaction, and the data kept.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DB_FILE, openDb, schemaVersion } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';

const dir = mkdtempSync(join(tmpdir(), 'maskgate-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('schema migrations', () => {
  it('upgrades a database made by the first schema and keeps its data', () => {
    const old = new Database(join(dir, DB_FILE));
    old.pragma('journal_mode = WAL');
    old.exec(MIGRATIONS[0]!.sql);
    old.pragma('user_version = 1');
    old.exec(`
      INSERT INTO stores (slug, name, mailbox, created_at) VALUES ('acme', 'Acme', 'cs@acme.example', 1);
      INSERT INTO buyers (email, name, kind, created_at) VALUES ('jane@buyer.example', 'Jane', 'customer', 1);
      INSERT INTO pairs (store_id, buyer_id, token, created_at) VALUES (1, 1, 'abcdefghijklmnopqrst', 1);
      INSERT INTO messages (pair_id, store_id, direction, source, author_email, subject, relay_message_id, verdict, findings, changes, size, received_at)
        VALUES (1, 1, 'buyer_to_store', 'smtp', 'jane@buyer.example', 'Hello', '<r1@relay>', 'accept', '[]', '[]', 10, 1);
    `);
    old.close();

    const db = openDb(dir);
    try {
      expect(schemaVersion(db)).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
      const m = db.prepare('SELECT subject, status, category, read_at AS readAt, snippet FROM messages').get();
      expect(m).toEqual({ subject: 'Hello', status: 'pending', category: 'buyer_message', readAt: null, snippet: '' });
      expect((db.prepare('SELECT count(*) AS n FROM category_rules').get() as { n: number }).n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('leaves nothing half-done when a migration fails', () => {
    const d2 = mkdtempSync(join(dir, 'bad-'));
    const old = new Database(join(d2, DB_FILE));
    old.exec(MIGRATIONS[0]!.sql);
    old.pragma('user_version = 1');
    // A table the next migration creates already exists: migration 2 fails on it.
    old.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
    old.close();
    expect(() => openDb(d2)).toThrow();
    const after = new Database(join(d2, DB_FILE));
    try {
      expect(after.pragma('user_version', { simple: true })).toBe(1);
      expect(after.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sessions'").get()).toEqual({ n: 0 });
    } finally {
      after.close();
    }
  });
});

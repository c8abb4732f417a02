// Seeds a test gateway's empty data directory with a copy of a database already migrated and
// holding a DKIM key, made once per test file: every start otherwise ran all migrations (one
// fsync'd transaction each: 60–330 ms of wall time on a loaded machine) and generated an RSA 2048
// key (100–180 ms of CPU). One key per file also lets the file's gateways share a warm work pool
// (shared-pools.ts: the pool signs with its key). A gateway started on the copy finds its key as
// one generated on an earlier start, and no migration left to run.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { DB_FILE, openDb } from '../../src/store/db.js';
import { dkimSettingKey, newDkimKeyPem } from '../../src/store/sqlite/storage.js';

const templates = new Map<string, string>();
let pem: string | null = null;

/** Copies the file's template database, with the key for `domain`/`selector`, into `dataDir` (empty). */
export function seedDataDir(dataDir: string, dkim: { readonly domain: string; readonly selector: string } | null): void {
  const key = dkim ? dkimSettingKey(dkim.domain, dkim.selector) : '';
  let dir = templates.get(key);
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'maskgate-template-'));
    const db = openDb(dir);
    if (dkim) db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(key, (pem ??= newDkimKeyPem()));
    // Closing the last connection copies the WAL into the file and removes it: the file is the whole database.
    db.close();
    templates.set(key, dir);
  }
  copyFileSync(join(dir, DB_FILE), join(dataDir, DB_FILE));
}

afterAll(() => {
  for (const dir of templates.values()) rmSync(dir, { recursive: true, force: true });
  templates.clear();
});

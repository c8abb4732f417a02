// Owns backups: one file holding a consistent copy of the database (SQLite's online backup API,
// safe while the gateway writes) and the data directory's key files (the DKIM key), so a restore
// needs nothing else. Restore only into a data directory without a database.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { DB_FILE, openDb } from './db.js';

/** Key files kept beside the database, relative to the data directory. */
function keyFiles(dataDir: string): string[] {
  const dir = join(dataDir, 'dkim');
  return existsSync(dir) ? readdirSync(dir).map((f) => relative(dataDir, join(dir, f))) : [];
}

export interface BackupResult {
  readonly file: string;
  readonly messages: number;
  readonly keyFiles: number;
  /** DKIM keys kept in the database's settings (where every key lives since it moved out of dkim/). */
  readonly dbKeys: number;
}

export async function backup(dataDir: string, file: string): Promise<BackupResult> {
  if (existsSync(file)) throw new Error(`${file} exists; give a new file name`);
  // A mistyped data directory would otherwise get a new, empty database, and its copy would look like a backup.
  if (!existsSync(join(dataDir, DB_FILE))) throw new Error(`no database in ${dataDir}; point MASKGATE_DATA_DIR (dataDir) at the gateway's data directory`);
  const db = openDb(dataDir);
  try {
    await db.backup(file);
  } finally {
    db.close();
  }
  // The copy gets the key files in a table of its own.
  const copy = new Database(file);
  try {
    copy.exec('CREATE TABLE backup_files (path TEXT PRIMARY KEY, content BLOB NOT NULL)');
    const put = copy.prepare('INSERT INTO backup_files (path, content) VALUES (?, ?)');
    const keys = keyFiles(dataDir);
    for (const k of keys) put.run(k, readFileSync(join(dataDir, k)));
    const messages = (copy.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    const dbKeys = (copy.prepare("SELECT count(*) AS n FROM settings WHERE key LIKE 'dkim\\_key:%' ESCAPE '\\'").get() as { n: number }).n;
    copy.pragma('journal_mode = DELETE');
    return { file, messages, keyFiles: keys.length, dbKeys };
  } finally {
    copy.close();
  }
}

export function restore(file: string, dataDir: string): { messages: number } {
  if (existsSync(join(dataDir, DB_FILE))) throw new Error(`${dataDir} already holds a database; restore into an empty data directory`);
  // SQLite's own words ("unable to open database file", "no such table") named neither the file nor the cause.
  if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`no file ${file} to restore`);
  const notBackup = (why: string) => new Error(`${file} is not a backup written by maskgate backup (${why})`);
  let src: Database.Database;
  try {
    src = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw notBackup((err as Error).message);
  }
  let files: { path: string; content: Buffer }[];
  try {
    let check: unknown;
    try {
      check = src.pragma('integrity_check', { simple: true });
    } catch (err) {
      throw notBackup((err as Error).message);
    }
    if (check !== 'ok') throw new Error(`the backup is damaged: ${String(check)}`);
    if (!src.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'backup_files'").get()) throw notBackup('it holds no backup_files table');
    files = src.prepare('SELECT path, content FROM backup_files').all() as { path: string; content: Buffer }[];
  } finally {
    src.close();
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, DB_FILE), readFileSync(file), { mode: 0o600, flag: 'wx' });
  try {
    const raw = new Database(join(dataDir, DB_FILE));
    raw.exec('DROP TABLE backup_files');
    raw.close();
    for (const f of files) {
      if (f.path.includes('..')) continue;
      mkdirSync(join(dataDir, f.path, '..'), { recursive: true, mode: 0o700 });
      writeFileSync(join(dataDir, f.path), f.content, { mode: 0o600 });
    }
    // Open it the way the gateway will (WAL, synchronous=FULL, migrations) before saying done.
    const db = openDb(dataDir);
    const messages = (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    db.close();
    return { messages };
  } catch (err) {
    rmSync(join(dataDir, DB_FILE), { force: true });
    throw err;
  }
}

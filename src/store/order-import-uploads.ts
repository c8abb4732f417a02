// Owns the admin's order file between its preview and its import: the uploaded bytes stay on the
// server (table order_import_uploads, migration 017), named by an unguessable token the preview
// page carries (only its SHA-256 is stored), for the user who uploaded it and the store they chose.
// The import takes the row, so what is imported is exactly what was previewed, once. Bounded: an
// upload lives an hour, a user keeps at most three (the oldest goes), and every new upload first
// removes the expired ones of everybody.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import { stmt } from './statements.js';

export interface KeptUpload {
  readonly storeId: number;
  readonly fileName: string;
  readonly bytes: Uint8Array;
}

export const UPLOAD_TTL_MS = 3_600_000;
export const UPLOADS_PER_USER = 3;
/** The shape of an upload token (32 random bytes, base64url). */
export const UPLOAD_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** What is stored of an upload's token. */
export const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** The statements of keep and take (`?` placeholders), shared with the PostgreSQL adapter (pg/imports.ts). */
export const UPLOAD_SQL = {
  /** `?`: the oldest creation time kept. */
  purgeExpired: 'DELETE FROM order_import_uploads WHERE created_at <= ?',
  /** `?`: user, user, how many of the newest to keep. */
  keepNewest:
    'DELETE FROM order_import_uploads WHERE user_id = ? AND id NOT IN (SELECT id FROM order_import_uploads WHERE user_id = ? ORDER BY id DESC LIMIT ?)',
  insert: 'INSERT INTO order_import_uploads (token_hash, user_id, store_id, file_name, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  /** `?`: token hash, user. */
  take: 'DELETE FROM order_import_uploads WHERE token_hash = ? AND user_id = ? RETURNING store_id AS "storeId", file_name AS "fileName", bytes, created_at AS "createdAt"',
} as const;

export class OrderImportUploads {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Keeps a previewed file for `userId`; returns the token (43 base64url characters) that names it. */
  keep(userId: number, storeId: number, fileName: string, bytes: Uint8Array, now = Date.now()): string {
    const token = randomBytes(32).toString('base64url');
    this.#db.transaction(() => {
      stmt(this.#db, UPLOAD_SQL.purgeExpired).run(now - UPLOAD_TTL_MS);
      stmt(this.#db, UPLOAD_SQL.keepNewest).run(userId, userId, UPLOADS_PER_USER - 1);
      stmt(this.#db, UPLOAD_SQL.insert).run(sha256(token), userId, storeId, fileName.slice(0, 200), Buffer.from(bytes), now);
    })();
    return token;
  }

  /**
   * Removes and returns the upload the token names, when it is `userId`'s and under an hour old;
   * null otherwise (unknown, another user's, expired, or already imported). Call it inside the
   * import's transaction, so a failed import keeps the upload.
   */
  take(token: string, userId: number, now = Date.now()): KeptUpload | null {
    if (!UPLOAD_TOKEN.test(token)) return null;
    const row = stmt(this.#db, UPLOAD_SQL.take).get(sha256(token), userId) as
      { storeId: number; fileName: string; bytes: Buffer; createdAt: number } | undefined;
    if (!row || row.createdAt <= now - UPLOAD_TTL_MS) return null;
    return { storeId: row.storeId, fileName: row.fileName, bytes: new Uint8Array(row.bytes) };
  }

  /** How many uploads are kept, of all users. */
  count(): number {
    return stmt(this.#db, 'SELECT count(*) FROM order_import_uploads').pluck().get() as number;
  }
}

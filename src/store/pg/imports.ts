// The PostgreSQL adapter of the import port (src/store/import-ports.ts): the same statements as the
// SQLite repositories in PostgreSQL's SQL. Taking an upload is one DELETE … RETURNING, so two nodes
// importing one preview at once import it once; a form key is INSERT … ON CONFLICT DO NOTHING.
import { randomBytes } from 'node:crypto';
import type { ImportStore } from '../import-ports.js';
import { sha256, UPLOAD_SQL, UPLOAD_TOKEN, UPLOAD_TTL_MS, UPLOADS_PER_USER } from '../order-import-uploads.js';
import { numbered, type PgScope } from './db.js';

export function pgImports(s: PgScope): ImportStore {
  return {
    keepUpload: (userId, storeId, fileName, bytes, now = Date.now()) =>
      s.inTransaction(async (q) => {
        const token = randomBytes(32).toString('base64url');
        await q.query(numbered(UPLOAD_SQL.purgeExpired), [now - UPLOAD_TTL_MS]);
        await q.query(numbered(UPLOAD_SQL.keepNewest), [userId, userId, UPLOADS_PER_USER - 1]);
        await q.query(numbered(UPLOAD_SQL.insert), [sha256(token), userId, storeId, fileName.slice(0, 200), Buffer.from(bytes), now]);
        return token;
      }),
    async takeUpload(token, userId, now = Date.now()) {
      if (!UPLOAD_TOKEN.test(token)) return null;
      const row = (await s.q.query<{ storeId: number; fileName: string; bytes: Buffer; createdAt: number }>(numbered(UPLOAD_SQL.take), [sha256(token), userId]))
        .rows[0];
      if (!row || row.createdAt <= now - UPLOAD_TTL_MS) return null;
      return { storeId: row.storeId, fileName: row.fileName, bytes: new Uint8Array(row.bytes) };
    },
    async existingOrders(storeId, numbers) {
      if (numbers.length === 0) return new Map();
      const r = await s.q.query<{ number: string; token: string }>(
        'SELECT o.number, p.token FROM orders o JOIN pairs p ON p.id = o.pair_id WHERE o.store_id = $1 AND o.number = ANY($2::text[])',
        [storeId, [...numbers]],
      );
      return new Map(r.rows.map((x) => [x.number, x.token]));
    },
    async claimFormKey(key, userId, now = Date.now()) {
      const r = await s.q.query("INSERT INTO form_submissions (key, user_id, result, created_at) VALUES ($1, $2, 'pending', $3) ON CONFLICT (key) DO NOTHING", [
        key,
        userId,
        now,
      ]);
      return (r.rowCount ?? 0) > 0;
    },
    async releaseFormKey(key) {
      await s.q.query('DELETE FROM form_submissions WHERE key = $1', [key]);
    },
    async formKeyDone(key, result) {
      await s.q.query('UPDATE form_submissions SET result = $1 WHERE key = $2', [JSON.stringify(result), key]);
    },
  };
}

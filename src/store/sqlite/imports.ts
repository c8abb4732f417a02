// The SQLite adapter of the import port (src/store/import-ports.ts): the synchronous repositories
// (order-import-uploads.ts, form-submissions.ts) on the one connection, each call a settled promise.
import type { Db } from '../db.js';
import { FormSubmissionRepo } from '../form-submissions.js';
import type { ImportStore } from '../import-ports.js';
import { OrderImportUploads } from '../order-import-uploads.js';
import { stmt } from '../statements.js';

export function sqliteImports(db: Db): ImportStore {
  const uploads = new OrderImportUploads(db);
  const forms = new FormSubmissionRepo(db);
  return {
    keepUpload: async (userId, storeId, fileName, bytes, now = Date.now()) => uploads.keep(userId, storeId, fileName, bytes, now),
    takeUpload: async (token, userId, now = Date.now()) => uploads.take(token, userId, now),
    async existingOrders(storeId, numbers) {
      const q = stmt(db, 'SELECT p.token FROM orders o JOIN pairs p ON p.id = o.pair_id WHERE o.store_id = ? AND o.number = ?');
      const found = new Map<string, string>();
      for (const n of numbers) {
        const r = q.get(storeId, n) as { token: string } | undefined;
        if (r) found.set(n, r.token);
      }
      return found;
    },
    claimFormKey: async (key, userId, now = Date.now()) => forms.claim(key, userId, now),
    releaseFormKey: async (key) => forms.release(key),
    formKeyDone: async (key, result) => forms.done(key, result),
  };
}

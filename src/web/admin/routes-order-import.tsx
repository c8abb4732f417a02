// Owns the admin's order upload: a preview of what the file would do, row by row, then the import —
// the same OrderImport as POST /api/v1/orders/import. Staff import into the stores they may see.
// The previewed file stays on the server (store/order-import-uploads.ts) and the Import button
// carries only its token: the import reads exactly the bytes and the store that were previewed.
import { Hono, type Context } from 'hono';
import { OrderImportPage } from '../../../views/order-import.js';
import type { Db } from '../../store/db.js';
import { OrderImportUploads } from '../../store/order-import-uploads.js';
import { OrderRepo } from '../../store/orders.js';
import type { StoreRepo } from '../../store/stores.js';
import { OrderImport } from '../api/order-import.js';
import { CsvUnreadable } from '../csv-file.js';
import { frameOf, type AdminEnv } from './session.js';

const MAX_FILE = 10 * 1024 * 1024;

export function orderImportAdminRoutes(db: Db, stores: StoreRepo, domains: readonly string[]): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const importer = new OrderImport(db, new OrderRepo(db), domains);
  const uploads = new OrderImportUploads(db);
  const visible = (c: Context<AdminEnv>) => {
    const ids = c.get('storeIds') as number[];
    return stores
      .list()
      .filter((s) => ids.includes(s.id))
      .map((s) => ({ id: s.id, name: s.name }));
  };
  type Extra = Omit<Parameters<typeof OrderImportPage>[0], 'user' | 'csrf' | 'stores'>;
  const page = (c: Context<AdminEnv>, extra: Extra = {}, status: 200 | 400 = 200) =>
    c.html(<OrderImportPage {...frameOf(c)} stores={visible(c)} {...extra} />, status);
  const storeOf = (c: Context<AdminEnv>, raw: unknown) => {
    const id = Number(raw);
    return visible(c).some((s) => s.id === id) ? id : null;
  };

  app.get('/orders/import', (c) => page(c));

  app.post('/orders/import/preview', async (c) => {
    const form = await c.req.parseBody();
    const storeId = storeOf(c, form.storeId);
    const file = form.file;
    if (storeId === null) return page(c, { error: 'Pick one of your stores.' }, 400);
    if (!(file instanceof File) || file.size === 0) return page(c, { storeId, error: 'Choose a CSV file.' }, 400);
    if (file.size > MAX_FILE) return page(c, { storeId, error: 'The file is larger than 10 MB; split it.' }, 400);
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      const preview = importer.run(storeId, bytes, true);
      const upload = preview.created > 0 ? uploads.keep(c.get('user').id, storeId, file.name, bytes) : undefined;
      return page(c, { storeId, preview, fileName: file.name, upload });
    } catch (err) {
      if (err instanceof CsvUnreadable) return page(c, { storeId, error: err.message }, 400);
      throw err;
    }
  });

  app.post('/orders/import', async (c) => {
    const form = await c.req.parseBody();
    const token = String(form.upload ?? '');
    try {
      // Taken in the import's transaction: a failed import keeps the upload, a second click finds none.
      const done = db.transaction(() => {
        const kept = uploads.take(token, c.get('user').id);
        if (!kept) return null;
        const storeId = storeOf(c, kept.storeId);
        if (storeId === null) return { storeId: null };
        return { storeId, fileName: kept.fileName, report: importer.run(storeId, kept.bytes, false) };
      })();
      if (!done) return page(c, { error: 'This preview is no longer there (imported already, or older than an hour): upload the file again.' }, 400);
      if (done.storeId === null) return page(c, { error: 'Pick one of your stores.' }, 400);
      return page(c, { storeId: done.storeId, fileName: done.fileName, done: done.report });
    } catch (err) {
      if (err instanceof CsvUnreadable) return page(c, { error: err.message }, 400);
      throw err;
    }
  });

  return app;
}

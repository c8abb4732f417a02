// Owns the admin's order upload: a preview of what the file would do, row by row, then the import —
// the same OrderImport as POST /api/v1/orders/import. Staff import into the stores they may see.
// The previewed file stays on the server (store/order-import-uploads.ts) and the Import button
// carries only its token: the import reads exactly the bytes and the store that were previewed.
import { Hono, type Context } from 'hono';
import { OrderImportPage } from '../../../views/order-import.js';
import type { MarketStore, Storage } from '../../store/ports.js';
import { OrderImport } from '../api/order-import.js';
import { CsvUnreadable } from '../csv-file.js';
import { frameOf, type AdminEnv } from './session.js';

const MAX_FILE = 10 * 1024 * 1024;

/** Built from the ports only (the import and market ports, a unit of work): served on either database. */
export function orderImportAdminRoutes(
  storage: Pick<Storage, 'imports' | 'market' | 'write'>,
  stores: Pick<MarketStore, 'stores'>,
  domains: readonly string[],
): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const importer = new OrderImport(domains);
  const visible = async (c: Context<AdminEnv>) => {
    const ids = c.get('storeIds') as number[];
    return (await stores.stores()).filter((s) => ids.includes(s.id)).map((s) => ({ id: s.id, name: s.name }));
  };
  type Extra = Omit<Parameters<typeof OrderImportPage>[0], 'user' | 'csrf' | 'stores'>;
  const page = async (c: Context<AdminEnv>, extra: Extra = {}, status: 200 | 400 = 200) =>
    c.html(<OrderImportPage {...frameOf(c)} stores={await visible(c)} {...extra} />, status);
  const storeOf = async (c: Context<AdminEnv>, raw: unknown) => {
    const id = Number(raw);
    return (await visible(c)).some((s) => s.id === id) ? id : null;
  };
  /** Only the store ids the user may see (read before a unit of work: on SQLite it may await only the ports). */
  const visibleIds = async (c: Context<AdminEnv>) => new Set((await visible(c)).map((s) => s.id));

  app.get('/orders/import', (c) => page(c));

  app.post('/orders/import/preview', async (c) => {
    const form = await c.req.parseBody();
    const storeId = await storeOf(c, form.storeId);
    const file = form.file;
    if (storeId === null) return page(c, { error: 'Pick one of your stores.' }, 400);
    if (!(file instanceof File) || file.size === 0) return page(c, { storeId, error: 'Choose a CSV file.' }, 400);
    if (file.size > MAX_FILE) return page(c, { storeId, error: 'The file is larger than 10 MB; split it.' }, 400);
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      const preview = await importer.run(storage, storeId, bytes, true);
      const upload = preview.created > 0 ? await storage.imports.keepUpload(c.get('user').id, storeId, file.name, bytes) : undefined;
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
      // Taken in the import's unit of work: a failed import keeps the upload, a second click (on any node) finds none.
      const mine = await visibleIds(c);
      const userId = c.get('user').id;
      const done = await storage.write(async (tx) => {
        const kept = await tx.imports.takeUpload(token, userId);
        if (!kept) return null;
        if (!mine.has(kept.storeId)) return { storeId: null };
        return { storeId: kept.storeId, fileName: kept.fileName, report: await importer.runIn(tx, kept.storeId, kept.bytes, false) };
      });
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

// Owns POST /api/v1/orders/import: the same CSV file the admin's upload takes, as the request body
// (text/csv, at most 1 MiB); `dryRun=true` answers the per-row report without creating anything.
import { Hono } from 'hono';
import { apiError } from '../api-error.js';
import { CsvUnreadable } from '../csv-file.js';
import type { Storage } from '../../store/ports.js';
import type { ApiDeps } from './deps.js';
import { OrderImport, type ImportReport } from './order-import.js';
import { orderImportQuery } from './schemas.js';
import { query } from './validate.js';

export function presentImport(r: ImportReport, address: (token: string) => string) {
  return { ...r, rows: r.rows.map((row) => ({ ...row, address: row.alias ? address(row.alias) : undefined })) };
}

/** Built from the ports only (the import and market ports, a unit of work): served on either database. */
export function orderImportRoutes(d: Pick<ApiDeps, 'market' | 'domains' | 'log'>, storage: Pick<Storage, 'imports' | 'market' | 'write'>): Hono {
  const app = new Hono();
  const importer = new OrderImport(d.domains);

  app.post('/orders/import', async (c) => {
    const q = query(c, orderImportQuery);
    if (!(await d.market.store(q.storeId))) return apiError(c, 'VALIDATION_FAILED', `storeId: no store with id ${q.storeId}`);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength === 0) return apiError(c, 'VALIDATION_FAILED', 'the request body must be the CSV file');
    try {
      const report = await importer.run(storage, q.storeId, bytes, q.dryRun);
      d.log.info(
        { event: 'orders.imported', storeId: q.storeId, dryRun: q.dryRun, created: report.created, duplicates: report.duplicates, invalid: report.invalid },
        'order import',
      );
      return c.json(presentImport(report, (t) => importer.address(t)));
    } catch (err) {
      if (err instanceof CsvUnreadable) return apiError(c, 'VALIDATION_FAILED', err.message);
      throw err;
    }
  });

  return app;
}

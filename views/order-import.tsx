// The admin's order upload: pick a store and a CSV file, see each row's outcome (new, already
// there, or what is wrong), then import. The file stays on the server and the Import button
// carries only the token that names it, so the import is exactly what was previewed.
import type { ImportReport } from '../src/web/api/order-import.js';
import { Csrf, Flash, Layout } from './layout.js';

const COLUMNS_HELP =
  'One row per order line: number (or Order), email, name (or Customer name), placed_at (or Date), total, currency; optional completed_at, status, sku, item, category, manufacturer, unit_price (or Price), quantity (or Qty). Rows with the same number are one order. Comma, semicolon or tab; UTF-8 or Excel (windows-1252); decimal commas and dates like 2026-11-01 or 01.11.2026 are fine.';

export function OrderImportPage(props: {
  user: { name: string; role: string };
  csrf: string;
  stores: readonly { id: number; name: string }[];
  storeId?: number | undefined;
  fileName?: string | undefined;
  /** The token of the previewed file kept on the server, carried by the Import button. */
  upload?: string | undefined;
  preview?: ImportReport | undefined;
  done?: ImportReport | undefined;
  error?: string | undefined;
}) {
  const report = props.done ?? props.preview;
  return (
    <Layout title="Import orders" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Import orders</h1>
        <p class="muted">{COLUMNS_HELP}</p>
        <Flash
          error={props.error}
          notice={
            props.done
              ? `Imported ${props.done.created} order(s); ${props.done.duplicates} already there; ${props.done.invalid} row(s) with errors not imported.`
              : undefined
          }
        />
        <form method="post" action="/orders/import/preview" enctype="multipart/form-data">
          <Csrf token={props.csrf} />
          <label>
            Store{' '}
            <select name="storeId" required>
              {props.stores.map((s) => (
                <option value={String(s.id)} selected={s.id === props.storeId}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            CSV file <input type="file" name="file" accept=".csv,text/csv,text/plain" required />
          </label>{' '}
          <button type="submit">Preview</button>
        </form>
        {report ? (
          <>
            <h2>
              {props.done ? 'Result' : 'Preview'}
              {props.fileName ? ` of ${props.fileName}` : ''}: {report.created} new order(s), {report.duplicates} already there, {report.invalid} row(s) with
              errors
            </h2>
            <table class="list" data-import-report>
              <thead>
                <tr>
                  <th>Row</th>
                  <th>Order</th>
                  <th>Outcome</th>
                  <th>Alias</th>
                </tr>
              </thead>
              <tbody>
                {report.rows.map((r) => (
                  <tr data-row={String(r.row)} data-status={r.status}>
                    <td>{r.row}</td>
                    <td>{r.number}</td>
                    <td>
                      {r.status === 'error'
                        ? `Error: ${r.errors.join('; ')}`
                        : r.status === 'duplicate'
                          ? 'Already imported (unchanged)'
                          : props.done
                            ? 'Imported'
                            : 'New'}
                    </td>
                    <td>{r.alias ? <code>{r.alias}</code> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {props.preview && props.upload && props.preview.created > 0 ? (
              <form method="post" action="/orders/import">
                <Csrf token={props.csrf} />
                <input type="hidden" name="upload" value={props.upload} />
                <button type="submit">Import {props.preview.created} new order(s)</button>
              </form>
            ) : null}
          </>
        ) : null}
      </section>
    </Layout>
  );
}

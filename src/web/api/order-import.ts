// Owns importing orders from a CSV file, for the admin's upload and POST /api/v1/orders/import
// alike: one row per order line (several rows with the same order number are that order's items),
// each order checked by the same schema as POST /orders, a result per row (new, duplicate, error),
// and only then the new orders created, in one transaction. An order number the store already has
// is a duplicate and left as it is, so importing the same file twice changes nothing (also when
// another node creates the same number meanwhile: MarketStore.createOrder says so, and the row is a
// duplicate). It runs on the storage ports, so on either database.
import { aliasAddress } from '../../core/alias-token.js';
import type { Repositories, Storage } from '../../store/ports.js';
import { readCsvTable } from '../csv-file.js';
import { toMinor } from './present.js';
import { createOrderSchema } from './schemas.js';
import { firstIssue } from './validate.js';

export interface ImportRow {
  readonly row: number;
  readonly number: string;
  readonly status: 'new' | 'duplicate' | 'error';
  readonly errors: readonly string[];
  /** The pair's alias, once imported (or of the order already there). */
  readonly alias?: string | undefined;
}

export interface ImportReport {
  readonly created: number;
  readonly duplicates: number;
  readonly invalid: number;
  readonly rows: readonly ImportRow[];
}

/** Header names people use for each field (after headerKey normalisation). */
const COLUMNS = {
  number: ['number', 'order', 'order_number', 'order_no', 'order_id', 'name'],
  email: ['email', 'buyer_email', 'customer_email', 'e_mail'],
  buyerName: ['buyer_name', 'customer_name', 'customer', 'buyer', 'billing_name'],
  placedAt: ['placed_at', 'date', 'order_date', 'created_at', 'placed'],
  completedAt: ['completed_at', 'completed', 'fulfilled_at'],
  status: ['status', 'order_status'],
  total: ['total', 'order_total', 'amount'],
  currency: ['currency'],
  sku: ['sku', 'item_sku', 'lineitem_sku'],
  itemName: ['item', 'item_name', 'product', 'lineitem_name', 'product_name'],
  category: ['category', 'item_category', 'product_type'],
  manufacturer: ['manufacturer', 'brand', 'vendor'],
  unitPrice: ['unit_price', 'price', 'item_price', 'lineitem_price'],
  quantity: ['quantity', 'qty', 'lineitem_quantity'],
} as const;

type Field = keyof typeof COLUMNS;

/** The field's cell; a line break inside a quoted cell (an Excel Alt+Enter) becomes a space. */
function pick(cells: Readonly<Record<string, string>>, field: Field): string {
  for (const k of COLUMNS[field]) if (cells[k] !== undefined && cells[k] !== '') return cells[k].replace(/\s+/g, ' ').trim();
  return '';
}

/** "19.99", "19,99", "1.234,56", "1,234.56", "€ 19,99", "19.99 EUR" → 19.99; NaN when it is no amount. */
export function parseAmount(raw: string): number {
  const s = raw.replace(/[\s\u00a0€$£¥]/g, '').replace(/^[A-Z]{3}|[A-Z]{3}$/g, '');
  if (s === '') return NaN;
  const comma = s.lastIndexOf(',');
  const dot = s.lastIndexOf('.');
  let normal: string;
  // Both: the last one is the decimal separator. A lone comma with one or two digits after it is
  // a decimal comma (European Excel); otherwise separators group thousands.
  if (comma >= 0 && dot >= 0) normal = comma > dot ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  else if (comma >= 0) normal = /^-?\d+,\d{1,2}$/.test(s) ? s.replace(',', '.') : s.replace(/,/g, '');
  else normal = /^-?\d{1,3}(\.\d{3}){2,}$/.test(s) ? s.replace(/\./g, '') : s;
  return /^-?\d+(\.\d+)?$/.test(normal) ? Number(normal) : NaN;
}

/** ISO 8601, `2026-11-01`, `2026-11-01 10:00[:00]` or `01.11.2026[ 10:00]` (UTC when no zone) → ISO; '' when none. */
export function parseWhen(raw: string): string | null {
  const s = raw.trim();
  if (s === '') return '';
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m)
    return `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ? (m[7] === 'Z' ? 'Z' : m[7].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z'}`;
  m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (m) return `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}T${(m[4] ?? '00').padStart(2, '0')}:${m[5] ?? '00'}:${m[6] ?? '00'}Z`;
  return null;
}

interface Candidate {
  readonly rows: number[];
  readonly errors: Map<number, string[]>;
  body: Record<string, unknown>;
  email: string;
}

/** What an import reads and writes: inside a unit of work (`tx`) when it creates orders. */
export type ImportRepos = Pick<Repositories, 'imports' | 'market'>;

export class OrderImport {
  readonly #domain: string;
  readonly #domains: readonly string[];

  constructor(domains: readonly string[]) {
    this.#domains = domains;
    this.#domain = domains[0] as string;
  }

  /** A dry run on the storage; an import in one unit of work (every new order, or none). */
  run(storage: Pick<Storage, 'imports' | 'market' | 'write'>, storeId: number, file: Uint8Array | string, dryRun: boolean): Promise<ImportReport> {
    return dryRun ? this.runIn(storage, storeId, file, true) : storage.write((tx) => this.runIn(tx, storeId, file, false));
  }

  /**
   * Reads the file and, unless `dryRun`, creates the new orders through `repos` (the caller's unit
   * of work: on SQLite it may await only the ports, which this does). Throws CsvUnreadable for a
   * file that is not CSV, or lacks the required columns.
   */
  async runIn(repos: ImportRepos, storeId: number, file: Uint8Array | string, dryRun: boolean): Promise<ImportReport> {
    const { rows } = readCsvTable(file);
    const byNumber = new Map<string, Candidate>();
    const report = new Map<number, ImportRow>();
    for (const r of rows) {
      const number = pick(r.cells, 'number').trim();
      const errors: string[] = [];
      if (!number) {
        report.set(r.row, { row: r.row, number: '', status: 'error', errors: ['no order number'] });
        continue;
      }
      const when = (f: 'placedAt' | 'completedAt') => {
        const v = parseWhen(pick(r.cells, f));
        if (v === null) errors.push(`${f}: write dates like 2026-11-01 or 2026-11-01 10:00`);
        return v || undefined;
      };
      const amount = (f: 'total' | 'unitPrice') => {
        const raw = pick(r.cells, f);
        const n = parseAmount(raw);
        if (raw !== '' && Number.isNaN(n)) errors.push(`${f}: not an amount: ${raw.slice(0, 30)}`);
        return raw === '' ? undefined : n;
      };
      const placedAt = when('placedAt');
      const completedAt = when('completedAt');
      const total = amount('total');
      const unitPrice = amount('unitPrice');
      const email = pick(r.cells, 'email').trim().toLowerCase();
      const itemName = pick(r.cells, 'itemName') || pick(r.cells, 'sku');
      const item = itemName
        ? {
            sku: pick(r.cells, 'sku') || itemName,
            name: itemName,
            category: pick(r.cells, 'category') || null,
            manufacturer: pick(r.cells, 'manufacturer') || null,
            unitPrice: unitPrice ?? 0,
            quantity: pick(r.cells, 'quantity') === '' ? 1 : Number(pick(r.cells, 'quantity')),
          }
        : null;
      let c = byNumber.get(number);
      if (!c) {
        c = {
          rows: [],
          errors: new Map(),
          email,
          body: {
            storeId,
            number,
            buyer: { email, name: pick(r.cells, 'buyerName') || email.split('@')[0] || '' },
            items: [],
            total,
            currency: pick(r.cells, 'currency').toUpperCase() || undefined,
            placedAt,
            completedAt: completedAt ?? null,
            ...(pick(r.cells, 'status') ? { status: pick(r.cells, 'status').toLowerCase() } : {}),
          },
        };
        byNumber.set(number, c);
      } else if (email && email !== c.email) {
        errors.push(`order ${number} is already on row ${c.rows[0]} with another buyer`);
      }
      if (this.#domains.some((d) => email.endsWith(`@${d}`))) errors.push('email: must be the buyer’s real address, not one on the relay domain');
      if (item) (c.body.items as unknown[]).push(item);
      c.rows.push(r.row);
      c.errors.set(r.row, errors);
    }

    const create: { c: Candidate; input: ReturnType<typeof createOrderSchema.parse> }[] = [];
    const known = await repos.imports.existingOrders(storeId, [...byNumber.keys()]);
    for (const [number, c] of byNumber) {
      const token = known.get(number);
      const existing = token === undefined ? undefined : { token };
      const rowErrors = [...c.errors.values()].flat();
      const parsed = createOrderSchema.safeParse(c.body);
      const errors = rowErrors.length ? [] : parsed.success ? [] : [firstIssue(parsed.error)];
      for (const row of c.rows) {
        const own = c.errors.get(row) ?? [];
        const status = existing ? 'duplicate' : own.length || errors.length || rowErrors.length ? 'error' : 'new';
        const shown = own.length ? own : status === 'error' ? (errors.length ? errors : [`another row of order ${number} has an error`]) : [];
        report.set(row, { row, number, status, errors: existing ? [] : shown, alias: existing?.token });
      }
      if (!existing && !rowErrors.length && parsed.success) create.push({ c, input: parsed.data });
    }

    let created = create.length;
    if (!dryRun) {
      for (const { c, input } of create) {
        const made = await repos.market.createOrder({
          storeId,
          number: input.number,
          buyer: input.buyer,
          items: input.items.map((i) => ({ ...i, unitPriceMinor: toMinor(i.unitPrice) })),
          totalMinor: toMinor(input.total),
          currency: input.currency,
          placedAt: Date.parse(input.placedAt),
          completedAt: input.completedAt ? Date.parse(input.completedAt) : null,
          status: input.status ?? (input.completedAt ? 'completed' : 'placed'),
        });
        if (made) {
          for (const row of c.rows) report.set(row, { ...(report.get(row) as ImportRow), alias: made.pair.pair.token });
        } else {
          // Another import (another node) created this number meanwhile: a duplicate, left as it is.
          created--;
          const now = await repos.imports.existingOrders(storeId, [input.number]);
          for (const row of c.rows) report.set(row, { ...(report.get(row) as ImportRow), status: 'duplicate', errors: [], alias: now.get(input.number) });
        }
      }
    }
    const list = [...report.values()].sort((a, b) => a.row - b.row);
    return {
      created,
      duplicates: new Set(list.filter((r) => r.status === 'duplicate').map((r) => r.number)).size,
      invalid: list.filter((r) => r.status === 'error').length,
      rows: list,
    };
  }

  /** The alias address for a token, for presenting rows. */
  address(token: string): string {
    return aliasAddress(token, this.#domain);
  }
}

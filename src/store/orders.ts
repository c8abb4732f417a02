// Owns orders and their items. The first order of a buyer with a store creates their pair.
import type { Db } from './db.js';
import { stmt } from './statements.js';
import { PairRepo, type PairView } from './pairs.js';

export const ORDER_STATUSES = ['placed', 'shipped', 'completed', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** A change to an order (PATCH /orders/{id}): a field left undefined keeps its value; times in ms. */
export interface OrderPatch {
  readonly status?: OrderStatus;
  readonly completedAt?: number | null;
}

/**
 * The order's status and completion time after `patch`, the one rule both databases apply:
 * completing an order without a time means `now`; a completion time alone implies "completed".
 */
export function orderChange(
  current: { readonly status: OrderStatus; readonly completedAt: number | null },
  patch: OrderPatch,
  now: number,
): { status: OrderStatus; completedAt: number | null } {
  let status = patch.status ?? current.status;
  let completedAt = patch.completedAt === undefined ? current.completedAt : patch.completedAt;
  if (patch.status === 'completed' && completedAt === null) completedAt = now;
  if (patch.completedAt != null && patch.status === undefined) status = 'completed';
  return { status, completedAt };
}

export interface OrderItemInput {
  readonly sku: string;
  readonly name: string;
  readonly category: string | null;
  readonly manufacturer: string | null;
  readonly unitPriceMinor: number;
  readonly quantity: number;
}

export interface OrderInput {
  readonly storeId: number;
  readonly number: string;
  readonly buyer: { readonly email: string; readonly name: string };
  readonly items: readonly OrderItemInput[];
  readonly totalMinor: number;
  readonly currency: string;
  readonly placedAt: number;
  readonly completedAt: number | null;
  readonly status: OrderStatus;
}

export interface OrderRow {
  readonly id: number;
  readonly storeId: number;
  readonly pairId: number;
  readonly number: string;
  readonly status: OrderStatus;
  readonly currency: string;
  readonly totalMinor: number;
  readonly placedAt: number;
  readonly completedAt: number | null;
  readonly items: readonly (OrderItemInput & { readonly id: number })[];
}

const ORDER_COLS =
  'id, store_id AS storeId, pair_id AS pairId, number, status, currency, total_minor AS totalMinor, placed_at AS placedAt, completed_at AS completedAt';
const ITEM_COLS = 'id, sku, name, category, manufacturer, unit_price_minor AS unitPriceMinor, quantity';

export class OrderRepo {
  readonly #db: Db;
  readonly #pairs: PairRepo;
  constructor(db: Db) {
    this.#db = db;
    this.#pairs = new PairRepo(db);
  }

  /** Creates the order (and the buyer's pair when new) in one transaction. */
  create(input: OrderInput, now = Date.now()): { order: OrderRow; pair: PairView } {
    return this.#db.transaction(() => {
      const { view } = this.#pairs.ensure(input.storeId, input.buyer.email, input.buyer.name, 'customer', now);
      const info = stmt(
        this.#db,
        `INSERT INTO orders (store_id, pair_id, number, status, currency, total_minor, placed_at, completed_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(input.storeId, view.pair.id, input.number, input.status, input.currency, input.totalMinor, input.placedAt, input.completedAt, now, now);
      const orderId = Number(info.lastInsertRowid);
      const item = stmt(
        this.#db,
        'INSERT INTO order_items (order_id, sku, name, category, manufacturer, unit_price_minor, quantity) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const it of input.items) item.run(orderId, it.sku, it.name, it.category, it.manufacturer, it.unitPriceMinor, it.quantity);
      return { order: this.get(orderId) as OrderRow, pair: this.#pairs.byId(view.pair.id) as PairView };
    })();
  }

  get(id: number): OrderRow | null {
    const row = stmt(this.#db, `SELECT ${ORDER_COLS} FROM orders WHERE id = ?`).get(id) as Omit<OrderRow, 'items'> | undefined;
    if (!row) return null;
    const items = stmt(this.#db, `SELECT ${ITEM_COLS} FROM order_items WHERE order_id = ? ORDER BY id`).all(id) as OrderRow['items'];
    return { ...row, items };
  }

  byStoreAndNumber(storeId: number, number: string): OrderRow | null {
    const row = stmt(this.#db, 'SELECT id FROM orders WHERE store_id = ? AND number = ?').get(storeId, number) as { id: number } | undefined;
    return row ? this.get(row.id) : null;
  }

  forPair(pairId: number): OrderRow[] {
    const ids = stmt(this.#db, 'SELECT id FROM orders WHERE pair_id = ? ORDER BY placed_at DESC, id DESC').all(pairId) as { id: number }[];
    return ids.map((r) => this.get(r.id) as OrderRow);
  }

  /** The pair's latest order, or the one with that number. */
  latestForPair(pairId: number, number?: string): OrderRow | null {
    const row = (
      number === undefined
        ? stmt(this.#db, 'SELECT id FROM orders WHERE pair_id = ? ORDER BY placed_at DESC, id DESC LIMIT 1').get(pairId)
        : stmt(this.#db, 'SELECT id FROM orders WHERE pair_id = ? AND number = ?').get(pairId, number)
    ) as { id: number } | undefined;
    return row ? this.get(row.id) : null;
  }

  /** Number, status and completion of the pair's orders: what the messaging rules need. */
  summariesForPair(pairId: number): { number: string; status: OrderStatus; completedAt: number | null }[] {
    return stmt(this.#db, 'SELECT number, status, completed_at AS completedAt FROM orders WHERE pair_id = ? ORDER BY placed_at DESC, id DESC').all(pairId) as {
      number: string;
      status: OrderStatus;
      completedAt: number | null;
    }[];
  }

  update(id: number, patch: OrderPatch, now = Date.now()): OrderRow | null {
    const current = this.get(id);
    if (!current) return null;
    const { status, completedAt } = orderChange(current, patch, now);
    stmt(this.#db, 'UPDATE orders SET status = ?, completed_at = ?, updated_at = ? WHERE id = ?').run(status, completedAt, now, id);
    return this.get(id);
  }
}

// The PostgreSQL adapter of the marketplace API's port (src/store/market-ports.ts): the same reads
// and writes as the SQLite repositories (src/store/stores.ts, orders.ts) in PostgreSQL's SQL. A slug
// or sender already taken is found with INSERT … ON CONFLICT DO NOTHING (two nodes creating one
// slug at once: one gets the store, the other null); a duplicate order number rolls back the pair
// the order would have made.
import type { MarketStore, OrderRow } from '../market-ports.js';
import { orderChange, type OrderStatus } from '../orders.js';
import type { PairView, PermittedSenderRow, StoreRow } from '../mail-ports.js';
import { pgMail } from './mail.js';
import { txScope, type PgScope, type Queryable } from './db.js';

const STORE_COLS = 'id, slug, name, mailbox, created_at AS "createdAt"';
const SENDER_COLS = 'id, store_id AS "storeId", email, status, created_at AS "createdAt", updated_at AS "updatedAt"';
const ORDER_COLS =
  'id, store_id AS "storeId", pair_id AS "pairId", number, status, currency, total_minor AS "totalMinor", placed_at AS "placedAt", completed_at AS "completedAt"';
const ITEM_COLS = 'id, order_id AS "orderId", sku, name, category, manufacturer, unit_price_minor AS "unitPriceMinor", quantity';

/** Thrown inside a transaction to roll it back when an order number is taken; never leaves this file. */
class OrderNumberTaken extends Error {}

async function one<T>(q: Queryable, text: string, values: unknown[] = []): Promise<T | null> {
  return ((await q.query(text, values)).rows[0] as T | undefined) ?? null;
}

/** Orders with their items (two queries, whatever the count), in the order of `ids`. */
async function ordersWithItems(q: Queryable, where: string, values: unknown[], orderBy: string): Promise<OrderRow[]> {
  const heads = (await q.query(`SELECT ${ORDER_COLS} FROM orders WHERE ${where} ORDER BY ${orderBy}`, values)).rows as Omit<OrderRow, 'items'>[];
  if (heads.length === 0) return [];
  const items = (await q.query(`SELECT ${ITEM_COLS} FROM order_items WHERE order_id = ANY($1::bigint[]) ORDER BY id`, [heads.map((h) => h.id)]))
    .rows as (OrderRow['items'][number] & { orderId?: number })[];
  return heads.map((h) => ({
    ...h,
    items: items.filter((i) => i.orderId === h.id).map(({ orderId: _orderId, ...i }) => i),
  }));
}

export function pgMarket(s: PgScope): MarketStore {
  return {
    stores: async () => (await s.q.query(`SELECT ${STORE_COLS} FROM stores ORDER BY id`)).rows as StoreRow[],
    store: (id) => one<StoreRow>(s.q, `SELECT ${STORE_COLS} FROM stores WHERE id = $1`, [id]),
    createStore: (input, now = Date.now()) =>
      s.inTransaction(async (q) => {
        const mailbox = input.mailbox.toLowerCase();
        const made = await one<StoreRow>(
          q,
          `INSERT INTO stores (slug, name, mailbox, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (slug) DO NOTHING RETURNING ${STORE_COLS}`,
          [input.slug, input.name, mailbox, now],
        );
        if (!made) return null;
        await q.query("INSERT INTO permitted_senders (store_id, email, status, created_at, updated_at) VALUES ($1, $2, 'enabled', $3, $3)", [
          made.id,
          mailbox,
          now,
        ]);
        return made;
      }),
    addSender: (storeId, email, status, now = Date.now()) =>
      one<PermittedSenderRow>(
        s.q,
        `INSERT INTO permitted_senders (store_id, email, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (store_id, email) DO NOTHING RETURNING ${SENDER_COLS}`,
        [storeId, email.toLowerCase(), status, now],
      ),
    async createOrder(input, now = Date.now()) {
      try {
        return await s.inTransaction(async (q) => {
          // Checked first so that inside a caller's unit of work a taken number writes nothing; the
          // ON CONFLICT below settles two nodes racing on one number.
          if (await one(q, 'SELECT 1 FROM orders WHERE store_id = $1 AND number = $2', [input.storeId, input.number])) throw new OrderNumberTaken();
          const { view } = await pgMail(txScope(q)).ensurePair(input.storeId, input.buyer.email, input.buyer.name, 'customer', now);
          const made = await one<{ id: number }>(
            q,
            `INSERT INTO orders (store_id, pair_id, number, status, currency, total_minor, placed_at, completed_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (store_id, number) DO NOTHING RETURNING id`,
            [input.storeId, view.pair.id, input.number, input.status, input.currency, input.totalMinor, input.placedAt, input.completedAt, now],
          );
          if (!made) throw new OrderNumberTaken();
          for (const it of input.items) {
            await q.query(
              'INSERT INTO order_items (order_id, sku, name, category, manufacturer, unit_price_minor, quantity) VALUES ($1, $2, $3, $4, $5, $6, $7)',
              [made.id, it.sku, it.name, it.category, it.manufacturer, it.unitPriceMinor, it.quantity],
            );
          }
          const [order] = await ordersWithItems(q, 'id = $1', [made.id], 'id');
          return { order: order as OrderRow, pair: (await pgMail(txScope(q)).pairById(view.pair.id)) as PairView };
        });
      } catch (err) {
        if (err instanceof OrderNumberTaken) return null;
        throw err;
      }
    },
    order: async (id) => (await ordersWithItems(s.q, 'id = $1', [id], 'id'))[0] ?? null,
    ordersForPair: (pairId) => ordersWithItems(s.q, 'pair_id = $1', [pairId], 'placed_at DESC, id DESC'),
    updateOrder: (id, patch, now = Date.now()) =>
      s.inTransaction(async (q) => {
        const current = await one<{ status: OrderStatus; completedAt: number | null }>(
          q,
          'SELECT status, completed_at AS "completedAt" FROM orders WHERE id = $1 FOR UPDATE',
          [id],
        );
        if (!current) return null;
        const { status, completedAt } = orderChange(current, patch, now);
        await q.query('UPDATE orders SET status = $1, completed_at = $2, updated_at = $3 WHERE id = $4', [status, completedAt, now, id]);
        return (await ordersWithItems(q, 'id = $1', [id], 'id'))[0] ?? null;
      }),
    setOptOut: (pairId, optedOut, via, now = Date.now()) =>
      s.inTransaction(async (q) => {
        const flag = optedOut ? 1 : 0;
        // Only a real change is written (and announced): two nodes setting one value at once write once.
        const changed = await q.query(
          'UPDATE pairs SET opted_out = $1, opted_out_at = CASE WHEN $1 = 1 THEN $2::bigint ELSE NULL END WHERE id = $3 AND opted_out != $1',
          [flag, now, pairId],
        );
        if (changed.rowCount !== 1) return false;
        await q.query(
          `INSERT INTO events (type, store_id, data, created_at)
           SELECT 'buyer.opted_out', p.store_id, (jsonb_build_object('alias', p.token) || $1::jsonb)::text, $2 FROM pairs p WHERE p.id = $3`,
          [JSON.stringify({ optedOut, via }), now, pairId],
        );
        return true;
      }),
    clearUndeliverable: (pairId, via, by, now = Date.now()) =>
      s.inTransaction(async (q) => {
        const changed = await q.query(
          'UPDATE buyers SET undeliverable_at = NULL, undeliverable_reason = NULL WHERE id = (SELECT buyer_id FROM pairs WHERE id = $1) AND undeliverable_at IS NOT NULL',
          [pairId],
        );
        if (changed.rowCount !== 1) return false;
        await q.query(
          `INSERT INTO events (type, store_id, data, created_at)
           SELECT 'buyer.deliverable', p.store_id, (jsonb_build_object('alias', p.token) || $1::jsonb)::text, $2 FROM pairs p WHERE p.id = $3`,
          [JSON.stringify({ via, by }), now, pairId],
        );
        return true;
      }),
  };
}

// The SQLite adapter of the marketplace API's port (src/store/market-ports.ts): the synchronous
// repositories (stores.ts, orders.ts) on the one connection, each call a settled promise. A unique
// rule that says no becomes null (inside a unit of work too: the repositories' own transactions are
// savepoints there, so the failed write leaves nothing behind).
import type { Db } from '../db.js';
import type { MarketStore } from '../market-ports.js';
import { OrderRepo } from '../orders.js';
import { StoreRepo } from '../stores.js';
import { PairRepo } from '../pairs.js';
import { EventRepo } from '../events.js';
import { stmt } from '../statements.js';

function taken(err: unknown): boolean {
  return (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function orNull<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (err) {
    if (taken(err)) return null;
    throw err;
  }
}

export function sqliteMarket(db: Db): MarketStore {
  const stores = new StoreRepo(db);
  const orders = new OrderRepo(db);
  const pairs = new PairRepo(db);
  const events = new EventRepo(db);
  return {
    stores: async () => stores.list(),
    store: async (id) => stores.get(id),
    createStore: async (input, now = Date.now()) => orNull(() => stores.create(input, now)),
    addSender: async (storeId, email, status, now = Date.now()) => orNull(() => stores.addSender(storeId, email, status, now)),
    createOrder: async (input, now = Date.now()) => orNull(() => orders.create(input, now)),
    order: async (id) => orders.get(id),
    ordersForPair: async (pairId) => orders.forPair(pairId),
    updateOrder: async (id, patch, now = Date.now()) => orders.update(id, patch, now),
    setOptOut: async (pairId, optedOut, via, now = Date.now()) =>
      db.transaction(() => {
        const view = pairs.byId(pairId);
        if (!view || view.pair.optedOut === optedOut) return false;
        pairs.setOptOut(pairId, optedOut, now);
        events.appendForPair('buyer.opted_out', pairId, { optedOut, via }, now);
        return true;
      })(),
    clearUndeliverable: async (pairId, via, by, now = Date.now()) =>
      db.transaction(() => {
        const changed = stmt(
          db,
          'UPDATE buyers SET undeliverable_at = NULL, undeliverable_reason = NULL WHERE id = (SELECT buyer_id FROM pairs WHERE id = ?) AND undeliverable_at IS NOT NULL',
        ).run(pairId).changes;
        if (changed === 0) return false;
        events.appendForPair('buyer.deliverable', pairId, { via, by }, now);
        return true;
      })(),
  };
}

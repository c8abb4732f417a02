// The storage port of the marketplace API's core (re-exported by src/store/ports.ts): stores, their
// permitted senders, and orders, whose first one makes the buyer's pair. Both adapters implement it
// (src/store/sqlite/market.ts, src/store/pg/market.ts); the contract cases are in
// test/integration/storage-contract.test.ts. What the routes also read (a pair by alias or id, a
// store's permitted senders) comes from the mail port (mail-ports.ts), the API token's hash from
// SecretStore.getSetting.
//
// Addresses are stored lower-cased. Times are integer milliseconds since the epoch (UTC). A unique
// rule that says no (a slug, a sender, an order number taken) is answered with null, never with a
// driver's error, so callers read the same answer on both databases.
import type { OrderInput, OrderPatch, OrderRow } from './orders.js';
import type { PairView } from './pairs.js';
import type { PermittedSenderRow, StoreRow } from './stores.js';

export type { OrderInput, OrderPatch, OrderRow };

export interface NewStoreRow {
  readonly slug: string;
  readonly name: string;
  /** Where buyer mail goes; also the store's first permitted sender (enabled). */
  readonly mailbox: string;
}

export interface MarketStore {
  /** Every store, by id. */
  stores(): Promise<StoreRow[]>;
  /** One store; null when unknown. */
  store(id: number): Promise<StoreRow | null>;
  /** The store and its mailbox as an enabled permitted sender, in one transaction; null when the slug is taken. */
  createStore(input: NewStoreRow, now?: number): Promise<StoreRow | null>;
  /** A permitted sender of the store; null when the store already has that address (any status). */
  addSender(storeId: number, email: string, status: 'enabled' | 'blocked', now?: number): Promise<PermittedSenderRow | null>;
  /**
   * The order with its items, and the buyer's pair with the store (made when new, a fresh token), in
   * one transaction; null (and nothing written) when the store already has an order with that number.
   */
  createOrder(input: OrderInput, now?: number): Promise<{ order: OrderRow; pair: PairView } | null>;
  /** One order with its items; null when unknown. */
  order(id: number): Promise<OrderRow | null>;
  /** The pair's orders with their items, newest placed first. */
  ordersForPair(pairId: number): Promise<OrderRow[]>;
  /** Changes an order's status or completion time (store/orders.ts orderChange says the rule); null when unknown. */
  updateOrder(id: number, patch: OrderPatch, now?: number): Promise<OrderRow | null>;
  /**
   * Sets the pair's opt-out and appends its `buyer.opted_out` event (`{ optedOut, via }`) in one
   * transaction; false (nothing written) when the pair already had that value or is unknown.
   */
  setOptOut(pairId: number, optedOut: boolean, via: string, now?: number): Promise<boolean>;
  /**
   * Clears the undeliverable mark of the pair's buyer (staff saw the address works again) and
   * appends a `buyer.deliverable` event on the pair (`{ via, by }`) in one transaction; false
   * (nothing written) when the buyer had no mark or the pair is unknown.
   */
  clearUndeliverable(pairId: number, via: string, by: number | null, now?: number): Promise<boolean>;
}

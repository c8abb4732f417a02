// Owns the audience query: which of a store's pairs match a campaign's filters, as one SQL
// statement over orders and order_items. Order-level filters (dates, amount, what was in the order)
// must hold for one order; bought-all and bought-none look across all the buyer's orders. The
// shape is chosen so each filter can start from an index (see bench/campaign-bench.ts).
import { dayBound, type AudienceSpec } from '../core/audience.js';
import type { Db } from './db.js';
import { stmt } from './statements.js';

/** Orders that count for an audience: every status but cancelled and refunded. */
const COUNTED = (alias: string) => `${alias}.status NOT IN ('cancelled', 'refunded')`;

export interface AudienceQuery {
  readonly sql: string;
  readonly params: readonly (string | number)[];
}

/** SELECT of matching pair ids for a store (distinct, in no particular order). */
export function audienceQuery(storeId: number, a: AudienceSpec, dialect: 'sqlite' | 'postgres' = 'sqlite'): AudienceQuery {
  const where: string[] = ['o.store_id = ?', COUNTED('o')];
  const params: (string | number)[] = [storeId];
  const from = a.placedFrom ? dayBound(a.placedFrom) : null;
  const to = a.placedTo ? dayBound(a.placedTo, true) : null;
  if (from !== null) {
    where.push('o.placed_at >= ?');
    params.push(from);
  }
  if (to !== null) {
    where.push('o.placed_at < ?');
    params.push(to);
  }
  if (a.amountMin !== undefined) {
    where.push('o.total_minor >= ?');
    params.push(Math.round(a.amountMin * 100));
  }
  if (a.amountMax !== undefined) {
    where.push('o.total_minor <= ?');
    params.push(Math.round(a.amountMax * 100));
  }
  const itemConds: string[] = [];
  const marks = (xs: readonly string[]) => xs.map(() => '?').join(',');
  const itemParams: string[] = [];
  if (a.categories?.length) {
    itemConds.push(`i.category IN (${marks(a.categories)})`);
    itemParams.push(...a.categories);
  }
  if (a.manufacturers?.length) {
    itemConds.push(`i.manufacturer IN (${marks(a.manufacturers)})`);
    itemParams.push(...a.manufacturers);
  }
  if (a.skus?.length) {
    itemConds.push(`i.sku IN (${marks(a.skus)})`);
    itemParams.push(...a.skus);
  }
  // Category, manufacturer and SKU narrow together: one item of the order must match them all.
  // With any of them the query starts from the matching items (their indexes) and looks each
  // order up by id; CROSS JOIN keeps SQLite to that order, which measured 2-3× faster than
  // probing every order of the store (bench/campaign-bench.ts).
  // (PostgreSQL has no CROSS JOIN … ON; its planner picks the order itself.)
  const source = itemConds.length ? `order_items i ${dialect === 'sqlite' ? 'CROSS JOIN' : 'JOIN'} orders o ON o.id = i.order_id` : 'orders o';
  if (itemConds.length) {
    where.unshift(...itemConds);
    params.unshift(...itemParams);
  }
  // Across all the buyer's orders: the set of pairs that bought a SKU, computed once per SKU.
  // Cancelled and refunded orders do not count here either (a refunded X is not "bought X").
  const boughtSet = (skuMarks: string) =>
    `SELECT o2.pair_id FROM order_items i2 JOIN orders o2 ON o2.id = i2.order_id WHERE i2.sku IN (${skuMarks}) AND o2.store_id = ? AND ${COUNTED('o2')}`;
  for (const sku of a.boughtAll ?? []) {
    where.push(`o.pair_id IN (${boughtSet('?')})`);
    params.push(sku, storeId);
  }
  if (a.boughtNone?.length) {
    where.push(`o.pair_id NOT IN (${boughtSet(marks(a.boughtNone))})`);
    params.push(...a.boughtNone, storeId);
  }
  const parts: string[] = [];
  const all: (string | number)[] = [];
  if (!a.noPurchasers) {
    parts.push(`SELECT DISTINCT o.pair_id AS pair_id FROM ${source} WHERE ${where.join(' AND ')}`);
    all.push(...params);
  }
  if (a.prospectLists?.length) {
    parts.push(
      `SELECT x.pair_id AS pair_id FROM prospects x JOIN pairs px ON px.id = x.pair_id WHERE px.store_id = ? AND x.list IN (${marks(a.prospectLists)})`,
    );
    all.push(storeId, ...a.prospectLists);
  }
  if (parts.length === 0) return { sql: 'SELECT CAST(NULL AS BIGINT) AS pair_id WHERE 1 = 0', params: [] };
  // UNION also removes duplicates between the parts; no ORDER BY: counting and the ledger need no
  // order, and sorting 200 000 ids costs more than the rest of a broad query.
  return { sql: parts.join(' UNION '), params: all };
}

export interface AudienceMember {
  readonly pairId: number;
  readonly token: string;
  readonly name: string;
  readonly email: string;
  readonly orders: number;
  readonly lastOrderAt: number;
}

/** Counts of an audience: all, and prospects among them (no counted order). The same SQL on both databases. */
export const splitSql = (q: AudienceQuery) =>
  `SELECT count(*) AS total, coalesce(sum(CASE WHEN NOT EXISTS (SELECT 1 FROM orders o WHERE o.pair_id = m.pair_id AND ${COUNTED('o')}) THEN 1 ELSE 0 END), 0) AS prospects
   FROM (${q.sql}) m`;

/** Members whose name a template cannot use (hidden, or never given). */
export const namelessSql = (q: AudienceQuery) =>
  `SELECT count(*) AS n FROM (${q.sql}) m JOIN pairs p ON p.id = m.pair_id JOIN buyers b ON b.id = p.buyer_id WHERE p.hide_name != 0 OR trim(coalesce(b.name, '')) = ''`;

/** Members by pair id (the last parameter: the limit; -1 on SQLite, null on PostgreSQL, for all). */
export const membersSql = (q: AudienceQuery) =>
  `SELECT m.pair_id AS "pairId", p.token, CASE WHEN p.hide_name != 0 THEN '' ELSE b.name END AS name, b.email,
          (SELECT count(*) FROM orders o WHERE o.pair_id = m.pair_id) AS orders,
          (SELECT max(placed_at) FROM orders o WHERE o.pair_id = m.pair_id) AS "lastOrderAt"
   FROM (SELECT a.pair_id FROM (${q.sql}) a ORDER BY a.pair_id LIMIT ?) m JOIN pairs p ON p.id = m.pair_id JOIN buyers b ON b.id = p.buyer_id ORDER BY m.pair_id`;

/**
 * What makes PostgreSQL sort text as SQLite does (byte order: "B" before "a"); without it the
 * database's collation decides (a language's on most installations).
 */
export const binaryOrder = (dialect: 'sqlite' | 'postgres') => (dialect === 'postgres' ? ' COLLATE "C"' : '');

/** The store's best sellers by quantity (`?`: store, limit), from the store_items summary. */
export const topItemsSql = (dialect: 'sqlite' | 'postgres') =>
  `SELECT sku, max(name) AS name, CAST(sum(quantity) AS BIGINT) AS quantity FROM store_items WHERE store_id = ? GROUP BY sku ORDER BY quantity DESC, sku${binaryOrder(dialect)} LIMIT ?`;

/** Distinct values of a store_items column (`?`: store) to offer in the builder: the first 200 in byte order. */
export const choiceSql = (c: 'category' | 'manufacturer', dialect: 'sqlite' | 'postgres') =>
  `SELECT DISTINCT ${c}${binaryOrder(dialect)} AS v FROM store_items WHERE store_id = ? AND ${c} <> '' ORDER BY 1 LIMIT 200`;

export class AudienceRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  count(storeId: number, a: AudienceSpec): number {
    const q = audienceQuery(storeId, a);
    return (this.#db.prepare(`SELECT count(*) AS n FROM (${q.sql})`).get(...q.params) as { n: number }).n;
  }

  /** Members split into purchasers (free) and prospects (no order yet: they cost credits). */
  split(storeId: number, a: AudienceSpec): { purchasers: number; prospects: number } {
    const q = audienceQuery(storeId, a);
    const r = this.#db.prepare(splitSql(q)).get(...q.params) as { total: number; prospects: number };
    return { purchasers: r.total - r.prospects, prospects: r.prospects };
  }

  /** Members whose name a template cannot use: hidden by the buyer, or never given. */
  nameless(storeId: number, a: AudienceSpec): number {
    const q = audienceQuery(storeId, a);
    return (this.#db.prepare(namelessSql(q)).get(...q.params) as { n: number }).n;
  }

  /** Members with what the admin shows and the CSV export holds; `limit` for a sample. */
  members(storeId: number, a: AudienceSpec, limit = -1): AudienceMember[] {
    const q = audienceQuery(storeId, a);
    return this.#db.prepare(membersSql(q)).all(...q.params, limit) as AudienceMember[];
  }

  /** The store's best sellers by quantity (for the early-access preset), from the store_items summary. */
  topItems(storeId: number, n = 4): { sku: string; name: string; quantity: number }[] {
    return stmt(this.#db, topItemsSql('sqlite')).all(storeId, n) as { sku: string; name: string; quantity: number }[];
  }

  /** Distinct values to offer in the builder, from the store_items summary. */
  choices(storeId: number): { categories: string[]; manufacturers: string[] } {
    const col = (c: 'category' | 'manufacturer') => (stmt(this.#db, choiceSql(c, 'sqlite')).all(storeId) as { v: string }[]).map((r) => r.v);
    return { categories: col('category'), manufacturers: col('manufacturer') };
  }
}

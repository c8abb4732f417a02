// Owns prospects (imported people who have not bought yet, in named lists per store) and the
// store's credit balance: a ledger of deltas (owner top-ups, campaign charges, refunds).
import type { Db } from './db.js';
import { PairRepo } from './pairs.js';
import { getSetting, setSetting } from './settings.js';
import { stmt } from './statements.js';

/** The settings key of the prospect price (credits per message). */
export const PROSPECT_PRICE_KEY = 'campaign.prospect-credits';
const PRICE_KEY = PROSPECT_PRICE_KEY;
export const DEFAULT_PROSPECT_PRICE = 3;

export interface ImportResult {
  readonly imported: number;
  /** Already a buyer or prospect of the store: left as they are. */
  readonly known: number;
  readonly invalid: readonly { readonly line: number; readonly reason: string }[];
}

export interface ProspectInput {
  readonly email: string;
  readonly name: string;
}

/** What an imported prospect's address must look like. */
export const PROSPECT_EMAIL = /^[^\s"'<>()[\]\\,;:%!@]+@[a-z0-9.-]+\.[a-z]{2,}$/i;

export class ProspectRepo {
  readonly #db: Db;
  readonly #pairs: PairRepo;
  constructor(db: Db) {
    this.#db = db;
    this.#pairs = new PairRepo(db);
  }

  /** Adds people to a store's list; each gets a pair (an alias) like a buyer. */
  import(
    storeId: number,
    list: string,
    people: readonly (ProspectInput & { line?: number })[],
    relayDomains: readonly string[],
    now = Date.now(),
  ): ImportResult {
    return this.#db.transaction(() => {
      let imported = 0;
      let known = 0;
      const invalid: { line: number; reason: string }[] = [];
      people.forEach((p, i) => {
        const email = p.email.toLowerCase();
        if (!PROSPECT_EMAIL.test(email) || relayDomains.some((d) => email.endsWith(`@${d}`))) {
          invalid.push({ line: p.line ?? i + 1, reason: `not a usable address: ${email.slice(0, 60)}` });
          return;
        }
        const { view, created } = this.#pairs.ensure(storeId, email, p.name, 'visitor', now);
        const hasOrders = stmt(this.#db, 'SELECT 1 FROM orders WHERE pair_id = ? LIMIT 1').get(view.pair.id) !== undefined;
        if (!created && hasOrders) return void known++;
        const added = stmt(this.#db, 'INSERT OR IGNORE INTO prospects (pair_id, list, imported_at) VALUES (?, ?, ?)').run(view.pair.id, list, now).changes;
        if (added) imported++;
        else known++;
      });
      return { imported, known, invalid };
    })();
  }

  lists(storeIds: readonly number[]): { storeId: number; list: string; count: number }[] {
    if (storeIds.length === 0) return [];
    return this.#db
      .prepare(
        `SELECT p.store_id AS storeId, x.list, count(*) AS count FROM prospects x JOIN pairs p ON p.id = x.pair_id
         WHERE p.store_id IN (${storeIds.map(() => '?').join(',')}) GROUP BY p.store_id, x.list ORDER BY x.list`,
      )
      .all(...storeIds) as { storeId: number; list: string; count: number }[];
  }

  balance(storeId: number): number {
    return (stmt(this.#db, 'SELECT coalesce(sum(delta), 0) AS b FROM store_credits WHERE store_id = ?').get(storeId) as { b: number }).b;
  }

  addCredits(storeId: number, delta: number, reason: string, by: number | null, now = Date.now()): number {
    stmt(this.#db, 'INSERT INTO store_credits (store_id, delta, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?)').run(storeId, delta, reason, by, now);
    return this.balance(storeId);
  }

  price(): number {
    const v = getSetting(this.#db, PRICE_KEY);
    return v !== null && Number.isInteger(Number(v)) && Number(v) >= 0 ? Number(v) : DEFAULT_PROSPECT_PRICE;
  }

  setPrice(credits: number): void {
    setSetting(this.#db, PRICE_KEY, String(credits));
  }
}

// Owns a buyer's consent choices towards a store, as the unsubscribe page, the one-click POST and
// the mailto: address record them: unsubscribed from campaigns, opted out of non-critical mail,
// name hidden from the store.
import type { Db } from './db.js';
import { EventRepo } from './events.js';
import { stmt } from './statements.js';

export class UnsubscribeRepo {
  readonly #db: Db;
  readonly #events: EventRepo;
  constructor(db: Db) {
    this.#db = db;
    this.#events = new EventRepo(db);
  }

  /** Records the unsubscribe and its buyer.unsubscribed event together; false when it was already. */
  unsubscribe(pairId: number, via: string, now = Date.now()): boolean {
    return this.#db.transaction(() => {
      const fresh =
        stmt(this.#db, 'INSERT OR IGNORE INTO campaign_unsubscribes (pair_id, via, created_at) VALUES (?, ?, ?)').run(pairId, via, now).changes === 1;
      if (fresh) this.#events.appendForPair('buyer.unsubscribed', pairId, { via }, now);
      return fresh;
    })();
  }

  isUnsubscribed(pairId: number): boolean {
    return stmt(this.#db, 'SELECT 1 FROM campaign_unsubscribes WHERE pair_id = ?').get(pairId) !== undefined;
  }

  /** The buyer's choices on the unsubscribe page. */
  setPairChoices(pairId: number, o: { optOut?: boolean; hideName?: boolean }, now = Date.now()): void {
    if (o.optOut !== undefined) {
      const optOut = o.optOut;
      this.#db.transaction(() => {
        const changed =
          stmt(this.#db, 'UPDATE pairs SET opted_out = ?, opted_out_at = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ? AND opted_out != ?').run(
            optOut ? 1 : 0,
            optOut ? 1 : 0,
            now,
            pairId,
            optOut ? 1 : 0,
          ).changes === 1;
        if (changed) this.#events.appendForPair('buyer.opted_out', pairId, { optedOut: optOut, via: 'unsubscribe-page' }, now);
      })();
    }
    if (o.hideName !== undefined) stmt(this.#db, 'UPDATE pairs SET hide_name = ? WHERE id = ?').run(o.hideName ? 1 : 0, pairId);
  }

  pairForPage(pairId: number): { storeName: string; optedOut: boolean; hideName: boolean; unsubscribed: boolean } | null {
    const r = stmt(
      this.#db,
      `SELECT s.name AS storeName, p.opted_out AS optedOut, p.hide_name AS hideName,
              EXISTS (SELECT 1 FROM campaign_unsubscribes u WHERE u.pair_id = p.id) AS unsubscribed
       FROM pairs p JOIN stores s ON s.id = p.store_id WHERE p.id = ?`,
    ).get(pairId) as { storeName: string; optedOut: number; hideName: number; unsubscribed: number } | undefined;
    return r ? { storeName: r.storeName, optedOut: !!r.optedOut, hideName: !!r.hideName, unsubscribed: !!r.unsubscribed } : null;
  }
}

// Owns the counts and dates the messaging rules need: recent sends per store and pair, critical
// messages to opted-out buyers, and the buyer's last message.
import type { Db } from './db.js';
import { stmt } from './statements.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export class MessageStats {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  storeSentSince(storeId: number, since: number): number {
    return (
      stmt(this.#db, "SELECT count(*) AS n FROM messages WHERE store_id = ? AND direction = 'store_to_buyer' AND received_at > ?").get(storeId, since) as {
        n: number;
      }
    ).n;
  }

  pairSentSince(pairId: number, since: number): number {
    return (
      stmt(this.#db, "SELECT count(*) AS n FROM messages WHERE pair_id = ? AND direction = 'store_to_buyer' AND received_at > ?").get(pairId, since) as {
        n: number;
      }
    ).n;
  }

  criticalToOptedOutSince(storeId: number, since: number): number {
    return (
      stmt(
        this.#db,
        "SELECT count(*) AS n FROM messages WHERE store_id = ? AND direction = 'store_to_buyer' AND critical_to_opted_out = 1 AND received_at > ?",
      ).get(storeId, since) as { n: number }
    ).n;
  }

  lastBuyerMessageAt(pairId: number): number | null {
    return (stmt(this.#db, "SELECT max(received_at) AS t FROM messages WHERE pair_id = ? AND direction = 'buyer_to_store'").get(pairId) as { t: number | null })
      .t;
  }

  /** The counts for one seller → buyer message at `now`. */
  forSend(storeId: number, pairId: number, now: number) {
    return {
      storeSentLastHour: this.storeSentSince(storeId, now - HOUR),
      pairSentLastDay: this.pairSentSince(pairId, now - DAY),
      criticalToOptedOutLastDay: this.criticalToOptedOutSince(storeId, now - DAY),
      lastBuyerMessageAt: this.lastBuyerMessageAt(pairId),
    };
  }
}

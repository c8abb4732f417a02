// Stores, pairs, messages and orders read on PostgreSQL (the Records port).
import { joinedOriginal, laterPiecesQuery } from '../body-pieces.js';
import { COUNTED_TABLES, type MessageRecord, type OrderRecord, type PairRecord, type Records, type StoreRecord } from '../ports.js';
import type { PgScope } from './db.js';

const STORE = 'SELECT id, slug, name, mailbox FROM stores';
const PAIR = 'SELECT id, store_id AS "storeId", buyer_id AS "buyerId", token FROM pairs';

export function pgRecords(s: PgScope): Records {
  const one = async <T extends object>(text: string, values: unknown[]) => ((await s.q.query(text, values)).rows[0] as T | undefined) ?? null;
  return {
    store: (id) => one<StoreRecord>(`${STORE} WHERE id = $1`, [id]),
    storeBySlug: (slug) => one<StoreRecord>(`${STORE} WHERE slug = $1`, [slug]),
    pair: (id) => one<PairRecord>(`${PAIR} WHERE id = $1`, [id]),
    pairByToken: (token) => one<PairRecord>(`${PAIR} WHERE token = $1`, [token]),
    message: (id) =>
      one<MessageRecord>(
        `SELECT id, pair_id AS "pairId", store_id AS "storeId", direction, subject, relay_message_id AS "relayMessageId", received_at AS "receivedAt"
         FROM messages WHERE id = $1`,
        [id],
      ),
    messageRaw: async (id) => {
      const first = (await one<{ raw: Buffer }>('SELECT raw FROM message_bodies WHERE message_id = $1', [id]))?.raw;
      if (!first) return null;
      // A large original's later pieces (store/body-pieces.ts); none for one stored whole.
      return joinedOriginal(
        first,
        (await s.q.query<{ bytes: Buffer }>(laterPiecesQuery('$1'), [id])).rows.map((r) => r.bytes),
      );
    },
    order: (storeId, number) =>
      one<OrderRecord>(
        `SELECT id, store_id AS "storeId", pair_id AS "pairId", number, status, currency, total_minor AS "totalMinor" FROM orders WHERE store_id = $1 AND number = $2`,
        [storeId, number],
      ),
    async count(table) {
      if (!COUNTED_TABLES.includes(table)) throw new Error(`not a counted table: ${String(table)}`);
      return (await s.q.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0;
    },
  };
}

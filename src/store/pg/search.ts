// Owns the inbox's full-text search on PostgreSQL (schema 005, message_search with a tsvector):
// the text a message is found by, and the walk over the matches, newest first, as the SQLite inbox
// walks its FTS5 table (store/inbox.ts #search). A trigger on messages writes each message's row
// (subject, snippet, buyer's name); whoever stores a message also has its whole delivered text, and
// gives it here in the same transaction, as SQLite's MessageRepo.insert does.
import { searchWords } from '../inbox.js';
import type { Queryable } from './db.js';

/**
 * The text message `messageId` is found by: its whole delivered (masked) text, not only the snippet,
 * and the buyer's name as the store sees it (`buyerName`: '' when the buyer hid it; schema 005's
 * trigger copies buyers.name whatever pairs.hide_name says); without it, the trigger's name stays.
 */
export async function pgIndexSearchText(q: Queryable, messageId: number, text: string, buyerName?: string): Promise<void> {
  await q.query('UPDATE message_search SET body = $2, buyer = coalesce($3, buyer) WHERE message_id = $1', [messageId, text, buyerName ?? null]);
}

export interface SearchHit {
  readonly id: number;
  readonly pairId: number;
  readonly storeId: number;
}

/**
 * Messages matching what the user typed (`typed`, split as on SQLite: every word required, each a
 * phrase, the last one a prefix), with an id below `beforeId`, newest first, at most `limit`.
 * Nothing searchable in `typed` finds nothing.
 */
export async function pgSearchHits(q: Queryable, typed: string, beforeId = Number.MAX_SAFE_INTEGER, limit = 100): Promise<SearchHit[]> {
  const words = searchWords(typed);
  if (words.length === 0) return [];
  const r = await q.query<SearchHit>(
    `SELECT s.message_id AS "id", m.pair_id AS "pairId", m.store_id AS "storeId"
       FROM message_search s JOIN messages m ON m.id = s.message_id
      WHERE s.words @@ maskgate_search_query($1) AND s.message_id < $2
      ORDER BY s.message_id DESC LIMIT $3`,
    [words, beforeId, limit],
  );
  return r.rows;
}

// The PostgreSQL adapter of the inbox port (src/store/inbox-ports.ts): the inbox list and a
// conversation's reads, with the page's statement shared with SQLite (store/inbox.ts
// inboxRowsQuery) and the full-text walk over schema 005's tsvector (pg/search.ts) in place of FTS5.
// The conversation state and drafts are pg/conversations.ts, erasure pg/erasure.ts, the report the
// one implementation both share (store/reports.ts over a SqlRunner). The conversations table and
// its counters are kept by schema 005's triggers, as SQLite's migration 012 keeps them.
import type { Category } from '../../core/categorize.js';
import {
  CLOCK_MARGIN_MS,
  CONVERSATION_MESSAGE_COLUMNS,
  CONVERSATION_MESSAGE_FROM,
  inboxRowsQuery,
  pageOfRows,
  toConversationMessage,
  type InboxFilter,
  type InboxRow,
  type PairHeader,
  type RawConversationMessage,
  type RawInboxRow,
} from '../inbox.js';
import type { InboxStore, PairMessage } from '../inbox-ports.js';
import { messageListQuery, toMessageSummary, type MessageListRow } from '../messages.js';
import { ReportRepo } from '../reports.js';
import { marks, pgRunner, type SqlRunner } from '../sql-runner.js';
import type { Tag } from '../tags.js';
import type { PgScope } from './db.js';
import { pgConversationStates, pgDrafts } from './conversations.js';
import { pgErasure } from './erasure.js';
import { pgSearchHits } from './search.js';

/** A full-text search looks at this many matching messages at most for one page (as on SQLite). */
const SEARCH_WALK_MAX = 50_000;
/** Matches read per round trip of the walk. */
const SEARCH_BATCH = 500;

/** The first message id received at or after `ms` (max id + 1 when none), by bisection on the id, as SQLite's InboxRepo. */
async function firstIdAt(sql: SqlRunner, ms: number): Promise<number> {
  const at = (id: number) => sql.get<{ id: number; t: number }>('SELECT id, received_at AS t FROM messages WHERE id >= ? ORDER BY id LIMIT 1', [id]);
  const end = ((await sql.get<{ id: number | null }>('SELECT max(id) AS id FROM messages'))?.id ?? 0) + 1;
  let lo = 1;
  let hi = end;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const r = await at(mid);
    if (!r || r.t >= ms) hi = mid;
    else lo = r.id + 1;
  }
  return (await at(lo))?.id ?? end;
}

async function rows(sql: SqlRunner, f: InboxFilter, pairIds: readonly number[] | null, hits?: ReadonlyMap<number, number>): Promise<InboxRow[]> {
  const bounds = {
    sinceId: f.sinceMs === undefined ? undefined : await firstIdAt(sql, f.sinceMs - CLOCK_MARGIN_MS),
    untilId: f.untilMs === undefined ? undefined : await firstIdAt(sql, f.untilMs + CLOCK_MARGIN_MS),
  };
  const q = inboxRowsQuery('postgres', f, pairIds, hits !== undefined, bounds);
  return pageOfRows(await sql.all<RawInboxRow>(q.sql, q.args), pairIds, hits);
}

/** Conversations with a message matching the words, newest match first, one page (SQLite's InboxRepo #search over the tsvector). */
async function search(sql: SqlRunner, s: PgScope, f: InboxFilter, typed: string): Promise<InboxRow[]> {
  const stores = new Set(f.storeIds);
  const seen = new Map<number, number>();
  const out: InboxRow[] = [];
  let cursor = f.beforeId ?? Number.MAX_SAFE_INTEGER;
  let walked = 0;
  for (;;) {
    const hits = await pgSearchHits(s.q, typed, cursor, SEARCH_BATCH);
    const batch: number[] = [];
    for (const hit of hits) {
      cursor = hit.id;
      if (++walked > SEARCH_WALK_MAX) break;
      if (!stores.has(hit.storeId) || seen.has(hit.pairId)) continue;
      seen.set(hit.pairId, hit.id);
      batch.push(hit.pairId);
    }
    if (batch.length) out.push(...(await rows(sql, f, batch, seen)));
    if (hits.length < SEARCH_BATCH || out.length >= f.limit || walked > SEARCH_WALK_MAX) break;
  }
  return out.slice(0, f.limit);
}

const PAIR_MESSAGE_COLS = `m.id, m.direction, m.source, m.subject, m.received_at AS "receivedAt",
  o.id AS "outboxId", coalesce(o.status, 'none') AS status, coalesce(o.attempts, 0) AS attempts, o.done_at AS "doneAt"
  FROM messages m
  LEFT JOIN outbox o ON o.id = (SELECT min(x.id) FROM outbox x WHERE x.message_id = m.id AND x.kind = 'relay')`;

export function pgInbox(s: PgScope): InboxStore {
  const sql = pgRunner(s);
  const reports = new ReportRepo(sql);
  return {
    async list(f) {
      if (f.storeIds.length === 0) return [];
      const q = f.q?.trim();
      if (q) {
        // An alias or an order number names its pairs (exact identifiers beat full text).
        const alias = q.toLowerCase().split('@')[0] as string;
        const named = await sql.all<{ id: number }>('SELECT id FROM pairs WHERE token = ? UNION SELECT pair_id AS id FROM orders WHERE number = ? LIMIT 100', [
          alias,
          q,
        ]);
        if (named.length)
          return rows(
            sql,
            f,
            named.map((r) => r.id),
          );
        return search(sql, s, f, q);
      }
      return rows(sql, f, null);
    },
    async unreadByStore(storeIds) {
      if (storeIds.length === 0) return new Map();
      const r = await sql.all<{ storeId: number; n: number }>(
        `SELECT store_id AS "storeId", count(*) AS n FROM messages WHERE store_id IN (${marks(storeIds.length)}) AND direction = 'buyer_to_store' AND read_at IS NULL GROUP BY store_id`,
        storeIds,
      );
      return new Map(r.map((x) => [x.storeId, x.n]));
    },
    async unreadByCategory(storeIds) {
      if (storeIds.length === 0) return new Map();
      const r = await sql.all<{ category: Category; n: number }>(
        `SELECT category, count(*) AS n FROM messages WHERE store_id IN (${marks(storeIds.length)}) AND direction = 'buyer_to_store' AND read_at IS NULL GROUP BY category`,
        storeIds,
      );
      return new Map(r.map((x) => [x.category, x.n]));
    },
    async tagsForPairs(pairIds) {
      const out = new Map<number, Tag[]>();
      if (pairIds.length === 0) return out;
      const r = await sql.all<Tag & { pairId: number }>(
        `SELECT DISTINCT m.pair_id AS "pairId", t.id, t.name COLLATE "C" AS name, t.colour FROM messages m JOIN message_tags mt ON mt.message_id = m.id JOIN tags t ON t.id = mt.tag_id
         WHERE m.pair_id IN (${marks(pairIds.length)}) ORDER BY 3`,
        pairIds,
      );
      for (const { pairId, ...tag } of r) out.set(pairId, [...(out.get(pairId) ?? []), tag]);
      return out;
    },
    async newestId(storeIds) {
      if (storeIds.length === 0) return 0;
      return (
        (await sql.get<{ id: number | null }>(`SELECT max(last_message_id) AS id FROM conversations WHERE store_id IN (${marks(storeIds.length)})`, storeIds))
          ?.id ?? 0
      );
    },

    async pair(pairId) {
      const r = await sql.get<Omit<PairHeader, 'optedOut'> & { optedOut: number }>(
        `SELECT p.id AS "pairId", p.store_id AS "storeId", s.name AS "storeName", p.token AS alias, CASE WHEN p.hide_name <> 0 THEN '' ELSE b.name END AS "buyerName",
           b.kind AS "buyerKind", p.opted_out AS "optedOut",
           b.undeliverable_at AS "undeliverableAt", b.undeliverable_reason AS "undeliverableReason"
         FROM pairs p JOIN stores s ON s.id = p.store_id JOIN buyers b ON b.id = p.buyer_id WHERE p.id = ?`,
        [pairId],
      );
      return r ? { ...r, optedOut: r.optedOut === 1 } : null;
    },
    async conversation(pairId) {
      const r = await sql.all<RawConversationMessage>(`SELECT ${CONVERSATION_MESSAGE_COLUMNS} ${CONVERSATION_MESSAGE_FROM} WHERE m.pair_id = ? ORDER BY m.id`, [
        pairId,
      ]);
      return r.map(toConversationMessage);
    },
    async message(messageId, storeIds) {
      if (storeIds.length === 0) return null;
      const r = await sql.get<RawConversationMessage & { pairId: number; storeId: number }>(
        `SELECT ${CONVERSATION_MESSAGE_COLUMNS}, m.pair_id AS "pairId", m.store_id AS "storeId" ${CONVERSATION_MESSAGE_FROM}
         WHERE m.id = ? AND m.store_id IN (${marks(storeIds.length)})`,
        [messageId, ...storeIds],
      );
      return r ? toConversationMessage(r) : null;
    },
    async otherConversations(pairId, storeIds) {
      if (storeIds.length === 0) return [];
      return sql.all(
        `SELECT o.id AS "pairId", s.name AS "storeName" FROM pairs p JOIN pairs o ON o.buyer_id = p.buyer_id AND o.id != p.id JOIN stores s ON s.id = o.store_id
         WHERE p.id = ? AND o.store_id IN (${marks(storeIds.length)}) ORDER BY s.name COLLATE "C"`,
        [pairId, ...storeIds],
      );
    },
    async latest(pairId) {
      const r = await sql.get<{ last: number; lastBuyer: number | null }>(
        'SELECT last_message_id AS last, last_buyer_id AS "lastBuyer" FROM conversations WHERE pair_id = ?',
        [pairId],
      );
      return { last: r?.last ?? null, lastBuyer: r?.lastBuyer ?? null };
    },
    async taggedMessages(pairId, tagId) {
      const r = await sql.all<{ id: number }>(
        'SELECT m.id FROM messages m JOIN message_tags mt ON mt.message_id = m.id WHERE m.pair_id = ? AND mt.tag_id = ?',
        [pairId, tagId],
      );
      return r.map((x) => x.id);
    },
    async relayIdInPair(messageId, pairId) {
      return (await sql.get<{ id: string }>('SELECT relay_message_id AS id FROM messages WHERE id = ? AND pair_id = ?', [messageId, pairId]))?.id ?? null;
    },
    async setMessageCategory(messageId, category, storeIds) {
      if (storeIds.length === 0) return 0;
      return sql.run(`UPDATE messages SET category = ? WHERE id = ? AND store_id IN (${marks(storeIds.length)})`, [category, messageId, ...storeIds]);
    },
    async markPairRead(pairId, now = Date.now()) {
      await sql.run("UPDATE messages SET read_at = ? WHERE pair_id = ? AND direction = 'buyer_to_store' AND read_at IS NULL", [now, pairId]);
    },

    ...pgConversationStates(sql),
    ...pgDrafts(sql),

    pairMessages: (pairId, beforeId, limit) =>
      sql.all<PairMessage>(`SELECT ${PAIR_MESSAGE_COLS} WHERE m.pair_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`, [
        pairId,
        beforeId ?? Number.MAX_SAFE_INTEGER,
        limit,
      ]),
    pairMessage: (pairId, id) => sql.get<PairMessage>(`SELECT ${PAIR_MESSAGE_COLS} WHERE m.pair_id = ? AND m.id = ?`, [pairId, id]),
    async messages(f) {
      const q = messageListQuery('postgres', f);
      return (await sql.all<MessageListRow>(q.sql, q.args)).map(toMessageSummary);
    },

    responseTimes: (scope) => reports.responseTimes(scope),
    staff: () => reports.staff(),
    conversationClock: (pairId) => reports.conversationClock(pairId),
    markNoResponseNeeded: (pairId, userId, now) => reports.markNoResponseNeeded(pairId, userId, now),

    ...pgErasure(s),
  };
}

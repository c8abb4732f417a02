// The PostgreSQL side of the inbox port's conversation state and reply drafts: the same rules as
// the SQLite repositories (store/conversations.ts, store/drafts.ts), whose doc comments say them,
// in SQL both dialects read (SqlRunner); a bulk change is one transaction. Schema 005's triggers
// keep the rest (latest message, unread count, reopening on a buyer message).
import type { ConversationState } from '../conversations.js';
import { DRAFT_SQL, type Draft } from '../drafts.js';
import type { ConversationStates, DraftStore } from '../inbox-ports.js';
import { marks, type SqlRunner } from '../sql-runner.js';
import type { ConversationStatus } from '../inbox.js';

/** What a conversation status means for its buyer messages' own status (reports read those). */
const MESSAGE_STATUS: Partial<Record<ConversationStatus, string>> = {
  follow_up: 'follow_up',
  processed: 'processed',
  replied_on_platform: 'replied_on_platform',
};

export function pgConversationStates(sql: SqlRunner): ConversationStates {
  const visible = async (r: SqlRunner, pairIds: readonly number[], storeIds: readonly number[]) => {
    if (pairIds.length === 0 || storeIds.length === 0) return [];
    const rows = await r.all<{ id: number }>(
      `SELECT pair_id AS id FROM conversations WHERE pair_id IN (${marks(pairIds.length)}) AND store_id IN (${marks(storeIds.length)})`,
      [...pairIds, ...storeIds],
    );
    return rows.map((x) => x.id);
  };
  return {
    state: (pairId) =>
      sql.get<ConversationState>(
        `SELECT c.pair_id AS "pairId", c.store_id AS "storeId", c.status, c.last_message_id AS "lastMessageId", c.unread, c.assignee_id AS "assigneeId",
           u.name AS assignee, c.snoozed_until AS "snoozedUntil" FROM conversations c LEFT JOIN users u ON u.id = c.assignee_id WHERE c.pair_id = ?`,
        [pairId],
      ),
    visible: (pairIds, storeIds) => visible(sql, pairIds, storeIds),
    setStatus: (pairIds, status, storeIds, now = Date.now()) =>
      sql.transaction(async (t) => {
        const ids = await visible(t, pairIds, storeIds);
        if (ids.length === 0) return 0;
        const changed = await t.run(
          `UPDATE conversations SET status = ?, updated_at = ? WHERE pair_id IN (${marks(ids.length)}) AND status != 'replied_on_platform' AND status != ?`,
          [status, now, ...ids, status],
        );
        const mirrored = MESSAGE_STATUS[status];
        if (mirrored)
          await t.run(
            `UPDATE messages SET status = ? WHERE pair_id IN (${marks(ids.length)}) AND direction = 'buyer_to_store' AND status IN ('pending', 'follow_up') AND status != ?`,
            [mirrored, ...ids, mirrored],
          );
        return changed;
      }),
    setRead: (pairIds, read, storeIds, now = Date.now()) =>
      sql.transaction(async (t) => {
        const ids = await visible(t, pairIds, storeIds);
        if (ids.length === 0) return 0;
        await t.run(`UPDATE conversations SET snoozed_until = NULL WHERE pair_id IN (${marks(ids.length)}) AND snoozed_until <= ?`, [...ids, now]);
        const before =
          (await t.get<{ n: number }>(`SELECT count(*) AS n FROM conversations WHERE pair_id IN (${marks(ids.length)}) AND unread > 0`, ids))?.n ?? 0;
        if (read) {
          await t.run(`UPDATE messages SET read_at = ? WHERE pair_id IN (${marks(ids.length)}) AND direction = 'buyer_to_store' AND read_at IS NULL`, [
            now,
            ...ids,
          ]);
          return before;
        }
        await t.run(
          `UPDATE messages SET read_at = NULL WHERE id IN (SELECT last_buyer_id FROM conversations WHERE pair_id IN (${marks(ids.length)}) AND unread = 0)`,
          ids,
        );
        return ids.length - before;
      }),
    readShown: (pairId, shownUpTo, storeIds, now = Date.now()) =>
      sql.transaction(async (t) => {
        if ((await visible(t, [pairId], storeIds)).length === 0) return 0;
        await t.run('UPDATE conversations SET snoozed_until = NULL WHERE pair_id = ? AND snoozed_until <= ?', [pairId, now]);
        return t.run(`UPDATE messages SET read_at = ? WHERE pair_id = ? AND direction = 'buyer_to_store' AND read_at IS NULL AND id <= ?`, [
          now,
          pairId,
          shownUpTo,
        ]);
      }),
    async setCategory(pairIds, category, storeIds) {
      const ids = await visible(sql, pairIds, storeIds);
      if (ids.length === 0) return 0;
      await sql.run(`UPDATE messages SET category = ? WHERE pair_id IN (${marks(ids.length)}) AND direction = 'buyer_to_store' AND category != ?`, [
        category,
        ...ids,
        category,
      ]);
      return ids.length;
    },
    async assign(pairIds, userId, storeIds, now = Date.now()) {
      const ids = await visible(sql, pairIds, storeIds);
      if (ids.length === 0) return 0;
      if (userId === null)
        return sql.run(`UPDATE conversations SET assignee_id = NULL, updated_at = ? WHERE pair_id IN (${marks(ids.length)}) AND assignee_id IS NOT NULL`, [
          now,
          ...ids,
        ]);
      return sql.run(
        `UPDATE conversations SET assignee_id = ?, updated_at = ? WHERE pair_id IN (${marks(ids.length)}) AND assignee_id IS DISTINCT FROM ?
           AND EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND u.disabled_at IS NULL AND (u.role = 'owner' OR conversations.store_id IN (SELECT store_id FROM user_stores WHERE user_id = u.id)))`,
        [userId, now, ...ids, userId, userId],
      );
    },
    async snooze(pairIds, until, storeIds, now = Date.now()) {
      const ids = await visible(sql, pairIds, storeIds);
      if (ids.length === 0) return 0;
      return sql.run(`UPDATE conversations SET snoozed_until = ?, updated_at = ? WHERE pair_id IN (${marks(ids.length)})`, [until, now, ...ids]);
    },
    async assignable(storeIds) {
      if (storeIds.length === 0) return [];
      return sql.all(
        `SELECT id, name FROM users u WHERE disabled_at IS NULL AND (role = 'owner' OR EXISTS (SELECT 1 FROM user_stores us WHERE us.user_id = u.id AND us.store_id IN (${marks(storeIds.length)}))) ORDER BY name COLLATE "C"`,
        storeIds,
      );
    },
    async roundRobin(storeId) {
      return (await sql.get<{ on_: number }>('SELECT round_robin AS on_ FROM store_assignment WHERE store_id = ?', [storeId]))?.on_ === 1;
    },
    async setRoundRobin(storeId, on) {
      await sql.run(
        'INSERT INTO store_assignment (store_id, round_robin) VALUES (?, ?) ON CONFLICT (store_id) DO UPDATE SET round_robin = excluded.round_robin',
        [storeId, on ? 1 : 0],
      );
    },
  };
}

export function pgDrafts(sql: SqlRunner): DraftStore {
  const removeDraft = async (userId: number, pairId: number) => {
    await sql.run(DRAFT_SQL.remove, [userId, pairId]);
  };
  return {
    draft: (userId, pairId) => sql.get<Draft>(DRAFT_SQL.get, [userId, pairId]),
    async saveDraft(userId, pairId, d, now = Date.now()) {
      if (!d.body.trim()) return removeDraft(userId, pairId);
      await sql.run(DRAFT_SQL.save, [userId, pairId, d.subject, d.body, d.orderNumber, now]);
    },
    removeDraft,
  };
}

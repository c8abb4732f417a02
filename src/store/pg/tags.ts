// The PostgreSQL adapter of the tags port (src/store/tag-ports.ts): the same reads and writes as
// src/store/tags.ts and notes.ts (the notes' statements are shared, NOTE_SQL). A name taken is
// found with ON CONFLICT DO NOTHING (create) or the unique violation (update); adding a tag locks
// the message row first, so two nodes tagging one message at once cannot pass the limit. Names
// sort with COLLATE "C", SQLite's binary order.
import { NOTE_SQL } from '../notes.js';
import type { Note, Report, Tag, TagOutcome, TagStore } from '../tag-ports.js';
import { MAX_TAGS_PER_MESSAGE } from '../tags.js';
import type { PgScope } from './db.js';
import { pgPlaceholders } from './placeholders.js';

const NOTES = Object.fromEntries(Object.entries(NOTE_SQL).map(([k, v]) => [k, pgPlaceholders(v)])) as Record<keyof typeof NOTE_SQL, string>;
const TAG = 'SELECT id, name, colour FROM tags';

export function pgTags(s: PgScope): TagStore {
  const one = async (where: string, v: unknown) => (await s.q.query<Tag>(`${TAG} WHERE ${where} = $1`, [v])).rows[0] ?? null;
  return {
    list: async () => (await s.q.query<Tag>(`${TAG} ORDER BY name COLLATE "C"`)).rows,
    get: (id) => one('id', id),
    byName: (name) => one('name', name),
    create: async (name, colour) =>
      (await s.q.query<Tag>('INSERT INTO tags (name, colour) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id, name, colour', [name, colour]))
        .rows[0] ?? null,
    async update(id, name, colour) {
      try {
        await s.q.query('UPDATE tags SET name = $1, colour = $2 WHERE id = $3', [name, colour, id]);
        return true;
      } catch (err) {
        if ((err as { code?: string }).code === '23505') return false;
        throw err;
      }
    },
    remove: (id) =>
      s.inTransaction(async (q) => {
        await q.query('DELETE FROM message_tags WHERE tag_id = $1', [id]);
        await q.query('DELETE FROM tags WHERE id = $1', [id]);
      }),
    async forMessages(ids) {
      const out = new Map<number, Tag[]>();
      if (ids.length === 0) return out;
      const rows = (
        await s.q.query<Tag & { messageId: number }>(
          `SELECT mt.message_id AS "messageId", t.id, t.name, t.colour FROM message_tags mt JOIN tags t ON t.id = mt.tag_id
           WHERE mt.message_id = ANY($1::bigint[]) ORDER BY t.name COLLATE "C"`,
          [[...ids]],
        )
      ).rows;
      for (const { messageId, ...tag } of rows) out.set(messageId, [...(out.get(messageId) ?? []), tag]);
      return out;
    },
    add: (messageId, tagId) =>
      s.inTransaction(async (q): Promise<TagOutcome> => {
        await q.query('SELECT 1 FROM messages WHERE id = $1 FOR UPDATE', [messageId]);
        if ((await q.query('SELECT 1 FROM tags WHERE id = $1', [tagId])).rowCount === 0) return 'unknown';
        const has = (await q.query<{ id: number }>('SELECT tag_id AS id FROM message_tags WHERE message_id = $1', [messageId])).rows;
        if (has.some((h) => h.id === tagId)) return 'already';
        if (has.length >= MAX_TAGS_PER_MESSAGE) return 'limit';
        await q.query('INSERT INTO message_tags (message_id, tag_id) VALUES ($1, $2)', [messageId, tagId]);
        return 'added';
      }),
    async removeFrom(messageId, tagId) {
      await s.q.query('DELETE FROM message_tags WHERE message_id = $1 AND tag_id = $2', [messageId, tagId]);
    },
    notes: async (pairId) => (await s.q.query<Note>(NOTES.forPair, [pairId])).rows,
    async addNote(pairId, userId, body, now = Date.now()) {
      await s.q.query(NOTES.add, [pairId, userId, body, now]);
    },
    async report(messageId, userId, reason, now = Date.now()) {
      await s.q.query(NOTES.report, [messageId, userId, reason, now]);
    },
    async reportedIds(ids) {
      if (ids.length === 0) return new Set();
      const rows = (
        await s.q.query<{ id: number }>('SELECT DISTINCT message_id AS id FROM reports WHERE resolved_at IS NULL AND message_id = ANY($1::bigint[])', [
          [...ids],
        ])
      ).rows;
      return new Set(rows.map((r) => r.id));
    },
    openReports: async () => (await s.q.query<Report>(NOTES.openReports)).rows,
    async resolveReport(id, now = Date.now()) {
      await s.q.query(NOTES.resolve, [now, id]);
    },
  };
}

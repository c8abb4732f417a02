// Owns tags (a name and a colour from a fixed palette) and which messages carry them: at most two
// a message, checked in the same transaction that adds one.
import type { Db } from './db.js';
import { stmt } from './statements.js';

export const TAG_COLOURS = ['grey', 'red', 'orange', 'yellow', 'green', 'teal', 'blue', 'purple'] as const;
export type TagColour = (typeof TAG_COLOURS)[number];
export const MAX_TAGS_PER_MESSAGE = 2;

export interface Tag {
  readonly id: number;
  readonly name: string;
  readonly colour: TagColour;
}

export type TagOutcome = 'added' | 'already' | 'limit' | 'unknown';

export class TagRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  list(): Tag[] {
    return stmt(this.#db, 'SELECT id, name, colour FROM tags ORDER BY name').all() as Tag[];
  }

  get(id: number): Tag | null {
    return (stmt(this.#db, 'SELECT id, name, colour FROM tags WHERE id = ?').get(id) as Tag | undefined) ?? null;
  }

  byName(name: string): Tag | null {
    return (stmt(this.#db, 'SELECT id, name, colour FROM tags WHERE name = ?').get(name) as Tag | undefined) ?? null;
  }

  create(name: string, colour: TagColour): Tag {
    const info = stmt(this.#db, 'INSERT INTO tags (name, colour) VALUES (?, ?)').run(name, colour);
    return this.get(Number(info.lastInsertRowid)) as Tag;
  }

  update(id: number, name: string, colour: TagColour): void {
    stmt(this.#db, 'UPDATE tags SET name = ?, colour = ? WHERE id = ?').run(name, colour, id);
  }

  remove(id: number): void {
    this.#db.transaction(() => {
      stmt(this.#db, 'DELETE FROM message_tags WHERE tag_id = ?').run(id);
      stmt(this.#db, 'DELETE FROM tags WHERE id = ?').run(id);
    })();
  }

  forMessages(ids: readonly number[]): Map<number, Tag[]> {
    const out = new Map<number, Tag[]>();
    if (ids.length === 0) return out;
    const rows = stmt(
      this.#db,
      `SELECT mt.message_id AS messageId, t.id, t.name, t.colour FROM message_tags mt JOIN tags t ON t.id = mt.tag_id
       WHERE mt.message_id IN (${ids.map(() => '?').join(',')}) ORDER BY t.name`,
    ).all(...ids) as (Tag & { messageId: number })[];
    for (const { messageId, ...tag } of rows) out.set(messageId, [...(out.get(messageId) ?? []), tag]);
    return out;
  }

  add(messageId: number, tagId: number): TagOutcome {
    return this.#db.transaction((): TagOutcome => {
      if (!this.get(tagId)) return 'unknown';
      const has = stmt(this.#db, 'SELECT tag_id AS id FROM message_tags WHERE message_id = ?').all(messageId) as { id: number }[];
      if (has.some((h) => h.id === tagId)) return 'already';
      if (has.length >= MAX_TAGS_PER_MESSAGE) return 'limit';
      stmt(this.#db, 'INSERT INTO message_tags (message_id, tag_id) VALUES (?, ?)').run(messageId, tagId);
      return 'added';
    })();
  }

  removeFrom(messageId: number, tagId: number): void {
    stmt(this.#db, 'DELETE FROM message_tags WHERE message_id = ? AND tag_id = ?').run(messageId, tagId);
  }
}

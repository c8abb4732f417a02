// Owns reply templates: global ones (the owner's) and per-store ones, listed for the stores a
// user may see.
import type { Db } from './db.js';
import { stmt } from './statements.js';

export interface Template {
  readonly id: number;
  readonly storeId: number | null;
  readonly name: string;
  readonly subject: string;
  readonly body: string;
  readonly updatedAt: number;
}

/** The row's columns as Template (quoted aliases: the same text in SQLite and PostgreSQL). */
export const TEMPLATE_COLS = 'id, store_id AS "storeId", name, subject, body, updated_at AS "updatedAt"';
const COLS = TEMPLATE_COLS;

export class TemplateRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Global templates and those of these stores. */
  visible(storeIds: readonly number[]): Template[] {
    const marks = storeIds.map(() => '?').join(',') || 'NULL';
    return stmt(this.#db, `SELECT ${COLS} FROM templates WHERE store_id IS NULL OR store_id IN (${marks}) ORDER BY name, id`).all(...storeIds) as Template[];
  }

  get(id: number): Template | null {
    return (stmt(this.#db, `SELECT ${COLS} FROM templates WHERE id = ?`).get(id) as Template | undefined) ?? null;
  }

  create(t: { storeId: number | null; name: string; subject: string; body: string }, now = Date.now()): Template {
    const info = stmt(this.#db, 'INSERT INTO templates (store_id, name, subject, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      t.storeId,
      t.name,
      t.subject,
      t.body,
      now,
      now,
    );
    return this.get(Number(info.lastInsertRowid)) as Template;
  }

  update(id: number, t: { name: string; subject: string; body: string }, now = Date.now()): void {
    stmt(this.#db, 'UPDATE templates SET name = ?, subject = ?, body = ?, updated_at = ? WHERE id = ?').run(t.name, t.subject, t.body, now, id);
  }

  remove(id: number): void {
    stmt(this.#db, 'DELETE FROM templates WHERE id = ?').run(id);
  }
}

// The PostgreSQL adapter of the templates port (src/store/template-ports.ts): the same reads and
// writes as src/store/templates.ts (its column list, TEMPLATE_COLS); names sort with COLLATE "C",
// SQLite's binary order.
import type { Template, TemplateStore } from '../template-ports.js';
import { TEMPLATE_COLS } from '../templates.js';
import type { PgScope } from './db.js';

export function pgTemplates(s: PgScope): TemplateStore {
  const get = async (id: number) => (await s.q.query<Template>(`SELECT ${TEMPLATE_COLS} FROM templates WHERE id = $1`, [id])).rows[0] ?? null;
  return {
    visible: async (storeIds) =>
      (
        await s.q.query<Template>(
          `SELECT ${TEMPLATE_COLS} FROM templates WHERE store_id IS NULL OR store_id = ANY($1::bigint[]) ORDER BY name COLLATE "C", id`,
          [[...storeIds]],
        )
      ).rows,
    get,
    async create(t, now = Date.now()) {
      const r = await s.q.query<Template>(
        `INSERT INTO templates (store_id, name, subject, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING ${TEMPLATE_COLS}`,
        [t.storeId, t.name, t.subject, t.body, now],
      );
      return r.rows[0] as Template;
    },
    async update(id, t, now = Date.now()) {
      await s.q.query('UPDATE templates SET name = $1, subject = $2, body = $3, updated_at = $4 WHERE id = $5', [t.name, t.subject, t.body, now, id]);
    },
    async remove(id) {
      await s.q.query('DELETE FROM templates WHERE id = $1', [id]);
    },
  };
}

// PostgreSQL schema 9:
// - a fresh database starts with the default category rules, as a fresh SQLite one does (SQLite
//   migration 002 inserts the same list); written from core/categorize.ts's DEFAULT_CATEGORY_RULES.
//   `migrate-to-postgres` replaces them with the copied installation's own list.
// - every statement that inserts events takes a shared advisory lock first (a statement trigger
//   fires before any row's id is drawn), so the events feed's reader can wait for every writer that
//   may hold an id not yet visible (src/store/pg/webhooks.ts, the horizon). Held to the commit.
import { DEFAULT_CATEGORY_RULES } from '../../core/categorize.js';
import { EVENTS_LOCK } from './webhooks.js';

const literal = (v: string) => `'${v.replaceAll("'", "''")}'`;

export const sql = `
INSERT INTO category_rules (position, category, field, pattern)
SELECT v.position, v.category, v.field, v.pattern
FROM (VALUES
${DEFAULT_CATEGORY_RULES.map((r, i) => `  (${i + 1}, ${literal(r.category)}, ${literal(r.field)}, ${literal(r.pattern)})`).join(',\n')}
) AS v(position, category, field, pattern)
WHERE NOT EXISTS (SELECT 1 FROM category_rules);

CREATE FUNCTION events_writer_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(${EVENTS_LOCK});
  RETURN NULL;
END $$;
CREATE TRIGGER events_writer_lock BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION events_writer_lock();
`;

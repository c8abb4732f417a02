// The PostgreSQL adapter of the settings port (src/store/settings-ports.ts): the same reads and
// writes as src/store/banned-words.ts and category-rules.ts. A word already on its list is found
// with INSERT … ON CONFLICT DO NOTHING on the (coalesce(store_id, 0), word) unique index, so two
// nodes adding one word at once get one row and one null; a list is replaced under a table lock. Words sort with COLLATE "C", SQLite's
// binary order, so both databases list (and match) them alike.
import { BANNED_WORD_COLS } from '../banned-words.js';
import type { BannedWordRow, CategoryRule, SettingsStore } from '../settings-ports.js';
import type { PgScope } from './db.js';

export function pgSettings(s: PgScope): SettingsStore {
  return {
    async addBannedWord(word, storeId, now = Date.now()) {
      const r = await s.q.query<BannedWordRow>(
        `INSERT INTO banned_words (store_id, word, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (COALESCE(store_id, 0), word) DO NOTHING RETURNING ${BANNED_WORD_COLS}`,
        [storeId, word.toLowerCase(), now],
      );
      return r.rows[0] ?? null;
    },
    removeBannedWord: async (id) => ((await s.q.query('DELETE FROM banned_words WHERE id = $1', [id])).rowCount ?? 0) > 0,
    bannedWords: async (storeId) =>
      (
        await s.q.query<BannedWordRow>(`SELECT ${BANNED_WORD_COLS} FROM banned_words WHERE store_id IS NULL OR store_id = $1 ORDER BY word COLLATE "C"`, [
          storeId ?? -1,
        ])
      ).rows,
    allBannedWords: async () =>
      (await s.q.query<BannedWordRow>(`SELECT ${BANNED_WORD_COLS} FROM banned_words ORDER BY store_id IS NOT NULL, store_id, word COLLATE "C"`)).rows,
    categoryRules: async () => (await s.q.query<CategoryRule>('SELECT category, field, pattern FROM category_rules ORDER BY position, id')).rows,
    replaceCategoryRules: (list) =>
      s.inTransaction(async (q) => {
        // Two nodes saving at once: the second waits and replaces the first's list (without the
        // lock its DELETE would miss the rows the first inserted, and both lists would stay).
        await q.query('LOCK TABLE category_rules IN SHARE ROW EXCLUSIVE MODE');
        await q.query('DELETE FROM category_rules');
        for (const [i, r] of list.entries())
          await q.query('INSERT INTO category_rules (position, category, field, pattern) VALUES ($1, $2, $3, $4)', [i + 1, r.category, r.field, r.pattern]);
      }),
  };
}

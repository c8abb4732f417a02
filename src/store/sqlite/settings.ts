// The SQLite adapter of the settings port (src/store/settings-ports.ts): the synchronous
// repositories (banned-words.ts, category-rules.ts) on the one connection, each call a settled
// promise. A word already on its list becomes null (inside a unit of work too: the insert is one
// statement, so the failed write leaves nothing behind).
import { BannedWordRepo } from '../banned-words.js';
import { CategoryRuleRepo } from '../category-rules.js';
import type { Db } from '../db.js';
import type { SettingsStore } from '../settings-ports.js';

export function sqliteSettings(db: Db): SettingsStore {
  const banned = new BannedWordRepo(db);
  const rules = new CategoryRuleRepo(db);
  return {
    async addBannedWord(word, storeId, now = Date.now()) {
      try {
        return banned.add(word, storeId, now);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return null;
        throw err;
      }
    },
    removeBannedWord: async (id) => banned.remove(id),
    bannedWords: async (storeId) => banned.list(storeId),
    allBannedWords: async () => banned.all(),
    categoryRules: async () => rules.list(),
    replaceCategoryRules: async (list) => rules.replace(list),
  };
}

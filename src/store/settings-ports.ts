// The storage port of the owner's settings (re-exported by src/store/ports.ts): banned words (a
// global list and one per store) and the ordered category rules the relay sorts incoming mail by.
// Both adapters implement it (src/store/sqlite/settings.ts, src/store/pg/settings.ts); the contract
// cases are in test/integration/settings-contract.test.ts. What the pipeline reads of them (the words
// for one store, the rules) comes through the mail port (mail-ports.ts), from the same tables.
//
// Words are stored lower-cased. Times are integer milliseconds since the epoch (UTC). A word already
// on the same list is answered with null, never with a driver's error, so callers read the same
// answer on both databases.
import type { CategoryRule } from '../core/categorize.js';
import type { BannedWordRow } from './banned-words.js';

export type { BannedWordRow, CategoryRule };

export interface SettingsStore {
  /** Adds a word or phrase to the global list (storeId null) or a store's; null when that list already has it. */
  addBannedWord(word: string, storeId: number | null, now?: number): Promise<BannedWordRow | null>;
  /** Removes one; false when there is no such id. */
  removeBannedWord(id: number): Promise<boolean>;
  /** The global words, and the store's own when a store is given; by word (binary order). */
  bannedWords(storeId: number | null): Promise<BannedWordRow[]>;
  /** Every word: the global ones first, then each store's, by store id and word. */
  allBannedWords(): Promise<BannedWordRow[]>;
  /** The category rules in their order (first match wins, core/categorize.ts). */
  categoryRules(): Promise<CategoryRule[]>;
  /** Replaces the whole list in one transaction (the settings form edits it as one). */
  replaceCategoryRules(rules: readonly CategoryRule[]): Promise<void>;
}

// Owns the category rules table: the ordered list the relay categorises incoming mail with.
import type { CategoryRule } from '../core/categorize.js';
import type { Db } from './db.js';
import { stmt } from './statements.js';

export class CategoryRuleRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  list(): CategoryRule[] {
    return stmt(this.#db, 'SELECT category, field, pattern FROM category_rules ORDER BY position, id').all() as CategoryRule[];
  }

  /** Replaces the whole list (the settings form edits it as one). */
  replace(rules: readonly CategoryRule[]): void {
    this.#db.transaction(() => {
      stmt(this.#db, 'DELETE FROM category_rules').run();
      rules.forEach((r, i) =>
        stmt(this.#db, 'INSERT INTO category_rules (position, category, field, pattern) VALUES (?, ?, ?, ?)').run(i + 1, r.category, r.field, r.pattern),
      );
    })();
  }
}

// The SQLite adapter of the templates port (src/store/template-ports.ts): the synchronous
// repository (templates.ts) on the one connection, each call a settled promise.
import type { Db } from '../db.js';
import type { TemplateStore } from '../template-ports.js';
import { TemplateRepo } from '../templates.js';

export function sqliteTemplates(db: Db): TemplateStore {
  const repo = new TemplateRepo(db);
  return {
    visible: async (storeIds) => repo.visible(storeIds),
    get: async (id) => repo.get(id),
    create: async (t, now = Date.now()) => repo.create(t, now),
    update: async (id, t, now = Date.now()) => repo.update(id, t, now),
    remove: async (id) => repo.remove(id),
  };
}

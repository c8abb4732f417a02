// The SQLite adapter of the tags port (src/store/tag-ports.ts): the synchronous repositories
// (tags.ts, notes.ts) on the one connection, each call a settled promise. A name already taken
// becomes null / false.
import type { Db } from '../db.js';
import { NoteRepo } from '../notes.js';
import type { TagStore } from '../tag-ports.js';
import { TagRepo } from '../tags.js';

function taken(err: unknown): boolean {
  return (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function sqliteTags(db: Db): TagStore {
  const tags = new TagRepo(db);
  const notes = new NoteRepo(db);
  return {
    list: async () => tags.list(),
    get: async (id) => tags.get(id),
    byName: async (name) => tags.byName(name),
    async create(name, colour) {
      try {
        return tags.create(name, colour);
      } catch (err) {
        if (taken(err)) return null;
        throw err;
      }
    },
    async update(id, name, colour) {
      try {
        tags.update(id, name, colour);
        return true;
      } catch (err) {
        if (taken(err)) return false;
        throw err;
      }
    },
    remove: async (id) => tags.remove(id),
    forMessages: async (ids) => tags.forMessages(ids),
    add: async (messageId, tagId) => tags.add(messageId, tagId),
    removeFrom: async (messageId, tagId) => tags.removeFrom(messageId, tagId),
    notes: async (pairId) => notes.forPair(pairId),
    addNote: async (pairId, userId, body, now = Date.now()) => notes.add(pairId, userId, body, now),
    report: async (messageId, userId, reason, now = Date.now()) => notes.report(messageId, userId, reason, now),
    reportedIds: async (ids) => notes.reportedIds(ids),
    openReports: async () => notes.openReports(),
    resolveReport: async (id, now = Date.now()) => notes.resolve(id, now),
  };
}

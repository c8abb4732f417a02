// The SQLite adapter of the notifications port (src/store/notification-ports.ts): the synchronous
// repositories (notifications.ts, users.ts) on the one connection, each call a settled promise.
import type { Db } from '../db.js';
import type { NotificationStore } from '../notification-ports.js';
import { NotificationRepo } from '../notifications.js';
import { UserRepo } from '../users.js';

export function sqliteNotifications(db: Db): NotificationStore {
  const repo = new NotificationRepo(db);
  const users = new UserRepo(db);
  return {
    rules: async (userId) => repo.rules(userId),
    rule: async (id) => repo.rule(id) ?? null,
    addRule: async (r, now = Date.now()) => repo.addRule(r, now),
    removeRule: async (id) => repo.removeRule(id),
    members: async () => users.list().map((u) => ({ id: u.id, name: u.name })),
    async member(id) {
      const u = users.get(id);
      return u ? { id: u.id, name: u.name, email: u.email, role: u.role, disabledAt: u.disabledAt, storeIds: users.storeIds(u) } : null;
    },
    candidates: async (userId, from, to) => repo.candidates(userId, from, to),
    record: async (userId, outcomes, now = Date.now()) => {
      for (const [messageId, outcome] of outcomes) repo.record(userId, messageId, outcome, now);
    },
  };
}

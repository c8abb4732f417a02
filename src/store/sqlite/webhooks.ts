// The SQLite adapter of the webhooks port (src/store/webhook-ports.ts): the synchronous repositories
// (webhooks.ts, events.ts) on the one connection, each call a settled promise. One writer commits
// at a time, so event ids are visible in id order and the feed needs no horizon.
import type { Db } from '../db.js';
import { EventRepo } from '../events.js';
import type { WebhookStore } from '../webhook-ports.js';
import { WebhookRepo } from '../webhooks.js';

export function sqliteWebhooks(db: Db): WebhookStore {
  const hooks = new WebhookRepo(db);
  const events = new EventRepo(db);
  return {
    create: async (url, types, now = Date.now()) => hooks.create(url, types, now),
    list: async () => hooks.list(),
    get: async (id) => hooks.get(id),
    delete: async (id) => hooks.delete(id),
    due: async (now) => hooks.due(now),
    lease: async (id, owner, leaseMs, now = Date.now()) => hooks.lease(id, owner, leaseMs, now),
    release: async (id, owner) => hooks.release(id, owner),
    advance: async (id, owner, eventId, status, outcome, error, now = Date.now()) => hooks.advance(id, owner, eventId, status, outcome, error, now),
    retryLater: async (id, owner, attempts, at, status, error, now = Date.now()) => hooks.retryLater(id, owner, attempts, at, status, error, now),
    eventsAfter: async (afterId, limit, types) => events.after(afterId, limit, types),
  };
}

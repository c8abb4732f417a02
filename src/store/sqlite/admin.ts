// The SQLite adapter of the admin port (src/store/admin-ports.ts): the synchronous repositories
// (users.ts, stores.ts, credentials.ts, mailbox-changes.ts, outbox.ts) on the one connection, each
// call a settled promise; their own transactions become savepoints inside a unit of work.
import type { AdminStore } from '../admin-ports.js';
import { BUYER_TOKEN, FIRST_SETTING, KEPT_ADDRESSES, QUEUE, RETRY_NOW, SWAP_SETTING } from '../admin-sql.js';
import { ConversationRepo } from '../conversations.js';
import { CredentialRepo } from '../credentials.js';
import type { Db } from '../db.js';
import { MailboxChangeRepo } from '../mailbox-changes.js';
import { OutboxRepo } from '../outbox.js';
import { stmt } from '../statements.js';
import { StoreRepo } from '../stores.js';
import { UserRepo } from '../users.js';

function taken(err: unknown): boolean {
  return (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function sqliteAdmin(db: Db): AdminStore {
  const users = new UserRepo(db);
  const stores = new StoreRepo(db);
  const credentials = new CredentialRepo(db);
  const changes = new MailboxChangeRepo(db);
  const outbox = new OutboxRepo(db);
  const assignment = new ConversationRepo(db);
  const swap = (key: string, expected: string | null, next: string) =>
    (expected === null ? stmt(db, FIRST_SETTING).run(key, next) : stmt(db, SWAP_SETTING).run(next, key, expected)).changes === 1;
  return {
    users: {
      get: async (id) => users.get(id),
      withHash: async (email) => users.withHash(email),
      count: async () => users.count(),
      list: async () => users.list(),
      storeIds: async (user) => users.storeIds(user),
      async insert(input, now = Date.now()) {
        try {
          return db.transaction(() => users.insert(input, now))();
        } catch (err) {
          if (taken(err)) return null;
          throw err;
        }
      },
      insertFirstOwner: async (input, setup, now = Date.now()) =>
        db.transaction(() => (users.count() === 0 && swap(setup.key, setup.expected, setup.spent) ? users.insert({ ...input, role: 'owner' }, now) : null))(),
      setStores: async (userId, storeIds) => users.setStores(userId, storeIds),
      setPasswordHash: async (userId, hash) => users.setPasswordHash(userId, hash),
      setDisabled: async (userId, disabled, now = Date.now()) => users.setDisabled(userId, disabled, now),
      setTimeZone: async (userId, tz) => users.setTimeZone(userId, tz),
    },
    stores: {
      list: async () => stores.list(),
      get: async (id) => stores.get(id),
      bound: async (id) => stores.bound(id),
      update: async (id, input, now = Date.now()) => (stores.get(id) ? stores.update(id, input, now) : null),
      senders: async (storeId) => stores.senders(storeId),
      sender: async (id) => stores.sender(id),
      policy: async (storeId) => stores.policy(storeId),
      setPolicy: async (storeId, patch) => stores.setPolicy(storeId, patch),
      removeSender: async (id, now = Date.now()) => stores.removeSender(id, now),
      setSenderStatus: async (id, status, now = Date.now()) => stores.setSenderStatus(id, status, now),
      roundRobin: async (storeId) => assignment.roundRobin(storeId),
      setRoundRobin: async (storeId, on) => assignment.setRoundRobin(storeId, on),
    },
    credentials: {
      insert: async (senderId, label, hash, now = Date.now()) => credentials.insert(senderId, label, hash, now),
      get: async (id) => credentials.get(id),
      list: async (senderId) => credentials.list(senderId),
      revoke: async (id, now = Date.now()) => credentials.revoke(id, now),
    },
    mailboxChanges: {
      request: async (storeId, mailbox, by, ttlMs, now = Date.now()) => changes.request(storeId, mailbox, by, ttlMs, now),
      get: async (id) => changes.get(id),
      pending: async (storeId, now = Date.now()) => changes.pending(storeId, now),
      confirm: async (id, now = Date.now()) => changes.confirm(id, now),
    },
    operations: {
      outbox: async (f) => outbox.list(f),
      retryNow: async (id, now = Date.now()) => stmt(db, RETRY_NOW).run(now, now, id).changes > 0,
      buyerToken: async (email) => (stmt(db, BUYER_TOKEN).get(email.toLowerCase()) as { token: string } | undefined)?.token ?? null,
      async queue(now = Date.now()) {
        const row = stmt(db, QUEUE).get() as { waiting: number; oldest: number | null };
        return { waiting: row.waiting, oldestAgeSeconds: row.oldest === null ? 0 : Math.max(0, (now - row.oldest) / 1000) };
      },
      async databaseCheck() {
        const integrity = String(db.pragma('quick_check', { simple: true }));
        return integrity === 'ok' ? { ok: true, detail: 'integrity check passed' } : { ok: false, detail: `integrity check: ${integrity}` };
      },
    },
    keptAddresses: async () => (stmt(db, KEPT_ADDRESSES).all() as { a: string }[]).map((r) => r.a),
    swapSetting: async (key, expected, next) => swap(key, expected, next),
  };
}

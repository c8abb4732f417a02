// The SQLite adapter of the mail path's port (src/store/mail-ports.ts): the synchronous
// repositories on the one connection, each call a settled promise. Reads run at once; refusal
// events ride the gateway's group commit when there is one.
import type { Db } from '../db.js';
import { BannedWordRepo } from '../banned-words.js';
import { CategoryRuleRepo } from '../category-rules.js';
import { CredentialRepo } from '../credentials.js';
import { EventRepo } from '../events.js';
import type { MailStore, NewMessage } from '../mail-ports.js';
import { MessageStats } from '../message-stats.js';
import { MessageRepo } from '../messages.js';
import { OrderRepo } from '../orders.js';
import { PairRepo } from '../pairs.js';
import { stmt } from '../statements.js';
import { StoreRepo } from '../stores.js';
import type { Committer } from './storage.js';

/**
 * The messages row, body, search row and message.received event, synchronously, in the caller's
 * transaction: what the commit's outbox write (relay/outbox-entry.ts) runs inside the group commit.
 */
export function insertMessageSync(messages: MessageRepo, events: EventRepo, m: NewMessage): number {
  const id = messages.insert(m);
  events.messageReceived(id, m.receivedAt);
  return id;
}

export function sqliteMail(db: Db, commit: Committer): MailStore {
  const pairs = new PairRepo(db);
  const stores = new StoreRepo(db);
  const messages = new MessageRepo(db);
  const events = new EventRepo(db);
  const stats = new MessageStats(db);
  const banned = new BannedWordRepo(db);
  const orders = new OrderRepo(db);
  const categories = new CategoryRuleRepo(db);
  const credentials = new CredentialRepo(db);
  return {
    pairByToken: async (token) => pairs.byToken(token),
    pairByStoreAndEmail: async (storeId, email) => pairs.byStoreAndEmail(storeId, email),
    pairById: async (id) => pairs.byId(id),
    messageAuthor: async (id) => messages.authorOf(id),
    storeBySlug: async (slug) => stores.bySlug(slug),
    sender: async (id) => stores.sender(id),
    findSender: async (storeId, email) => stores.findSender(storeId, email),
    senders: async (storeId) => stores.senders(storeId),
    firstOwnerEmail: async () =>
      (stmt(db, "SELECT email FROM users WHERE role = 'owner' AND disabled_at IS NULL ORDER BY id LIMIT 1").get() as { email: string } | undefined)?.email ??
      null,
    policy: async (storeId) => stores.policy(storeId),
    bannedWords: async (storeId) => banned.wordsFor(storeId),
    idMappings: async (pairId, ids) => messages.idMappings(pairId, ids),
    sendCounts: async (storeId, pairId, now) => stats.forSend(storeId, pairId, now),
    orderSummaries: async (pairId) => orders.summariesForPair(pairId),
    categoryRules: async () => categories.list(),
    // Through the group commit, not a transaction of its own: that one's COMMIT waited for its
    // fsync on the SMTP thread (synchronous=FULL), and every session with it (a visitor's first message).
    ensurePair: async (storeId, email, rawName, kind, now = Date.now()) =>
      db.inTransaction ? pairs.ensure(storeId, email, rawName, kind, now) : commit.run(() => pairs.ensure(storeId, email, rawName, kind, now)),
    insertMessage: async (m) => (db.inTransaction ? insertMessageSync(messages, events, m) : db.transaction(() => insertMessageSync(messages, events, m))()),
    submissionCandidates: async (email) => credentials.candidates(email),
    // The same: a submission login's last-used time waited for its own fsync on the SMTP thread.
    touchCredential: async (id, now = Date.now()) => commit.run(() => credentials.touch(id, now)),
    appendEvents: async (list, now = Date.now()) =>
      commit.run(() => {
        for (const e of list) events.append(e.type, e.storeId, e.data, now);
      }),
  };
}

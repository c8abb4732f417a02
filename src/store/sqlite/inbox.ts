// The SQLite adapter of the inbox port (src/store/inbox-ports.ts): the synchronous repositories on
// the one connection (inbox.ts, conversations.ts, drafts.ts, pair-messages.ts, messages.ts,
// erasure.ts), each call a settled promise; the report is the one implementation both databases
// share (reports.ts over a SqlRunner).
import type { Db } from '../db.js';
import { ConversationRepo } from '../conversations.js';
import { DraftRepo } from '../drafts.js';
import { eraseBuyer } from '../erasure.js';
import { InboxRepo } from '../inbox.js';
import type { InboxStore } from '../inbox-ports.js';
import { MessageRepo } from '../messages.js';
import { PairMessageRepo } from '../pair-messages.js';
import { ReportRepo } from '../reports.js';
import { sqliteRunner } from '../sql-runner.js';

export function sqliteInbox(db: Db): InboxStore {
  const inbox = new InboxRepo(db);
  const conversations = new ConversationRepo(db);
  const drafts = new DraftRepo(db);
  const pairMessages = new PairMessageRepo(db);
  const messages = new MessageRepo(db);
  const reports = new ReportRepo(sqliteRunner(db));
  return {
    list: async (f) => inbox.list(f),
    unreadByStore: async (ids) => inbox.unreadByStore(ids),
    unreadByCategory: async (ids) => inbox.unreadByCategory(ids),
    tagsForPairs: async (ids) => inbox.tagsForPairs(ids),
    newestId: async (ids) => inbox.newestId(ids),

    pair: async (id) => inbox.pair(id),
    conversation: async (id) => inbox.conversation(id),
    message: async (id, storeIds) => inbox.message(id, storeIds),
    otherConversations: async (id, storeIds) => inbox.otherConversations(id, storeIds),
    latest: async (pairId) => {
      const { last, lastBuyer } = inbox.messageIds(pairId);
      return { last, lastBuyer };
    },
    taggedMessages: async (pairId, tagId) => inbox.messageIds(pairId).tagged(tagId),
    relayIdInPair: async (messageId, pairId) => messages.relayIdInPair(messageId, pairId),
    setMessageCategory: async (id, category, storeIds) => inbox.setCategory(id, category, storeIds),
    markPairRead: async (pairId, now) => inbox.markPairRead(pairId, now),

    state: async (pairId) => conversations.state(pairId),
    visible: async (pairIds, storeIds) => conversations.visible(pairIds, storeIds),
    setStatus: async (pairIds, status, storeIds, now) => conversations.setStatus(pairIds, status, storeIds, now),
    setRead: async (pairIds, read, storeIds, now) => conversations.setRead(pairIds, read, storeIds, now),
    readShown: async (pairId, shownUpTo, storeIds, now) => conversations.readShown(pairId, shownUpTo, storeIds, now),
    setCategory: async (pairIds, category, storeIds) => conversations.setCategory(pairIds, category, storeIds),
    assign: async (pairIds, userId, storeIds, now) => conversations.assign(pairIds, userId, storeIds, now),
    snooze: async (pairIds, until, storeIds, now) => conversations.snooze(pairIds, until, storeIds, now),
    assignable: async (storeIds) => conversations.assignable(storeIds),
    roundRobin: async (storeId) => conversations.roundRobin(storeId),
    setRoundRobin: async (storeId, on) => conversations.setRoundRobin(storeId, on),

    draft: async (userId, pairId) => drafts.get(userId, pairId),
    saveDraft: async (userId, pairId, d, now) => drafts.save(userId, pairId, d, now),
    removeDraft: async (userId, pairId) => drafts.remove(userId, pairId),

    pairMessages: async (pairId, beforeId, limit) => pairMessages.list(pairId, beforeId, limit),
    pairMessage: async (pairId, id) => pairMessages.get(pairId, id),
    messages: async (f) => messages.list(f),

    responseTimes: (scope) => reports.responseTimes(scope),
    staff: () => reports.staff(),
    conversationClock: (pairId) => reports.conversationClock(pairId),
    markNoResponseNeeded: (pairId, userId, now) => reports.markNoResponseNeeded(pairId, userId, now),

    eraseBuyer: async (email) => eraseBuyer(db, email),
  };
}

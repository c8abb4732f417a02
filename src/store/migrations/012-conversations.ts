// Conversations: the support team works a buyer's conversation with a store (a pair), not single
// messages. One row per pair, kept by triggers on every message insert and read/category change,
// so the inbox lists conversations from a 40 000-row table instead of grouping a million messages:
// status (open: waiting on us; pending: waiting on the buyer; follow_up; processed;
// replied_on_platform), the latest message, the unread count, whether a delivered copy carries a
// file, the assignee, a snooze. A buyer message reopens a processed (or replied-on-platform)
// conversation, ends a snooze, and starts the response clock (waiting_since) if it was not running;
// a staff message (not a campaign) stops the clock and moves an open conversation to pending.
// A snooze that ended needs no write to come back: the list reads it as awake and unread.
// Drafts: the reply a user is typing, kept per user and conversation until sent.
// Written so that running it again (a test that winds user_version back) changes nothing.
// No foreign keys on pair_id/user ids: pairs and users are never deleted, and a missing row must
// not make anyone else's delete fail.
export const sql = `
CREATE TABLE IF NOT EXISTS conversations (
  pair_id INTEGER PRIMARY KEY,
  store_id INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'follow_up', 'processed', 'replied_on_platform')),
  last_message_id INTEGER NOT NULL,
  last_buyer_id INTEGER,
  category TEXT,
  waiting_since INTEGER,
  unread INTEGER NOT NULL DEFAULT 0,
  files INTEGER NOT NULL DEFAULT 0,
  assignee_id INTEGER,
  snoozed_until INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_last ON conversations(last_message_id);
CREATE INDEX IF NOT EXISTS conversations_store_last ON conversations(store_id, last_message_id);
CREATE INDEX IF NOT EXISTS conversations_waiting ON conversations(waiting_since) WHERE waiting_since IS NOT NULL;
CREATE INDEX IF NOT EXISTS conversations_snoozed ON conversations(snoozed_until) WHERE snoozed_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS conversations_assignee ON conversations(assignee_id, last_message_id) WHERE assignee_id IS NOT NULL;

INSERT OR IGNORE INTO conversations (pair_id, store_id, status, last_message_id, last_buyer_id, unread, updated_at)
  SELECT pair_id, store_id,
    CASE
      WHEN sum(direction = 'buyer_to_store' AND status = 'follow_up') > 0 THEN 'follow_up'
      WHEN sum(direction = 'buyer_to_store' AND status = 'pending') > 0 THEN 'open'
      WHEN sum(direction = 'buyer_to_store') = 0 THEN 'pending'
      WHEN sum(direction = 'buyer_to_store' AND status = 'processed') > 0 THEN 'processed'
      ELSE 'replied_on_platform'
    END,
    max(id), max(CASE WHEN direction = 'buyer_to_store' THEN id END),
    sum(direction = 'buyer_to_store' AND read_at IS NULL), max(received_at)
  FROM messages GROUP BY pair_id;
UPDATE conversations SET
  category = (SELECT category FROM messages WHERE id = conversations.last_buyer_id),
  waiting_since = (SELECT min(received_at) FROM messages m WHERE m.pair_id = conversations.pair_id AND m.direction = 'buyer_to_store'
    AND m.id > coalesce((SELECT max(id) FROM messages s WHERE s.pair_id = conversations.pair_id AND s.direction = 'store_to_buyer' AND s.source != 'campaign'), 0)),
  files = (SELECT count(*) FROM outbox o JOIN outbox_bodies b ON b.outbox_id = o.id JOIN messages m ON m.id = o.message_id
    WHERE m.pair_id = conversations.pair_id AND o.kind = 'relay' AND instr(b.raw, CAST('Content-Disposition: attachment' AS BLOB)) > 0);

CREATE TRIGGER IF NOT EXISTS conversations_message AFTER INSERT ON messages BEGIN
  INSERT OR IGNORE INTO conversations (pair_id, store_id, status, last_message_id, updated_at)
    VALUES (NEW.pair_id, NEW.store_id, CASE WHEN NEW.direction = 'buyer_to_store' THEN 'open' ELSE 'pending' END, NEW.id, NEW.received_at);
  UPDATE conversations SET
    last_message_id = max(last_message_id, NEW.id),
    last_buyer_id = NEW.id,
    category = NEW.category,
    waiting_since = coalesce(waiting_since, NEW.received_at),
    unread = unread + (NEW.read_at IS NULL),
    snoozed_until = NULL,
    status = CASE WHEN status IN ('pending', 'processed', 'replied_on_platform') THEN 'open' ELSE status END,
    updated_at = NEW.received_at
  WHERE pair_id = NEW.pair_id AND NEW.direction = 'buyer_to_store';
  UPDATE conversations SET
    last_message_id = max(last_message_id, NEW.id),
    waiting_since = CASE WHEN NEW.source = 'campaign' THEN waiting_since END,
    status = CASE WHEN status = 'open' AND NEW.source != 'campaign' THEN 'pending' ELSE status END,
    updated_at = NEW.received_at
  WHERE pair_id = NEW.pair_id AND NEW.direction = 'store_to_buyer';
END;

CREATE TRIGGER IF NOT EXISTS conversations_read AFTER UPDATE OF read_at ON messages
  WHEN NEW.direction = 'buyer_to_store' AND (OLD.read_at IS NULL) != (NEW.read_at IS NULL) BEGIN
  UPDATE conversations SET unread = max(0, unread + CASE WHEN NEW.read_at IS NULL THEN 1 ELSE -1 END) WHERE pair_id = NEW.pair_id;
END;

CREATE TRIGGER IF NOT EXISTS conversations_category AFTER UPDATE OF category ON messages WHEN NEW.direction = 'buyer_to_store' BEGIN
  UPDATE conversations SET category = NEW.category WHERE pair_id = NEW.pair_id AND last_buyer_id = NEW.id;
END;

-- The delivered copy (what the other side got) is composed by nodemailer, which writes every file
-- part with this header: the inbox shows a paperclip without parsing anything.
CREATE TRIGGER IF NOT EXISTS conversations_files AFTER INSERT ON outbox_bodies
  WHEN instr(NEW.raw, CAST('Content-Disposition: attachment' AS BLOB)) > 0 BEGIN
  UPDATE conversations SET files = files + 1
    WHERE pair_id = (SELECT m.pair_id FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.id = NEW.outbox_id AND o.kind = 'relay');
END;

CREATE TABLE IF NOT EXISTS conversation_drafts (
  user_id INTEGER NOT NULL,
  pair_id INTEGER NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  order_number TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, pair_id)
) WITHOUT ROWID;

-- Round-robin assignment, per store, as an option: the last agent given a new conversation.
CREATE TABLE IF NOT EXISTS store_assignment (
  store_id INTEGER PRIMARY KEY,
  round_robin INTEGER NOT NULL DEFAULT 0,
  last_user_id INTEGER
);

-- When a conversation gets its first buyer message and nobody has it, a store with round-robin on
-- gives it to the next enabled agent given the store (by user id, after the last one), or to the
-- next owner when the store has no agent. In the same transaction as the message.
CREATE TRIGGER IF NOT EXISTS conversations_round_robin AFTER UPDATE OF last_buyer_id ON conversations
  WHEN OLD.last_buyer_id IS NULL AND NEW.last_buyer_id IS NOT NULL AND NEW.assignee_id IS NULL
    AND EXISTS (SELECT 1 FROM store_assignment WHERE store_id = NEW.store_id AND round_robin = 1) BEGIN
  UPDATE conversations SET assignee_id = coalesce(
    (SELECT u.id FROM users u WHERE u.disabled_at IS NULL
       AND (u.id IN (SELECT user_id FROM user_stores WHERE store_id = NEW.store_id)
         OR (u.role = 'owner' AND NOT EXISTS (SELECT 1 FROM user_stores us JOIN users a ON a.id = us.user_id WHERE us.store_id = NEW.store_id AND a.disabled_at IS NULL)))
       AND u.id > coalesce((SELECT last_user_id FROM store_assignment WHERE store_id = NEW.store_id), 0)
     ORDER BY u.id LIMIT 1),
    (SELECT u.id FROM users u WHERE u.disabled_at IS NULL
       AND (u.id IN (SELECT user_id FROM user_stores WHERE store_id = NEW.store_id)
         OR (u.role = 'owner' AND NOT EXISTS (SELECT 1 FROM user_stores us JOIN users a ON a.id = us.user_id WHERE us.store_id = NEW.store_id AND a.disabled_at IS NULL)))
     ORDER BY u.id LIMIT 1))
  WHERE pair_id = NEW.pair_id;
  UPDATE store_assignment SET last_user_id = (SELECT assignee_id FROM conversations WHERE pair_id = NEW.pair_id)
  WHERE store_id = NEW.store_id AND (SELECT assignee_id FROM conversations WHERE pair_id = NEW.pair_id) IS NOT NULL;
END;
`;

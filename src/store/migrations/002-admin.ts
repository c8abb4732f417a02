// The admin: staff accounts (owner, agents with their stores), sessions, and per-message inbox
// state (read, status). Sessions are looked up by the SHA-256 of the cookie, never the cookie.
export const sql = `
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'agent')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled_at INTEGER
);

CREATE TABLE user_stores (
  user_id INTEGER NOT NULL REFERENCES users(id),
  store_id INTEGER NOT NULL REFERENCES stores(id),
  PRIMARY KEY (user_id, store_id)
);

CREATE TABLE sessions (
  token_sha256 TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- A form submitted twice (a double click, a retried request) acts once.
CREATE TABLE form_submissions (
  key TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  result TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

ALTER TABLE messages ADD COLUMN read_at INTEGER;
-- The start of the delivered (masked) text, for the inbox list.
ALTER TABLE messages ADD COLUMN snippet TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN status TEXT NOT NULL DEFAULT 'pending'
  CHECK (status IN ('pending', 'follow_up', 'processed', 'replied_on_platform'));
ALTER TABLE messages ADD COLUMN category TEXT NOT NULL DEFAULT 'buyer_message';
CREATE INDEX messages_store_id ON messages(store_id, id);

-- Tags (at most two per message, enforced by the repository), internal notes on a conversation,
-- and reports of a message for the owner to review.
CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  colour TEXT NOT NULL
);
CREATE TABLE message_tags (
  message_id INTEGER NOT NULL REFERENCES messages(id),
  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  PRIMARY KEY (message_id, tag_id)
);
CREATE INDEX message_tags_tag ON message_tags(tag_id, message_id);
CREATE TABLE notes (
  id INTEGER PRIMARY KEY,
  pair_id INTEGER NOT NULL REFERENCES pairs(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX notes_pair ON notes(pair_id, id);
CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES messages(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  resolved_at INTEGER
);

-- Notification rules (core/notification-rules.ts) and what each staff member was told about.
CREATE TABLE notification_rules (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  category TEXT,
  store_id INTEGER REFERENCES stores(id),
  weekdays INTEGER NOT NULL,
  start_minute INTEGER NOT NULL,
  end_minute INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE notifications_sent (
  user_id INTEGER NOT NULL,
  message_id INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'skipped_read', 'no_rule')),
  at INTEGER NOT NULL,
  PRIMARY KEY (user_id, message_id)
);

-- Reply templates: global (store_id NULL, the owner's) or one store's.
CREATE TABLE templates (
  id INTEGER PRIMARY KEY,
  store_id INTEGER REFERENCES stores(id),
  name TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Category rules (core/categorize.ts): first match by position wins; editable in the admin.
CREATE TABLE category_rules (
  id INTEGER PRIMARY KEY,
  position INTEGER NOT NULL,
  category TEXT NOT NULL,
  field TEXT NOT NULL CHECK (field IN ('subject', 'sender')),
  pattern TEXT NOT NULL
);
INSERT INTO category_rules (position, category, field, pattern) VALUES
  (1, 'a_to_z_claim', 'subject', 'a-to-z'),
  (2, 'a_to_z_claim', 'subject', 'a-z guarantee'),
  (3, 'a_to_z_claim', 'subject', 'guarantee claim'),
  (4, 'refund', 'subject', 'refund'),
  (5, 'refund', 'subject', 'return'),
  (6, 'marketplace_notification', 'sender', 'no-reply'),
  (7, 'marketplace_notification', 'sender', 'noreply'),
  (8, 'marketplace_notification', 'sender', 'notification'),
  (9, 'product_question', 'subject', 'question'),
  (10, 'product_question', 'subject', 'product');
CREATE INDEX messages_status ON messages(status, id);
-- Unread buyer messages per store (sidebar counts): small, because most mail gets read.
CREATE INDEX messages_unread ON messages(store_id) WHERE read_at IS NULL AND direction = 'buyer_to_store';
CREATE INDEX orders_number ON orders(number);

-- Full-text search for the inbox: subject, the delivered (masked) text, the buyer's name.
-- rowid = messages.id; written in the same transaction as the message.
CREATE VIRTUAL TABLE message_search USING fts5(subject, body, buyer, tokenize = 'unicode61 remove_diacritics 2');
`;

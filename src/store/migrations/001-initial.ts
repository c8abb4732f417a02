// The first schema: stores, permitted senders, buyers, pairs, orders, messages, id map, outbox.
// Times are integer milliseconds since the epoch (UTC); money is integer minor units.
export const sql = `
CREATE TABLE stores (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  mailbox TEXT NOT NULL,
  -- The store's messaging-rule overrides as JSON; missing keys take the defaults.
  policy TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL
);

CREATE TABLE permitted_senders (
  id INTEGER PRIMARY KEY,
  store_id INTEGER NOT NULL REFERENCES stores(id),
  email TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('enabled', 'blocked')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (store_id, email)
);
CREATE INDEX permitted_senders_email ON permitted_senders(email);

-- App passwords for the submission port: one permitted sender may hold several (one per device).
-- Only an scrypt hash is kept; the password is shown once when it is made.
CREATE TABLE submission_credentials (
  id INTEGER PRIMARY KEY,
  permitted_sender_id INTEGER NOT NULL REFERENCES permitted_senders(id),
  label TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX submission_credentials_sender ON submission_credentials(permitted_sender_id);

CREATE TABLE buyers (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('customer', 'visitor')),
  -- Set when mail to the buyer hard-bounced; cleared when an order brings a new confirmation.
  undeliverable_at INTEGER,
  created_at INTEGER NOT NULL
);

CREATE TABLE pairs (
  id INTEGER PRIMARY KEY,
  store_id INTEGER NOT NULL REFERENCES stores(id),
  buyer_id INTEGER NOT NULL REFERENCES buyers(id),
  token TEXT NOT NULL UNIQUE,
  opted_out INTEGER NOT NULL DEFAULT 0,
  opted_out_at INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE (store_id, buyer_id)
);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  store_id INTEGER NOT NULL REFERENCES stores(id),
  pair_id INTEGER NOT NULL REFERENCES pairs(id),
  number TEXT NOT NULL,
  status TEXT NOT NULL,
  currency TEXT NOT NULL,
  total_minor INTEGER NOT NULL,
  placed_at INTEGER NOT NULL,
  completed_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (store_id, number)
);
CREATE INDEX orders_pair ON orders(pair_id);

CREATE TABLE order_items (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  sku TEXT NOT NULL,
  name TEXT NOT NULL,
  category TEXT,
  manufacturer TEXT,
  unit_price_minor INTEGER NOT NULL,
  quantity INTEGER NOT NULL
);
CREATE INDEX order_items_order ON order_items(order_id);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  pair_id INTEGER NOT NULL REFERENCES pairs(id),
  store_id INTEGER NOT NULL REFERENCES stores(id),
  direction TEXT NOT NULL CHECK (direction IN ('buyer_to_store', 'store_to_buyer')),
  source TEXT NOT NULL,
  author_email TEXT NOT NULL,
  permitted_sender_id INTEGER REFERENCES permitted_senders(id),
  subject TEXT NOT NULL,
  original_message_id TEXT,
  relay_message_id TEXT NOT NULL UNIQUE,
  verdict TEXT NOT NULL,
  findings TEXT NOT NULL,
  changes TEXT NOT NULL,
  size INTEGER NOT NULL,
  critical INTEGER NOT NULL DEFAULT 0,
  critical_to_opted_out INTEGER NOT NULL DEFAULT 0,
  auto_submitted INTEGER NOT NULL DEFAULT 0,
  suspicious INTEGER NOT NULL DEFAULT 0,
  received_at INTEGER NOT NULL
);

-- Bodies live apart from the rows that change: SQLite rewrites a whole record, overflow pages
-- included, on any UPDATE, so a status change on a row holding 1 MB would write 1 MB.
CREATE TABLE message_bodies (
  message_id INTEGER PRIMARY KEY REFERENCES messages(id),
  raw BLOB NOT NULL
);
CREATE INDEX messages_pair ON messages(pair_id, id);
CREATE INDEX messages_pair_time ON messages(pair_id, direction, received_at);
CREATE INDEX messages_store_time ON messages(store_id, direction, received_at);
CREATE INDEX messages_original_id ON messages(pair_id, original_message_id);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  message_id INTEGER REFERENCES messages(id),
  kind TEXT NOT NULL CHECK (kind IN ('relay', 'notice')),
  env_from TEXT NOT NULL,
  env_to TEXT NOT NULL,
  size INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'captured', 'deferred', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  done_at INTEGER
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status IN ('queued', 'deferred');
CREATE INDEX outbox_status ON outbox(status, id);
CREATE INDEX outbox_message ON outbox(message_id);

CREATE TABLE outbox_bodies (
  outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id),
  raw BLOB NOT NULL
);

CREATE TABLE banned_words (
  id INTEGER PRIMARY KEY,
  store_id INTEGER REFERENCES stores(id), -- NULL: applies to every store
  word TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX banned_words_unique ON banned_words(COALESCE(store_id, 0), word);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

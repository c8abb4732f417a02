// Campaigns: post-purchase mail to audiences chosen from order history. The ledger
// (campaign_recipients) has one row per campaign and pair, written when the campaign starts; each
// row ends sent (with its outbox id), skipped (why) or failed (why), and is never sent twice.
export const sql = `
CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY,
  store_id INTEGER NOT NULL REFERENCES stores(id),
  name TEXT NOT NULL,
  preset TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  -- The audience filters as JSON (order dates, categories, amounts, manufacturers, SKUs, …).
  audience TEXT NOT NULL,
  -- Variables the preset fills: promo code, chosen items.
  extras TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'late', 'sending', 'paused', 'done', 'cancelled')),
  scheduled_at INTEGER,
  started_at INTEGER,
  finished_at INTEGER,
  -- Hash of subject, body and audience: a copy sent to the same audience within days needs a confirmation.
  content_hash TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX campaigns_store ON campaigns(store_id, created_at);
CREATE INDEX campaigns_status ON campaigns(status);

CREATE TABLE campaign_recipients (
  id INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  pair_id INTEGER NOT NULL REFERENCES pairs(id),
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'skipped', 'failed', 'unknown')),
  reason TEXT,
  outbox_id INTEGER,
  message_id INTEGER,
  claimed_at INTEGER,
  done_at INTEGER,
  UNIQUE (campaign_id, pair_id)
);
CREATE INDEX campaign_recipients_pending ON campaign_recipients(campaign_id, status);
-- "Got a campaign from this store in the last 7 days": sent rows by pair and time.
CREATE INDEX campaign_recipients_pair ON campaign_recipients(pair_id, status, done_at);

-- A buyer who unsubscribed from a store's campaigns (the public page or List-Unsubscribe).
CREATE TABLE campaign_unsubscribes (
  pair_id INTEGER PRIMARY KEY REFERENCES pairs(id),
  via TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Campaign messages name the message they were sent for, so a row caught mid-send after a crash
-- is resolved from what was stored, never sent again blindly.
ALTER TABLE messages ADD COLUMN campaign_recipient_id INTEGER;
CREATE INDEX messages_campaign_recipient ON messages(campaign_recipient_id) WHERE campaign_recipient_id IS NOT NULL;

-- Campaign deliveries are at most once: an attempt is recorded before it starts, and one the
-- gateway died during is reported as unknown, not repeated.
ALTER TABLE outbox ADD COLUMN at_most_once INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN attempt_started_at INTEGER;

-- The buyer's choice on the unsubscribe page: whether the store may see their name.
ALTER TABLE pairs ADD COLUMN hide_name INTEGER NOT NULL DEFAULT 0;

-- Audience queries: a store's orders by buyer and by date (covering what the filters read), and
-- items by SKU, category and manufacturer.
CREATE INDEX orders_store_pair ON orders(store_id, pair_id, status, placed_at, total_minor);
CREATE INDEX orders_store_placed ON orders(store_id, placed_at, status, total_minor, pair_id);
CREATE INDEX order_items_sku ON order_items(sku, order_id);
CREATE INDEX order_items_category ON order_items(category, order_id);
CREATE INDEX order_items_manufacturer ON order_items(manufacturer, order_id);
`;

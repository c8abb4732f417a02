// Prospects and credits: people who are not buyers yet (a wishlist, an abandoned cart), imported
// from CSV per store, and the store's credit balance that messages to them cost. The balance is a
// ledger of deltas; a campaign is charged when it starts and refunded for prospects it skipped.
export const sql = `
CREATE TABLE prospects (
  pair_id INTEGER PRIMARY KEY REFERENCES pairs(id),
  list TEXT NOT NULL,
  imported_at INTEGER NOT NULL
);
CREATE INDEX prospects_list ON prospects(list);

CREATE TABLE store_credits (
  id INTEGER PRIMARY KEY,
  store_id INTEGER NOT NULL REFERENCES stores(id),
  delta INTEGER NOT NULL,
  reason TEXT NOT NULL,
  campaign_id INTEGER REFERENCES campaigns(id),
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX store_credits_store ON store_credits(store_id);
CREATE INDEX store_credits_campaign ON store_credits(campaign_id) WHERE campaign_id IS NOT NULL;

-- A ledger row for someone with no order at the start (a prospect) costs credits.
ALTER TABLE campaign_recipients ADD COLUMN prospect INTEGER NOT NULL DEFAULT 0;
-- The price per prospect message when the campaign started.
ALTER TABLE campaigns ADD COLUMN prospect_price INTEGER;
`;

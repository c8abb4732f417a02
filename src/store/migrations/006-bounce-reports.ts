// Every asynchronous bounce that reached a signed bounce address, with what it was taken for: a
// failure (the delivery marked failed) or ignored, and why (no Message-ID of ours in it, before
// the hand-over, after the window, a delay …). The diagnostic is stored scrubbed, one line.
// IF NOT EXISTS: store-items.test re-runs the migrations after 4 on a database that has this table.
export const sql = `
CREATE TABLE IF NOT EXISTS bounce_reports (
  id INTEGER PRIMARY KEY,
  outbox_id INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('failed', 'ignored')),
  reason TEXT NOT NULL,
  status TEXT,
  diagnostic TEXT
);
CREATE INDEX IF NOT EXISTS bounce_reports_outbox ON bounce_reports (outbox_id);
`;

// The marketplace's feed and its webhooks. Every event is a row written in the same transaction as
// what it reports, so the feed never names a message that was rolled back, and no committed message
// lacks its event. Each webhook endpoint reads the feed with its own cursor; a lease (owner + time)
// lets one node at a time deliver to an endpoint, so delivery stays in order when several nodes run.
export const sql = `
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  store_id INTEGER,
  -- The event's JSON payload (aliases and ids; never a staff address).
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX events_type ON events(type, id);

CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  -- JSON array of the event types this endpoint wants.
  events TEXT NOT NULL,
  -- The HMAC key itself: signing needs it, so it cannot be a hash (see docs/webhooks.md).
  secret TEXT NOT NULL,
  -- The last event id handled (delivered, or given up after a day); starts at the newest event.
  cursor INTEGER NOT NULL,
  -- Failed attempts at the event after the cursor, and when the next one is due.
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  last_status INTEGER,
  last_error TEXT,
  last_attempt_at INTEGER,
  delivered INTEGER NOT NULL DEFAULT 0,
  dropped INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
`;

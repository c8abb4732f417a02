// Staff accounts and store mailboxes under the owner's control (issues 12.6 and 15): each user's
// own time zone (NULL: the gateway's `admin.timeZone`), and mailbox changes that wait for a
// confirmation link opened from the new mailbox before mail goes there.
export const sql = `
ALTER TABLE users ADD COLUMN time_zone TEXT;

CREATE TABLE store_mailbox_changes (
  id INTEGER PRIMARY KEY,
  store_id INTEGER NOT NULL REFERENCES stores(id),
  mailbox TEXT NOT NULL,
  requested_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  -- set when confirmed (applied) or superseded by a later request; a settled row's link is dead
  settled_at INTEGER,
  outcome TEXT CHECK (outcome IN ('confirmed', 'superseded'))
);
CREATE INDEX store_mailbox_changes_store ON store_mailbox_changes(store_id);
`;

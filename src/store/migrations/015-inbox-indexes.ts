// Indexes for the inbox filters that walked every conversation at 1 000 000 messages
// (bench/inbox-bench.ts, 125 000 conversations): a status filter (the rare ones, "to follow up",
// matched a few rows among all), and "due first", which gathered every conversation that had ever
// waited (processed ones keep their waiting_since) to sort them by deadline. The due indexes hold
// only what still waits, in deadline order, so the first page is the first 50 entries; their
// expression and WHERE are exactly those of store/inbox.ts (SQLite uses an expression or partial
// index only for the same terms). The message reports looked up per conversation card get an index
// on the message too.
const DUE = "waiting_since + CASE category WHEN 'a_to_z_claim' THEN 172800000 ELSE 86400000 END";
const WAITING = "waiting_since IS NOT NULL AND status IN ('open', 'follow_up') AND category NOT IN ('marketplace_notification', 'sent')";

export const sql = `
CREATE INDEX conversations_status ON conversations(status, last_message_id);
CREATE INDEX conversations_store_status ON conversations(store_id, status, last_message_id);
CREATE INDEX conversations_due ON conversations(${DUE}, pair_id) WHERE ${WAITING};
CREATE INDEX conversations_store_due ON conversations(store_id, ${DUE}, pair_id) WHERE ${WAITING};
CREATE INDEX reports_message ON reports(message_id) WHERE resolved_at IS NULL;
`;

// PostgreSQL schema version 3: the same as SQLite migration 015 (the inbox filters' indexes; see
// that file for why). PostgreSQL wants an index expression in its own parentheses.
const DUE = "waiting_since + CASE category WHEN 'a_to_z_claim' THEN 172800000 ELSE 86400000 END";
const WAITING = "waiting_since IS NOT NULL AND status IN ('open', 'follow_up') AND category NOT IN ('marketplace_notification', 'sent')";

export const sql = `
CREATE INDEX conversations_status ON conversations(status, last_message_id);
CREATE INDEX conversations_store_status ON conversations(store_id, status, last_message_id);
CREATE INDEX conversations_due ON conversations((${DUE}), pair_id) WHERE ${WAITING};
CREATE INDEX conversations_store_due ON conversations(store_id, (${DUE}), pair_id) WHERE ${WAITING};
CREATE INDEX reports_message ON reports(message_id) WHERE resolved_at IS NULL;
`;

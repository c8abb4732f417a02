// The two indexes SQLite's migration 024 drops (no query reads them; see there), dropped here too:
// every message insert kept messages_status up, and conversations_waiting every change of a
// conversation's waiting time, inside the commit. PostgreSQL's planner had no use for them either:
// the same statements (pg/*.ts) filter messages by id, pair or store and conversations by pair,
// store, status or the due expression.
export const sql = `
DROP INDEX IF EXISTS messages_status;
DROP INDEX IF EXISTS conversations_waiting;
`;

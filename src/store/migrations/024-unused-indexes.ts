// Drops two indexes no query reads, which every write of their rows kept up inside the SMTP
// thread's commit. EXPLAIN QUERY PLAN of every statement src/store prepares (logged while its
// tests and the inbox, admin, API and report contract tests ran; the rest checked by hand):
// - messages_status (status, id): the messages' own status is only written (set by the inbox's
//   status actions, read per message on the conversation page by id); every message insert added
//   an entry to it. The conversation status filters read conversations (conversations_status).
// - conversations_waiting (waiting_since) WHERE waiting_since IS NOT NULL: the "due first" order
//   reads conversations_due and conversations_store_due (an expression over waiting_since), and
//   the one statement that filters on waiting_since alone (reports.ts) finds its row by pair_id.
// Each was one more B-tree, so one more 16 KiB page in the WAL, per commit (bench/commit-times.ts
// STEPS=1 counts them). PostgreSQL drops the same two (pg/011-unused-indexes.ts).
export const sql = `
DROP INDEX IF EXISTS messages_status;
DROP INDEX IF EXISTS conversations_waiting;
`;

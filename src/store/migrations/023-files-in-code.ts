// The inbox's paperclip (conversations.files, migration 012) is counted by the outbox's insert
// (store/outbox.ts OutboxRepo.enqueue) instead of a trigger on outbox_bodies: the trigger's
// `instr(NEW.raw, 'Content-Disposition: attachment')` scanned every delivered copy byte by byte
// inside the commit, ~1 ms of the SMTP thread per 1 MiB message (bench/commit-times.ts); the same
// search over the Buffer in Node costs 0.02-0.3 ms. The rule is unchanged: a relay row of a stored
// message whose bytes carry that header adds one to its pair's conversation. PostgreSQL keeps its
// trigger (pg/005-derived.ts): its scan runs in the database's process, not on the SMTP thread.
export const sql = `
DROP TRIGGER IF EXISTS conversations_files;
`;

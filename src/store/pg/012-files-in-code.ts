// The inbox's paperclip (conversations.files) is counted by the outbox's insert (pg/outbox.ts
// enqueue), as on SQLite (migration 023), from what the composer says the delivered copy carries
// (relay/compose.ts carriesFiles): the trigger of schema 5 searched every delivered copy for
// 'Content-Disposition: attachment' inside the commit, and also counted a text that quotes that
// header. Rows counted before stay as they are.
export const sql = `
DROP TRIGGER IF EXISTS conversations_files ON outbox_bodies;
DROP FUNCTION IF EXISTS maskgate_conversations_files();
`;

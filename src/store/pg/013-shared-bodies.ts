// As SQLite's migration 025: a relay row may store only its signed header block and point at the
// original's body (`body_length` bytes of message_bodies.raw from byte `body_from`).
export const sql = `
ALTER TABLE outbox_bodies ADD COLUMN body_from BIGINT;
ALTER TABLE outbox_bodies ADD COLUMN body_length BIGINT;
`;

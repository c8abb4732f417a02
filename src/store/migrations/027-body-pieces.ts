// An original larger than 4 MiB is stored in pieces (store/body-pieces.ts): its first MiB stays in
// message_bodies.raw, the rest in rows of 1 MiB here, so no commit binds a whole large message at
// once (issue 14: the memory tier). Deleting the message_bodies row (retention, erasure) takes its
// pieces with it. Originals stored before this migration are one row each, as every small one is.
export const sql = `
CREATE TABLE message_body_pieces (
  message_id INTEGER NOT NULL REFERENCES message_bodies(message_id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (message_id, seq)
);
`;

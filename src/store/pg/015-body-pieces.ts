// As SQLite's migration 027: an original larger than 4 MiB keeps its first MiB in
// message_bodies.raw and the rest in rows of 1 MiB here (store/body-pieces.ts), deleted with it.
export const sql = `
CREATE TABLE message_body_pieces (
  message_id BIGINT NOT NULL REFERENCES message_bodies(message_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  seq BIGINT NOT NULL,
  bytes BYTEA NOT NULL,
  PRIMARY KEY (message_id, seq)
);
`;

// A relay row whose signed copy carries the original's body byte for byte stores only the copy's
// header block in outbox_bodies.raw and points at the original's body: `body_length` bytes of the
// message's message_bodies.raw from byte `body_from` (relay/shared-body.ts, store/outbox.ts). NULL
// in both: the row's raw is the whole copy, as every row before this migration.
export const sql = `
ALTER TABLE outbox_bodies ADD COLUMN body_from INTEGER;
ALTER TABLE outbox_bodies ADD COLUMN body_length INTEGER;
`;

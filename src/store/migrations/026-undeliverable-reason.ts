// Why a buyer is undeliverable, as staff are shown it (the refusal or bounce status, scrubbed: the
// alias in place of the address, one line). NULL for a buyer marked before this migration, or not marked.
export const sql = `
ALTER TABLE buyers ADD COLUMN undeliverable_reason TEXT;
`;

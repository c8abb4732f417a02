// As SQLite's migration 026: why a buyer is undeliverable (the scrubbed status text staff see).
export const sql = `
ALTER TABLE buyers ADD COLUMN undeliverable_reason TEXT;
`;

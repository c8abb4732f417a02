// PostgreSQL schema version 2: the same as SQLite migration 016 (job leases, campaign recipient leases).
export const sql = `
CREATE TABLE job_leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  lease_until BIGINT NOT NULL
);
ALTER TABLE campaign_recipients ADD COLUMN lease_owner TEXT;
ALTER TABLE campaign_recipients ADD COLUMN lease_until BIGINT;
`;

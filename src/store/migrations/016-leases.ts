// Several nodes: periodic jobs (campaign scheduler, notifier, retention) run on the node holding
// their lease row, and campaign recipients are claimed with a node id and a lease end like the
// outbox (migration 014), so a node starting up resolves only rows whose claimer's lease ran out.
export const sql = `
CREATE TABLE job_leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  lease_until INTEGER NOT NULL
);
ALTER TABLE campaign_recipients ADD COLUMN lease_owner TEXT;
ALTER TABLE campaign_recipients ADD COLUMN lease_until INTEGER;
`;

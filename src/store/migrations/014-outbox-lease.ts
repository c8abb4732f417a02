// The outbox becomes a queue with leases: a worker claims a due row by writing its node id and a
// lease end, in a commit, before it delivers; another worker (or, later, another node) skips a row
// whose lease has not run out, and takes it over once it has. This replaces the in-memory set of
// rows in flight, which only one process could see.
export const sql = `
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
`;

// Periodic-job leases on PostgreSQL: one row per job; an upsert takes a free or run-out lease or
// renews our own, and does nothing while another node's lease is live (the row lock orders racers).
import type { JobLeases } from '../ports.js';
import type { PgScope } from './db.js';

export function pgLeases(s: PgScope): JobLeases {
  return {
    async acquire(job, owner, leaseMs, now = Date.now()) {
      const r = await s.q.query(
        `INSERT INTO job_leases (name, owner, lease_until) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
         WHERE job_leases.owner = excluded.owner OR job_leases.lease_until <= $4`,
        [job, owner, now + leaseMs, now],
      );
      return (r.rowCount ?? 0) > 0;
    },
    async release(job, owner) {
      await s.q.query('DELETE FROM job_leases WHERE name = $1 AND owner = $2', [job, owner]);
    },
    async holder(job, now = Date.now()) {
      const r = await s.q.query<{ owner: string }>('SELECT owner FROM job_leases WHERE name = $1 AND lease_until > $2', [job, now]);
      return r.rows[0]?.owner ?? null;
    },
  };
}

// The PostgreSQL adapter of the notifications port (src/store/notification-ports.ts): the same
// statements as src/store/notifications.ts (NOTIFICATION_SQL, numbered for PostgreSQL), and the
// member reads of src/store/users.ts. A message settled by two nodes at once keeps one row
// (ON CONFLICT DO NOTHING on the (user, message) key).
import type { Candidate, NotificationStore, NotifiedMember, StoredRule } from '../notification-ports.js';
import { NOTIFICATION_SQL, ruleValues, toCandidate, type CandidateRow } from '../notifications.js';
import type { PgScope } from './db.js';
import { pgPlaceholders } from './placeholders.js';

const SQL = Object.fromEntries(Object.entries(NOTIFICATION_SQL).map(([k, v]) => [k, pgPlaceholders(v)])) as Record<keyof typeof NOTIFICATION_SQL, string>;

export function pgNotifications(s: PgScope): NotificationStore {
  return {
    rules: async (userId) => (userId === undefined ? await s.q.query<StoredRule>(SQL.rules) : await s.q.query<StoredRule>(SQL.rulesOf, [userId])).rows,
    rule: async (id) => (await s.q.query<StoredRule>(SQL.rule, [id])).rows[0] ?? null,
    async addRule(r, now = Date.now()) {
      await s.q.query(SQL.addRule, ruleValues(r, now));
    },
    async removeRule(id) {
      await s.q.query(SQL.removeRule, [id]);
    },
    members: async () => (await s.q.query<{ id: number; name: string }>('SELECT id, name FROM users ORDER BY id')).rows,
    async member(id): Promise<NotifiedMember | null> {
      const u = (await s.q.query<Omit<NotifiedMember, 'storeIds'>>('SELECT id, name, email, role, disabled_at AS "disabledAt" FROM users WHERE id = $1', [id]))
        .rows[0];
      if (!u) return null;
      const stores =
        u.role === 'owner'
          ? await s.q.query<{ id: number }>('SELECT id FROM stores ORDER BY id')
          : await s.q.query<{ id: number }>('SELECT store_id AS id FROM user_stores WHERE user_id = $1 ORDER BY store_id', [id]);
      return { ...u, storeIds: stores.rows.map((r) => r.id) };
    },
    candidates: async (userId, from, to): Promise<Candidate[]> => (await s.q.query<CandidateRow>(SQL.candidates, [from, to, userId])).rows.map(toCandidate),
    async record(userId, outcomes, now = Date.now()) {
      if (outcomes.length === 0) return;
      await s.q.query(
        `INSERT INTO notifications_sent (user_id, message_id, outcome, at)
         SELECT $1, m, o, $4 FROM unnest($2::bigint[], $3::text[]) AS t(m, o)
         ON CONFLICT (user_id, message_id) DO NOTHING`,
        [userId, outcomes.map(([m]) => m), outcomes.map(([, o]) => o), now],
      );
    },
  };
}

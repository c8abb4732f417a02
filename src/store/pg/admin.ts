// The PostgreSQL adapter of the admin port (src/store/admin-ports.ts): the same reads and writes as
// the SQLite repositories, the statements both dialects share written once (admin-sql.ts). What
// two nodes may do at once is settled by the database: an email taken is ON CONFLICT DO NOTHING,
// the first owner is created only by the request whose conditional UPDATE spent the setup token
// (the others wait on that row and then find it changed), a mailbox link confirms once (a
// conditional UPDATE on the request), a policy change merges under the store's row lock.
import { DEFAULT_POLICY, type StorePolicy } from '../../core/messaging-rules.js';
import type { AdminStore, NewUser, User } from '../admin-ports.js';
import {
  BUYER_TOKEN,
  CREDENTIAL_COLS,
  FIRST_SETTING,
  KEPT_ADDRESSES,
  MAILBOX_CHANGE_COLS,
  pgText,
  QUEUE,
  RETRY_NOW,
  STORE_COLS,
  SWAP_SETTING,
  USER_COLS,
} from '../admin-sql.js';
import type { CredentialRow } from '../credentials.js';
import type { ConfirmOutcome, MailboxChange } from '../mailbox-changes.js';
import type { OutboxRow } from '../outbox.js';
import type { PermittedSenderRow, StoreRow } from '../stores.js';
import type { PgScope, Queryable } from './db.js';
import { pgMail } from './mail.js';
import { OUTBOX_COLS } from './outbox.js';

async function one<T>(q: Queryable, text: string, values: unknown[] = []): Promise<T | null> {
  return ((await q.query(pgText(text), values)).rows[0] as T | undefined) ?? null;
}
async function all<T>(q: Queryable, text: string, values: unknown[] = []): Promise<T[]> {
  return (await q.query(pgText(text), values)).rows as T[];
}
async function run(q: Queryable, text: string, values: unknown[] = []): Promise<number> {
  return (await q.query(pgText(text), values)).rowCount ?? 0;
}

const SENDER_COLS = 'id, store_id AS storeId, email, status, created_at AS createdAt, updated_at AS updatedAt';

async function insertUser(q: Queryable, input: NewUser, now: number): Promise<User | null> {
  const user = await one<User>(
    q,
    `INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING ${USER_COLS}`,
    [input.email.trim().toLowerCase(), input.name, input.role, input.passwordHash, now],
  );
  if (!user) return null;
  for (const storeId of input.storeIds ?? [])
    await run(q, 'INSERT INTO user_stores (user_id, store_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [user.id, storeId]);
  return user;
}

async function updateStore(q: Queryable, id: number, input: { name: string; mailbox: string }, now: number): Promise<StoreRow | null> {
  const mailbox = input.mailbox.toLowerCase();
  const store = await one<StoreRow>(q, `UPDATE stores SET name = ?, mailbox = ? WHERE id = ? RETURNING ${STORE_COLS}`, [input.name, mailbox, id]);
  if (!store) return null;
  await run(q, "INSERT INTO permitted_senders (store_id, email, status, created_at, updated_at) VALUES (?, ?, 'enabled', ?, ?) ON CONFLICT DO NOTHING", [
    id,
    mailbox,
    now,
    now,
  ]);
  return store;
}

export function pgAdmin(s: PgScope): AdminStore {
  const mail = pgMail(s);
  const sender = (q: Queryable, id: number) => one<PermittedSenderRow>(q, `SELECT ${SENDER_COLS} FROM permitted_senders WHERE id = ?`, [id]);
  const setSenderStatus = (q: Queryable, id: number, status: string, now: number) =>
    one<PermittedSenderRow>(q, `UPDATE permitted_senders SET status = ?, updated_at = ? WHERE id = ? RETURNING ${SENDER_COLS}`, [status, now, id]);
  const change = (q: Queryable, id: number) => one<MailboxChange>(q, `SELECT ${MAILBOX_CHANGE_COLS} FROM store_mailbox_changes WHERE id = ?`, [id]);
  return {
    users: {
      get: (id) => one<User>(s.q, `SELECT ${USER_COLS} FROM users WHERE id = ?`, [id]),
      withHash: (email) =>
        one<User & { passwordHash: string }>(s.q, `SELECT ${USER_COLS}, password_hash AS passwordHash FROM users WHERE email = ?`, [
          email.trim().toLowerCase(),
        ]),
      count: async () => (await one<{ n: number }>(s.q, 'SELECT count(*) AS n FROM users'))!.n,
      list: () => all<User>(s.q, `SELECT ${USER_COLS} FROM users ORDER BY id`),
      storeIds: async (user) =>
        (user.role === 'owner'
          ? await all<{ id: number }>(s.q, 'SELECT id FROM stores ORDER BY id')
          : await all<{ id: number }>(s.q, 'SELECT store_id AS id FROM user_stores WHERE user_id = ? ORDER BY store_id', [user.id])
        ).map((r) => r.id),
      insert: (input, now = Date.now()) => s.inTransaction((q) => insertUser(q, input, now)),
      insertFirstOwner: (input, setup, now = Date.now()) =>
        s
          .inTransaction(async (q) => {
            // The swap first: it takes the setting's row lock, so a second request waits here and then
            // finds the value changed; the count after it sees any owner the winner committed.
            if ((await run(q, SWAP_SETTING, [setup.spent, setup.key, setup.expected])) !== 1) return null;
            if ((await one<{ n: number }>(q, 'SELECT count(*) AS n FROM users'))!.n > 0) throw new FirstOwnerExists();
            return insertUser(q, { ...input, role: 'owner' }, now);
          })
          .catch((err: unknown) => {
            if (err instanceof FirstOwnerExists) return null;
            throw err;
          }),
      setStores: (userId, storeIds) =>
        s.inTransaction(async (q) => {
          await run(q, 'DELETE FROM user_stores WHERE user_id = ?', [userId]);
          for (const storeId of storeIds) await run(q, 'INSERT INTO user_stores (user_id, store_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [userId, storeId]);
        }),
      setPasswordHash: async (userId, hash) => void (await run(s.q, 'UPDATE users SET password_hash = ? WHERE id = ?', [hash, userId])),
      setDisabled: async (userId, disabled, now = Date.now()) =>
        void (await run(s.q, 'UPDATE users SET disabled_at = ? WHERE id = ?', [disabled ? now : null, userId])),
      setTimeZone: async (userId, tz) => void (await run(s.q, 'UPDATE users SET time_zone = ? WHERE id = ?', [tz, userId])),
    },
    stores: {
      list: () => all<StoreRow>(s.q, `SELECT ${STORE_COLS} FROM stores ORDER BY id`),
      get: (id) => one<StoreRow>(s.q, `SELECT ${STORE_COLS} FROM stores WHERE id = ?`, [id]),
      bound: async (id) => (await one(s.q, 'SELECT 1 AS x FROM messages WHERE store_id = ? LIMIT 1', [id])) !== null,
      update: (id, input, now = Date.now()) => s.inTransaction((q) => updateStore(q, id, input, now)),
      senders: (storeId) => mail.senders(storeId),
      sender: (id) => sender(s.q, id),
      policy: (storeId) => mail.policy(storeId),
      setPolicy: (storeId, patch) =>
        s.inTransaction(async (q) => {
          const row = await one<{ policy: string }>(q, 'SELECT policy FROM stores WHERE id = ? FOR UPDATE', [storeId]);
          const merged = { ...(row ? (JSON.parse(row.policy) as Partial<StorePolicy>) : {}), ...patch };
          await run(q, 'UPDATE stores SET policy = ? WHERE id = ?', [JSON.stringify(merged), storeId]);
          return { ...DEFAULT_POLICY, ...merged };
        }),
      removeSender: (id, now = Date.now()) =>
        s.inTransaction(async (q): Promise<'removed' | 'blocked'> => {
          if (await one(q, 'SELECT 1 AS x FROM messages WHERE permitted_sender_id = ? LIMIT 1', [id])) {
            await setSenderStatus(q, id, 'blocked', now);
            return 'blocked';
          }
          await run(q, 'DELETE FROM submission_credentials WHERE permitted_sender_id = ?', [id]);
          await run(q, 'DELETE FROM permitted_senders WHERE id = ?', [id]);
          return 'removed';
        }),
      setSenderStatus: (id, status, now = Date.now()) => setSenderStatus(s.q, id, status, now),
      roundRobin: async (storeId) =>
        (await one<{ on: number }>(s.q, 'SELECT round_robin AS "on" FROM store_assignment WHERE store_id = ?', [storeId]))?.on === 1,
      setRoundRobin: async (storeId, on) =>
        void (await run(
          s.q,
          'INSERT INTO store_assignment (store_id, round_robin) VALUES (?, ?) ON CONFLICT (store_id) DO UPDATE SET round_robin = excluded.round_robin',
          [storeId, on ? 1 : 0],
        )),
    },
    credentials: {
      insert: async (senderId, label, hash, now = Date.now()) =>
        (await one<CredentialRow>(
          s.q,
          `INSERT INTO submission_credentials (permitted_sender_id, label, hash, created_at) VALUES (?, ?, ?, ?) RETURNING ${CREDENTIAL_COLS}`,
          [senderId, label, hash, now],
        ))!,
      get: (id) => one<CredentialRow>(s.q, `SELECT ${CREDENTIAL_COLS} FROM submission_credentials WHERE id = ?`, [id]),
      list: (senderId) =>
        all<CredentialRow>(s.q, `SELECT ${CREDENTIAL_COLS} FROM submission_credentials WHERE permitted_sender_id = ? ORDER BY id`, [senderId]),
      revoke: (id, now = Date.now()) =>
        one<CredentialRow>(s.q, `UPDATE submission_credentials SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? RETURNING ${CREDENTIAL_COLS}`, [now, id]),
    },
    mailboxChanges: {
      request: (storeId, mailbox, by, ttlMs, now = Date.now()) =>
        s.inTransaction(async (q) => {
          await run(q, "UPDATE store_mailbox_changes SET settled_at = ?, outcome = 'superseded' WHERE store_id = ? AND settled_at IS NULL", [now, storeId]);
          return (await one<MailboxChange>(
            q,
            `INSERT INTO store_mailbox_changes (store_id, mailbox, requested_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING ${MAILBOX_CHANGE_COLS}`,
            [storeId, mailbox.toLowerCase(), by, now, now + ttlMs],
          ))!;
        }),
      get: (id) => change(s.q, id),
      pending: (storeId, now = Date.now()) =>
        one<MailboxChange>(
          s.q,
          `SELECT ${MAILBOX_CHANGE_COLS} FROM store_mailbox_changes WHERE store_id = ? AND settled_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1`,
          [storeId, now],
        ),
      confirm: (id, now = Date.now()) =>
        s.inTransaction(async (q): Promise<ConfirmOutcome> => {
          const c = await change(q, id);
          if (!c) return { ok: false, reason: 'unknown' };
          if (c.settledAt !== null) return { ok: false, reason: 'settled' };
          if (c.expiresAt <= now) return { ok: false, reason: 'expired' };
          const won = await run(q, "UPDATE store_mailbox_changes SET settled_at = ?, outcome = 'confirmed' WHERE id = ? AND settled_at IS NULL", [now, id]);
          if (won !== 1) return { ok: false, reason: 'settled' };
          const store = await one<StoreRow>(q, `SELECT ${STORE_COLS} FROM stores WHERE id = ? FOR UPDATE`, [c.storeId]);
          if (!store) return { ok: false, reason: 'unknown' };
          return { ok: true, previousMailbox: store.mailbox, store: (await updateStore(q, store.id, { name: store.name, mailbox: c.mailbox }, now))! };
        }),
    },
    operations: {
      outbox: (f) => {
        const where: string[] = [];
        const args: unknown[] = [];
        if (f.status) where.push(`status = $${args.push(f.status)}`);
        if (f.beforeId !== undefined) where.push(`id < $${args.push(f.beforeId)}`);
        return all<OutboxRow>(
          s.q,
          `SELECT ${OUTBOX_COLS} FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.push(f.limit)}`,
          args,
        );
      },
      retryNow: async (id, now = Date.now()) => (await run(s.q, RETRY_NOW, [now, now, id])) > 0,
      buyerToken: async (email) => (await one<{ token: string }>(s.q, BUYER_TOKEN, [email.toLowerCase()]))?.token ?? null,
      async queue(now = Date.now()) {
        const row = (await one<{ waiting: number; oldest: number | null }>(s.q, QUEUE))!;
        return { waiting: row.waiting, oldestAgeSeconds: row.oldest === null ? 0 : Math.max(0, (now - row.oldest) / 1000) };
      },
      async databaseCheck() {
        try {
          const row = (await one<{ version: string; db: string }>(s.q, "SELECT current_setting('server_version') AS version, current_database() AS db"))!;
          return { ok: true, detail: `PostgreSQL ${row.version} answers (database ${row.db})` };
        } catch (err) {
          return { ok: false, detail: `PostgreSQL does not answer: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
        }
      },
    },
    keptAddresses: async () => (await all<{ a: string }>(s.q, KEPT_ADDRESSES)).map((r) => r.a),
    swapSetting: async (key, expected, next) =>
      (expected === null ? await run(s.q, FIRST_SETTING, [key, next]) : await run(s.q, SWAP_SETTING, [next, key, expected])) === 1,
  };
}

/** Rolls the first owner's transaction back (the token stays unspent) when an owner exists already. */
class FirstOwnerExists extends Error {}

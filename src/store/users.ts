// Owns staff accounts: the owner (every store) and agents (the stores they are given). Passwords
// are scrypt hashes (store/passwords.ts); a user row never leaves the server with its hash.
import type { Db } from './db.js';
import { hashPassword } from './passwords.js';
import { stmt } from './statements.js';
import { USER_COLS } from './admin-sql.js';

export type Role = 'owner' | 'agent';

export interface User {
  readonly id: number;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: number;
  readonly disabledAt: number | null;
  /** The IANA time zone the user sees times in; null: the gateway's `admin.timeZone`. */
  readonly timeZone: string | null;
}

const COLS = USER_COLS;

export class UserRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async create(input: { email: string; name: string; role: Role; password: string; storeIds?: readonly number[] }, now = Date.now()): Promise<User> {
    const passwordHash = await hashPassword(input.password);
    return this.#db.transaction(() => this.insert({ ...input, passwordHash }, now))();
  }

  /** Inserts a user whose password is already hashed; synchronous, for use inside a transaction. */
  insert(input: { email: string; name: string; role: Role; passwordHash: string; storeIds?: readonly number[] }, now = Date.now()): User {
    const info = stmt(this.#db, 'INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
      input.email.trim().toLowerCase(),
      input.name,
      input.role,
      input.passwordHash,
      now,
    );
    const id = Number(info.lastInsertRowid);
    for (const storeId of input.storeIds ?? []) stmt(this.#db, 'INSERT INTO user_stores (user_id, store_id) VALUES (?, ?)').run(id, storeId);
    return this.get(id) as User;
  }

  get(id: number): User | null {
    return (stmt(this.#db, `SELECT ${COLS} FROM users WHERE id = ?`).get(id) as User | undefined) ?? null;
  }

  /** The user and their password hash, for logging in. */
  withHash(email: string): (User & { passwordHash: string }) | null {
    return (
      (stmt(this.#db, `SELECT ${COLS}, password_hash AS passwordHash FROM users WHERE email = ?`).get(email.trim().toLowerCase()) as
        (User & { passwordHash: string }) | undefined) ?? null
    );
  }

  count(): number {
    return (stmt(this.#db, 'SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  list(): User[] {
    return stmt(this.#db, `SELECT ${COLS} FROM users ORDER BY id`).all() as User[];
  }

  /** The stores a user may see: every store for the owner, the assigned ones for an agent. */
  storeIds(user: User): number[] {
    const sql = user.role === 'owner' ? 'SELECT id FROM stores ORDER BY id' : 'SELECT store_id AS id FROM user_stores WHERE user_id = ? ORDER BY store_id';
    const rows = (user.role === 'owner' ? stmt(this.#db, sql).all() : stmt(this.#db, sql).all(user.id)) as { id: number }[];
    return rows.map((r) => r.id);
  }

  /** Replaces an agent's stores with `storeIds`. */
  setStores(userId: number, storeIds: readonly number[]): void {
    this.#db.transaction(() => {
      stmt(this.#db, 'DELETE FROM user_stores WHERE user_id = ?').run(userId);
      for (const storeId of storeIds) stmt(this.#db, 'INSERT OR IGNORE INTO user_stores (user_id, store_id) VALUES (?, ?)').run(userId, storeId);
    })();
  }

  /** Sets a new password (hashed here); the caller ends the user's sessions where that is meant. */
  async setPassword(userId: number, password: string): Promise<void> {
    this.setPasswordHash(userId, await hashPassword(password));
  }

  /** Stores a password already hashed (store/passwords.ts). */
  setPasswordHash(userId: number, passwordHash: string): void {
    stmt(this.#db, 'UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, userId);
  }

  /** Disables (no login, sessions refused) or enables an account. */
  setDisabled(userId: number, disabled: boolean, now = Date.now()): void {
    stmt(this.#db, 'UPDATE users SET disabled_at = ? WHERE id = ?').run(disabled ? now : null, userId);
  }

  setTimeZone(userId: number, timeZone: string | null): void {
    stmt(this.#db, 'UPDATE users SET time_zone = ? WHERE id = ?').run(timeZone, userId);
  }

  assignStore(userId: number, storeId: number): void {
    stmt(this.#db, 'INSERT OR IGNORE INTO user_stores (user_id, store_id) VALUES (?, ?)').run(userId, storeId);
  }
}

// Owns stores and their permitted senders. A store's mailbox is also its first permitted sender.
import { DEFAULT_POLICY, type StorePolicy } from '../core/messaging-rules.js';
import type { PermittedSenderFacts, StoreFacts } from '../core/types.js';
import type { Db } from './db.js';
import { stmt } from './statements.js';
import { STORE_COLS } from './admin-sql.js';

export interface StoreRow extends StoreFacts {
  readonly createdAt: number;
}

export interface PermittedSenderRow extends PermittedSenderFacts {
  readonly storeId: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const SENDER_COLS = 'id, store_id AS storeId, email, status, created_at AS createdAt, updated_at AS updatedAt';

export class StoreRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  create(input: { slug: string; name: string; mailbox: string }, now = Date.now()): StoreRow {
    return this.#db.transaction(() => {
      const info = stmt(this.#db, 'INSERT INTO stores (slug, name, mailbox, created_at) VALUES (?, ?, ?, ?)').run(
        input.slug,
        input.name,
        input.mailbox.toLowerCase(),
        now,
      );
      const id = Number(info.lastInsertRowid);
      stmt(this.#db, "INSERT INTO permitted_senders (store_id, email, status, created_at, updated_at) VALUES (?, ?, 'enabled', ?, ?)").run(
        id,
        input.mailbox.toLowerCase(),
        now,
        now,
      );
      return this.get(id) as StoreRow;
    })();
  }

  /** Renames a store or changes its mailbox; a new mailbox becomes a permitted sender too. */
  update(id: number, input: { name: string; mailbox: string }, now = Date.now()): StoreRow | null {
    return this.#db.transaction(() => {
      const mailbox = input.mailbox.toLowerCase();
      stmt(this.#db, 'UPDATE stores SET name = ?, mailbox = ? WHERE id = ?').run(input.name, mailbox, id);
      stmt(this.#db, "INSERT OR IGNORE INTO permitted_senders (store_id, email, status, created_at, updated_at) VALUES (?, ?, 'enabled', ?, ?)").run(
        id,
        mailbox,
        now,
        now,
      );
      return this.get(id);
    })();
  }

  /** Whether mail has arrived for the store (it is "bound" to a real conversation). */
  bound(id: number): boolean {
    return stmt(this.#db, 'SELECT 1 FROM messages WHERE store_id = ? LIMIT 1').get(id) !== undefined;
  }

  get(id: number): StoreRow | null {
    return (stmt(this.#db, `SELECT ${STORE_COLS} FROM stores WHERE id = ?`).get(id) as StoreRow | undefined) ?? null;
  }

  bySlug(slug: string): StoreRow | null {
    return (stmt(this.#db, `SELECT ${STORE_COLS} FROM stores WHERE slug = ?`).get(slug) as StoreRow | undefined) ?? null;
  }

  list(): StoreRow[] {
    return stmt(this.#db, `SELECT ${STORE_COLS} FROM stores ORDER BY id`).all() as StoreRow[];
  }

  addSender(storeId: number, email: string, status: 'enabled' | 'blocked', now = Date.now()): PermittedSenderRow {
    const info = stmt(this.#db, 'INSERT INTO permitted_senders (store_id, email, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
      storeId,
      email.toLowerCase(),
      status,
      now,
      now,
    );
    return this.sender(Number(info.lastInsertRowid)) as PermittedSenderRow;
  }

  sender(id: number): PermittedSenderRow | null {
    return (stmt(this.#db, `SELECT ${SENDER_COLS} FROM permitted_senders WHERE id = ?`).get(id) as PermittedSenderRow | undefined) ?? null;
  }

  senders(storeId: number): PermittedSenderRow[] {
    return stmt(this.#db, `SELECT ${SENDER_COLS} FROM permitted_senders WHERE store_id = ? ORDER BY id`).all(storeId) as PermittedSenderRow[];
  }

  findSender(storeId: number, email: string): PermittedSenderRow | null {
    return (
      (stmt(this.#db, `SELECT ${SENDER_COLS} FROM permitted_senders WHERE store_id = ? AND email = ?`).get(storeId, email.toLowerCase()) as
        PermittedSenderRow | undefined) ?? null
    );
  }

  /** The store's messaging rules: its overrides over the defaults. */
  policy(storeId: number): StorePolicy {
    const row = stmt(this.#db, 'SELECT policy FROM stores WHERE id = ?').get(storeId) as { policy: string } | undefined;
    const overrides = row ? (JSON.parse(row.policy) as Partial<StorePolicy>) : {};
    return { ...DEFAULT_POLICY, ...overrides };
  }

  setPolicy(storeId: number, patch: Partial<StorePolicy>): StorePolicy {
    const row = stmt(this.#db, 'SELECT policy FROM stores WHERE id = ?').get(storeId) as { policy: string } | undefined;
    const merged = { ...(row ? (JSON.parse(row.policy) as Partial<StorePolicy>) : {}), ...patch };
    stmt(this.#db, 'UPDATE stores SET policy = ? WHERE id = ?').run(JSON.stringify(merged), storeId);
    return this.policy(storeId);
  }

  /**
   * Removes a permitted sender that never wrote (its app passwords go with it). One whose messages
   * are on record stays, blocked, so the history keeps its author: 'blocked' says so.
   */
  removeSender(id: number, now = Date.now()): 'removed' | 'blocked' {
    return this.#db.transaction((): 'removed' | 'blocked' => {
      const used = stmt(this.#db, 'SELECT 1 FROM messages WHERE permitted_sender_id = ? LIMIT 1').get(id) !== undefined;
      if (used) {
        this.setSenderStatus(id, 'blocked', now);
        return 'blocked';
      }
      stmt(this.#db, 'DELETE FROM submission_credentials WHERE permitted_sender_id = ?').run(id);
      stmt(this.#db, 'DELETE FROM permitted_senders WHERE id = ?').run(id);
      return 'removed';
    })();
  }

  setSenderStatus(id: number, status: 'enabled' | 'blocked', now = Date.now()): PermittedSenderRow | null {
    stmt(this.#db, 'UPDATE permitted_senders SET status = ?, updated_at = ? WHERE id = ?').run(status, now, id);
    return this.sender(id);
  }
}

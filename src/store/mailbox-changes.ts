// Owns changes of a store's mailbox (where all of its buyers' mail goes) that wait for confirmation:
// the owner asks, a link goes to the new mailbox, and only its confirmation moves the mail there.
// Until then the old mailbox stays. A later request supersedes an earlier one; a link works once.
import type { Db } from './db.js';
import { stmt } from './statements.js';
import { MAILBOX_CHANGE_COLS } from './admin-sql.js';
import { StoreRepo, type StoreRow } from './stores.js';

export interface MailboxChange {
  readonly id: number;
  readonly storeId: number;
  readonly mailbox: string;
  readonly requestedBy: number | null;
  readonly createdAt: number;
  /** Epoch ms after which the link no longer works. */
  readonly expiresAt: number;
  readonly settledAt: number | null;
  readonly outcome: 'confirmed' | 'superseded' | null;
}

const COLS = MAILBOX_CHANGE_COLS;

export type ConfirmOutcome = { ok: true; store: StoreRow; previousMailbox: string } | { ok: false; reason: 'unknown' | 'expired' | 'settled' };

export class MailboxChangeRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Records a request (the store's earlier pending one is superseded) valid for `ttlMs`. */
  request(storeId: number, mailbox: string, requestedBy: number | null, ttlMs: number, now = Date.now()): MailboxChange {
    return this.#db.transaction(() => {
      stmt(this.#db, "UPDATE store_mailbox_changes SET settled_at = ?, outcome = 'superseded' WHERE store_id = ? AND settled_at IS NULL").run(now, storeId);
      const info = stmt(this.#db, 'INSERT INTO store_mailbox_changes (store_id, mailbox, requested_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
        storeId,
        mailbox.toLowerCase(),
        requestedBy,
        now,
        now + ttlMs,
      );
      return this.get(Number(info.lastInsertRowid)) as MailboxChange;
    })();
  }

  get(id: number): MailboxChange | null {
    return (stmt(this.#db, `SELECT ${COLS} FROM store_mailbox_changes WHERE id = ?`).get(id) as MailboxChange | undefined) ?? null;
  }

  /** The store's open request that can still be confirmed, if any. */
  pending(storeId: number, now = Date.now()): MailboxChange | null {
    return (
      (stmt(this.#db, `SELECT ${COLS} FROM store_mailbox_changes WHERE store_id = ? AND settled_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1`).get(
        storeId,
        now,
      ) as MailboxChange | undefined) ?? null
    );
  }

  /**
   * Applies the change: the store's mailbox becomes the new one (and a permitted sender), in one
   * transaction with a conditional UPDATE that settles the request, so a link confirms once.
   */
  confirm(id: number, now = Date.now()): ConfirmOutcome {
    return this.#db.transaction((): ConfirmOutcome => {
      const change = this.get(id);
      if (!change) return { ok: false, reason: 'unknown' };
      if (change.settledAt !== null) return { ok: false, reason: 'settled' };
      if (change.expiresAt <= now) return { ok: false, reason: 'expired' };
      const won = stmt(this.#db, "UPDATE store_mailbox_changes SET settled_at = ?, outcome = 'confirmed' WHERE id = ? AND settled_at IS NULL").run(now, id);
      if (won.changes !== 1) return { ok: false, reason: 'settled' };
      const stores = new StoreRepo(this.#db);
      const store = stores.get(change.storeId);
      if (!store) return { ok: false, reason: 'unknown' };
      return { ok: true, previousMailbox: store.mailbox, store: stores.update(store.id, { name: store.name, mailbox: change.mailbox }, now) as StoreRow };
    })();
  }
}

// Owns submission-port credentials: app passwords of permitted senders. The password is made here,
// returned once, and only its scrypt hash is kept. Revoking keeps the row (audit) and stops it.
import { randomBytes } from 'node:crypto';
import { tokenFromBytes } from '../core/alias-token.js';
import type { Db } from './db.js';
import { hashPassword } from './passwords.js';
import { stmt } from './statements.js';
import { CREDENTIAL_COLS } from './admin-sql.js';

export interface CredentialRow {
  readonly id: number;
  readonly permittedSenderId: number;
  readonly label: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

export interface CredentialCandidate {
  readonly id: number;
  readonly hash: string;
  readonly permittedSenderId: number;
  readonly storeId: number;
  readonly email: string;
  readonly status: 'enabled' | 'blocked';
}

const COLS = CREDENTIAL_COLS;

/** 24 base32 characters (120 random bits) in groups of four, easy to paste into a mail client. */
export function newAppPassword(): string {
  const raw = tokenFromBytes(randomBytes(13)) + tokenFromBytes(randomBytes(13)).slice(0, 4);
  return raw.match(/.{4}/g)!.join('-');
}

export class CredentialRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async create(permittedSenderId: number, label: string, now = Date.now()): Promise<{ credential: CredentialRow; password: string }> {
    const password = newAppPassword();
    return { credential: this.insert(permittedSenderId, label, await hashPassword(password), now), password };
  }

  /** Stores a credential whose password is already hashed. */
  insert(permittedSenderId: number, label: string, hash: string, now = Date.now()): CredentialRow {
    const info = stmt(this.#db, 'INSERT INTO submission_credentials (permitted_sender_id, label, hash, created_at) VALUES (?, ?, ?, ?)').run(
      permittedSenderId,
      label,
      hash,
      now,
    );
    return this.get(Number(info.lastInsertRowid)) as CredentialRow;
  }

  get(id: number): CredentialRow | null {
    return (stmt(this.#db, `SELECT ${COLS} FROM submission_credentials WHERE id = ?`).get(id) as CredentialRow | undefined) ?? null;
  }

  list(permittedSenderId: number): CredentialRow[] {
    return stmt(this.#db, `SELECT ${COLS} FROM submission_credentials WHERE permitted_sender_id = ? ORDER BY id`).all(permittedSenderId) as CredentialRow[];
  }

  revoke(id: number, now = Date.now()): CredentialRow | null {
    stmt(this.#db, 'UPDATE submission_credentials SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(now, id);
    return this.get(id);
  }

  /** Live credentials of every permitted sender with this address (one per store it serves). */
  candidates(email: string): CredentialCandidate[] {
    return stmt(
      this.#db,
      `SELECT c.id, c.hash, c.permitted_sender_id AS permittedSenderId, s.store_id AS storeId, s.email, s.status
       FROM submission_credentials c JOIN permitted_senders s ON s.id = c.permitted_sender_id
       WHERE s.email = ? AND c.revoked_at IS NULL ORDER BY c.id LIMIT 20`,
    ).all(email.trim().toLowerCase()) as CredentialCandidate[];
  }

  touch(id: number, now = Date.now()): void {
    stmt(this.#db, 'UPDATE submission_credentials SET last_used_at = ? WHERE id = ?').run(now, id);
  }
}

// Owns buyers and pairs: one unguessable alias per buyer and store, made from CSPRNG bytes.
import { redactAddresses } from '../core/redact-addresses.js';
import { randomBytes } from 'node:crypto';
import { TOKEN_BYTES, tokenFromBytes } from '../core/alias-token.js';
import type { BuyerFacts, PairFacts, StoreFacts } from '../core/types.js';
import type { Db } from './db.js';
import { stmt } from './statements.js';

export interface PairView {
  readonly store: StoreFacts;
  readonly pair: PairFacts & { readonly createdAt: number };
  readonly buyer: BuyerFacts & { readonly undeliverableAt: number | null; readonly undeliverableReason: string | null };
}

interface PairJoinRow {
  s_id: number;
  s_slug: string;
  s_name: string;
  s_mailbox: string;
  p_id: number;
  p_token: string;
  p_opted_out: number;
  p_created_at: number;
  b_id: number;
  b_email: string;
  b_name: string;
  b_kind: 'customer' | 'visitor';
  b_undeliverable_at: number | null;
  b_undeliverable_reason: string | null;
}

const PAIR_JOIN = `SELECT s.id s_id, s.slug s_slug, s.name s_name, s.mailbox s_mailbox,
  p.id p_id, p.token p_token, p.opted_out p_opted_out, p.created_at p_created_at,
  -- A buyer who chose (on the unsubscribe page) that the store may not see their name has none here.
  b.id b_id, b.email b_email, CASE WHEN p.hide_name THEN '' ELSE b.name END b_name, b.kind b_kind, b.undeliverable_at b_undeliverable_at, b.undeliverable_reason b_undeliverable_reason
  FROM pairs p JOIN stores s ON s.id = p.store_id JOIN buyers b ON b.id = p.buyer_id`;

function toView(r: PairJoinRow): PairView {
  return {
    store: { id: r.s_id, slug: r.s_slug, name: r.s_name, mailbox: r.s_mailbox },
    pair: { id: r.p_id, token: r.p_token, optedOut: r.p_opted_out === 1, createdAt: r.p_created_at },
    buyer: {
      id: r.b_id,
      email: r.b_email,
      name: r.b_name,
      kind: r.b_kind,
      undeliverableAt: r.b_undeliverable_at,
      undeliverableReason: r.b_undeliverable_reason,
    },
  };
}

export function newToken(): string {
  return tokenFromBytes(randomBytes(TOKEN_BYTES));
}

export class PairRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  byToken(token: string): PairView | null {
    const row = stmt(this.#db, `${PAIR_JOIN} WHERE p.token = ?`).get(token.toLowerCase()) as PairJoinRow | undefined;
    return row ? toView(row) : null;
  }

  byId(id: number): PairView | null {
    const row = stmt(this.#db, `${PAIR_JOIN} WHERE p.id = ?`).get(id) as PairJoinRow | undefined;
    return row ? toView(row) : null;
  }

  /** The pair of a buyer (by real address) with a store, if any. */
  byStoreAndEmail(storeId: number, email: string): PairView | null {
    const row = stmt(this.#db, `${PAIR_JOIN} WHERE p.store_id = ? AND b.email = ?`).get(storeId, email.toLowerCase()) as PairJoinRow | undefined;
    return row ? toView(row) : null;
  }

  /**
   * Finds or creates the buyer and their pair with the store. Must run inside the caller's
   * transaction. A visitor who later orders becomes a customer and takes the order's name.
   */
  ensure(storeId: number, email: string, rawName: string, kind: 'customer' | 'visitor', now = Date.now()): { view: PairView; created: boolean } {
    const address = email.toLowerCase();
    // A display name came from outside ("jane@example.com", or that RFC 2047-encoded, decoded by
    // the parser): the address in it is scrubbed before it is stored and shown to staff.
    const name = redactAddresses(rawName, []);
    let buyer = stmt(this.#db, 'SELECT id, kind FROM buyers WHERE email = ?').get(address) as { id: number; kind: string } | undefined;
    if (!buyer) {
      const info = stmt(this.#db, 'INSERT INTO buyers (email, name, kind, created_at) VALUES (?, ?, ?, ?)').run(address, name, kind, now);
      buyer = { id: Number(info.lastInsertRowid), kind };
    } else if (kind === 'customer' && (buyer.kind === 'visitor' || name !== '')) {
      stmt(this.#db, "UPDATE buyers SET kind = 'customer', name = CASE WHEN ? <> '' THEN ? ELSE name END WHERE id = ?").run(name, name, buyer.id);
    }
    const existing = stmt(this.#db, 'SELECT id FROM pairs WHERE store_id = ? AND buyer_id = ?').get(storeId, buyer.id) as { id: number } | undefined;
    if (existing) return { view: this.byId(existing.id) as PairView, created: false };
    // A token collision at 100 bits is not expected; the UNIQUE constraint makes it an error, not a merge.
    const info = stmt(this.#db, 'INSERT INTO pairs (store_id, buyer_id, token, opted_out, created_at) VALUES (?, ?, ?, 0, ?)').run(
      storeId,
      buyer.id,
      newToken(),
      now,
    );
    return { view: this.byId(Number(info.lastInsertRowid)) as PairView, created: true };
  }

  /** A pair alias token of the buyer with this address (the admin shows buyers only by alias). */
  tokenOfBuyer(email: string): string | null {
    const row = stmt(this.#db, 'SELECT p.token FROM buyers b JOIN pairs p ON p.buyer_id = b.id WHERE b.email = ? LIMIT 1').get(email.toLowerCase()) as
      { token: string } | undefined;
    return row?.token ?? null;
  }

  setOptOut(pairId: number, optedOut: boolean, now = Date.now()): void {
    stmt(this.#db, 'UPDATE pairs SET opted_out = ?, opted_out_at = ? WHERE id = ?').run(optedOut ? 1 : 0, optedOut ? now : null, pairId);
  }
}

// Owns webhook endpoints: URL, wanted event types, signing secret, and each endpoint's delivery
// state — its cursor in the events feed, failed attempts, and the lease that lets one node at a
// time deliver to it (so events reach an endpoint in order even with several nodes).
import { randomBytes } from 'node:crypto';
import type { EventType } from '../core/event-types.js';
import type { Db } from './db.js';
import { stmt } from './statements.js';

export interface WebhookRow {
  readonly id: number;
  readonly url: string;
  readonly events: readonly EventType[];
  readonly cursor: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly lastAttemptAt: number | null;
  readonly delivered: number;
  readonly dropped: number;
  readonly createdAt: number;
}

/** What the sender needs: the row and the key it signs with. */
export interface WebhookTarget extends WebhookRow {
  readonly secret: string;
}

export interface Row extends Omit<WebhookTarget, 'events'> {
  events: string;
}

/** The row's columns as a WebhookTarget with `events` as JSON text (quoted aliases: the same text in SQLite and PostgreSQL). */
export const WEBHOOK_COLS = `id, url, events, secret, cursor, attempts, next_attempt_at AS "nextAttemptAt", last_status AS "lastStatus",
  last_error AS "lastError", last_attempt_at AS "lastAttemptAt", delivered, dropped, created_at AS "createdAt"`;
const COLS = WEBHOOK_COLS;

/** A stored row as the sender needs it (its event types parsed). */
export function toTarget(r: Row): WebhookTarget {
  return { ...r, events: JSON.parse(r.events) as EventType[] };
}

/** The row as shown to staff and the API: everything but the secret. */
export function withoutSecret(t: WebhookTarget): WebhookRow {
  const { secret: _secret, ...row } = t;
  return row;
}

/**
 * The delivery-state writes, with `?` placeholders, shared by both adapters (PostgreSQL numbers
 * them, pg/placeholders.ts). Parameters in the order the repository passes them.
 */
export const WEBHOOK_SQL = {
  /** owner, leaseUntil, id, now, owner */
  lease: 'UPDATE webhooks SET lease_owner = ?, lease_until = ? WHERE id = ? AND (lease_until <= ? OR lease_owner = ?)',
  /** id, owner */
  release: 'UPDATE webhooks SET lease_owner = NULL, lease_until = 0 WHERE id = ? AND lease_owner = ?',
  /** eventId, status, error, now, delivered (0/1), dropped (0/1), id, owner, now, eventId */
  advance: `UPDATE webhooks SET cursor = ?, attempts = 0, next_attempt_at = 0, last_status = ?, last_error = ?, last_attempt_at = ?,
      delivered = delivered + ?, dropped = dropped + ?
    WHERE id = ? AND lease_owner = ? AND lease_until > ? AND cursor < ?`,
  /** attempts, nextAttemptAt, status, error, now, id, owner */
  retryLater: `UPDATE webhooks SET attempts = ?, next_attempt_at = ?, last_status = ?, last_error = ?, last_attempt_at = ?
    WHERE id = ? AND lease_owner = ?`,
} as const;

/** A signing secret: 32 random bytes, prefixed so it is recognisable in a secrets scanner. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export class WebhookRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** A new endpoint hears events from now on (its cursor starts at the newest event). */
  create(url: string, events: readonly EventType[], now = Date.now()): { row: WebhookRow; secret: string } {
    const secret = newWebhookSecret();
    const id = Number(
      stmt(this.#db, 'INSERT INTO webhooks (url, events, secret, cursor, created_at) VALUES (?, ?, ?, (SELECT coalesce(max(id), 0) FROM events), ?)').run(
        url,
        JSON.stringify([...new Set(events)]),
        secret,
        now,
      ).lastInsertRowid,
    );
    return { row: this.get(id) as WebhookRow, secret };
  }

  list(): WebhookRow[] {
    return (stmt(this.#db, `SELECT ${COLS} FROM webhooks ORDER BY id`).all() as Row[]).map((r) => withoutSecret(toTarget(r)));
  }

  get(id: number): WebhookRow | null {
    const r = stmt(this.#db, `SELECT ${COLS} FROM webhooks WHERE id = ?`).get(id) as Row | undefined;
    return r ? withoutSecret(toTarget(r)) : null;
  }

  delete(id: number): boolean {
    return stmt(this.#db, 'DELETE FROM webhooks WHERE id = ?').run(id).changes === 1;
  }

  /**
   * Endpoints with an event of their types after their cursor, whose next attempt is due and whose
   * lease is free or expired. Read-only, so an idle poll writes (and syncs) nothing.
   */
  due(now: number): number[] {
    return (
      stmt(
        this.#db,
        `SELECT w.id FROM webhooks w WHERE w.next_attempt_at <= ? AND w.lease_until <= ?
           AND EXISTS (SELECT 1 FROM events e WHERE e.id > w.cursor AND e.type IN (SELECT value FROM json_each(w.events)))
         ORDER BY w.id`,
      ).all(now, now) as { id: number }[]
    ).map((r) => r.id);
  }

  /**
   * Takes (or renews) the lease on one endpoint for `leaseMs`: the endpoint with its secret, or
   * null when another owner holds an unexpired lease. One UPDATE, so two nodes cannot both win.
   */
  lease(id: number, owner: string, leaseMs: number, now = Date.now()): WebhookTarget | null {
    const won = stmt(this.#db, WEBHOOK_SQL.lease).run(owner, now + leaseMs, id, now, owner).changes === 1;
    if (!won) return null;
    const r = stmt(this.#db, `SELECT ${COLS} FROM webhooks WHERE id = ?`).get(id) as Row | undefined;
    return r ? toTarget(r) : null;
  }

  release(id: number, owner: string): void {
    stmt(this.#db, WEBHOOK_SQL.release).run(id, owner);
  }

  /**
   * The event after the cursor was delivered (or given up on: `dropped`). Moves the cursor only
   * while this owner still holds the lease; false when it lost it (another node took over).
   */
  advance(
    id: number,
    owner: string,
    eventId: number,
    status: number | null,
    outcome: 'delivered' | 'dropped',
    error: string | null,
    now = Date.now(),
  ): boolean {
    return (
      stmt(this.#db, WEBHOOK_SQL.advance).run(
        eventId,
        status,
        error,
        now,
        outcome === 'delivered' ? 1 : 0,
        outcome === 'dropped' ? 1 : 0,
        id,
        owner,
        now,
        eventId,
      ).changes === 1
    );
  }

  /** A failed attempt: try the same event again at `nextAttemptAt`. */
  retryLater(id: number, owner: string, attempts: number, nextAttemptAt: number, status: number | null, error: string, now = Date.now()): void {
    stmt(this.#db, WEBHOOK_SQL.retryLater).run(attempts, nextAttemptAt, status, error.slice(0, 500), now, id, owner);
  }
}

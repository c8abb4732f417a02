// Owns the durable outbound queue: one row per delivery with its exact bytes, status, attempts,
// next attempt time and last error.
import { laterPiecesQuery, rangeOf } from './body-pieces.js';
import type { Db } from './db.js';
import { EventRepo } from './events.js';
import { stmt } from './statements.js';

export type OutboxStatus = 'queued' | 'sent' | 'captured' | 'deferred' | 'failed';
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['queued', 'sent', 'captured', 'deferred', 'failed'];

export interface NewOutboxRow {
  readonly messageId: number | null;
  readonly kind: 'relay' | 'notice';
  readonly envFrom: string;
  readonly envTo: string;
  readonly raw: Uint8Array;
  /** Campaign mail: an attempt a crash interrupted is reported, never repeated (see failInterrupted). */
  readonly atMostOnce?: boolean;
  /**
   * The bytes carry a file part (relay/compose.ts carriesFiles, said by the composer that wrote
   * them): a relay row of a stored message adds one to its conversation's paperclip count.
   */
  readonly files?: boolean;
  /**
   * The delivered body is the original's, byte for byte (relay/shared-body.ts): `raw` is then only
   * the signed copy's header block, and the body is read from the row's message's stored original,
   * `length` bytes from byte `from` (issue 14: a large body is written once). The row's size counts
   * both. Only for a row with a messageId.
   */
  readonly originalBody?: { readonly from: number; readonly length: number } | undefined;
}

/**
 * What deliveredBytes reads for outbox row `?` (`$1` on PostgreSQL: `param`): its own bytes, and
 * when it shares the original's body, where that body lies and the original (NULL when it does
 * not). The original is joined, read whole and cut in deliveredBytes: a scalar subquery or SQLite's
 * substr copies the 1 MiB once more inside the database (2.5 against 0.8 ms a read, bench/commit-times.ts).
 */
export const deliveredQuery = (param: string): string => `SELECT b.raw AS raw, b.body_from AS "bodyFrom", b.body_length AS "bodyLength", mb.raw AS original,
  o.message_id AS "messageId"
  FROM outbox_bodies b JOIN outbox o ON o.id = b.outbox_id LEFT JOIN message_bodies mb ON b.body_from IS NOT NULL AND mb.message_id = o.message_id
  WHERE b.outbox_id = ${param}`;

/** A row of deliveredQuery (PostgreSQL hands its BIGINTs over as strings). */
export interface DeliveredRow {
  readonly raw: Uint8Array;
  readonly bodyFrom: number | string | null;
  readonly bodyLength: number | string | null;
  readonly original: Uint8Array | null;
  readonly messageId: number | string | null;
  /**
   * The original's later pieces (store/body-pieces.ts), read apart by the adapter when the row shares
   * a body the original's first piece does not hold (laterPiecesOf); absent otherwise.
   */
  readonly later?: readonly Uint8Array[];
}

/**
 * The message whose later pieces a row of deliveredQuery needs (a large original is stored in
 * pieces, its first in message_bodies.raw): the row shares the original's body and the first piece
 * ends before that body does. Null when it needs none (its own bytes, or the body within the first piece).
 */
export function laterPiecesOf(row: DeliveredRow | undefined): number | null {
  if (!row || row.bodyFrom === null || row.bodyLength === null || !row.original || row.messageId === null) return null;
  return row.original.byteLength < Number(row.bodyFrom) + Number(row.bodyLength) ? Number(row.messageId) : null;
}

/**
 * One row of deliveredQuery as the bytes delivered, in the pieces sent one after another: the row's
 * own bytes, then, when it shares the original's body, views of that body inside the original as
 * read (its first piece and, for a large original, `later` ones: store/body-pieces.ts; not copied:
 * a fresh 1 MiB buffer costs the SMTP thread ~0.8 ms of CPU and its collection). Null when the row shares the original's body and that original is gone or shorter
 * than the body (an erasure takes both; retention keeps an original until the deliveries that
 * share its body have ended).
 */
export function deliveredPieces(row: DeliveredRow | undefined): readonly Buffer[] | null {
  if (!row) return null;
  const raw = Buffer.from(row.raw.buffer, row.raw.byteOffset, row.raw.byteLength);
  if (row.bodyFrom === null || row.bodyLength === null) return [raw];
  if (!row.original) return null;
  const body = rangeOf([row.original, ...(row.later ?? [])], Number(row.bodyFrom), Number(row.bodyLength));
  return body ? [raw, ...body] : null;
}

/** One row of deliveredQuery as the bytes delivered, in one Buffer (deliveredPieces joined); null as there. */
export function deliveredBytes(row: DeliveredRow | undefined): Buffer | null {
  const pieces = deliveredPieces(row);
  if (!pieces) return null;
  return pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
}

export interface OutboxRow {
  readonly id: number;
  readonly messageId: number | null;
  readonly kind: 'relay' | 'notice';
  readonly envFrom: string;
  readonly envTo: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly doneAt: number | null;
  readonly size: number;
  /** Campaign mail: an attempt interrupted by a crash is reported, never repeated. */
  readonly atMostOnce: number;
}

const COLS = `id, message_id AS messageId, kind, env_from AS envFrom, env_to AS envTo, status, attempts,
  next_attempt_at AS nextAttemptAt, last_error AS lastError, created_at AS createdAt, updated_at AS updatedAt,
  done_at AS doneAt, size, at_most_once AS atMostOnce`;

/** The bytes outbox row `id` delivers (deliveredBytes); null when it has none (purged, erased, no such row). */
export function deliveredOf(db: Db, id: number): Buffer | null {
  return deliveredBytes(deliveredRow(db, id));
}

/** The bytes outbox row `id` delivers, in pieces (deliveredPieces); null as deliveredOf. */
export function deliveredPiecesOf(db: Db, id: number): readonly Buffer[] | null {
  return deliveredPieces(deliveredRow(db, id));
}

/** Row `id` of deliveredQuery, with the original's later pieces when its shared body reaches into them. */
function deliveredRow(db: Db, id: number): DeliveredRow | undefined {
  const row = stmt(db, deliveredQuery('?')).get(id) as DeliveredRow | undefined;
  const pieced = laterPiecesOf(row);
  if (pieced === null) return row;
  return { ...(row as DeliveredRow), later: (stmt(db, laterPiecesQuery('?')).all(pieced) as { bytes: Buffer }[]).map((r) => r.bytes) };
}

/** The bytes a new row delivers: its own, and the original's body it shares. */
export function outboxSize(row: Pick<NewOutboxRow, 'raw' | 'messageId' | 'originalBody'>): number {
  return row.raw.byteLength + (row.messageId !== null && row.originalBody ? row.originalBody.length : 0);
}

export class OutboxRepo {
  readonly #db: Db;
  readonly #insert;
  /** message.sent and delivery.failed are written with the status change they report. */
  readonly #events: EventRepo;
  constructor(db: Db) {
    this.#db = db;
    this.#events = new EventRepo(db);
    this.#insert = stmt(
      db,
      `INSERT INTO outbox (message_id, kind, env_from, env_to, size, status, attempts, next_attempt_at, created_at, updated_at, at_most_once)
       VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?)`,
    );
  }

  enqueue(row: NewOutboxRow, now = Date.now()): number {
    const id = Number(
      this.#insert.run(row.messageId, row.kind, row.envFrom, row.envTo, outboxSize(row), now, now, now, row.atMostOnce ? 1 : 0).lastInsertRowid,
    );
    const shared = row.messageId !== null ? row.originalBody : undefined;
    stmt(this.#db, 'INSERT INTO outbox_bodies (outbox_id, raw, body_from, body_length) VALUES (?, ?, ?, ?)').run(
      id,
      row.raw,
      shared?.from ?? null,
      shared?.length ?? null,
    );
    // The inbox's paperclip (migration 023: counted here, not by a trigger scanning the blob inside
    // the commit), as the composer said: the bytes are not searched on the SMTP thread.
    if (row.kind === 'relay' && row.messageId !== null && row.files === true)
      stmt(this.#db, 'UPDATE conversations SET files = files + 1 WHERE pair_id = (SELECT pair_id FROM messages WHERE id = ?)').run(row.messageId);
    return id;
  }

  get(id: number): OutboxRow | null {
    return (stmt(this.#db, `SELECT ${COLS} FROM outbox WHERE id = ?`).get(id) as OutboxRow | undefined) ?? null;
  }

  raw(id: number): Buffer | null {
    return deliveredOf(this.#db, id);
  }

  /** The bytes row `id` delivers, in the pieces sent one after another (deliveredPieces); null when it has none. */
  delivered(id: number): readonly Buffer[] | null {
    return deliveredPiecesOf(this.#db, id);
  }

  /**
   * Leases up to `limit` due rows (oldest first) to `owner` until `leaseUntil` (ms since the epoch)
   * and returns them: only rows whose lease is free or has run out, and only the rows this UPDATE
   * took (`RETURNING`), so two workers never hold the same row. At-most-once rows get their attempt
   * start recorded in the same write (see failInterrupted), and one whose attempt began and never
   * ended is not taken again (failInterrupted reports it). Call it inside a commit; the caller
   * delivers only after that commit returned. Read through outbox_due (due time, then id: the
   * order asked, so the LIMIT stops early): SQLite's planner took outbox_status instead, reading
   * every waiting row and sorting them for each claim, 2.3 ms a claim behind 20 000 deferred rows
   * (0.7 ms through outbox_due).
   *
   * The LIMIT is written into the SQL, one statement per limit asked (at most the worker's
   * concurrency of them, each prepared once): SQLite reads a bound LIMIT's value while planning,
   * which marks the statement to be prepared again whenever that parameter is bound, so a `LIMIT ?`
   * claim was prepared anew at every run (README "Round 23: the SMTP thread at 10 KiB").
   */
  claim(owner: string, limit: number, leaseUntil: number, now = Date.now()): OutboxRow[] {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`claim limit must be a positive integer, not ${limit}`);
    const rows = stmt(
      this.#db,
      `UPDATE outbox SET lease_owner = ?, lease_until = ?,
         attempt_started_at = CASE WHEN at_most_once = 1 THEN ? ELSE attempt_started_at END
       WHERE id IN (SELECT id FROM outbox INDEXED BY outbox_due WHERE status IN ('queued', 'deferred') AND next_attempt_at <= ?
                    AND (lease_until IS NULL OR lease_until <= ?) AND NOT (at_most_once = 1 AND attempt_started_at IS NOT NULL)
                    ORDER BY next_attempt_at, id LIMIT ${limit})
         AND (lease_until IS NULL OR lease_until <= ?)
       RETURNING ${COLS}`,
    ).all(owner, leaseUntil, now, now, now, now) as OutboxRow[];
    return rows.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
  }

  /**
   * Frees every lease: at start on SQLite, where one node owns the file, so any lease left belongs
   * to a process that died. Returns how many rows were freed.
   */
  releaseAllLeases(): number {
    return stmt(this.#db, 'UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL').run().changes;
  }

  nextDueAt(): number | null {
    const row = stmt(this.#db, "SELECT min(next_attempt_at) AS t FROM outbox WHERE status IN ('queued', 'deferred')").get() as { t: number | null };
    return row.t;
  }

  /**
   * At-most-once rows whose attempt began but never ended (the node delivering them died; its lease
   * ran out, or it was freed at start on SQLite). They fail as unknown instead of being delivered
   * again; returns their ids. A live node's attempt (lease still running) is not touched.
   */
  failInterrupted(now = Date.now()): number[] {
    const rows = stmt(
      this.#db,
      "SELECT id FROM outbox WHERE at_most_once = 1 AND attempt_started_at IS NOT NULL AND status IN ('queued', 'deferred') AND (lease_until IS NULL OR lease_until <= ?)",
    ).all(now) as { id: number }[];
    const fail = stmt(
      this.#db,
      "UPDATE outbox SET status = 'failed', last_error = 'outcome unknown: the gateway stopped during the delivery attempt; not repeated', updated_at = ?, done_at = ? WHERE id = ?",
    );
    for (const r of rows) {
      fail.run(now, now, r.id);
      this.#events.failed(r.id, now);
    }
    return rows.map((r) => r.id);
  }

  markDone(id: number, status: 'sent' | 'captured', attempts: number, now = Date.now()): void {
    stmt(
      this.#db,
      'UPDATE outbox SET status = ?, attempts = ?, last_error = NULL, attempt_started_at = NULL, lease_owner = NULL, lease_until = NULL, updated_at = ?, done_at = ? WHERE id = ?',
    ).run(status, attempts, now, now, id);
    this.#events.delivered(id, now);
  }

  markDeferred(id: number, attempts: number, nextAttemptAt: number, error: string, now = Date.now()): void {
    stmt(
      this.#db,
      "UPDATE outbox SET status = 'deferred', attempts = ?, next_attempt_at = ?, last_error = ?, attempt_started_at = NULL, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?",
    ).run(attempts, nextAttemptAt, error, now, id);
  }

  markFailed(id: number, attempts: number, error: string, now = Date.now()): void {
    stmt(
      this.#db,
      "UPDATE outbox SET status = 'failed', attempts = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?, done_at = ? WHERE id = ?",
    ).run(attempts, error, now, now, id);
    this.#events.failed(id, now);
  }

  list(f: { status?: OutboxStatus | undefined; beforeId?: number | undefined; limit: number }): OutboxRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.status) {
      where.push('status = ?');
      args.push(f.status);
    }
    if (f.beforeId !== undefined) {
      where.push('id < ?');
      args.push(f.beforeId);
    }
    return stmt(this.#db, `SELECT ${COLS} FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`).all(
      ...args,
      f.limit,
    ) as OutboxRow[];
  }

  /** "Retry now": a waiting row becomes due at once; false when it is not waiting. */
  retryNow(id: number, now = Date.now()): boolean {
    return (
      stmt(this.#db, "UPDATE outbox SET next_attempt_at = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'deferred')").run(now, now, id).changes > 0
    );
  }

  /** Seconds since the oldest waiting row was queued (0 when none waits). */
  oldestPendingAgeSeconds(now = Date.now()): number {
    const row = stmt(this.#db, "SELECT min(created_at) AS at FROM outbox WHERE status IN ('queued', 'deferred')").get() as { at: number | null };
    return row.at === null ? 0 : Math.max(0, (now - row.at) / 1000);
  }

  pendingCount(): number {
    return (stmt(this.#db, "SELECT count(*) AS n FROM outbox WHERE status IN ('queued', 'deferred')").get() as { n: number }).n;
  }
}

// Owns the events feed: rows appended inside the transaction of what they report (the caller's
// commit), read back in id order by the API feed and by each webhook endpoint's cursor.
// The message events are built in SQL from the rows just written (INSERT … SELECT), so the commit
// that stores a message or a delivery status pays one statement and no extra reads.
import type { EventType, MarketEvent } from '../core/event-types.js';
import type { Db } from './db.js';
import { stmt } from './statements.js';

export interface EventRow {
  id: number;
  type: EventType;
  storeId: number | null;
  data: string;
  createdAt: number;
}

/** The row's columns as EventRow (quoted aliases: the same text in SQLite and PostgreSQL). */
export const EVENT_COLS = 'id, type, store_id AS "storeId", data, created_at AS "createdAt"';
const COLS = EVENT_COLS;

export function presentEvent(r: EventRow): MarketEvent {
  return { id: r.id, type: r.type, createdAt: new Date(r.createdAt).toISOString(), storeId: r.storeId, data: JSON.parse(r.data) as Record<string, unknown> };
}

// The delivered message's facts, from outbox → messages → pairs. Only relay rows of a stored
// message have an event (notices to staff and digests are not conversation messages).
const DELIVERY_SELECT = (type: EventType, extra: string) => `INSERT INTO events (type, store_id, data, created_at)
  SELECT '${type}', m.store_id, json_object('messageId', m.id, 'outboxId', o.id, 'alias', p.token, 'direction', m.direction,
    'status', o.status, 'attempts', o.attempts${extra}), ?
  FROM outbox o JOIN messages m ON m.id = o.message_id JOIN pairs p ON p.id = m.pair_id
  WHERE o.id = ? AND o.kind = 'relay'`;

export class EventRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Appends one event; call inside the transaction that makes the change it reports. */
  append(type: EventType, storeId: number | null, data: Readonly<Record<string, unknown>>, now = Date.now()): number {
    return Number(
      stmt(this.#db, 'INSERT INTO events (type, store_id, data, created_at) VALUES (?, ?, ?, ?)').run(type, storeId, JSON.stringify(data), now).lastInsertRowid,
    );
  }

  /** An event about one pair: `alias` and the store come from the pair row; `data` adds to them. */
  appendForPair(type: EventType, pairId: number, data: Readonly<Record<string, unknown>>, now = Date.now()): void {
    stmt(
      this.#db,
      `INSERT INTO events (type, store_id, data, created_at)
       SELECT ?, p.store_id, json_patch(json_object('alias', p.token), ?), ? FROM pairs p WHERE p.id = ?`,
    ).run(type, JSON.stringify(data), now, pairId);
  }

  /** `message.received` for a message row just inserted in this transaction. */
  messageReceived(messageId: number, now = Date.now()): void {
    stmt(
      this.#db,
      `INSERT INTO events (type, store_id, data, created_at)
       SELECT 'message.received', m.store_id, json_object('messageId', m.id, 'alias', p.token, 'direction', m.direction, 'source', m.source,
         'subject', m.subject, 'receivedAt', strftime('%Y-%m-%dT%H:%M:%fZ', m.received_at / 1000.0, 'unixepoch')), ?
       FROM messages m JOIN pairs p ON p.id = m.pair_id WHERE m.id = ?`,
    ).run(now, messageId);
  }

  /** `message.sent` for an outbox row just marked sent or captured. */
  delivered(outboxId: number, now = Date.now()): void {
    stmt(this.#db, DELIVERY_SELECT('message.sent', '')).run(now, outboxId);
  }

  /** `delivery.failed` for an outbox row just marked failed. */
  failed(outboxId: number, now = Date.now()): void {
    stmt(this.#db, DELIVERY_SELECT('delivery.failed', ", 'error', o.last_error")).run(now, outboxId);
  }

  /** Events after `afterId`, oldest first; only the given types when `types` is set. */
  after(afterId: number, limit: number, types?: readonly EventType[]): MarketEvent[] {
    const rows = types
      ? (stmt(this.#db, `SELECT ${COLS} FROM events WHERE id > ? AND type IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?`).all(
          afterId,
          JSON.stringify(types),
          limit,
        ) as EventRow[])
      : (stmt(this.#db, `SELECT ${COLS} FROM events WHERE id > ? ORDER BY id LIMIT ?`).all(afterId, limit) as EventRow[]);
    return rows.map(presentEvent);
  }

  lastId(): number {
    return (stmt(this.#db, 'SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id;
  }
}

// Owns reading one conversation back for the marketplace: a pair's messages, both directions,
// newest first, each with the bytes its recipient was delivered (the relay outbox row's body) and
// that delivery's status.
import type { Direction } from '../core/types.js';
import type { Db } from './db.js';
import { deliveredOf } from './outbox.js';
import { stmt } from './statements.js';

export interface PairMessage {
  readonly id: number;
  readonly direction: Direction;
  readonly source: string;
  readonly subject: string;
  readonly receivedAt: number;
  readonly outboxId: number | null;
  readonly status: string;
  readonly attempts: number;
  readonly doneAt: number | null;
}

const COLS = `m.id, m.direction, m.source, m.subject, m.received_at AS receivedAt,
  o.id AS outboxId, coalesce(o.status, 'none') AS status, coalesce(o.attempts, 0) AS attempts, o.done_at AS doneAt
  FROM messages m
  LEFT JOIN outbox o ON o.id = (SELECT min(x.id) FROM outbox x WHERE x.message_id = m.id AND x.kind = 'relay')`;

export class PairMessageRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  list(pairId: number, beforeId: number | undefined, limit: number): PairMessage[] {
    return stmt(this.#db, `SELECT ${COLS} WHERE m.pair_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`).all(
      pairId,
      beforeId ?? Number.MAX_SAFE_INTEGER,
      limit,
    ) as PairMessage[];
  }

  get(pairId: number, messageId: number): PairMessage | null {
    return (stmt(this.#db, `SELECT ${COLS} WHERE m.pair_id = ? AND m.id = ?`).get(pairId, messageId) as PairMessage | undefined) ?? null;
  }

  /** The bytes the recipient was delivered (or will be); null once retention purged them. */
  delivered(outboxId: number): Buffer | null {
    return deliveredOf(this.#db, outboxId);
  }
}

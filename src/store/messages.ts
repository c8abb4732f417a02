// Owns stored messages: the raw original, who wrote it, the verdict, findings and changes, and the
// original/relay Message-ID pair that threading translates through.
import type { IdMapping } from '../core/message-id-map.js';
import type { Change, Direction, Finding } from '../core/types.js';
import { originalPieces, PIECE_INSERT } from './body-pieces.js';
import type { SpooledFile } from './spooled-bytes.js';
import type { Db } from './db.js';
import type { Dialect } from './sql-runner.js';
import { stmt } from './statements.js';

export interface NewMessage {
  readonly pairId: number;
  readonly storeId: number;
  readonly critical: boolean;
  readonly criticalToOptedOut: boolean;
  readonly suspicious: boolean;
  /** The start of the delivered text, for the inbox list. */
  readonly snippet?: string;
  /** What the inbox search finds it by: the delivered text and the buyer's name. */
  readonly searchText?: string;
  readonly category?: string;
  readonly buyerName?: string;
  readonly autoSubmitted: boolean;
  readonly direction: Direction;
  readonly source: 'smtp' | 'submission' | 'api' | 'web' | 'campaign' | 'website';
  readonly authorEmail: string;
  readonly permittedSenderId: number | null;
  readonly subject: string;
  readonly originalMessageId: string | null;
  readonly relayMessageId: string;
  readonly verdict: string;
  readonly findings: readonly Finding[];
  readonly changes: readonly Change[];
  /** The original as received: in memory, or still in its spool file (read a piece at a time as it is stored). */
  readonly raw: Uint8Array | SpooledFile;
  readonly receivedAt: number;
  /** The campaign ledger row this message was sent for, if any. */
  readonly campaignRecipientId?: number | null;
  /**
   * The staff user who wrote this store message in the admin's reply box: the response clock it
   * stops is theirs ("who answered"), written by this insert, inside the caller's transaction.
   */
  readonly staffUserId?: number | null | undefined;
}

export interface MessageSummary {
  readonly id: number;
  readonly alias: string;
  readonly storeId: number;
  readonly direction: Direction;
  readonly source: string;
  readonly subject: string;
  readonly verdict: string;
  /** Delivered, but the sender's domain did not prove the mail (see the sender-auth finding). */
  readonly suspicious: boolean;
  readonly findings: readonly Finding[];
  readonly changes: readonly Change[];
  readonly size: number;
  readonly receivedAt: number;
  readonly relayMessageId: string;
  readonly status: string;
  readonly outboxIds: readonly number[];
}

export interface MessageFilter {
  readonly alias?: string | undefined;
  readonly storeId?: number | undefined;
  readonly direction?: Direction | undefined;
  readonly beforeId?: number | undefined;
  readonly limit: number;
}

// Delivery status of a message: its relay outbox row's status.
/**
 * The stored-messages list (GET /api/v1/messages), newest first, as one statement for both
 * databases: only the aggregation of the outbox ids differs (group_concat / string_agg).
 */
export function messageListQuery(dialect: Dialect, f: MessageFilter): { sql: string; args: unknown[] } {
  const outboxIds = dialect === 'sqlite' ? 'group_concat(o.id)' : "string_agg(o.id::text, ',' ORDER BY o.id)";
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.alias !== undefined) {
    where.push('p.token = ?');
    args.push(f.alias.toLowerCase());
  }
  if (f.storeId !== undefined) {
    where.push('p.store_id = ?');
    args.push(f.storeId);
  }
  if (f.direction !== undefined) {
    where.push('m.direction = ?');
    args.push(f.direction);
  }
  if (f.beforeId !== undefined) {
    where.push('m.id < ?');
    args.push(f.beforeId);
  }
  const sql = `SELECT m.id, p.token AS alias, p.store_id AS "storeId", m.direction, m.source, m.subject, m.verdict,
    m.suspicious, m.findings, m.changes, m.size, m.received_at AS "receivedAt", m.relay_message_id AS "relayMessageId",
    COALESCE((SELECT o.status FROM outbox o WHERE o.message_id = m.id AND o.kind = 'relay' ORDER BY o.id LIMIT 1), 'none') AS status,
    (SELECT ${outboxIds} FROM outbox o WHERE o.message_id = m.id) AS "outboxIds"
    FROM messages m JOIN pairs p ON p.id = m.pair_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY m.id DESC LIMIT ?`;
  return { sql, args: [...args, f.limit] };
}

/** A row of messageListQuery as a MessageSummary. */
export function toMessageSummary(r: MessageListRow): MessageSummary {
  return {
    ...r,
    suspicious: Number(r.suspicious) === 1,
    findings: JSON.parse(r.findings) as Finding[],
    changes: JSON.parse(r.changes) as Change[],
    outboxIds: r.outboxIds ? String(r.outboxIds).split(',').map(Number) : [],
  };
}

export interface MessageListRow extends Omit<MessageSummary, 'findings' | 'changes' | 'outboxIds' | 'suspicious'> {
  suspicious: number;
  findings: string;
  changes: string;
  outboxIds: string | number | null;
}

export class MessageRepo {
  readonly #db: Db;
  readonly #insert;
  constructor(db: Db) {
    this.#db = db;
    this.#insert = stmt(
      db,
      `INSERT INTO messages (pair_id, store_id, direction, source, author_email, permitted_sender_id, subject, original_message_id,
        relay_message_id, verdict, findings, changes, size, critical, critical_to_opted_out, auto_submitted, suspicious, snippet, category, received_at,
        campaign_recipient_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  insert(m: NewMessage): number {
    const info = this.#insert.run(
      m.pairId,
      m.storeId,
      m.direction,
      m.source,
      m.authorEmail,
      m.permittedSenderId,
      m.subject,
      m.originalMessageId,
      m.relayMessageId,
      m.verdict,
      JSON.stringify(m.findings),
      JSON.stringify(m.changes),
      m.raw.byteLength,
      m.critical ? 1 : 0,
      m.criticalToOptedOut ? 1 : 0,
      m.autoSubmitted ? 1 : 0,
      m.suspicious ? 1 : 0,
      m.snippet ?? '',
      m.category ?? (m.direction === 'store_to_buyer' ? 'sent' : 'buyer_message'),
      m.receivedAt,
      m.campaignRecipientId ?? null,
    );
    const id = Number(info.lastInsertRowid);
    // A large original in pieces (store/body-pieces.ts): better-sqlite3 copies each bound value, so
    // one piece at a time is copied, not the whole message; one still in its spool file is read a piece at a time.
    const pieces = originalPieces(m.raw, true);
    stmt(this.#db, 'INSERT INTO message_bodies (message_id, raw) VALUES (?, ?)').run(id, pieces.first);
    let seq = 1;
    for (const bytes of pieces.later) stmt(this.#db, `${PIECE_INSERT} (?, ?, ?)`).run(id, seq++, bytes);
    stmt(this.#db, 'INSERT INTO message_search (rowid, subject, body, buyer) VALUES (?, ?, ?, ?)').run(
      id,
      m.subject,
      m.searchText ?? m.snippet ?? '',
      m.buyerName ?? '',
    );
    // The insert's trigger (migration 011) just stopped the clock and took the sending address's user.
    if (m.staffUserId != null && m.direction === 'store_to_buyer')
      stmt(this.#db, 'UPDATE response_clocks SET responder_user_id = ? WHERE answer_message_id = ?').run(m.staffUserId, id);
    return id;
  }

  /**
   * The pair's messages whose original or relay Message-ID is one of `ids`: all threading needs.
   * Scoped to the pair, so another buyer's ids are never found.
   */
  idMappings(pairId: number, ids: readonly string[]): IdMapping[] {
    const wanted = [...new Set(ids)].slice(-100);
    if (wanted.length === 0) return [];
    const marks = wanted.map(() => '?').join(',');
    const rows = stmt(
      this.#db,
      `SELECT relay_message_id AS relayId, original_message_id AS originalId, direction, received_at AS receivedAt FROM messages
       WHERE pair_id = ? AND (original_message_id IN (${marks}) OR relay_message_id IN (${marks}))`,
    ).all(pairId, ...wanted, ...wanted) as { relayId: string; originalId: string | null; direction: Direction; receivedAt: number }[];
    return rows.map((r) => ({
      relayId: r.relayId,
      originalId: r.originalId,
      author: r.direction === 'buyer_to_store' ? 'buyer' : 'store',
      receivedAt: r.receivedAt,
    }));
  }

  list(f: MessageFilter): MessageSummary[] {
    const { sql, args } = messageListQuery('sqlite', f);
    return (stmt(this.#db, sql).all(...args) as MessageListRow[]).map(toMessageSummary);
  }

  /** The relay Message-ID of a message, only if it belongs to this pair. */
  relayIdInPair(messageId: number, pairId: number): string | null {
    const row = stmt(this.#db, 'SELECT relay_message_id AS id FROM messages WHERE id = ? AND pair_id = ?').get(messageId, pairId) as { id: string } | undefined;
    return row?.id ?? null;
  }

  authorOf(messageId: number): { authorEmail: string; pairId: number; subject: string; direction: Direction; autoSubmitted: boolean } | null {
    const row = stmt(
      this.#db,
      'SELECT author_email AS authorEmail, pair_id AS pairId, subject, direction, auto_submitted AS autoSubmitted FROM messages WHERE id = ?',
    ).get(messageId) as { authorEmail: string; pairId: number; subject: string; direction: Direction; autoSubmitted: number } | undefined;
    return row ? { ...row, autoSubmitted: row.autoSubmitted === 1 } : null;
  }

  count(): number {
    return (stmt(this.#db, 'SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  }
}

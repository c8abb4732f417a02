// Owns the admin's reading of messages: the unified inbox across the stores a user may see, unread
// counts, one conversation, and per-message state (read, status). Every query is scoped to the
// store ids the caller passes in: access control is a WHERE clause, not an afterthought.
import type { Direction, Finding, Change } from '../core/types.js';
import type { Db } from './db.js';
import { stmt } from './statements.js';

export type InboxView = 'in' | 'sent' | 'all';
export type MessageStatus = 'pending' | 'follow_up' | 'processed' | 'replied_on_platform';

export interface InboxFilter {
  /** The stores to show: already intersected with what the user may see. */
  readonly storeIds: readonly number[];
  readonly view: InboxView;
  readonly unread?: boolean | undefined;
  readonly status?: MessageStatus | undefined;
  readonly sinceMs?: number | undefined;
  readonly q?: string | undefined;
  readonly beforeId?: number | undefined;
  readonly limit: number;
}

export interface InboxRow {
  readonly id: number;
  readonly pairId: number;
  readonly storeId: number;
  readonly storeName: string;
  readonly buyerName: string;
  readonly buyerKind: 'customer' | 'visitor';
  readonly alias: string;
  readonly direction: Direction;
  readonly subject: string;
  readonly snippet: string;
  readonly status: MessageStatus;
  readonly read: boolean;
  readonly replied: boolean;
  readonly suspicious: boolean;
  readonly receivedAt: number;
}

export interface ConversationMessage {
  readonly id: number;
  readonly direction: Direction;
  readonly source: string;
  readonly authorEmail: string;
  readonly subject: string;
  readonly status: MessageStatus;
  readonly suspicious: boolean;
  readonly critical: boolean;
  readonly findings: readonly Finding[];
  readonly changes: readonly Change[];
  readonly receivedAt: number;
  readonly outboxId: number | null;
  readonly delivery: string;
  readonly lastError: string | null;
}

export interface PairHeader {
  readonly pairId: number;
  readonly storeId: number;
  readonly storeName: string;
  readonly alias: string;
  readonly buyerName: string;
  readonly buyerKind: 'customer' | 'visitor';
  readonly optedOut: boolean;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');

export class InboxRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  list(f: InboxFilter): InboxRow[] {
    if (f.storeIds.length === 0) return [];
    const where = [`m.store_id IN (${marks(f.storeIds.length)})`];
    const args: unknown[] = [...f.storeIds];
    if (f.view === 'in') where.push("m.direction = 'buyer_to_store'");
    if (f.view === 'sent') where.push("m.direction = 'store_to_buyer'");
    if (f.unread) where.push('m.read_at IS NULL');
    if (f.status) {
      where.push('m.status = ?');
      args.push(f.status);
    }
    if (f.sinceMs !== undefined) {
      where.push('m.received_at >= ?');
      args.push(f.sinceMs);
    }
    if (f.beforeId !== undefined) {
      where.push('m.id < ?');
      args.push(f.beforeId);
    }
    const q = f.q?.trim();
    if (q) {
      // Subject, text, buyer name, alias or an order number of the pair.
      const like = `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      where.push(
        `(m.subject LIKE ? ESCAPE '\\' OR m.snippet LIKE ? ESCAPE '\\' OR b.name LIKE ? ESCAPE '\\' OR p.token = ? OR EXISTS (SELECT 1 FROM orders o WHERE o.pair_id = m.pair_id AND o.number = ?))`,
      );
      args.push(like, like, like, q.toLowerCase().split('@')[0], q);
    }
    const sql = `SELECT m.id, m.pair_id AS pairId, m.store_id AS storeId, s.name AS storeName, b.name AS buyerName, b.kind AS buyerKind,
        p.token AS alias, m.direction, m.subject, m.snippet, m.status, m.read_at IS NOT NULL AS read, m.suspicious, m.received_at AS receivedAt,
        EXISTS (SELECT 1 FROM messages r WHERE r.pair_id = m.pair_id AND r.direction = 'store_to_buyer' AND r.id > m.id) AS replied
      FROM messages m JOIN pairs p ON p.id = m.pair_id JOIN buyers b ON b.id = p.buyer_id JOIN stores s ON s.id = m.store_id
      WHERE ${where.join(' AND ')} ORDER BY m.id DESC LIMIT ?`;
    const rows = stmt(this.#db, sql).all(...args, f.limit) as (Omit<InboxRow, 'read' | 'replied' | 'suspicious'> & {
      read: number;
      replied: number;
      suspicious: number;
    })[];
    return rows.map((r) => ({ ...r, read: r.read === 1, replied: r.replied === 1, suspicious: r.suspicious === 1 }));
  }

  /** Unread buyer messages per store, for the sidebar and the page title. */
  unreadByStore(storeIds: readonly number[]): Map<number, number> {
    if (storeIds.length === 0) return new Map();
    const rows = stmt(
      this.#db,
      `SELECT store_id AS storeId, count(*) AS n FROM messages WHERE store_id IN (${marks(storeIds.length)}) AND direction = 'buyer_to_store' AND read_at IS NULL GROUP BY store_id`,
    ).all(...storeIds) as { storeId: number; n: number }[];
    return new Map(rows.map((r) => [r.storeId, r.n]));
  }

  pair(pairId: number): PairHeader | null {
    const row = stmt(
      this.#db,
      `SELECT p.id AS pairId, p.store_id AS storeId, s.name AS storeName, p.token AS alias, b.name AS buyerName, b.kind AS buyerKind, p.opted_out AS optedOut
       FROM pairs p JOIN stores s ON s.id = p.store_id JOIN buyers b ON b.id = p.buyer_id WHERE p.id = ?`,
    ).get(pairId) as (Omit<PairHeader, 'optedOut'> & { optedOut: number }) | undefined;
    return row ? { ...row, optedOut: row.optedOut === 1 } : null;
  }

  conversation(pairId: number): ConversationMessage[] {
    const rows = stmt(
      this.#db,
      `SELECT m.id, m.direction, m.source, m.author_email AS authorEmail, m.subject, m.status, m.suspicious, m.critical, m.findings, m.changes,
         m.received_at AS receivedAt, o.id AS outboxId, COALESCE(o.status, 'none') AS delivery, o.last_error AS lastError
       FROM messages m LEFT JOIN outbox o ON o.id = (SELECT min(id) FROM outbox WHERE message_id = m.id AND kind = 'relay')
       WHERE m.pair_id = ? ORDER BY m.id`,
    ).all(pairId) as (Omit<ConversationMessage, 'findings' | 'changes' | 'suspicious' | 'critical'> & {
      findings: string;
      changes: string;
      suspicious: number;
      critical: number;
    })[];
    return rows.map((r) => ({
      ...r,
      suspicious: r.suspicious === 1,
      critical: r.critical === 1,
      findings: JSON.parse(r.findings) as Finding[],
      changes: JSON.parse(r.changes) as Change[],
    }));
  }

  /** The store a message belongs to, for access checks. */
  storeOfMessage(messageId: number): { storeId: number; pairId: number } | null {
    return (
      (stmt(this.#db, 'SELECT store_id AS storeId, pair_id AS pairId FROM messages WHERE id = ?').get(messageId) as
        { storeId: number; pairId: number } | undefined) ?? null
    );
  }

  markPairRead(pairId: number, now = Date.now()): void {
    stmt(this.#db, "UPDATE messages SET read_at = ? WHERE pair_id = ? AND direction = 'buyer_to_store' AND read_at IS NULL").run(now, pairId);
  }

  setStatus(messageIds: readonly number[], status: MessageStatus): void {
    if (messageIds.length === 0) return;
    // Replied on platform is final: it is never changed back.
    stmt(this.#db, `UPDATE messages SET status = ? WHERE id IN (${marks(messageIds.length)}) AND status != 'replied_on_platform'`).run(status, ...messageIds);
  }
}

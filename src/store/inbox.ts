// Owns the admin's reading of messages: the unified inbox across the stores a user may see, unread
// counts, one conversation, and per-message state (read, status). Every query is scoped to the
// store ids the caller passes in: access control is a WHERE clause, not an afterthought.
import type { Category } from '../core/categorize.js';
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
  readonly category?: Category | undefined;
  readonly tagId?: number | undefined;
  /** 'due': unanswered buyer messages whose response clock runs out first, first. */
  readonly sort?: 'newest' | 'due' | undefined;
  readonly sinceMs?: number | undefined;
  /** Received before this instant (exclusive). */
  readonly untilMs?: number | undefined;
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
  readonly category: Category;
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
  readonly category: Category;
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

/**
 * A user's words as an FTS5 query: each word a quoted phrase (so no FTS syntax gets through), all
 * required, the last one as a prefix (search as you type). null when nothing searchable is left.
 */
export function ftsQuery(q: string): string | null {
  const words = q
    .split(/[\s"]+/)
    .map((w) => w.replace(/[^\p{L}\p{N}@._-]/gu, ''))
    .filter((w) => w.length > 0)
    .slice(0, 8);
  if (words.length === 0) return null;
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');

export class InboxRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  list(f: InboxFilter): InboxRow[] {
    if (f.storeIds.length === 0) return [];
    // Plans that stop after one page on a million rows (bench/inbox-bench.ts):
    // - one store: the (store_id, id) index, already in id order;
    // - several stores: walk the rowid backwards and filter (`+` keeps SQLite off the store indexes,
    //   which would gather every row of every store and sort them);
    // - a search that names an alias or an order number: the pair's (pair_id, id) index;
    // - a full-text search: FTS5 hands out matching rowids newest first and the walk stops at a page.
    const where: string[] = [];
    const args: unknown[] = [];
    let from = 'messages m';
    if (f.storeIds.length === 1) {
      where.push('m.store_id = ?');
      args.push(f.storeIds[0]);
    } else {
      where.push(`+m.store_id IN (${marks(f.storeIds.length)})`);
      args.push(...f.storeIds);
    }
    let order = 'm.id DESC';
    const q = f.q?.trim();
    if (q) {
      const pairIds = this.#pairsNamed(q);
      if (pairIds.length) {
        where.push(`m.pair_id IN (${marks(pairIds.length)})`);
        args.push(...pairIds);
      } else {
        const match = ftsQuery(q);
        if (!match) return [];
        from = 'message_search s JOIN messages m ON m.id = s.rowid';
        where.push('message_search MATCH ?');
        args.push(match);
        order = 's.rowid DESC';
      }
    }
    if (f.view === 'in') where.push("m.direction = 'buyer_to_store'");
    if (f.view === 'sent') where.push("m.direction = 'store_to_buyer'");
    if (f.unread) where.push('m.read_at IS NULL');
    if (f.status) {
      where.push('m.status = ?');
      args.push(f.status);
    }
    if (f.category) {
      where.push('m.category = ?');
      args.push(f.category);
    }
    if (f.tagId !== undefined) {
      where.push('EXISTS (SELECT 1 FROM message_tags mt WHERE mt.message_id = m.id AND mt.tag_id = ?)');
      args.push(f.tagId);
    }
    if (f.sort === 'due') {
      // Only what still waits for an answer; A-to-z claims get 48 hours, the rest 24.
      where.push(
        "m.direction = 'buyer_to_store' AND m.status IN ('pending', 'follow_up') AND m.category NOT IN ('marketplace_notification', 'sent')",
        "NOT EXISTS (SELECT 1 FROM messages r WHERE r.pair_id = m.pair_id AND r.id > m.id AND r.direction = 'store_to_buyer')",
      );
      order = "m.received_at + CASE m.category WHEN 'a_to_z_claim' THEN 172800000 ELSE 86400000 END, m.id";
    }
    if (f.sinceMs !== undefined) {
      where.push('m.received_at >= ?');
      args.push(f.sinceMs);
    }
    if (f.untilMs !== undefined) {
      where.push('m.received_at < ?');
      args.push(f.untilMs);
    }
    if (f.beforeId !== undefined) {
      where.push('m.id < ?');
      args.push(f.beforeId);
    }
    const sql = `SELECT m.id, m.pair_id AS pairId, m.store_id AS storeId, st.name AS storeName, CASE WHEN p.hide_name THEN '' ELSE b.name END AS buyerName, b.kind AS buyerKind,
        p.token AS alias, m.direction, m.subject, m.snippet, m.status, m.category, m.read_at IS NOT NULL AS read, m.suspicious, m.received_at AS receivedAt,
        EXISTS (SELECT 1 FROM messages r WHERE r.pair_id = m.pair_id AND r.id > m.id AND r.direction = 'store_to_buyer') AS replied
      FROM ${from} JOIN pairs p ON p.id = m.pair_id JOIN buyers b ON b.id = p.buyer_id JOIN stores st ON st.id = m.store_id
      WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
    const rows = stmt(this.#db, sql).all(...args, f.limit) as (Omit<InboxRow, 'read' | 'replied' | 'suspicious'> & {
      read: number;
      replied: number;
      suspicious: number;
    })[];
    return rows.map((r) => ({ ...r, read: r.read === 1, replied: r.replied === 1, suspicious: r.suspicious === 1 }));
  }

  /** Pairs whose alias is q, or that have an order numbered q (exact identifiers beat full text). */
  #pairsNamed(q: string): number[] {
    const alias = q.toLowerCase().split('@')[0] as string;
    const rows = stmt(this.#db, 'SELECT id FROM pairs WHERE token = ? UNION SELECT pair_id AS id FROM orders WHERE number = ? LIMIT 100').all(alias, q) as {
      id: number;
    }[];
    return rows.map((r) => r.id);
  }

  /** Unread buyer messages per category in these stores, for the sidebar. */
  unreadByCategory(storeIds: readonly number[]): Map<Category, number> {
    if (storeIds.length === 0) return new Map();
    const rows = stmt(
      this.#db,
      `SELECT category, count(*) AS n FROM messages INDEXED BY messages_unread
       WHERE store_id IN (${marks(storeIds.length)}) AND direction = 'buyer_to_store' AND read_at IS NULL GROUP BY category`,
    ).all(...storeIds) as { category: Category; n: number }[];
    return new Map(rows.map((r) => [r.category, r.n]));
  }

  setCategory(messageId: number, category: Category, storeIds: readonly number[]): number {
    if (storeIds.length === 0) return 0;
    return stmt(this.#db, `UPDATE messages SET category = ? WHERE id = ? AND store_id IN (${marks(storeIds.length)})`).run(category, messageId, ...storeIds)
      .changes;
  }

  /** Unread buyer messages per store, for the sidebar and the page title. */
  unreadByStore(storeIds: readonly number[]): Map<number, number> {
    if (storeIds.length === 0) return new Map();
    const rows = stmt(
      this.#db,
      `SELECT store_id AS storeId, count(*) AS n FROM messages INDEXED BY messages_unread
       WHERE store_id IN (${marks(storeIds.length)}) AND direction = 'buyer_to_store' AND read_at IS NULL GROUP BY store_id`,
    ).all(...storeIds) as { storeId: number; n: number }[];
    return new Map(rows.map((r) => [r.storeId, r.n]));
  }

  pair(pairId: number): PairHeader | null {
    const row = stmt(
      this.#db,
      `SELECT p.id AS pairId, p.store_id AS storeId, s.name AS storeName, p.token AS alias, CASE WHEN p.hide_name THEN '' ELSE b.name END AS buyerName, b.kind AS buyerKind, p.opted_out AS optedOut
       FROM pairs p JOIN stores s ON s.id = p.store_id JOIN buyers b ON b.id = p.buyer_id WHERE p.id = ?`,
    ).get(pairId) as (Omit<PairHeader, 'optedOut'> & { optedOut: number }) | undefined;
    return row ? { ...row, optedOut: row.optedOut === 1 } : null;
  }

  conversation(pairId: number): ConversationMessage[] {
    const rows = stmt(
      this.#db,
      `SELECT m.id, m.direction, m.source, m.author_email AS authorEmail, m.subject, m.status, m.category, m.suspicious, m.critical, m.findings, m.changes,
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

  /** The same buyer's conversations with other stores among these. */
  otherConversations(pairId: number, storeIds: readonly number[]): { pairId: number; storeName: string }[] {
    if (storeIds.length === 0) return [];
    return stmt(
      this.#db,
      `SELECT o.id AS pairId, s.name AS storeName FROM pairs p JOIN pairs o ON o.buyer_id = p.buyer_id AND o.id != p.id JOIN stores s ON s.id = o.store_id
       WHERE p.id = ? AND o.store_id IN (${marks(storeIds.length)}) ORDER BY s.name`,
    ).all(pairId, ...storeIds) as { pairId: number; storeName: string }[];
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

  /** Sets the status of these messages, within the stores given; returns how many changed. */
  setStatus(messageIds: readonly number[], status: MessageStatus, storeIds: readonly number[]): number {
    if (messageIds.length === 0 || storeIds.length === 0) return 0;
    // Replied on platform is final: it is never changed back.
    return stmt(
      this.#db,
      `UPDATE messages SET status = ? WHERE id IN (${marks(messageIds.length)}) AND store_id IN (${marks(storeIds.length)}) AND status != 'replied_on_platform'`,
    ).run(status, ...messageIds, ...storeIds).changes;
  }

  /** Marks these messages read or unread, within the stores given; returns how many changed. */
  setRead(messageIds: readonly number[], read: boolean, storeIds: readonly number[], now = Date.now()): number {
    if (messageIds.length === 0 || storeIds.length === 0) return 0;
    return stmt(this.#db, `UPDATE messages SET read_at = ? WHERE id IN (${marks(messageIds.length)}) AND store_id IN (${marks(storeIds.length)})`).run(
      read ? now : null,
      ...messageIds,
      ...storeIds,
    ).changes;
  }
}

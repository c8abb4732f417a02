// Owns the admin's reading of messages: the unified inbox across the stores a user may see, unread
// counts, one conversation, and per-message state (read, status). Every query is scoped to the
// store ids the caller passes in: access control is a WHERE clause, not an afterthought.
import type { Category } from '../core/categorize.js';
import type { Direction, Finding, Change } from '../core/types.js';
import type { Db } from './db.js';
import type { Tag } from './tags.js';
import { marks, type Dialect } from './sql-runner.js';
import { stmt } from './statements.js';

export type InboxView = 'in' | 'sent' | 'all';
export type MessageStatus = 'pending' | 'follow_up' | 'processed' | 'replied_on_platform';
/** open: waiting on us; pending: waiting on the buyer; replied_on_platform is final (a buyer message reopens it). */
export type ConversationStatus = 'open' | 'pending' | 'follow_up' | 'processed' | 'replied_on_platform';
export const CONVERSATION_STATUSES = ['open', 'pending', 'follow_up', 'processed', 'replied_on_platform'] as const;

export interface InboxFilter {
  /** The stores to show: already intersected with what the user may see. */
  readonly storeIds: readonly number[];
  /** in: conversations with a buyer message; sent: whose latest message is ours; all. */
  readonly view: InboxView;
  readonly unread?: boolean | undefined;
  readonly status?: ConversationStatus | undefined;
  /** The category of the conversation's latest buyer message. */
  readonly category?: Category | undefined;
  /** Conversations with a message carrying this tag. */
  readonly tagId?: number | undefined;
  /** A user id: assigned to them; null: unassigned; undefined: anyone's. */
  readonly assigneeId?: number | null | undefined;
  /**
   * true: only snoozed conversations; otherwise snoozed ones are hidden until the time comes, then
   * shown unread (the snooze ends when the conversation is read or the buyer writes).
   */
  readonly snoozed?: boolean | undefined;
  /** 'due': conversations waiting for an answer whose response clock runs out first, first. */
  readonly sort?: 'newest' | 'due' | undefined;
  /** The latest message at or after this instant (ms). */
  readonly sinceMs?: number | undefined;
  /** The latest message before this instant (exclusive). */
  readonly untilMs?: number | undefined;
  readonly q?: string | undefined;
  /** Cursor: latest message id (or, in a full-text search, matching message id) below this. */
  readonly beforeId?: number | undefined;
  readonly limit: number;
  readonly now: number;
}

/** One conversation in the list, with its latest message. */
export interface InboxRow {
  readonly pairId: number;
  readonly storeId: number;
  readonly storeName: string;
  readonly buyerName: string;
  readonly buyerKind: 'customer' | 'visitor';
  readonly alias: string;
  /** The latest message (or, in a full-text search, the newest matching one). */
  readonly id: number;
  readonly direction: Direction;
  readonly subject: string;
  readonly snippet: string;
  readonly receivedAt: number;
  readonly suspicious: boolean;
  readonly status: ConversationStatus;
  readonly category: Category | null;
  readonly unread: number;
  readonly files: boolean;
  /** When the oldest unanswered buyer message came (ms); null when answered. */
  readonly waitingSince: number | null;
  readonly assigneeId: number | null;
  readonly assignee: string | null;
  readonly snoozedUntil: number | null;
  /** Since when the buyer's address is undeliverable (their mailbox gone, ms); null when it is not. */
  readonly undeliverableAt: number | null;
}

export interface ConversationMessage {
  readonly id: number;
  readonly direction: Direction;
  readonly source: string;
  readonly authorEmail: string;
  readonly subject: string;
  /** The start of the text (empty after the retention period). */
  readonly snippet: string;
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

/** One message as the admin's one-message routes read it: a conversation's message with its pair and store. */
export interface StoredMessage extends ConversationMessage {
  readonly pairId: number;
  readonly storeId: number;
}

/**
 * A conversation's message with its relay delivery's state, as both databases read it (the thread
 * and the one-message read share it, so the two cannot drift): the columns, then the FROM clause.
 * Aliases are double-quoted for PostgreSQL, which folds bare ones to lower case.
 */
export const CONVERSATION_MESSAGE_COLUMNS = `m.id, m.direction, m.source, m.author_email AS "authorEmail", m.subject, m.snippet, m.status, m.category, m.suspicious, m.critical,
  m.findings, m.changes, m.received_at AS "receivedAt", o.id AS "outboxId", COALESCE(o.status, 'none') AS delivery, o.last_error AS "lastError"`;
export const CONVERSATION_MESSAGE_FROM = `FROM messages m LEFT JOIN outbox o ON o.id = (SELECT min(id) FROM outbox WHERE message_id = m.id AND kind = 'relay')`;

/** A row of CONVERSATION_MESSAGE_COLUMNS as either database returns it (integers for the flags, JSON text). */
export type RawConversationMessage = Omit<ConversationMessage, 'findings' | 'changes' | 'suspicious' | 'critical'> & {
  findings: string;
  changes: string;
  suspicious: number;
  critical: number;
};

/** The message of a raw row (and whatever else the row carries, such as its pair and store). */
export function toConversationMessage<R extends RawConversationMessage>(
  r: R,
): Omit<R, 'findings' | 'changes' | 'suspicious' | 'critical'> & ConversationMessage {
  return {
    ...r,
    suspicious: r.suspicious === 1,
    critical: r.critical === 1,
    findings: JSON.parse(r.findings) as Finding[],
    changes: JSON.parse(r.changes) as Change[],
  };
}

export interface PairHeader {
  readonly pairId: number;
  readonly storeId: number;
  readonly storeName: string;
  readonly alias: string;
  readonly buyerName: string;
  readonly buyerKind: 'customer' | 'visitor';
  readonly optedOut: boolean;
  /** Since when the buyer's address is undeliverable (their mailbox gone, ms); null when it is not. */
  readonly undeliverableAt: number | null;
  /** Why, as staff see it: the refusal or bounce status text, scrubbed; null when unknown or not marked. */
  readonly undeliverableReason: string | null;
}

/** The words of a search as the user typed them (at most 8, no quotes or syntax): both databases' queries start here. */
export function searchWords(q: string): string[] {
  return q
    .split(/[\s"]+/)
    .map((w) => w.replace(/[^\p{L}\p{N}@._-]/gu, ''))
    .filter((w) => w.length > 0)
    .slice(0, 8);
}

/**
 * A user's words as an FTS5 query: each word a quoted phrase (so no FTS syntax gets through), all
 * required, the last one as a prefix (search as you type). null when nothing searchable is left.
 */
export function ftsQuery(q: string): string | null {
  const words = searchWords(q);
  if (words.length === 0) return null;
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

/** A full-text search looks at this many matching messages at most for one page. */
const SEARCH_WALK_MAX = 50_000;

/** How far a time window's id bound reaches past its edge (see inboxRowsQuery). */
export const CLOCK_MARGIN_MS = 3_600_000;

/** An inbox row as both databases return it (integers for the flags). */
export type RawInboxRow = Omit<InboxRow, 'suspicious' | 'files'> & { suspicious: number; files: number };

/**
 * The inbox page's statement, the same on both databases but for SQLite's planner hints: the
 * conversations matching f (among `pairIds` when given: a named pair or a search's batch), newest
 * latest message first or due first, one page (`forHits`: the whole batch). `bounds` are the first
 * message ids at the time window's edges widened by CLOCK_MARGIN_MS (ids grow with arrival time), so
 * a window with few matches stops at its end instead of reading every older conversation.
 */
export function inboxRowsQuery(
  dialect: Dialect,
  f: InboxFilter,
  pairIds: readonly number[] | null,
  forHits: boolean,
  bounds: { sinceId?: number | undefined; untilId?: number | undefined },
): { sql: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const sqlite = dialect === 'sqlite';
  if (f.storeIds.length === 1) {
    where.push('c.store_id = ?');
    args.push(f.storeIds[0]);
  } else {
    // `+` keeps SQLite off the store index, which would gather every row of every store and sort them.
    where.push(`${sqlite ? '+' : ''}c.store_id IN (${marks(f.storeIds.length)})`);
    args.push(...f.storeIds);
  }
  if (pairIds) {
    where.push(`c.pair_id IN (${marks(pairIds.length)})`);
    args.push(...pairIds);
  }
  let order = 'c.last_message_id DESC';
  if (f.view === 'in') where.push('c.last_buyer_id IS NOT NULL');
  if (f.view === 'sent') where.push("m.direction = 'store_to_buyer'");
  if (f.unread) {
    where.push('(c.unread > 0 OR c.snoozed_until <= ?)');
    args.push(f.now);
  }
  if (f.status) {
    where.push('c.status = ?');
    args.push(f.status);
  }
  if (f.category) {
    where.push('c.category = ?');
    args.push(f.category);
  }
  if (f.tagId !== undefined) {
    where.push('EXISTS (SELECT 1 FROM messages x JOIN message_tags mt ON mt.message_id = x.id WHERE x.pair_id = c.pair_id AND mt.tag_id = ?)');
    args.push(f.tagId);
  }
  if (f.assigneeId === null) where.push('c.assignee_id IS NULL');
  else if (f.assigneeId !== undefined) {
    where.push('c.assignee_id = ?');
    args.push(f.assigneeId);
  }
  if (f.snoozed) {
    where.push('c.snoozed_until > ?');
    args.push(f.now);
  } else {
    where.push('(c.snoozed_until IS NULL OR c.snoozed_until <= ?)');
    args.push(f.now);
  }
  // Due first over several stores walks migration 015's index of the waiting conversations in
  // deadline order (SQLite's own choice, the status index, sorted every open conversation).
  const dueIndex = sqlite && f.sort === 'due' && f.storeIds.length > 1 && !pairIds;
  if (f.sort === 'due') {
    // Only what still waits for an answer; A-to-z claims get 48 hours, the rest 24. These terms
    // are, word for word, the WHERE and expression of migration 015's due indexes.
    where.push("c.waiting_since IS NOT NULL AND c.status IN ('open', 'follow_up') AND c.category NOT IN ('marketplace_notification', 'sent')");
    order = "c.waiting_since + CASE c.category WHEN 'a_to_z_claim' THEN 172800000 ELSE 86400000 END, c.pair_id";
  }
  if (f.sinceMs !== undefined) {
    where.push('m.received_at >= ? AND c.last_message_id >= ?');
    args.push(f.sinceMs, bounds.sinceId ?? 0);
  }
  if (f.untilMs !== undefined) {
    where.push('m.received_at < ? AND c.last_message_id < ?');
    args.push(f.untilMs, bounds.untilId ?? Number.MAX_SAFE_INTEGER);
  }
  if (f.beforeId !== undefined && !forHits && f.sort !== 'due') {
    where.push('c.last_message_id < ?');
    args.push(f.beforeId);
  }
  const sql = `SELECT c.pair_id AS "pairId", c.store_id AS "storeId", st.name AS "storeName", CASE WHEN p.hide_name <> 0 THEN '' ELSE b.name END AS "buyerName",
      b.kind AS "buyerKind", p.token AS alias, m.id, m.direction, m.subject, m.snippet, m.received_at AS "receivedAt", m.suspicious, c.status, c.category,
      CASE WHEN c.snoozed_until <= ? THEN ${sqlite ? 'max' : 'GREATEST'}(c.unread, 1) ELSE c.unread END AS unread, c.files,
      c.waiting_since AS "waitingSince", c.assignee_id AS "assigneeId", u.name AS assignee, c.snoozed_until AS "snoozedUntil",
      b.undeliverable_at AS "undeliverableAt"
    FROM conversations c ${dueIndex ? 'INDEXED BY conversations_due' : ''} JOIN messages m ON m.id = c.last_message_id JOIN pairs p ON p.id = c.pair_id JOIN buyers b ON b.id = p.buyer_id
      JOIN stores st ON st.id = c.store_id LEFT JOIN users u ON u.id = c.assignee_id
    WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
  return { sql, args: [f.now, ...args, forHits ? pairIds!.length : f.limit] };
}

/**
 * The rows of inboxRowsQuery as InboxRows. A search's batch (`hits`: pair → its newest matching
 * message) shows each conversation with that message, in the order of the matches.
 */
export function pageOfRows(raw: readonly RawInboxRow[], pairIds: readonly number[] | null, hits?: ReadonlyMap<number, number>): InboxRow[] {
  const rows = raw.map((r) => ({ ...r, suspicious: Number(r.suspicious) === 1, files: Number(r.files) > 0 }));
  if (!hits || !pairIds) return rows;
  return rows.map((r) => ({ ...r, id: hits.get(r.pairId) ?? r.id })).sort((a, b) => b.id - a.id);
}

export class InboxRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  list(f: InboxFilter): InboxRow[] {
    if (f.storeIds.length === 0) return [];
    // Plans that stop after one page (bench/inbox-bench.ts, 40 000 conversations over 1 000 000
    // messages): conversations walked newest first on (store_id, last_message_id) for one store or
    // (last_message_id) for several (`+` keeps SQLite off the store index, which would gather every
    // row of every store and sort them); an alias or order number names the pairs; a full-text
    // search walks the matches newest first and collects their conversations until a page is full.
    const q = f.q?.trim();
    if (q) {
      const pairIds = this.#pairsNamed(q);
      if (pairIds.length) return this.#rows(f, pairIds);
      const match = ftsQuery(q);
      return match ? this.#search(f, match) : [];
    }
    return this.#rows(f, null);
  }

  /** The page of conversations matching f, among `pairIds` when given (in their order then). */
  #rows(f: InboxFilter, pairIds: readonly number[] | null, hits?: ReadonlyMap<number, number>): InboxRow[] {
    const bounds = {
      sinceId: f.sinceMs === undefined ? undefined : this.#firstIdAt(f.sinceMs - CLOCK_MARGIN_MS),
      untilId: f.untilMs === undefined ? undefined : this.#firstIdAt(f.untilMs + CLOCK_MARGIN_MS),
    };
    const { sql, args } = inboxRowsQuery('sqlite', f, pairIds, hits !== undefined, bounds);
    return pageOfRows(stmt(this.#db, sql).all(...args) as RawInboxRow[], pairIds, hits);
  }

  /** Conversations with a message matching the FTS query, newest match first, one page. */
  #search(f: InboxFilter, match: string): InboxRow[] {
    const walk = stmt(
      this.#db,
      `SELECT s.rowid AS id, m.pair_id AS pairId, m.store_id AS storeId FROM message_search s JOIN messages m ON m.id = s.rowid
       WHERE message_search MATCH ? AND s.rowid < ? ORDER BY s.rowid DESC`,
    );
    const stores = new Set(f.storeIds);
    const seen = new Map<number, number>();
    const out: InboxRow[] = [];
    let cursor = f.beforeId ?? Number.MAX_SAFE_INTEGER;
    let walked = 0;
    // Collect a batch of new conversations from the walk (the iterator is closed before the next
    // query runs), then read their rows with the other filters; again until a page is full.
    for (;;) {
      const batch: number[] = [];
      let exhausted = true;
      for (const hit of walk.iterate(match, cursor) as IterableIterator<{ id: number; pairId: number; storeId: number }>) {
        cursor = hit.id;
        if (++walked > SEARCH_WALK_MAX) break;
        if (!stores.has(hit.storeId) || seen.has(hit.pairId)) continue;
        seen.set(hit.pairId, hit.id);
        batch.push(hit.pairId);
        if (batch.length >= 100) {
          exhausted = false;
          break;
        }
      }
      if (batch.length) out.push(...this.#rows(f, batch, seen));
      if (exhausted || out.length >= f.limit || walked > SEARCH_WALK_MAX) break;
    }
    return out.slice(0, f.limit);
  }

  /**
   * The first message id received at or after `ms` (max id + 1 when none), by bisection on the
   * rowid: ids grow with arrival time, so about 20 primary-key look-ups, no index on received_at.
   */
  #firstIdAt(ms: number): number {
    const at = stmt(this.#db, 'SELECT id, received_at AS t FROM messages WHERE id >= ? ORDER BY id LIMIT 1');
    const end = ((stmt(this.#db, 'SELECT max(id) FROM messages').pluck().get() as number | null) ?? 0) + 1;
    let lo = 1;
    let hi = end;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const r = at.get(mid) as { id: number; t: number } | undefined;
      if (!r || r.t >= ms) hi = mid;
      else lo = r.id + 1;
    }
    return (at.get(lo) as { id: number } | undefined)?.id ?? end;
  }

  /** Pairs whose alias is q, or that have an order numbered q (exact identifiers beat full text). */
  #pairsNamed(q: string): number[] {
    const alias = q.toLowerCase().split('@')[0] as string;
    const rows = stmt(this.#db, 'SELECT id FROM pairs WHERE token = ? UNION SELECT pair_id AS id FROM orders WHERE number = ? LIMIT 100').all(alias, q) as {
      id: number;
    }[];
    return rows.map((r) => r.id);
  }

  /** The tags on any message of these conversations, per pair. */
  tagsForPairs(pairIds: readonly number[]): Map<number, Tag[]> {
    const out = new Map<number, Tag[]>();
    if (pairIds.length === 0) return out;
    const rows = stmt(
      this.#db,
      `SELECT DISTINCT m.pair_id AS pairId, t.id, t.name, t.colour FROM messages m JOIN message_tags mt ON mt.message_id = m.id JOIN tags t ON t.id = mt.tag_id
       WHERE m.pair_id IN (${marks(pairIds.length)}) ORDER BY t.name`,
    ).all(...pairIds) as (Tag & { pairId: number })[];
    for (const { pairId, ...tag } of rows) out.set(pairId, [...(out.get(pairId) ?? []), tag]);
    return out;
  }

  /** A conversation's latest message and latest buyer message, and its messages with a tag. */
  messageIds(pairId: number): { last: number | null; lastBuyer: number | null; tagged: (tagId: number) => number[] } {
    const row = stmt(this.#db, 'SELECT last_message_id AS last, last_buyer_id AS lastBuyer FROM conversations WHERE pair_id = ?').get(pairId) as
      { last: number; lastBuyer: number | null } | undefined;
    return {
      last: row?.last ?? null,
      lastBuyer: row?.lastBuyer ?? null,
      tagged: (tagId) =>
        (
          stmt(this.#db, 'SELECT m.id FROM messages m JOIN message_tags mt ON mt.message_id = m.id WHERE m.pair_id = ? AND mt.tag_id = ?').all(
            pairId,
            tagId,
          ) as {
            id: number;
          }[]
        ).map((r) => r.id),
    };
  }

  /** The newest message id in these stores (the live refresh compares it). */
  newestId(storeIds: readonly number[]): number {
    if (storeIds.length === 0) return 0;
    const row = stmt(this.#db, `SELECT max(last_message_id) AS id FROM conversations WHERE store_id IN (${marks(storeIds.length)})`).get(...storeIds) as {
      id: number | null;
    };
    return row.id ?? 0;
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
      `SELECT p.id AS pairId, p.store_id AS storeId, s.name AS storeName, p.token AS alias, CASE WHEN p.hide_name THEN '' ELSE b.name END AS buyerName, b.kind AS buyerKind, p.opted_out AS optedOut,
         b.undeliverable_at AS undeliverableAt, b.undeliverable_reason AS undeliverableReason
       FROM pairs p JOIN stores s ON s.id = p.store_id JOIN buyers b ON b.id = p.buyer_id WHERE p.id = ?`,
    ).get(pairId) as (Omit<PairHeader, 'optedOut'> & { optedOut: number }) | undefined;
    return row ? { ...row, optedOut: row.optedOut === 1 } : null;
  }

  conversation(pairId: number): ConversationMessage[] {
    const rows = stmt(this.#db, `SELECT ${CONVERSATION_MESSAGE_COLUMNS} ${CONVERSATION_MESSAGE_FROM} WHERE m.pair_id = ? ORDER BY m.id`).all(
      pairId,
    ) as RawConversationMessage[];
    return rows.map(toConversationMessage);
  }

  /** One message with its delivery, its pair and store, if it is in one of these stores. */
  message(messageId: number, storeIds: readonly number[]): StoredMessage | null {
    if (storeIds.length === 0) return null;
    const row = stmt(
      this.#db,
      `SELECT ${CONVERSATION_MESSAGE_COLUMNS}, m.pair_id AS "pairId", m.store_id AS "storeId" ${CONVERSATION_MESSAGE_FROM}
       WHERE m.id = ? AND m.store_id IN (${marks(storeIds.length)})`,
    ).get(messageId, ...storeIds) as (RawConversationMessage & { pairId: number; storeId: number }) | undefined;
    return row ? toConversationMessage(row) : null;
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

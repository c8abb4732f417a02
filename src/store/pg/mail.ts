// The PostgreSQL adapter of the mail path's port (src/store/mail-ports.ts): the same reads and
// writes as the SQLite repositories (src/store/pairs.ts, stores.ts, messages.ts, message-stats.ts,
// events.ts), in PostgreSQL's SQL. A visitor's pair is made with INSERT … ON CONFLICT DO NOTHING,
// so two nodes making the same buyer's pair at once both read back the one row. The derived tables
// (conversations, daily counts, search) follow the messages insert by PostgreSQL schema triggers.
import { DEFAULT_POLICY, type StorePolicy } from '../../core/messaging-rules.js';
import { redactAddresses } from '../../core/redact-addresses.js';
import type {
  CredentialCandidate,
  IdMapping,
  MailStore,
  MessageAuthor,
  OrderSummary,
  PairView,
  PermittedSenderRow,
  SendCounts,
  StoreRow,
} from '../mail-ports.js';
import { eachPieceRun, originalPieces, PIECE_INSERT } from '../body-pieces.js';
import { newToken } from '../pairs.js';
import type { PgScope, Queryable } from './db.js';
import { pgIndexSearchText } from './search.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

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
  b.id b_id, b.email b_email, CASE WHEN p.hide_name <> 0 THEN '' ELSE b.name END b_name, b.kind b_kind, b.undeliverable_at b_undeliverable_at, b.undeliverable_reason b_undeliverable_reason
  FROM pairs p JOIN stores s ON s.id = p.store_id JOIN buyers b ON b.id = p.buyer_id`;

function toView(r: PairJoinRow): PairView {
  return {
    store: { id: r.s_id, slug: r.s_slug, name: r.s_name, mailbox: r.s_mailbox },
    pair: { id: r.p_id, token: r.p_token, optedOut: Number(r.p_opted_out) === 1, createdAt: r.p_created_at },
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

const STORE_COLS = 'id, slug, name, mailbox, created_at AS "createdAt"';
const SENDER_COLS = 'id, store_id AS "storeId", email, status, created_at AS "createdAt", updated_at AS "updatedAt"';

async function rows<T>(q: Queryable, text: string, values: unknown[] = []): Promise<T[]> {
  return (await q.query(text, values)).rows as T[];
}
async function one<T>(q: Queryable, text: string, values: unknown[] = []): Promise<T | null> {
  return ((await q.query(text, values)).rows[0] as T | undefined) ?? null;
}

/** `message.received` for a message row just inserted (as src/store/events.ts builds it on SQLite). */
const MESSAGE_RECEIVED = `INSERT INTO events (type, store_id, data, created_at)
  SELECT 'message.received', m.store_id, json_build_object('messageId', m.id, 'alias', p.token, 'direction', m.direction, 'source', m.source,
    'subject', m.subject, 'receivedAt', to_char(to_timestamp(m.received_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text, $1
  FROM messages m JOIN pairs p ON p.id = m.pair_id WHERE m.id = $2`;

export function pgMail(s: PgScope): MailStore {
  const view = async (q: Queryable, where: string, values: unknown[]) => {
    const r = await one<PairJoinRow>(q, `${PAIR_JOIN} WHERE ${where}`, values);
    return r ? toView(r) : null;
  };
  return {
    pairByToken: (token) => view(s.q, 'p.token = $1', [token.toLowerCase()]),
    pairByStoreAndEmail: (storeId, email) => view(s.q, 'p.store_id = $1 AND b.email = $2', [storeId, email.toLowerCase()]),
    pairById: (id) => view(s.q, 'p.id = $1', [id]),
    async messageAuthor(id) {
      const r = await one<Omit<MessageAuthor, 'autoSubmitted'> & { autoSubmitted: number }>(
        s.q,
        'SELECT author_email AS "authorEmail", pair_id AS "pairId", subject, direction, auto_submitted AS "autoSubmitted" FROM messages WHERE id = $1',
        [id],
      );
      return r ? { ...r, autoSubmitted: Number(r.autoSubmitted) === 1 } : null;
    },
    storeBySlug: (slug) => one<StoreRow>(s.q, `SELECT ${STORE_COLS} FROM stores WHERE slug = $1`, [slug]),
    sender: (id) => one<PermittedSenderRow>(s.q, `SELECT ${SENDER_COLS} FROM permitted_senders WHERE id = $1`, [id]),
    findSender: (storeId, email) =>
      one<PermittedSenderRow>(s.q, `SELECT ${SENDER_COLS} FROM permitted_senders WHERE store_id = $1 AND email = $2`, [storeId, email.toLowerCase()]),
    senders: (storeId) => rows<PermittedSenderRow>(s.q, `SELECT ${SENDER_COLS} FROM permitted_senders WHERE store_id = $1 ORDER BY id`, [storeId]),
    firstOwnerEmail: async () =>
      (await one<{ email: string }>(s.q, "SELECT email FROM users WHERE role = 'owner' AND disabled_at IS NULL ORDER BY id LIMIT 1"))?.email ?? null,
    async policy(storeId) {
      const r = await one<{ policy: string }>(s.q, 'SELECT policy FROM stores WHERE id = $1', [storeId]);
      return { ...DEFAULT_POLICY, ...(r ? (JSON.parse(r.policy) as Partial<StorePolicy>) : {}) };
    },
    bannedWords: async (storeId) =>
      (await rows<{ word: string }>(s.q, 'SELECT word FROM banned_words WHERE store_id IS NULL OR store_id = $1 ORDER BY word COLLATE "C"', [storeId])).map(
        (r) => r.word,
      ),
    async idMappings(pairId, ids) {
      const wanted = [...new Set(ids)].slice(-100);
      if (wanted.length === 0) return [];
      const found = await rows<{ relayId: string; originalId: string | null; direction: string; receivedAt: number }>(
        s.q,
        `SELECT relay_message_id AS "relayId", original_message_id AS "originalId", direction, received_at AS "receivedAt" FROM messages
         WHERE pair_id = $1 AND (original_message_id = ANY($2::text[]) OR relay_message_id = ANY($2::text[]))`,
        [pairId, wanted],
      );
      return found.map((r): IdMapping => ({
        relayId: r.relayId,
        originalId: r.originalId,
        author: r.direction === 'buyer_to_store' ? 'buyer' : 'store',
        receivedAt: r.receivedAt,
      }));
    },
    async sendCounts(storeId, pairId, now) {
      const r = await one<SendCounts>(
        s.q,
        `SELECT
           (SELECT count(*) FROM messages WHERE store_id = $1 AND direction = 'store_to_buyer' AND received_at > $3) AS "storeSentLastHour",
           (SELECT count(*) FROM messages WHERE pair_id = $2 AND direction = 'store_to_buyer' AND received_at > $4) AS "pairSentLastDay",
           (SELECT count(*) FROM messages WHERE store_id = $1 AND direction = 'store_to_buyer' AND critical_to_opted_out = 1 AND received_at > $4)
             AS "criticalToOptedOutLastDay",
           (SELECT max(received_at) FROM messages WHERE pair_id = $2 AND direction = 'buyer_to_store') AS "lastBuyerMessageAt"`,
        [storeId, pairId, now - HOUR, now - DAY],
      );
      return r as SendCounts;
    },
    orderSummaries: (pairId) =>
      rows<OrderSummary>(s.q, 'SELECT number, status, completed_at AS "completedAt" FROM orders WHERE pair_id = $1 ORDER BY placed_at DESC, id DESC', [pairId]),
    categoryRules: async () => rows(s.q, 'SELECT category, field, pattern FROM category_rules ORDER BY position, id'),
    ensurePair: (storeId, email, rawName, kind, now = Date.now()) =>
      s.inTransaction(async (q) => {
        const address = email.toLowerCase();
        const name = redactAddresses(rawName, []);
        await q.query('INSERT INTO buyers (email, name, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING', [address, name, kind, now]);
        const buyer = (await one<{ id: number; kind: string }>(q, 'SELECT id, kind FROM buyers WHERE email = $1', [address])) as { id: number; kind: string };
        if (kind === 'customer' && (buyer.kind === 'visitor' || name !== ''))
          await q.query("UPDATE buyers SET kind = 'customer', name = CASE WHEN $1 <> '' THEN $1 ELSE name END WHERE id = $2", [name, buyer.id]);
        // A token collision at 100 bits is not expected; the UNIQUE constraint makes it an error, not a merge.
        const made = await q.query(
          'INSERT INTO pairs (store_id, buyer_id, token, opted_out, created_at) VALUES ($1, $2, $3, 0, $4) ON CONFLICT (store_id, buyer_id) DO NOTHING',
          [storeId, buyer.id, newToken(), now],
        );
        const v = (await view(q, 'p.store_id = $1 AND p.buyer_id = $2', [storeId, buyer.id])) as PairView;
        return { view: v, created: (made.rowCount ?? 0) > 0 };
      }),
    insertMessage: (m) =>
      s.inTransaction(async (q) => {
        const r = await one<{ id: number }>(
          q,
          `INSERT INTO messages (pair_id, store_id, direction, source, author_email, permitted_sender_id, subject, original_message_id,
            relay_message_id, verdict, findings, changes, size, critical, critical_to_opted_out, auto_submitted, suspicious, snippet, category, received_at,
            campaign_recipient_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id`,
          [
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
          ],
        );
        const id = (r as { id: number }).id;
        // A large original in pieces (store/body-pieces.ts): node-postgres copies each bound Buffer
        // into the Bind message it writes, so a few pieces a query (PIECES_BOUND_BYTES), never the
        // whole message, and a few round trips inside the commit, not one a piece.
        const pieces = originalPieces(m.raw);
        await q.query('INSERT INTO message_bodies (message_id, raw) VALUES ($1, $2)', [id, pieces.first]);
        for (const run of eachPieceRun(pieces.later)) {
          const rows = run.pieces.map((_, i) => `($1, $${2 * i + 2}, $${2 * i + 3})`).join(', ');
          await q.query(`${PIECE_INSERT} ${rows}`, [id, ...run.pieces.flatMap((bytes, i) => [run.seq + i, bytes])]);
        }
        // Found by its whole delivered text and the buyer's name as the store sees it, as SQLite's insert
        // indexes them (the trigger wrote only the snippet, and the name even when the buyer hid it).
        await pgIndexSearchText(q, id, m.searchText ?? m.snippet ?? '', m.buyerName ?? '');
        if (m.staffUserId != null && m.direction === 'store_to_buyer')
          await q.query('UPDATE response_clocks SET responder_user_id = $1 WHERE answer_message_id = $2', [m.staffUserId, id]);
        await q.query(MESSAGE_RECEIVED, [m.receivedAt, id]);
        return id;
      }),
    submissionCandidates: (email) =>
      rows<CredentialCandidate>(
        s.q,
        `SELECT c.id, c.hash, c.permitted_sender_id AS "permittedSenderId", s.store_id AS "storeId", s.email, s.status
         FROM submission_credentials c JOIN permitted_senders s ON s.id = c.permitted_sender_id
         WHERE s.email = $1 AND c.revoked_at IS NULL ORDER BY c.id LIMIT 20`,
        [email.trim().toLowerCase()],
      ),
    async touchCredential(id, now = Date.now()) {
      await s.q.query('UPDATE submission_credentials SET last_used_at = $1 WHERE id = $2', [now, id]);
    },
    async appendEvents(list, now = Date.now()) {
      if (list.length === 0) return;
      await s.inTransaction(async (q) => {
        for (const e of list)
          await q.query('INSERT INTO events (type, store_id, data, created_at) VALUES ($1, $2, $3, $4)', [e.type, e.storeId, JSON.stringify(e.data), now]);
      });
    },
  };
}

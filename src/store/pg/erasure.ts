// Owns erasing a buyer on PostgreSQL: what store/erasure.ts erases on SQLite (its comment says what
// goes and what stays), in one transaction, the buyer's row locked first so two nodes erasing one
// buyer do it once. PostgreSQL keeps the old row versions until VACUUM reuses their space (SQLite's
// version rewrites its file at once): README "More than one machine" says so.
import type { ErasureStore } from '../inbox-ports.js';
import type { PgScope } from './db.js';

const ERASED = '[erased]';

export function pgErasure(s: PgScope): ErasureStore {
  return {
    eraseBuyer: (email) =>
      s.inTransaction(async (q) => {
        const address = email.trim().toLowerCase();
        const buyer = (await q.query<{ id: number; name: string }>('SELECT id, name FROM buyers WHERE email = $1 FOR UPDATE', [address])).rows[0];
        if (!buyer) return { found: false, pairs: 0, messages: 0 };
        const pairIds = (await q.query<{ id: number }>('SELECT id FROM pairs WHERE buyer_id = $1', [buyer.id])).rows.map((r) => r.id);
        const messageIds = (await q.query<{ id: number }>('SELECT id FROM messages WHERE pair_id = ANY($1::bigint[])', [pairIds])).rows.map((r) => r.id);
        const outboxIds = (await q.query<{ id: number }>('SELECT id FROM outbox WHERE message_id = ANY($1::bigint[])', [messageIds])).rows.map((r) => r.id);
        const run = (text: string, values: unknown[]) => q.query(text, values);
        // Every stored copy of the texts.
        await run('DELETE FROM message_bodies WHERE message_id = ANY($1::bigint[])', [messageIds]);
        await run('DELETE FROM outbox_bodies WHERE outbox_id = ANY($1::bigint[])', [outboxIds]);
        await run('DELETE FROM message_search WHERE message_id = ANY($1::bigint[])', [messageIds]);
        await run('DELETE FROM message_tags WHERE message_id = ANY($1::bigint[])', [messageIds]);
        await run('DELETE FROM reports WHERE message_id = ANY($1::bigint[])', [messageIds]);
        await run('DELETE FROM notes WHERE pair_id = ANY($1::bigint[])', [pairIds]);
        await run('DELETE FROM conversation_drafts WHERE pair_id = ANY($1::bigint[])', [pairIds]);
        // Order files previewed and not yet imported can name the buyer in any spelling: all go.
        await run('DELETE FROM order_import_uploads', []);
        // Staff notification emails that named the buyer. Their rows keep their recipient (staff), so
        // they are marked by size 0: a node holding the bytes it committed (outbound/fresh-bodies.ts)
        // sends them only to a row of their size, and never an erased notice.
        for (const needle of [address, buyer.name].filter((n) => n.length >= 3))
          await run(
            `WITH gone AS (DELETE FROM outbox_bodies WHERE outbox_id IN (SELECT id FROM outbox WHERE kind = 'notice' AND message_id IS NULL) AND position($1::bytea IN raw) > 0 RETURNING outbox_id)
             UPDATE outbox SET size = 0 WHERE id IN (SELECT outbox_id FROM gone)`,
            [Buffer.from(needle)],
          );
        // The rows stay for the numbers, without anything personal.
        await run(
          `UPDATE messages SET subject = $1, snippet = '', author_email = $1, original_message_id = NULL, findings = '[]', changes = '[]' WHERE pair_id = ANY($2::bigint[])`,
          [ERASED, pairIds],
        );
        await run('UPDATE outbox SET env_to = $1, env_from = $1, size = 0, last_error = NULL WHERE id = ANY($2::bigint[])', [ERASED, outboxIds]);
        await run("UPDATE outbox SET env_to = $1 WHERE env_to = $2 AND kind = 'notice'", [ERASED, address]);
        // The events feed names the buyer's messages by subject, and failed deliveries by the remote reply.
        const ids = messageIds.map(String);
        await run(
          "UPDATE events SET data = jsonb_set(data::jsonb, '{subject}', to_jsonb($1::text))::text WHERE type = 'message.received' AND data::jsonb->>'messageId' = ANY($2::text[])",
          [ERASED, ids],
        );
        await run(
          "UPDATE events SET data = jsonb_set(data::jsonb, '{error}', to_jsonb($1::text))::text WHERE type = 'delivery.failed' AND data::jsonb->>'messageId' = ANY($2::text[])",
          [ERASED, ids],
        );
        await run('UPDATE buyers SET email = $1, name = $2, undeliverable_at = NULL WHERE id = $3', [`erased-${buyer.id}@erased.invalid`, '', buyer.id]);
        return { found: true, pairs: pairIds.length, messages: messageIds.length };
      }),
  };
}

// Owns erasing a buyer (a GDPR request in one command): their address, name, message texts and
// every stored copy (raw, delivered, search index, notifications that named them, order files
// waiting between preview and import) are removed;
// the rows that carry the aggregate numbers (how many messages, orders and amounts, when) stay,
// anonymised. The file is then vacuumed and the WAL truncated, so the bytes are gone from disk.
import type { Db } from './db.js';

export interface ErasureResult {
  readonly found: boolean;
  readonly pairs: number;
  readonly messages: number;
}

const ERASED = '[erased]';

export function eraseBuyer(db: Db, email: string): ErasureResult {
  const address = email.trim().toLowerCase();
  const buyer = db.prepare('SELECT id, name FROM buyers WHERE email = ?').get(address) as { id: number; name: string } | undefined;
  if (!buyer) return { found: false, pairs: 0, messages: 0 };
  const result = db.transaction((): ErasureResult => {
    const pairIds = (db.prepare('SELECT id FROM pairs WHERE buyer_id = ?').all(buyer.id) as { id: number }[]).map((r) => r.id);
    const marks = pairIds.map(() => '?').join(',') || 'NULL';
    const messageIds = (db.prepare(`SELECT id FROM messages WHERE pair_id IN (${marks})`).all(...pairIds) as { id: number }[]).map((r) => r.id);
    const inMessages = `SELECT id FROM messages WHERE pair_id IN (${marks})`;
    // Every stored copy of the texts.
    db.prepare(`DELETE FROM message_bodies WHERE message_id IN (${inMessages})`).run(...pairIds);
    db.prepare(`DELETE FROM outbox_bodies WHERE outbox_id IN (SELECT id FROM outbox WHERE message_id IN (${inMessages}))`).run(...pairIds);
    db.prepare(`DELETE FROM message_search WHERE rowid IN (${inMessages})`).run(...pairIds);
    db.prepare(`DELETE FROM message_tags WHERE message_id IN (${inMessages})`).run(...pairIds);
    db.prepare(`DELETE FROM reports WHERE message_id IN (${inMessages})`).run(...pairIds);
    db.prepare(`DELETE FROM notes WHERE pair_id IN (${marks})`).run(...pairIds);
    db.prepare(`DELETE FROM conversation_drafts WHERE pair_id IN (${marks})`).run(...pairIds); // replies being typed
    // Order files previewed in the admin and not yet imported (kept up to an hour): a CSV can name the
    // buyer in any spelling, case or encoding, so every pending one goes; whoever previewed uploads
    // it again (the import page says the preview is gone).
    db.prepare('DELETE FROM order_import_uploads').run();
    // Staff notification emails that named the buyer. Their rows keep their recipient (staff), so
    // they are marked by size 0: a worker holding the bytes it committed (outbound/fresh-bodies.ts)
    // sends them only to a row of their size, and never an erased notice.
    for (const needle of [address, buyer.name].filter((n) => n.length >= 3)) {
      db.prepare(
        "UPDATE outbox SET size = 0 WHERE kind = 'notice' AND message_id IS NULL AND id IN (SELECT outbox_id FROM outbox_bodies WHERE instr(raw, ?) > 0)",
      ).run(Buffer.from(needle));
      db.prepare("DELETE FROM outbox_bodies WHERE outbox_id IN (SELECT id FROM outbox WHERE kind = 'notice' AND message_id IS NULL) AND instr(raw, ?) > 0").run(
        Buffer.from(needle),
      );
    }
    // The rows stay for the numbers, without anything personal.
    db.prepare(
      `UPDATE messages SET subject = ?, snippet = '', author_email = ?, original_message_id = NULL, findings = '[]', changes = '[]' WHERE pair_id IN (${marks})`,
    ).run(ERASED, ERASED, ...pairIds);
    db.prepare(`UPDATE outbox SET env_to = ?, env_from = ?, size = 0, last_error = NULL WHERE message_id IN (${inMessages})`).run(ERASED, ERASED, ...pairIds);
    db.prepare("UPDATE outbox SET env_to = ? WHERE env_to = ? AND kind = 'notice'").run(ERASED, address);
    // The events feed names the buyer's messages by subject, and failed deliveries by the remote reply.
    db.prepare(
      `UPDATE events SET data = json_set(data, '$.subject', ?) WHERE type = 'message.received' AND json_extract(data, '$.messageId') IN (${inMessages})`,
    ).run(ERASED, ...pairIds);
    db.prepare(
      `UPDATE events SET data = json_set(data, '$.error', ?) WHERE type = 'delivery.failed' AND json_extract(data, '$.messageId') IN (${inMessages})`,
    ).run(ERASED, ...pairIds);
    db.prepare('UPDATE buyers SET email = ?, name = ?, undeliverable_at = NULL WHERE id = ?').run(`erased-${buyer.id}@erased.invalid`, '', buyer.id);
    return { found: true, pairs: pairIds.length, messages: messageIds.length };
  })();
  // Out of the transaction: merge the search index, rewrite the file, empty the WAL.
  db.prepare("INSERT INTO message_search(message_search) VALUES ('optimize')").run();
  db.exec('VACUUM');
  truncateWal(db);
  return result;
}

/**
 * Copies the whole WAL into the file and empties it. The gateway's checkpoint thread
 * (sqlite/wal-checkpointer.ts) may hold the checkpoint lock for a moment, and SQLite then answers
 * busy at once (no busy handler for that lock): wait for it in 10 ms steps (erasure is rare).
 */
function truncateWal(db: Db): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let tries = 0; tries < 500; tries++) {
    const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    if (!r?.busy) return;
    Atomics.wait(pause, 0, 0, 10);
  }
  throw new Error('the WAL could not be emptied (a checkpoint held it for 5 s); run the erasure again');
}

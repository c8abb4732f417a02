// The conversation rows kept by migration 012's triggers, against a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationRepo } from './conversations.js';
import { openDb, type Db } from './db.js';
import { InboxRepo } from './inbox.js';
import { OutboxRepo } from './outbox.js';
import { UserRepo } from './users.js';

let dir: string;
let db: Db;
let n = 0;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'maskgate-conv-'));
  db = openDb(dir);
  db.prepare("INSERT INTO stores (id, slug, name, mailbox, created_at) VALUES (1, 's', 'S', 'cs@s.example', 0)").run();
  db.prepare("INSERT INTO buyers (id, email, name, kind, created_at) VALUES (1, 'b@b.example', 'B', 'customer', 0)").run();
  db.prepare("INSERT INTO pairs (id, store_id, buyer_id, token, created_at) VALUES (1, 1, 1, 'tok', 0)").run();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function message(direction: 'buyer_to_store' | 'store_to_buyer', o: { source?: string; at?: number } = {}): number {
  n++;
  return Number(
    db
      .prepare(
        `INSERT INTO messages (pair_id, store_id, direction, source, author_email, subject, relay_message_id, verdict, findings, changes, size, received_at, snippet, status, category)
         VALUES (1, 1, ?, ?, 'x@x.example', 'S', ?, 'accept', '[]', '[]', 1, ?, '', 'pending', ?)`,
      )
      .run(direction, o.source ?? 'smtp', `<m${n}@x>`, o.at ?? n * 1000, direction === 'buyer_to_store' ? 'refund' : 'sent').lastInsertRowid,
  );
}
const row = () => db.prepare('SELECT * FROM conversations WHERE pair_id = 1').get() as Record<string, unknown>;

describe('conversation rows', () => {
  it('count each delivered copy the composer says carries a file part (the paperclip), not a copy without one nor a notice', () => {
    const outbox = new OutboxRepo(db);
    const withFile = Buffer.from(
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\nx\r\n--b--\r\n',
    );
    const a = message('buyer_to_store');
    outbox.enqueue({
      messageId: a,
      kind: 'relay',
      envFrom: 'tok@relay.test',
      envTo: 'cs@s.example',
      raw: Buffer.from('Subject: no file\r\n\r\nhi\r\n'),
      files: false,
    });
    expect(row().files).toBe(0);
    // A text quoting the header is no file part (the byte search counted it).
    const quoted = Buffer.from('Subject: fwd\r\n\r\nthe part said Content-Disposition: attachment\r\n');
    outbox.enqueue({ messageId: a, kind: 'relay', envFrom: 'tok@relay.test', envTo: 'cs@s.example', raw: quoted, files: false });
    expect(row().files).toBe(0);
    outbox.enqueue({ messageId: a, kind: 'relay', envFrom: 'tok@relay.test', envTo: 'cs@s.example', raw: withFile, files: true });
    expect(row().files).toBe(1);
    // A notice about the message (a failure notice to its author) is not a delivered copy.
    outbox.enqueue({ messageId: a, kind: 'notice', envFrom: '', envTo: 'b@b.example', raw: withFile, files: true });
    outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: 'cs@s.example', raw: withFile, files: true });
    expect(row().files).toBe(1);
    outbox.enqueue({
      messageId: message('store_to_buyer'),
      kind: 'relay',
      envFrom: 'tok@relay.test',
      envTo: 'b@b.example',
      raw: new Uint8Array(withFile),
      files: true,
    });
    expect(row().files).toBe(2);
  });

  it('count unread buyer messages, follow read marks, and keep the latest message', () => {
    const a = message('buyer_to_store', { at: 1000 });
    message('buyer_to_store', { at: 2000 });
    expect(row()).toMatchObject({ status: 'open', unread: 2, last_buyer_id: a + 1, last_message_id: a + 1, waiting_since: 1000, category: 'refund' });
    new ConversationRepo(db).setRead([1], true, [1]);
    expect(row().unread).toBe(0);
    new ConversationRepo(db).setRead([1], false, [1]);
    expect(row().unread).toBe(1);
  });

  it('a staff reply stops the clock and waits on the buyer; a campaign message does neither', () => {
    message('buyer_to_store', { at: 1000 });
    message('store_to_buyer', { source: 'campaign', at: 2000 });
    expect(row()).toMatchObject({ status: 'open', waiting_since: 1000 });
    message('store_to_buyer', { source: 'web' });
    expect(row()).toMatchObject({ status: 'pending', waiting_since: null });
  });

  it('a buyer message reopens a processed or replied-on-platform conversation and ends a snooze', () => {
    message('buyer_to_store');
    const c = new ConversationRepo(db);
    expect(c.setStatus([1], 'replied_on_platform', [1])).toBe(1);
    expect(c.setStatus([1], 'open', [1])).toBe(0); // final by hand
    c.snooze([1], Date.now() + 3_600_000, [1]);
    message('buyer_to_store');
    expect(row()).toMatchObject({ status: 'open', snoozed_until: null });
  });

  it('a snooze that ended brings the conversation back unread', () => {
    message('buyer_to_store');
    const c = new ConversationRepo(db);
    c.setRead([1], true, [1]);
    c.snooze([1], 5000, [1], 0);
    const list = (now: number, unread = false) => new InboxRepo(db).list({ storeIds: [1], view: 'in', limit: 10, now, unread });
    expect(list(4000)).toHaveLength(0);
    expect(list(6000)).toMatchObject([{ pairId: 1, unread: 1 }]); // read without a write
    expect(list(6000, true)).toHaveLength(1);
    c.setRead([1], true, [1], 7000);
    expect(row().snoozed_until).toBe(null);
    expect(list(8000, true)).toHaveLength(0);
  });

  it("round-robin gives new conversations to the store's agents in turn", async () => {
    const users = new UserRepo(db);
    const a = await users.create({ email: 'a@s.example', name: 'A', role: 'agent', password: 'password password 1', storeIds: [1] });
    const b = await users.create({ email: 'b@s.example', name: 'B', role: 'agent', password: 'password password 1', storeIds: [1] });
    new ConversationRepo(db).setRoundRobin(1, true);
    const given: unknown[] = [];
    for (let p = 2; p <= 4; p++) {
      db.prepare("INSERT INTO buyers (id, email, name, kind, created_at) VALUES (?, ?, 'B', 'customer', 0)").run(p, `b${p}@b.example`);
      db.prepare('INSERT INTO pairs (id, store_id, buyer_id, token, created_at) VALUES (?, 1, ?, ?, 0)').run(p, p, `tok${p}`);
      db.prepare(
        `INSERT INTO messages (pair_id, store_id, direction, source, author_email, subject, relay_message_id, verdict, findings, changes, size, received_at, snippet, status, category)
         VALUES (?, 1, 'buyer_to_store', 'smtp', 'x@x.example', 'S', ?, 'accept', '[]', '[]', 1, 1, '', 'pending', 'refund')`,
      ).run(p, `<rr${p}@x>`);
      given.push((db.prepare('SELECT assignee_id AS id FROM conversations WHERE pair_id = ?').get(p) as { id: number }).id);
    }
    expect(given).toEqual([a.id, b.id, a.id]);
  });

  it('changes nothing in a store the caller may not see', () => {
    message('buyer_to_store');
    const c = new ConversationRepo(db);
    expect(c.setStatus([1], 'processed', [2])).toBe(0);
    expect(c.setRead([1], true, [2])).toBe(0);
    expect(c.assign([1], null, [2])).toBe(0);
    expect(row()).toMatchObject({ status: 'open', unread: 1 });
  });
});

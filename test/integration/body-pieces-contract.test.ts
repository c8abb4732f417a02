// The mail port's contract for an original larger than PIECED_FROM (store/body-pieces.ts: its first
// MiB in message_bodies, the rest in message_body_pieces; issue 14, the memory tier), on both
// adapters: stored in pieces, read back whole on the other node, a relay copy that shares its body
// delivered across the pieces, and the pieces gone with the original (retention, erasure).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PIECE_BYTES, PIECED_FROM } from '../../src/store/body-pieces.js';
import { ADAPTERS, contractHarnessForTests, NOW, seedShopBuyers, type ContractHarness as Harness } from '../helpers/contract-harness.js';
import { buyerMessage, storeSharingBody } from '../helpers/shared-body-fixture.js';

const DAY = 86_400_000;
const LINE = 'plain words, nothing to mask 0123456789\r\n';
/** Past PIECED_FROM by a piece and a half: six pieces, the last half full. */
const body = (tag: string) => Buffer.from(`${tag} ${LINE}`.repeat(Math.ceil((PIECED_FROM + 1.5 * PIECE_BYTES) / (tag.length + 1 + LINE.length))));
const original = (tag: string) => Buffer.concat([Buffer.from(`From: b1@buyer.example\r\nTo: tok1@relay.example\r\nSubject: ${tag}\r\n\r\n`), body(tag)]);
const signedHead = (tag: string) => Buffer.from(`DKIM-Signature: v=1; b=x\r\nFrom: Buyer <tok1@relay.example>\r\nSubject: ${tag}\r\n\r\n`);

/** A buyer's large message stored with its relay copy, which shares the original's body; returns the ids. */
const store = (h: Harness, tag: string) => storeSharingBody(h, tag, original(tag), signedHead(tag), body(tag).length);

/** The lengths of the original's stored pieces, in order: message_bodies.raw, then message_body_pieces by seq. */
async function storedLengths(h: Harness, messageId: number): Promise<number[]> {
  const first = await h.exec('SELECT length(raw) AS n FROM message_bodies WHERE message_id = ?', [messageId]);
  const later = await h.exec('SELECT length(bytes) AS n FROM message_body_pieces WHERE message_id = ? ORDER BY seq', [messageId]);
  return [...first, ...later].map((r) => Number(r.n));
}

describe.each(ADAPTERS)('an original larger than PIECED_FROM, on %s', (_name, make) => {
  const h = contractHarnessForTests(make, seedShopBuyers);

  it('stores it in pieces of 1 MiB and reads it back whole on the other node', async () => {
    const { messageId, outboxId } = await store(h, 'whole');
    const raw = original('whole');
    const lengths = await storedLengths(h, messageId);
    expect(lengths.slice(0, -1).every((n) => n === PIECE_BYTES)).toBe(true);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(raw.length);
    expect(lengths.length).toBe(Math.ceil(raw.length / PIECE_BYTES));
    expect((await h.b.records.messageRaw(messageId))?.equals(raw)).toBe(true);
    await h.a.outbox.markDone(outboxId, 'sent', 1, NOW);
  });

  it('delivers a relay copy that shares its body as views of the pieces, whole, sized as delivered', async () => {
    const { outboxId } = await store(h, 'shared');
    const whole = Buffer.concat([signedHead('shared'), body('shared')]);
    expect((await h.b.outbox.raw(outboxId))?.equals(whole)).toBe(true);
    const pieces = await h.b.outbox.delivered(outboxId);
    expect(pieces?.[0]?.equals(signedHead('shared'))).toBe(true);
    expect(pieces?.every((p) => p.length <= PIECE_BYTES)).toBe(true);
    expect(Buffer.concat(pieces ?? []).equals(whole)).toBe(true);
    expect((await h.b.outbox.get(outboxId))?.size).toBe(whole.length);
    await h.a.outbox.markDone(outboxId, 'sent', 1, NOW);
  });

  it('stores an original still in its spool file (read a piece at a time) in the same pieces, read back as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-pieces-file-'));
    try {
      const raw = original('spooled');
      const file = join(dir, 'm.eml');
      writeFileSync(file, raw);
      const messageId = await h.a.write((tx) => tx.mail.insertMessage({ ...buyerMessage('spooled', raw), raw: { file, byteLength: raw.length } }));
      const lengths = await storedLengths(h, messageId);
      expect(lengths).toEqual([...Array(Math.ceil(raw.length / PIECE_BYTES) - 1).fill(PIECE_BYTES), raw.length % PIECE_BYTES || PIECE_BYTES]);
      expect((await h.b.records.messageRaw(messageId))?.equals(raw)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves no piece and no row of a large original whose transaction failed after its pieces were written', async () => {
    const before = await h.exec('SELECT count(*) AS n FROM message_body_pieces');
    await expect(
      h.a.write(async (tx) => {
        await tx.mail.insertMessage(buyerMessage('failed', original('failed')));
        throw new Error('the commit failed after the insert');
      }),
    ).rejects.toThrow('the commit failed after the insert');
    expect(await h.exec('SELECT count(*) AS n FROM message_body_pieces')).toEqual(before);
    expect(await h.exec("SELECT id FROM messages WHERE subject = 'failed'")).toEqual([]);
  });

  it('reads an original stored whole before migration 027 (one row past PIECED_FROM) as it was, and a copy sharing its body', async () => {
    const { messageId, outboxId } = await store(h, 'older');
    await h.exec('DELETE FROM message_body_pieces WHERE message_id = ?', [messageId]);
    await h.exec('UPDATE message_bodies SET raw = ? WHERE message_id = ?', [original('older'), messageId]);
    expect(await storedLengths(h, messageId)).toEqual([original('older').length]);
    expect((await h.b.records.messageRaw(messageId))?.equals(original('older'))).toBe(true);
    expect(Buffer.concat((await h.b.outbox.delivered(outboxId)) ?? []).equals(Buffer.concat([signedHead('older'), body('older')]))).toBe(true);
    await h.a.outbox.markDone(outboxId, 'sent', 1, NOW);
  });

  it('purges the pieces with the original once its deliveries have ended', async () => {
    await h.a.retention.purgeBodies(30, NOW + 31 * DAY);
    const { messageId, outboxId } = await store(h, 'pending');
    expect(await h.a.retention.purgeBodies(30, NOW + 31 * DAY)).toEqual({ messages: 0 });
    expect((await h.b.outbox.raw(outboxId))?.length).toBe(signedHead('pending').length + body('pending').length);
    await h.a.outbox.markDone(outboxId, 'sent', 2, NOW);
    expect(await h.b.retention.purgeBodies(30, NOW + 31 * DAY)).toEqual({ messages: 1 });
    expect(await h.a.records.messageRaw(messageId)).toBeNull();
    expect(await h.a.outbox.raw(outboxId)).toBeNull();
    expect(await h.exec('SELECT message_id FROM message_body_pieces')).toEqual([]);
  });

  it('erases the pieces with the buyer, and never reads back a part of an original', async () => {
    const { messageId, outboxId } = await store(h, 'erased');
    expect((await storedLengths(h, messageId)).length).toBeGreaterThan(1);
    expect((await h.a.inbox.eraseBuyer('b1@buyer.example')).found).toBe(true);
    expect(await h.b.records.messageRaw(messageId)).toBeNull();
    expect(await h.b.outbox.delivered(outboxId)).toBeNull();
    expect(await h.exec('SELECT message_id FROM message_body_pieces')).toEqual([]);
    expect((await h.dump()).includes('erased plain words')).toBe(false);
  });
});

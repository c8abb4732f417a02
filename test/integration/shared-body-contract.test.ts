// The outbox port's contract for a relay copy that shares its message's original body (issue 14:
// a large body stored once; relay/shared-body.ts), on both adapters: the row keeps only the signed
// header block and reads back whole on any node, retention keeps an original while a delivery that
// sends its body has not ended, and an erasure takes both.
import { describe, expect, it } from 'vitest';
import { ADAPTERS, contractHarnessForTests, NOW, seedShopBuyers, type ContractHarness as Harness } from '../helpers/contract-harness.js';
import { storeSharingBody } from '../helpers/shared-body-fixture.js';

const DAY = 86_400_000;

const body = (tag: string) => Buffer.from(`${tag} plain words, nothing to mask 0123456789\r\n`.repeat(2000));
const original = (tag: string) => Buffer.concat([Buffer.from(`From: b1@buyer.example\r\nTo: tok1@relay.example\r\nSubject: ${tag}\r\n\r\n`), body(tag)]);
const signedHead = (tag: string) => Buffer.from(`DKIM-Signature: v=1; b=x\r\nFrom: Buyer <tok1@relay.example>\r\nSubject: ${tag}\r\n\r\n`);

/** A buyer's message stored with its relay copy, which shares the original's body; returns the ids. */
const store = (h: Harness, tag: string) => storeSharingBody(h, tag, original(tag), signedHead(tag), body(tag).length);

describe.each(ADAPTERS)('a relay copy sharing its original body, on %s', (_name, make) => {
  const h = contractHarnessForTests(make, seedShopBuyers);

  it('stores the signed header block once and reads back the whole copy on the other node, sized as delivered', async () => {
    const { outboxId } = await store(h, 'whole');
    const whole = Buffer.concat([signedHead('whole'), body('whole')]);
    expect((await h.b.outbox.raw(outboxId))?.equals(whole)).toBe(true);
    // Delivery gets the header block and the body apart, never joined into a fresh buffer.
    const pieces = await h.b.outbox.delivered(outboxId);
    expect(pieces?.map((p) => p.length)).toEqual([signedHead('whole').length, body('whole').length]);
    expect(Buffer.concat(pieces ?? []).equals(whole)).toBe(true);
    expect((await h.b.outbox.get(outboxId))?.size).toBe(whole.length);
    const [row] = await h.exec('SELECT length(raw) AS n FROM outbox_bodies WHERE outbox_id = ?', [outboxId]);
    expect(Number(row?.n)).toBe(signedHead('whole').length);
    await h.a.outbox.markDone(outboxId, 'sent', 1, NOW);
  });

  it('keeps an original while a delivery that sends its body has not ended, and purges both once it has', async () => {
    await h.a.retention.purgeBodies(30, NOW + 31 * DAY);
    const { messageId, outboxId } = await store(h, 'pending');
    expect(await h.a.retention.purgeBodies(30, NOW + 31 * DAY)).toEqual({ messages: 0 });
    expect((await h.b.outbox.raw(outboxId))?.equals(Buffer.concat([signedHead('pending'), body('pending')]))).toBe(true);
    expect(await h.b.records.messageRaw(messageId)).not.toBeNull();
    await h.a.outbox.markDeferred(outboxId, 1, NOW + DAY, 'try later', NOW);
    expect(await h.b.retention.purgeBodies(30, NOW + 31 * DAY)).toEqual({ messages: 0 });
    await h.a.outbox.markDone(outboxId, 'sent', 2, NOW);
    expect(await h.b.retention.purgeBodies(30, NOW + 31 * DAY)).toEqual({ messages: 1 });
    expect(await h.a.records.messageRaw(messageId)).toBeNull();
    expect(await h.a.outbox.raw(outboxId)).toBeNull();
    expect((await h.a.records.message(messageId))?.subject).toBe('pending');
  });

  it("erases the original and the copy's header with the buyer, and never reads back a part of a copy", async () => {
    const { messageId, outboxId } = await store(h, 'erased');
    expect((await h.a.inbox.eraseBuyer('b1@buyer.example')).found).toBe(true);
    expect(await h.b.outbox.raw(outboxId)).toBeNull();
    expect(await h.b.outbox.delivered(outboxId)).toBeNull();
    expect(await h.b.records.messageRaw(messageId)).toBeNull();
    expect(await h.dump()).not.toContain('erased plain words');
  });
});

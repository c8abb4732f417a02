// The notifications port (src/store/notification-ports.ts) on both adapters: rules, the members a
// digest goes to, the buyer messages a member has not been considered for, and the record of what
// each was told, kept once per (member, message) and written in the digest's unit of work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, NOW, seedBasics, type ContractHarness } from '../helpers/contract-harness.js';

const message = (h: ContractHarness, id: number, o: { pair?: number; direction?: string; at: number; read?: boolean; auto?: boolean; subject?: string }) =>
  h.exec(
    `INSERT INTO messages (id, pair_id, store_id, direction, source, author_email, subject, relay_message_id, verdict, findings, changes, size, received_at, read_at, auto_submitted, category)
     VALUES (?, ?, 1, ?, 'smtp', 'b1@buyer.example', ?, ?, 'delivered', '[]', '[]', 5, ?, ?, ?, 'refund')`,
    [id, o.pair ?? 1, o.direction ?? 'buyer_to_store', o.subject ?? `m${id}`, `<m${id}@relay.example>`, o.at, o.read ? o.at + 1 : null, o.auto ? 1 : 0],
  );

describe.each(ADAPTERS)('the notifications port on %s', (_name, make) => {
  let h: ContractHarness;
  beforeAll(async () => {
    h = await make();
    await seedBasics(h);
    await message(h, 1, { at: NOW + 1, subject: 'Where is it?' });
    await message(h, 2, { at: NOW + 2, pair: 2, read: true });
    await message(h, 3, { at: NOW + 3, direction: 'store_to_buyer' });
    await message(h, 4, { at: NOW + 4, auto: true });
    await message(h, 5, { at: NOW + 5 });
    await message(h, 6, { at: NOW + 100 });
    await h.afterSeed();
  }, 120_000);
  afterAll(async () => h?.close());

  it('keeps rules per member and finds one by id', async () => {
    await h.a.notifications.addRule({ userId: 1, category: null, storeId: null, weekdays: 0b1111111, startMinute: 0, endMinute: 0 }, NOW);
    await h.a.notifications.addRule({ userId: 2, category: 'refund', storeId: 1, weekdays: 0b0111110, startMinute: 540, endMinute: 1020 }, NOW);
    const all = await h.b.notifications.rules();
    expect(all.map((r) => [r.userId, r.category, r.storeId, r.weekdays, r.startMinute, r.endMinute])).toEqual([
      [1, null, null, 127, 0, 0],
      [2, 'refund', 1, 62, 540, 1020],
    ]);
    expect(await h.b.notifications.rules(2)).toEqual([all[1]]);
    expect(await h.b.notifications.rule(all[1]?.id as number)).toEqual(all[1]);
    await h.b.notifications.removeRule(all[1]?.id as number);
    expect(await h.a.notifications.rule(all[1]?.id as number)).toBeNull();
    expect(await h.a.notifications.rules(2)).toEqual([]);
  });

  it('tells who a digest goes to: an owner sees every store, an agent their own', async () => {
    expect(await h.a.notifications.members()).toEqual([
      { id: 1, name: 'Olive Owner' },
      { id: 2, name: 'Ari Agent' },
    ]);
    expect(await h.b.notifications.member(1)).toEqual({
      id: 1,
      name: 'Olive Owner',
      email: 'owner@staff.example',
      role: 'owner',
      disabledAt: null,
      storeIds: [1, 2],
    });
    expect(await h.b.notifications.member(2)).toMatchObject({ role: 'agent', storeIds: [1] });
    expect(await h.b.notifications.member(99)).toBeNull();
  });

  it('offers the buyer messages in the window that the member was not considered for, read or not, never auto-replies or store mail', async () => {
    const got = await h.a.notifications.candidates(1, NOW, NOW + 50);
    expect(got.map((m) => [m.id, m.read])).toEqual([
      [1, false],
      [2, true],
      [5, false],
    ]);
    expect(got[0]).toEqual({
      id: 1,
      pairId: 1,
      storeId: 1,
      storeName: 'Shop',
      buyerName: 'Buyer 1',
      subject: 'Where is it?',
      category: 'refund',
      receivedAt: NOW + 1,
      read: false,
    });
  });

  it('records each message once per member, keeping the first outcome, even when two nodes record at once', async () => {
    await Promise.all([
      h.a.notifications.record(1, [
        [1, 'sent'],
        [2, 'skipped_read'],
      ]),
      h.b.notifications.record(1, [[1, 'no_rule']]),
    ]);
    await h.b.notifications.record(1, [[2, 'sent']]);
    const rows = await h.exec('SELECT message_id AS m, outcome FROM notifications_sent WHERE user_id = 1 ORDER BY message_id');
    expect(rows.map((r) => Number(r.m))).toEqual([1, 2]);
    expect(rows[1]?.outcome).toBe('skipped_read');
    expect((await h.a.notifications.candidates(1, NOW, NOW + 50)).map((m) => m.id)).toEqual([5]);
    // Another member was not considered yet.
    expect((await h.a.notifications.candidates(2, NOW, NOW + 50)).map((m) => m.id)).toEqual([1, 2, 5]);
  });

  it('writes the record with the digest in one unit of work: a failed write leaves neither', async () => {
    const before = await h.a.outbox.pendingCount();
    await expect(
      h.a.write(async (tx) => {
        await tx.outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: 'owner@staff.example', raw: Buffer.from('digest') }, NOW);
        await tx.notifications.record(1, [[5, 'sent']], NOW);
        throw new Error('the write fails');
      }),
    ).rejects.toThrow('the write fails');
    expect(await h.b.outbox.pendingCount()).toBe(before);
    expect((await h.b.notifications.candidates(1, NOW, NOW + 50)).map((m) => m.id)).toEqual([5]);
    await h.a.write(async (tx) => {
      await tx.outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: 'owner@staff.example', raw: Buffer.from('digest') }, NOW);
      await tx.notifications.record(1, [[5, 'sent']], NOW);
    });
    expect(await h.b.outbox.pendingCount()).toBe(before + 1);
    expect(await h.b.notifications.candidates(1, NOW, NOW + 50)).toEqual([]);
  });
});

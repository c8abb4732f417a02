// The templates port and the tags port (src/store/template-ports.ts, tag-ports.ts) on both
// adapters: templates per store and global; tags with unique names, at most two a message even
// when two nodes tag one message at once; internal notes; reports and their review.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, NOW, seedBasics, type ContractHarness } from '../helpers/contract-harness.js';

describe.each(ADAPTERS)('the templates and tags ports on %s', (_name, make) => {
  let h: ContractHarness;
  beforeAll(async () => {
    h = await make();
    await seedBasics(h);
    for (const id of [1, 2, 3])
      await h.exec(
        `INSERT INTO messages (id, pair_id, store_id, direction, source, author_email, subject, relay_message_id, verdict, findings, changes, size, received_at)
         VALUES (?, 1, 1, 'buyer_to_store', 'smtp', 'b1@buyer.example', ?, ?, 'delivered', '[]', '[]', 5, ?)`,
        [id, `Subject ${id}`, `<m${id}@relay.example>`, NOW + id],
      );
    await h.afterSeed();
  }, 120_000);
  afterAll(async () => h?.close());

  it('lists the global templates and those of the stores asked for, by name', async () => {
    const g = await h.a.templates.create({ storeId: null, name: 'Thanks', subject: 'Thank you', body: 'Thanks!' }, NOW);
    expect(g).toMatchObject({ storeId: null, name: 'Thanks', subject: 'Thank you', body: 'Thanks!', updatedAt: NOW });
    await h.a.templates.create({ storeId: 1, name: 'Delay', subject: 'Your parcel', body: 'It is late.' }, NOW);
    await h.a.templates.create({ storeId: 2, name: 'Other', subject: 'x', body: 'y' }, NOW);
    expect((await h.b.templates.visible([1])).map((t) => t.name)).toEqual(['Delay', 'Thanks']);
    expect((await h.b.templates.visible([])).map((t) => t.name)).toEqual(['Thanks']);
    expect((await h.b.templates.visible([1, 2])).map((t) => t.name)).toEqual(['Delay', 'Other', 'Thanks']);
    await h.b.templates.update(g.id, { name: 'Thanks!', subject: 'Many thanks', body: 'Thank you.' }, NOW + 5);
    expect(await h.a.templates.get(g.id)).toEqual({ ...g, name: 'Thanks!', subject: 'Many thanks', body: 'Thank you.', updatedAt: NOW + 5 });
    await h.a.templates.remove(g.id);
    expect(await h.b.templates.get(g.id)).toBeNull();
  });

  it('keeps tag names unique: a taken name is null on create and false on rename', async () => {
    const urgent = await h.a.tags.create('urgent', 'red');
    const later = await h.a.tags.create('later', 'blue');
    expect(urgent).toMatchObject({ name: 'urgent', colour: 'red' });
    expect(await h.b.tags.create('urgent', 'green')).toBeNull();
    expect(await h.b.tags.update(later?.id as number, 'urgent', 'blue')).toBe(false);
    expect(await h.b.tags.update(later?.id as number, 'Later', 'teal')).toBe(true);
    expect(await h.a.tags.list()).toEqual([
      { id: later?.id, name: 'Later', colour: 'teal' },
      { id: urgent?.id, name: 'urgent', colour: 'red' },
    ]);
    expect(await h.a.tags.byName('urgent')).toEqual(urgent);
  });

  it('puts at most two tags on a message, even when two nodes add at once', async () => {
    const ids: number[] = [];
    for (const name of ['t1', 't2', 't3', 't4']) ids.push(((await h.a.tags.create(name, 'grey')) as { id: number }).id);
    const got = await Promise.all(ids.map((id, i) => (i % 2 ? h.a : h.b).tags.add(1, id)));
    expect(got.filter((o) => o === 'added')).toHaveLength(2);
    expect(got.filter((o) => o === 'limit')).toHaveLength(2);
    expect((await h.a.tags.forMessages([1, 2])).get(1)).toHaveLength(2);
    expect((await h.a.tags.forMessages([1, 2])).has(2)).toBe(false);
    const on = ((await h.a.tags.forMessages([1])).get(1) ?? []).map((t) => t.id);
    expect(await h.b.tags.add(1, on[0] as number)).toBe('already');
    expect(await h.b.tags.add(2, 999_999)).toBe('unknown');
    await h.b.tags.removeFrom(1, on[0] as number);
    expect((await h.a.tags.forMessages([1])).get(1)).toHaveLength(1);
    // Deleting a tag takes it off every message.
    await h.a.tags.remove(on[1] as number);
    expect((await h.b.tags.forMessages([1])).get(1)).toBeUndefined();
    expect(await h.b.tags.get(on[1] as number)).toBeNull();
  });

  it('keeps internal notes per conversation with the author name, oldest first', async () => {
    await h.a.tags.addNote(1, 2, 'Called the courier.', NOW);
    await h.b.tags.addNote(1, 1, 'Refund approved.', NOW + 1);
    expect(await h.a.tags.notes(1)).toEqual([
      { id: expect.any(Number), author: 'Ari Agent', body: 'Called the courier.', createdAt: NOW },
      { id: expect.any(Number), author: 'Olive Owner', body: 'Refund approved.', createdAt: NOW + 1 },
    ]);
    expect(await h.a.tags.notes(2)).toEqual([]);
  });

  it('lists open reports newest first, tells which messages have one, and resolves them', async () => {
    await h.a.tags.report(2, 2, 'Rude', NOW);
    await h.b.tags.report(3, 2, 'Spam', NOW + 1);
    const open = await h.a.tags.openReports();
    expect(open.map((r) => [r.messageId, r.pairId, r.storeId, r.subject, r.reporter, r.reason])).toEqual([
      [3, 1, 1, 'Subject 3', 'Ari Agent', 'Spam'],
      [2, 1, 1, 'Subject 2', 'Ari Agent', 'Rude'],
    ]);
    expect([...(await h.b.tags.reportedIds([1, 2, 3]))].sort()).toEqual([2, 3]);
    await h.b.tags.resolveReport(open[0]?.id as number, NOW + 2);
    expect((await h.a.tags.openReports()).map((r) => r.messageId)).toEqual([2]);
    expect([...(await h.a.tags.reportedIds([1, 2, 3]))]).toEqual([2]);
  });
});

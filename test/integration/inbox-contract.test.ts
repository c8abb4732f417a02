// The inbox port (src/store/inbox-ports.ts) on both adapters: the same writes through the storage
// ports on SQLite (a data dir, a second connection as the other node) and PostgreSQL (a fresh
// database on the run's throwaway cluster, a second pool as the other node), then the inbox's
// filters, order and paging, search, conversation state, drafts, the API's read-back, the report's
// figures (the same on both) and an erasure that leaves the buyer's address and name nowhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxFilter } from '../../src/store/inbox.js';
import type { Storage } from '../../src/store/ports.js';
import type { ResponseReport } from '../../src/store/reports.js';
import { pgHarness, sqliteHarness, type ContractHarness as Harness } from '../helpers/contract-harness.js';

const H = 3_600_000;
/** Wednesday 2027-01-13 12:00 UTC. */
const NOW = Date.parse('2027-01-13T12:00:00Z');

type MessageKey = 'jane1' | 'jane2' | 'kai1' | 'nia1' | 'lena1' | 'jane3' | 'jane2b';

interface Seeded {
  readonly acme: number;
  readonly birch: number;
  /** jane, kai, lena at Acme; nia at Birch; jane2: Jane at Birch. */
  readonly pairs: { jane: number; kai: number; lena: number; nia: number; jane2: number };
  readonly tokens: Record<'jane' | 'kai' | 'lena' | 'nia' | 'jane2', string>;
  /** Message ids by name. */
  readonly m: Record<MessageKey, number>;
}

/** The same writes on either database, through the ports (the triggers keep conversations, clocks and search). */
async function seed(h: Harness): Promise<Seeded> {
  const s = h.a;
  const acme = (await s.market.createStore({ slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' }, NOW - 100 * H))!;
  const birch = (await s.market.createStore({ slug: 'birch', name: 'Birch Home', mailbox: 'help@birch.example' }, NOW - 100 * H))!;
  await h.exec("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (1, 'olga@acme.example', 'Olga Owner', 'owner', 'x', ?)", [NOW]);
  await h.exec("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (2, 'alex@acme.example', 'Alex Agent', 'agent', 'x', ?)", [NOW]);
  await h.exec('INSERT INTO user_stores (user_id, store_id) VALUES (2, ?)', [acme.id]);
  const pair = async (storeId: number, email: string, name: string) => {
    const { view } = await s.mail.ensurePair(storeId, email, name, 'customer', NOW - 100 * H);
    return { id: view.pair.id, token: view.pair.token, storeId };
  };
  const p = {
    jane: await pair(acme.id, 'jane.doe@buyer.example', 'Jane Doe'),
    kai: await pair(acme.id, 'kai@buyer.example', 'Kai Buyer'),
    lena: await pair(acme.id, 'lena@buyer.example', 'Lena Buyer'),
    nia: await pair(birch.id, 'nia@buyer.example', 'Nia Buyer'),
    jane2: await pair(birch.id, 'jane.doe@buyer.example', 'Jane Doe'),
  };
  const m = {} as Record<MessageKey, number>;
  let n = 0;
  const put = async (
    key: MessageKey,
    who: keyof typeof p,
    dir: 'buyer_to_store' | 'store_to_buyer',
    hoursAgo: number,
    subject: string,
    text: string,
    o: { category?: string; staff?: number } = {},
  ) => {
    const pr = p[who];
    const storeId = pr.storeId;
    const buyerEmail = who === 'jane' || who === 'jane2' ? 'jane.doe@buyer.example' : `${who}@buyer.example`;
    const at = NOW - hoursAgo * H;
    const relayId = `<r${++n}@relay.example>`;
    m[key] = await s.write(async (tx) => {
      const id = await tx.mail.insertMessage({
        pairId: pr.id,
        storeId,
        critical: false,
        criticalToOptedOut: false,
        suspicious: false,
        snippet: text.slice(0, 80),
        searchText: text,
        category: o.category ?? (dir === 'buyer_to_store' ? 'general' : 'sent'),
        buyerName: who === 'jane' || who === 'jane2' ? 'Jane Doe' : `${who[0]!.toUpperCase()}${who.slice(1)} Buyer`,
        autoSubmitted: false,
        direction: dir,
        source: dir === 'buyer_to_store' ? 'smtp' : 'web',
        authorEmail: dir === 'buyer_to_store' ? buyerEmail : 'support@acme.example',
        permittedSenderId: null,
        subject,
        originalMessageId: `<o${n}@mail.example>`,
        relayMessageId: relayId,
        verdict: 'deliver',
        findings: [],
        changes: [],
        raw: Buffer.from(`From: ${buyerEmail}\r\nSubject: ${subject}\r\n\r\n${text}\r\n`),
        receivedAt: at,
        staffUserId: o.staff ?? null,
      });
      await tx.outbox.enqueue(
        {
          messageId: id,
          kind: 'relay',
          envFrom: 'bounce@relay.example',
          envTo: dir === 'buyer_to_store' ? 'support@acme.example' : buyerEmail,
          raw: Buffer.from(`Subject: ${subject}\r\n\r\n${text}\r\n`),
        },
        at,
      );
      return id;
    });
  };
  await put('jane1', 'jane', 'buyer_to_store', 30, 'Where is my parcel', 'Hello, order A-100 has not arrived yet. Regards, Jane Doe', { category: 'shipping' });
  await put('jane2', 'jane', 'store_to_buyer', 28, 'Re: Where is my parcel', 'It left the warehouse this morning.', { staff: 2 });
  await put('kai1', 'kai', 'buyer_to_store', 20, 'Refund please', 'The kettle arrived broken, I would like a refund.', { category: 'refund' });
  await put('nia1', 'nia', 'buyer_to_store', 10, 'Question about sizes', 'Does the lamp come in blue?');
  await put('lena1', 'lena', 'buyer_to_store', 5, 'Invoice', 'Could you send the invoice for my order?');
  await put('jane3', 'jane', 'buyer_to_store', 2, 'Re: Where is my parcel', 'Still nothing arrived, the parcel seems lost.', { category: 'shipping' });
  await put('jane2b', 'jane2', 'buyer_to_store', 1, 'Birch order', 'A question for Birch about the armchair.');
  await h.exec(
    "INSERT INTO orders (store_id, pair_id, number, status, currency, total_minor, placed_at, created_at, updated_at) VALUES (?, ?, 'A-100', 'completed', 'EUR', 4200, ?, ?, ?)",
    [acme.id, p.jane.id, NOW - 50 * H, NOW, NOW],
  );
  await h.exec("INSERT INTO tags (id, name, colour) VALUES (1, 'VIP', 'red')");
  await h.exec('INSERT INTO message_tags (message_id, tag_id) VALUES (?, 1)', [m.kai1]);
  const tokens = { jane: p.jane.token, kai: p.kai.token, lena: p.lena.token, nia: p.nia.token, jane2: p.jane2.token };
  return {
    acme: acme.id,
    birch: birch.id,
    pairs: { jane: p.jane.id, kai: p.kai.id, lena: p.lena.id, nia: p.nia.id, jane2: p.jane2.id },
    tokens,
    m,
  };
}

const adapters: [string, () => Promise<Harness>][] = [
  ['SQLite', () => sqliteHarness()],
  ['PostgreSQL', () => pgHarness()],
];

/** The report of each adapter after the same writes, compared at the end. */
const reports = new Map<string, ResponseReport>();

describe.each(adapters)('the inbox port on %s', (name, make) => {
  let h: Harness;
  let s: Seeded;
  beforeAll(async () => {
    h = await make();
    s = await seed(h);
  }, 120_000);
  afterAll(async () => h?.close());

  const filter = (f: Partial<InboxFilter> = {}): InboxFilter => ({ storeIds: [s.acme, s.birch], view: 'in', limit: 50, now: NOW, ...f });
  const pairsOf = async (f: Partial<InboxFilter> = {}, via: Storage = h.b) => (await via.inbox.list(filter(f))).map((r) => r.pairId);

  describe('the list', () => {
    it('shows every conversation with a buyer message, newest latest message first, with its latest message and counts', async () => {
      const rows = await h.b.inbox.list(filter());
      expect(rows.map((r) => r.pairId)).toEqual([s.pairs.jane2, s.pairs.jane, s.pairs.lena, s.pairs.nia, s.pairs.kai]);
      expect(rows[1]).toMatchObject({
        pairId: s.pairs.jane,
        storeName: 'Acme Store',
        buyerName: 'Jane Doe',
        buyerKind: 'customer',
        alias: s.tokens.jane,
        id: s.m.jane3,
        direction: 'buyer_to_store',
        subject: 'Re: Where is my parcel',
        receivedAt: NOW - 2 * H,
        suspicious: false,
        status: 'open',
        category: 'shipping',
        unread: 2,
        assigneeId: null,
        snoozedUntil: null,
      });
      expect(await h.a.inbox.unreadByStore([s.acme, s.birch])).toEqual(
        new Map([
          [s.acme, 4],
          [s.birch, 2],
        ]),
      );
      expect(await h.a.inbox.unreadByCategory([s.acme])).toEqual(
        new Map([
          ['shipping', 2],
          ['refund', 1],
          ['general', 1],
        ]),
      );
      expect(await h.a.inbox.newestId([s.acme])).toBe(s.m.jane3);
      expect(await h.a.inbox.tagsForPairs([s.pairs.kai, s.pairs.jane])).toEqual(new Map([[s.pairs.kai, [{ id: 1, name: 'VIP', colour: 'red' }]]]));
    });

    it('pages with the last row id, and shows only the stores asked for', async () => {
      const first = await h.b.inbox.list(filter({ limit: 2 }));
      expect(first.map((r) => r.pairId)).toEqual([s.pairs.jane2, s.pairs.jane]);
      expect(await pairsOf({ limit: 2, beforeId: first[1]!.id })).toEqual([s.pairs.lena, s.pairs.nia]);
      expect(await pairsOf({ limit: 2, beforeId: s.m.nia1 })).toEqual([s.pairs.kai]);
      expect(await pairsOf({ storeIds: [s.birch] })).toEqual([s.pairs.jane2, s.pairs.nia]);
      expect(await pairsOf({ storeIds: [] })).toEqual([]);
    });

    it('filters by category, tag, time window and view', async () => {
      expect(await pairsOf({ category: 'refund' })).toEqual([s.pairs.kai]);
      expect(await pairsOf({ tagId: 1 })).toEqual([s.pairs.kai]);
      expect(await pairsOf({ sinceMs: NOW - 6 * H, untilMs: NOW - 1.5 * H })).toEqual([s.pairs.jane, s.pairs.lena]);
      expect(await pairsOf({ view: 'sent' })).toEqual([]);
    });

    it('orders waiting conversations by the clock that runs out first', async () => {
      // Kai's refund waits since 20 h ago, Nia 10 h, Lena 5 h, Jane again since 2 h (her first message was answered), Jane at Birch 1 h.
      expect(await pairsOf({ sort: 'due' })).toEqual([s.pairs.kai, s.pairs.nia, s.pairs.lena, s.pairs.jane, s.pairs.jane2]);
    });
  });

  describe('search', () => {
    it('finds a conversation by a word of its delivered text, the last word as a prefix, every word required', async () => {
      expect(await pairsOf({ q: 'kettle' })).toEqual([s.pairs.kai]);
      expect(await pairsOf({ q: 'broken ket' })).toEqual([s.pairs.kai]);
      expect(await pairsOf({ q: 'kettle blue' })).toEqual([]);
      expect(await pairsOf({ q: 'zzzz' })).toEqual([]);
    });

    it('shows each conversation once with its newest matching message, newest match first', async () => {
      const rows = await h.b.inbox.list(filter({ q: 'parcel' }));
      expect(rows.map((r) => [r.pairId, r.id])).toEqual([[s.pairs.jane, s.m.jane3]]);
      expect((await h.b.inbox.list(filter({ q: 'arrived' }))).map((r) => [r.pairId, r.id])).toEqual([
        [s.pairs.jane, s.m.jane3],
        [s.pairs.kai, s.m.kai1],
      ]);
    });

    it('takes an alias or an order number for its conversation', async () => {
      expect(await pairsOf({ q: `${s.tokens.lena}@relay.example` })).toEqual([s.pairs.lena]);
      expect(await pairsOf({ q: 'A-100' })).toEqual([s.pairs.jane]);
    });
  });

  describe('conversation state', () => {
    it('sets a status within the stores given only, and a final mark stays', async () => {
      expect(await h.a.inbox.setStatus([s.pairs.kai, s.pairs.nia], 'follow_up', [s.acme])).toBe(1);
      expect(await pairsOf({ status: 'follow_up' })).toEqual([s.pairs.kai]);
      expect(await h.a.inbox.setStatus([s.pairs.kai], 'replied_on_platform', [s.acme])).toBe(1);
      expect(await h.b.inbox.setStatus([s.pairs.kai], 'open', [s.acme])).toBe(0);
      expect((await h.b.inbox.state(s.pairs.kai))?.status).toBe('replied_on_platform');
      expect((await h.b.inbox.conversation(s.pairs.kai))[0]?.status).toBe('replied_on_platform');
    });

    it('marks read and unread, and the unread filter follows', async () => {
      expect(await h.a.inbox.setRead([s.pairs.jane, s.pairs.lena], true, [s.acme], NOW)).toBe(2);
      expect(await pairsOf({ unread: true, storeIds: [s.acme] })).toEqual([s.pairs.kai]);
      expect(await h.b.inbox.setRead([s.pairs.jane], false, [s.acme], NOW)).toBe(1);
      expect((await h.b.inbox.state(s.pairs.jane))?.unread).toBe(1);
      expect(await pairsOf({ unread: true, storeIds: [s.acme] })).toEqual([s.pairs.jane, s.pairs.kai]);
    });

    it('marks read as shown: the buyer messages up to the one on screen, a newer one stays unread', async () => {
      expect((await h.a.inbox.state(s.pairs.jane))?.unread).toBe(1); // jane3, marked unread above
      expect(await h.a.inbox.readShown(s.pairs.jane, s.m.jane3, [s.birch], NOW)).toBe(0);
      expect(await h.a.inbox.readShown(s.pairs.jane, s.m.jane1, [s.acme], NOW)).toBe(0);
      expect((await h.b.inbox.state(s.pairs.jane))?.unread).toBe(1);
      expect(await h.a.inbox.readShown(s.pairs.jane, s.m.jane3, [s.acme], NOW)).toBe(1);
      expect((await h.b.inbox.state(s.pairs.jane))?.unread).toBe(0);
      await h.a.inbox.setRead([s.pairs.jane], false, [s.acme], NOW);
    });

    it('assigns to a user who may see the store only, and filters by assignee', async () => {
      expect(await h.a.inbox.assign([s.pairs.jane, s.pairs.nia], 2, [s.acme, s.birch])).toBe(1);
      expect(await h.a.inbox.assign([s.pairs.nia], 1, [s.acme, s.birch])).toBe(1);
      expect(await pairsOf({ assigneeId: 2 })).toEqual([s.pairs.jane]);
      expect((await h.b.inbox.list(filter({ assigneeId: 1 })))[0]).toMatchObject({ pairId: s.pairs.nia, assignee: 'Olga Owner' });
      expect(await pairsOf({ assigneeId: null, storeIds: [s.acme] })).toEqual([s.pairs.lena, s.pairs.kai]);
      expect(await h.a.inbox.assignable([s.birch])).toEqual([{ id: 1, name: 'Olga Owner' }]);
      expect(await h.a.inbox.assign([s.pairs.nia], null, [s.birch])).toBe(1);
    });

    it('hides a snoozed conversation until its time, then shows it unread', async () => {
      expect(await h.a.inbox.snooze([s.pairs.lena], NOW + H, [s.acme], NOW)).toBe(1);
      expect(await pairsOf({ storeIds: [s.acme] })).toEqual([s.pairs.jane, s.pairs.kai]);
      expect(await pairsOf({ storeIds: [s.acme], snoozed: true })).toEqual([s.pairs.lena]);
      const later = await h.b.inbox.list(filter({ storeIds: [s.acme], now: NOW + 2 * H, unread: true }));
      expect(later.map((r) => [r.pairId, r.unread])).toEqual([
        [s.pairs.jane, 1],
        [s.pairs.lena, 1],
        [s.pairs.kai, 1],
      ]);
    });

    it('re-categorises the buyer messages of a conversation, and one message within the stores given', async () => {
      expect(await h.a.inbox.setCategory([s.pairs.lena], 'refund', [s.acme])).toBe(1);
      expect(await pairsOf({ category: 'refund', now: NOW + 2 * H })).toEqual([s.pairs.lena, s.pairs.kai]);
      expect(await h.a.inbox.setMessageCategory(s.m.nia1, 'refund', [s.acme])).toBe(0);
      expect(await h.a.inbox.setMessageCategory(s.m.nia1, 'refund', [s.birch])).toBe(1);
      expect(await h.a.inbox.roundRobin(s.acme)).toBe(false);
      await h.a.inbox.setRoundRobin(s.acme, true);
      expect(await h.b.inbox.roundRobin(s.acme)).toBe(true);
    });
  });

  describe('one conversation', () => {
    it("reads the thread oldest first with each message's delivery, the header, and the buyer's other conversations", async () => {
      const thread = await h.b.inbox.conversation(s.pairs.jane);
      expect(thread.map((m) => [m.id, m.direction, m.delivery])).toEqual([
        [s.m.jane1, 'buyer_to_store', 'queued'],
        [s.m.jane2, 'store_to_buyer', 'queued'],
        [s.m.jane3, 'buyer_to_store', 'queued'],
      ]);
      expect(thread[0]).toMatchObject({
        subject: 'Where is my parcel',
        category: 'shipping',
        findings: [],
        changes: [],
        critical: false,
        receivedAt: NOW - 30 * H,
      });
      expect(await h.b.inbox.pair(s.pairs.jane)).toEqual({
        pairId: s.pairs.jane,
        storeId: s.acme,
        storeName: 'Acme Store',
        alias: s.tokens.jane,
        buyerName: 'Jane Doe',
        buyerKind: 'customer',
        optedOut: false,
        undeliverableAt: null,
        undeliverableReason: null,
      });
      expect(await h.b.inbox.otherConversations(s.pairs.jane, [s.acme, s.birch])).toEqual([{ pairId: s.pairs.jane2, storeName: 'Birch Home' }]);
      expect(await h.b.inbox.otherConversations(s.pairs.jane, [s.acme])).toEqual([]);
      expect(await h.b.inbox.latest(s.pairs.jane)).toEqual({ last: s.m.jane3, lastBuyer: s.m.jane3 });
      expect(await h.b.inbox.taggedMessages(s.pairs.kai, 1)).toEqual([s.m.kai1]);
    });

    it('reads one message as the thread has it, with its delivery, pair and store, only within the stores given', async () => {
      const jane2 = await h.b.inbox.message(s.m.jane2, [s.acme]);
      const inThread = (await h.b.inbox.conversation(s.pairs.jane)).find((m) => m.id === s.m.jane2);
      expect(jane2).toEqual({ ...inThread, pairId: s.pairs.jane, storeId: s.acme });
      expect(jane2).toMatchObject({ direction: 'store_to_buyer', subject: 'Re: Where is my parcel', delivery: 'queued', lastError: null, suspicious: false });
      expect(jane2?.outboxId).toEqual(expect.any(Number));
      expect(await h.a.inbox.message(s.m.jane2b, [s.acme, s.birch])).toMatchObject({ id: s.m.jane2b, pairId: s.pairs.jane2, storeId: s.birch });
      // Another store's message, an unknown id, no store at all: none.
      expect(await h.b.inbox.message(s.m.jane2b, [s.acme])).toBeNull();
      expect(await h.b.inbox.message(s.m.jane2, [s.birch])).toBeNull();
      expect(await h.b.inbox.message(999_999, [s.acme, s.birch])).toBeNull();
      expect(await h.b.inbox.message(s.m.jane2, [])).toBeNull();
      // Its delivery as it is now: a final failure with its reason, read on the other node.
      await h.exec("UPDATE outbox SET status = 'failed', last_error = '550 5.1.1 <b>no such user</b>' WHERE id = ?", [jane2!.outboxId]);
      expect(await h.a.inbox.message(s.m.jane2, [s.acme])).toMatchObject({ delivery: 'failed', lastError: '550 5.1.1 <b>no such user</b>' });
      await h.exec("UPDATE outbox SET status = 'queued', last_error = NULL WHERE id = ?", [jane2!.outboxId]);
    });

    it("threads a reply: the buyer message's relay Message-ID, only within its own conversation", async () => {
      expect(await h.a.inbox.relayIdInPair(s.m.jane3, s.pairs.jane)).toBe('<r6@relay.example>');
      expect(await h.a.inbox.relayIdInPair(s.m.jane3, s.pairs.kai)).toBeNull();
    });

    it('keeps a draft per user and conversation on any node, and an empty text removes it', async () => {
      await h.a.inbox.saveDraft(2, s.pairs.jane, { subject: 'Re: parcel', body: 'We are looking', orderNumber: 'A-100' }, NOW);
      await h.b.inbox.saveDraft(2, s.pairs.jane, { subject: 'Re: parcel', body: 'We are looking into it', orderNumber: 'A-100' }, NOW + 1);
      expect(await h.a.inbox.draft(2, s.pairs.jane)).toEqual({
        subject: 'Re: parcel',
        body: 'We are looking into it',
        orderNumber: 'A-100',
        updatedAt: NOW + 1,
      });
      expect(await h.a.inbox.draft(1, s.pairs.jane)).toBeNull();
      await h.b.inbox.saveDraft(2, s.pairs.jane, { subject: 'Re: parcel', body: '  ', orderNumber: null });
      expect(await h.a.inbox.draft(2, s.pairs.jane)).toBeNull();
    });

    it("reads a pair's messages back for the API newest first, paged, each with its delivery", async () => {
      const page = await h.b.inbox.pairMessages(s.pairs.jane, undefined, 2);
      expect(page.map((m) => [m.id, m.direction, m.status, m.attempts])).toEqual([
        [s.m.jane3, 'buyer_to_store', 'queued', 0],
        [s.m.jane2, 'store_to_buyer', 'queued', 0],
      ]);
      expect((await h.b.inbox.pairMessages(s.pairs.jane, s.m.jane2, 2)).map((m) => m.id)).toEqual([s.m.jane1]);
      expect((await h.b.inbox.pairMessage(s.pairs.jane, s.m.jane1))?.subject).toBe('Where is my parcel');
      expect(await h.b.inbox.pairMessage(s.pairs.kai, s.m.jane1)).toBeNull();
      const listed = await h.b.inbox.messages({ alias: s.tokens.jane, limit: 10 });
      expect(listed.map((m) => [m.id, m.status, m.outboxIds.length])).toEqual([
        [s.m.jane3, 'queued', 1],
        [s.m.jane2, 'queued', 1],
        [s.m.jane1, 'queued', 1],
      ]);
    });
  });

  describe('the report', () => {
    it("counts Jane's answer after two hours, the others open, and a stopped clock", async () => {
      expect(await h.a.inbox.conversationClock(s.pairs.kai)).toMatchObject({ startMessageId: s.m.kai1, answeredAt: null, notNeededAt: null });
      expect(await h.a.inbox.markNoResponseNeeded(s.pairs.kai, 1, NOW - 19 * H)).toBe(true);
      expect(await h.b.inbox.markNoResponseNeeded(s.pairs.kai, 1, NOW - 19 * H)).toBe(false);
      expect(await h.b.inbox.conversationClock(s.pairs.kai)).toMatchObject({ notNeededAt: NOW - 19 * H, notNeededBy: 'Olga Owner' });
      const r = await h.b.inbox.responseTimes({ storeIds: [s.acme, s.birch], days: 7, now: NOW });
      expect(r.overall).toMatchObject({ answered: 1, averageMs: 2 * H, medianMs: 2 * H, notNeeded: 1 });
      expect(r.byAgent.map((l) => [l.name, l.answered])).toEqual([['Alex Agent', 1]]);
      expect(r.volumeByDay.reduce((n, d) => n + d.received, 0)).toBe(6);
      expect(r.volumeByDay.reduce((n, d) => n + d.replies, 0)).toBe(1);
      expect(await h.b.inbox.staff()).toEqual([
        { id: 1, name: 'Olga Owner', disabled: false },
        { id: 2, name: 'Alex Agent', disabled: false },
      ]);
      reports.set(name, r);
    });
  });

  describe('erasure', () => {
    it('erases Jane everywhere in one go: no row holds her address or name, the numbers stay', async () => {
      const before = await h.dump();
      expect(before).toContain('jane.doe@buyer.example');
      expect(await h.a.inbox.eraseBuyer('Jane.Doe@Buyer.example')).toEqual({ found: true, pairs: 2, messages: 4 });
      const after = await h.dump();
      expect(after.split('\n').filter((l) => /jane\.doe@buyer\.example|Jane Doe/i.test(l))).toEqual([]);
      expect(await h.b.inbox.eraseBuyer('jane.doe@buyer.example')).toEqual({ found: false, pairs: 0, messages: 0 });
      // The rows stay for the numbers; the search no longer finds her words.
      expect((await h.b.inbox.conversation(s.pairs.jane)).map((m) => m.subject)).toEqual(['[erased]', '[erased]', '[erased]']);
      expect(await pairsOf({ q: 'parcel' })).toEqual([]);
      expect(await pairsOf({ q: 'kettle' })).toEqual([s.pairs.kai]);
    });

    it('erases a buyer once when two nodes are asked at the same time', async () => {
      const results = await Promise.all([h.a.inbox.eraseBuyer('lena@buyer.example'), h.b.inbox.eraseBuyer('lena@buyer.example')]);
      expect(results.map((r) => r.found).sort()).toEqual([false, true]);
      expect(results.find((r) => r.found)).toEqual({ found: true, pairs: 1, messages: 1 });
      expect(await h.exec("SELECT count(*) AS n FROM buyers WHERE email LIKE 'erased-%'")).toEqual([{ n: 2 }]);
    });
  });

  describe('a hidden name', () => {
    it('finds a message by the buyer name it was stored with: a buyer who hid their name is not found by it', async () => {
      // The relay gives the name as the store sees it: '' once the buyer hid it (pairs.hide_name).
      const { view } = await h.a.mail.ensurePair(s.birch, 'quinn@buyer.example', 'Quinn Quietly', 'customer', NOW - 3 * H);
      await h.exec('UPDATE pairs SET hide_name = 1 WHERE id = ?', [view.pair.id]);
      await h.a.write(async (tx) =>
        tx.mail.insertMessage({
          pairId: view.pair.id,
          storeId: s.birch,
          critical: false,
          criticalToOptedOut: false,
          suspicious: false,
          snippet: 'Is the mirror in stock?',
          searchText: 'Is the mirror in stock?',
          category: 'general',
          buyerName: '',
          autoSubmitted: false,
          direction: 'buyer_to_store',
          source: 'smtp',
          authorEmail: 'quinn@buyer.example',
          permittedSenderId: null,
          subject: 'Mirror',
          originalMessageId: '<quinn@mail.example>',
          relayMessageId: '<rq@relay.example>',
          verdict: 'deliver',
          findings: [],
          changes: [],
          raw: Buffer.from('Subject: Mirror\r\n\r\nIs the mirror in stock?\r\n'),
          receivedAt: NOW - 3 * H,
          staffUserId: null,
        }),
      );
      expect(await pairsOf({ q: 'mirror' })).toEqual([view.pair.id]);
      expect(await pairsOf({ q: 'Quietly' })).toEqual([]);
    });
  });
});

describe('both adapters', () => {
  it('give the same report after the same writes', () => {
    const [sqlite, pg] = [reports.get('SQLite'), reports.get('PostgreSQL')];
    expect(sqlite).toBeDefined();
    expect(pg).toEqual(sqlite);
  });
});

// One contract per storage port, run against both adapters: SQLite (a data dir, a second connection
// as the "other node") and PostgreSQL (a fresh database on the run's throwaway cluster, a second
// pool as the other node). Whatever a caller may rely on is asserted here, once, for both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { LeasedJob } from '../../src/jobs/leased-job.js';
import { ensureDkimKey, loadDkimKey } from '../../src/outbound/dkim.js';
import { pgHarness, seedShopBuyers, sqliteHarness, type ContractHarness as Harness } from '../helpers/contract-harness.js';

const TTL = 3_600_000;
const silent = pino({ level: 'silent' });

const NOW = 1_800_000_000_000;

/** One store, three buyers with a pair each, one message, one order, a campaign with 60 recipients. */
async function seed(h: Harness): Promise<void> {
  await seedShopBuyers(h, 60);
  await h.exec(
    `INSERT INTO messages (id, pair_id, store_id, direction, source, author_email, subject, relay_message_id, verdict, findings, changes, size, received_at)
     VALUES (1, 1, 1, 'store_to_buyer', 'smtp', 'seller@shop.example', 'Your order', '<m1@relay.example>', 'delivered', '[]', '[]', 5, ?)`,
    [NOW],
  );
  await h.exec('INSERT INTO message_bodies (message_id, raw) VALUES (1, ?)', [Buffer.from('hello')]);
  await h.exec(
    "INSERT INTO orders (id, store_id, pair_id, number, status, currency, total_minor, placed_at, created_at, updated_at) VALUES (1, 1, 1, 'A-1', 'completed', 'EUR', 4200, ?, ?, ?)",
    [NOW, NOW, NOW],
  );
  await h.exec(
    `INSERT INTO campaigns (id, store_id, name, preset, subject, body, audience, status, content_hash, created_at, updated_at)
     VALUES (1, 1, 'Spring', 'custom', 'Hi', 'Hello', '{}', 'sending', 'h', ?, ?)`,
    [NOW, NOW],
  );
  for (let i = 1; i <= 60; i++) await h.exec("INSERT INTO campaign_recipients (campaign_id, pair_id, status) VALUES (1, ?, 'pending')", [i]);
  await h.afterSeed();
}

const adapters: [string, () => Promise<Harness>][] = [
  ['SQLite', () => sqliteHarness(TTL)],
  ['PostgreSQL', () => pgHarness(TTL)],
];

describe.each(adapters)('storage ports on %s', (_name, make) => {
  let h: Harness;
  beforeAll(async () => {
    h = await make();
    await seed(h);
  }, 120_000);
  afterAll(async () => h?.close());

  const relayRow = (n: number) => ({
    messageId: 1,
    kind: 'relay' as const,
    envFrom: 'b@relay.example',
    envTo: `to${n}@x.example`,
    raw: Buffer.from(`raw ${n}`),
  });

  describe('outbox queue', () => {
    it('keeps the exact bytes and the row as queued', async () => {
      const id = await h.a.outbox.enqueue(relayRow(0), NOW);
      expect((await h.b.outbox.raw(id))?.toString()).toBe('raw 0');
      expect(await h.b.outbox.get(id)).toMatchObject({ id, messageId: 1, kind: 'relay', envTo: 'to0@x.example', status: 'queued', attempts: 0, size: 5 });
      await h.a.outbox.markDone(id, 'sent', 1, NOW);
    });

    it('gives each due row to one node only, even when both claim at once, and takes nothing not yet due', async () => {
      const ids: number[] = [];
      for (let i = 1; i <= 40; i++) ids.push(await h.a.outbox.enqueue(relayRow(i), NOW));
      const later = await h.a.outbox.enqueue(relayRow(99), NOW + 60_000);
      await h.exec('UPDATE outbox SET next_attempt_at = ? WHERE id = ?', [NOW + 60_000, later]);
      const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? h.a : h.b).outbox.claim(i % 2 ? 'node-a' : 'node-b', 5, 30_000, NOW + 1)));
      const got = claims.flat().map((r) => r.id);
      expect(new Set(got).size).toBe(got.length);
      expect(got.sort((x, y) => x - y)).toEqual(ids);
      expect(await h.a.outbox.claim('node-a', 10, 30_000, NOW + 2)).toEqual([]);
      for (const id of ids) await h.a.outbox.markDone(id, 'captured', 1, NOW + 3);
      await h.a.outbox.markDone(later, 'captured', 1, NOW + 3);
    });

    it('claims the earliest due rows first, past rows deferred to later', async () => {
      // Notices: their status changes write no event (the events test below counts them).
      const noticeRow = (n: number) => ({ ...relayRow(n), kind: 'notice' as const, messageId: null });
      const waiting = await h.a.outbox.enqueue(noticeRow(200), NOW);
      await h.a.outbox.markDeferred(waiting, 1, NOW + 3_600_000, '451 later', NOW);
      const [late, early, middle] = [
        await h.a.outbox.enqueue(noticeRow(201), NOW),
        await h.a.outbox.enqueue(noticeRow(202), NOW),
        await h.a.outbox.enqueue(noticeRow(203), NOW),
      ];
      await h.exec('UPDATE outbox SET next_attempt_at = ? WHERE id = ?', [NOW - 1000, late]);
      await h.exec('UPDATE outbox SET next_attempt_at = ? WHERE id = ?', [NOW - 3000, early]);
      await h.exec('UPDATE outbox SET next_attempt_at = ? WHERE id = ?', [NOW - 2000, middle]);
      expect((await h.a.outbox.claim('node-a', 2, 30_000, NOW)).map((r) => r.id)).toEqual([early, middle]);
      expect((await h.a.outbox.claim('node-a', 5, 30_000, NOW)).map((r) => r.id)).toEqual([late]);
      for (const id of [late, early, middle, waiting]) await h.a.outbox.markDone(id, 'captured', 1, NOW);
    });

    it("lets another node take a dead node's rows once the lease has run out, and not before", async () => {
      const id = await h.a.outbox.enqueue(relayRow(100), NOW);
      expect((await h.a.outbox.claim('dead', 10, 30_000, NOW)).map((r) => r.id)).toEqual([id]);
      expect(await h.b.outbox.claim('survivor', 10, 30_000, NOW + 29_999)).toEqual([]);
      expect(await h.b.outbox.extend(id, 'survivor', 30_000, NOW + 29_999)).toBe(false);
      expect((await h.b.outbox.claim('survivor', 10, 30_000, NOW + 30_000)).map((r) => r.id)).toEqual([id]);
      // The dead node's lease is gone: it can neither extend nor release the row any more.
      expect(await h.a.outbox.extend(id, 'dead', 30_000, NOW + 30_001)).toBe(false);
      expect(await h.a.outbox.release(id, 'dead')).toBe(false);
      expect(await h.b.outbox.extend(id, 'survivor', 60_000, NOW + 30_001)).toBe(true);
      expect(await h.a.outbox.claim('other', 10, 30_000, NOW + 61_000)).toEqual([]);
      await h.b.outbox.markDeferred(id, 1, NOW + 100_000, '451 try later', NOW + 61_000);
      expect(await h.b.outbox.get(id)).toMatchObject({ status: 'deferred', attempts: 1, nextAttemptAt: NOW + 100_000, lastError: '451 try later' });
      expect(await h.a.outbox.nextDueAt()).toBe(NOW + 100_000);
      expect(await h.a.outbox.pendingCount()).toBe(1);
      await h.a.outbox.markFailed(id, 2, '550 no such user', NOW + 100_000);
      expect(await h.a.outbox.pendingCount()).toBe(0);
    });

    it("release gives a row back at once, releaseAll only the caller's rows", async () => {
      const x = await h.a.outbox.enqueue(relayRow(200), NOW);
      const y = await h.a.outbox.enqueue(relayRow(201), NOW);
      await h.a.outbox.claim('node-a', 1, 30_000, NOW);
      await h.b.outbox.claim('node-b', 1, 30_000, NOW);
      expect(await h.a.outbox.release(x, 'node-b')).toBe(false);
      expect(await h.a.outbox.release(x, 'node-a')).toBe(true);
      expect(await h.a.outbox.releaseAll('node-a')).toBe(0);
      expect(await h.b.outbox.releaseAll('node-b')).toBe(1);
      expect((await h.a.outbox.claim('node-a', 10, 30_000, NOW + 1)).map((r) => r.id)).toEqual([x, y]);
      await h.a.outbox.markDone(x, 'sent', 1, NOW + 2);
      await h.a.outbox.markDone(y, 'sent', 1, NOW + 2);
    });

    it('writes message.sent and delivery.failed with the status change, naming the alias', async () => {
      const events = await h.exec("SELECT type, data FROM events WHERE type IN ('message.sent', 'delivery.failed') ORDER BY id");
      const sent = events.filter((e) => e.type === 'message.sent');
      const failed = events.filter((e) => e.type === 'delivery.failed');
      expect(sent.length).toBe(44);
      expect(failed).toHaveLength(1);
      expect(JSON.parse(String(failed[0]?.data))).toMatchObject({ messageId: 1, alias: 'tok1', status: 'failed', attempts: 2, error: '550 no such user' });
    });

    it("adds a relay copy the composer says carries a file to its conversation's paperclip, and no copy whose bytes only quote the header", async () => {
      const files = async () => Number((await h.exec('SELECT files FROM conversations WHERE pair_id = 1'))[0]?.files);
      const before = await files();
      const quoted = Buffer.from('Subject: fwd\r\n\r\nthe part said Content-Disposition: attachment; filename=a.pdf\r\n');
      await h.a.outbox.markDone(await h.a.outbox.enqueue({ ...relayRow(300), raw: quoted, files: false }, NOW), 'sent', 1, NOW);
      expect(await files()).toBe(before);
      await h.a.outbox.markDone(await h.a.outbox.enqueue({ ...relayRow(301), files: true }, NOW), 'sent', 1, NOW);
      expect(await files()).toBe(before + 1);
      await h.a.outbox.markDone(await h.a.outbox.enqueue({ ...relayRow(302), kind: 'notice', envFrom: '', files: true }, NOW), 'sent', 1, NOW);
      expect(await files()).toBe(before + 1);
    });
  });

  describe('campaign ledger', () => {
    it('claims each recipient for one node only when two nodes claim at once', async () => {
      const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? h.a : h.b).ledger.claim(1, i % 2 ? 'node-a' : 'node-b', 4, 30_000, NOW)));
      const got = claims.flat().map((r) => r.pairId);
      expect(new Set(got).size).toBe(got.length);
      expect(got).toHaveLength(40);
      expect(claims.flat().every((r) => r.campaignId === 1)).toBe(true);
      expect(await h.a.ledger.counts(1)).toEqual({ pending: 20, sending: 40 });
    });

    it('reports only claims whose lease ran out as expired, and marks rows sent or skipped', async () => {
      expect(await h.a.ledger.expired(NOW + 29_999)).toEqual([]);
      const expired = await h.a.ledger.expired(NOW + 30_000);
      expect(expired).toHaveLength(40);
      const [first, second] = expired as unknown as [{ id: number }, { id: number }];
      await h.a.ledger.markSent(first.id, 1, 1, NOW);
      await h.a.ledger.markSkipped(second.id, 'unsubscribed', NOW);
      expect(await h.a.ledger.counts(1)).toEqual({ pending: 20, sending: 38, sent: 1, skipped: 1 });
      const fresh = await h.b.ledger.claim(1, 'node-b', 100, 30_000, NOW + 40_000);
      expect(fresh).toHaveLength(20);
      expect((await h.a.ledger.expired(NOW + 40_001)).map((r) => r.id)).not.toContain(fresh[0]?.id);
    });
  });

  describe('secrets and the DKIM key', () => {
    it('makes one secret when every node asks for it at once', async () => {
      const got = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? h.a : h.b).secrets.secret('bounce_secret')));
      expect(got[0]).toHaveLength(32);
      expect(new Set(got.map((b) => b.toString('hex'))).size).toBe(1);
    });

    it('imports a key file once, keeps it, and ignores a later import', async () => {
      const imported = '-----BEGIN PRIVATE KEY-----\nimported\n-----END PRIVATE KEY-----\n';
      expect(await h.a.secrets.dkimKey('Relay.example', 'mg', imported)).toBe(imported);
      expect(await h.b.secrets.dkimKey('relay.example', 'mg', 'other')).toBe(imported);
    });

    it('makes one new RSA key when none is stored, however many nodes start together', async () => {
      const keys = await Promise.all([h.a.secrets.dkimKey('new.example', 's1'), h.b.secrets.dkimKey('new.example', 's1')]);
      expect(keys[0]).toContain('BEGIN PRIVATE KEY');
      expect(keys[1]).toBe(keys[0]);
    });

    it('keeps settings', async () => {
      expect(await h.a.secrets.getSetting('x')).toBeNull();
      await h.a.secrets.setSetting('x', '1');
      await h.b.secrets.setSetting('x', '2');
      expect(await h.a.secrets.getSetting('x')).toBe('2');
    });
  });

  describe('periodic-job leases', () => {
    it('lets one node run a job until its lease runs out or it lets go', async () => {
      expect(await h.a.leases.acquire('notifier', 'node-a', 10_000, NOW)).toBe(true);
      expect(await h.b.leases.acquire('notifier', 'node-b', 10_000, NOW + 1)).toBe(false);
      expect(await h.a.leases.acquire('notifier', 'node-a', 10_000, NOW + 5_000)).toBe(true);
      expect(await h.b.leases.acquire('notifier', 'node-b', 10_000, NOW + 14_999)).toBe(false);
      expect(await h.b.leases.holder('notifier', NOW + 14_999)).toBe('node-a');
      expect(await h.b.leases.acquire('notifier', 'node-b', 10_000, NOW + 15_000)).toBe(true);
      expect(await h.a.leases.acquire('notifier', 'node-a', 10_000, NOW + 15_001)).toBe(false);
      await h.a.leases.release('notifier', 'node-a');
      expect(await h.a.leases.holder('notifier', NOW + 15_002)).toBe('node-b');
      await h.b.leases.release('notifier', 'node-b');
      expect(await h.a.leases.holder('notifier', NOW + 15_002)).toBeNull();
      expect(await h.a.leases.acquire('notifier', 'node-a', 10_000, NOW + 15_003)).toBe(true);
    });

    it('gives a free job to exactly one of many nodes asking at once', async () => {
      const got = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? h.a : h.b).leases.acquire('retention', `node-${i}`, 10_000, NOW)));
      expect(got.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('periodic jobs', () => {
    it('run on one node, move to another when their node dies, and come back after a clean stop', async () => {
      const runs = { a: 0, b: 0 };
      const job = (k: 'a' | 'b') => ({
        start: () => void runs[k]++,
        stop: async () => undefined,
      });
      const a = new LeasedJob(h.a.leases, 'scheduler', 'node-a', job('a'), silent, 300);
      const b = new LeasedJob(h.b.leases, 'scheduler', 'node-b', job('b'), silent, 300);
      await a.check();
      await b.check();
      expect([a.running, b.running]).toEqual([true, false]);
      // Node A dies: it stops renewing. B takes over once A's lease has run out.
      while (!b.running) {
        await new Promise((r) => setTimeout(r, 50));
        await b.check();
      }
      expect(runs).toEqual({ a: 1, b: 1 });
      // A comes back to life: it finds B holding the lease and stops its copy.
      await a.check();
      expect([a.running, b.running]).toEqual([false, true]);
      await b.end();
      await a.check();
      expect([a.running, b.running]).toEqual([true, false]);
      await a.end();
    });
  });

  describe('the DKIM key of an upgraded node', () => {
    it('is the key file found in the data dir, imported once into the database', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'maskgate-dkim-'));
      try {
        const old = ensureDkimKey(dir, 'upgrade.example', 'mg');
        const fresh = mkdtempSync(join(tmpdir(), 'maskgate-dkim-'));
        // The upgraded node starts first; a new node (no key file) starts after it.
        const first = await loadDkimKey(h.a.secrets, dir, 'upgrade.example', 'mg');
        const other = await loadDkimKey(h.b.secrets, fresh, 'upgrade.example', 'mg');
        rmSync(fresh, { recursive: true, force: true });
        expect(first.publicKey).toBe(old.publicKey);
        expect(other.publicKey).toBe(old.publicKey);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('admin sessions', () => {
    it('serves a session made on one node on the other, with the same CSRF token', async () => {
      await h.exec("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (1, 'o@x.example', 'O', 'owner', 'h', ?)", [NOW]);
      const { token, session } = await h.a.sessions.create(1, NOW);
      expect(await h.b.sessions.touch(token, NOW + 1)).toEqual(session);
      expect(await h.b.sessions.touch('not-a-token', NOW + 1)).toBeNull();
      // Sliding: a touch after a minute moves the expiry.
      expect((await h.b.sessions.touch(token, NOW + 120_000))?.expiresAt).toBe(NOW + TTL);
      expect((await h.a.sessions.touch(token, NOW + 120_001))?.expiresAt).toBe(NOW + 120_000 + TTL);
      expect(await h.a.sessions.touch(token, NOW + 120_000 + TTL)).toBeNull();
      await h.b.sessions.end(token);
      expect(await h.a.sessions.touch(token, NOW + 121_000)).toBeNull();
      await h.a.sessions.create(1, NOW);
      await h.a.sessions.create(1, NOW);
      expect(await h.b.sessions.endAll(1)).toBe(2);
    });
  });

  describe('records', () => {
    it('reads stores, pairs, messages and orders', async () => {
      expect(await h.a.records.store(1)).toEqual({ id: 1, slug: 'shop', name: 'Shop', mailbox: 'seller@shop.example' });
      expect((await h.a.records.storeBySlug('shop'))?.id).toBe(1);
      expect(await h.a.records.storeBySlug('none')).toBeNull();
      expect(await h.a.records.pairByToken('tok7')).toEqual({ id: 7, storeId: 1, buyerId: 7, token: 'tok7' });
      expect(await h.a.records.pair(8)).toMatchObject({ token: 'tok8' });
      expect(await h.a.records.message(1)).toEqual({
        id: 1,
        pairId: 1,
        storeId: 1,
        direction: 'store_to_buyer',
        subject: 'Your order',
        relayMessageId: '<m1@relay.example>',
        receivedAt: NOW,
      });
      expect((await h.a.records.messageRaw(1))?.toString()).toBe('hello');
      expect(await h.a.records.order(1, 'A-1')).toEqual({
        id: 1,
        storeId: 1,
        pairId: 1,
        number: 'A-1',
        status: 'completed',
        currency: 'EUR',
        totalMinor: 4200,
      });
      expect(await h.a.records.count('pairs')).toBe(60);
      expect(await h.a.records.count('campaign_recipients')).toBe(60);
    });
  });

  describe('bounces', () => {
    it('keeps a believed bounce, the failed row and the undeliverable buyer in one write, and nothing of a write that throws', async () => {
      const id = await h.a.outbox.enqueue(
        { messageId: 1, kind: 'relay', envFrom: 'tok1@relay.example', envTo: 'b1@buyer.example', raw: Buffer.from('x') },
        NOW,
      );
      const report = {
        outboxId: id,
        receivedAt: NOW + 5,
        outcome: 'failed' as const,
        reason: 'quotes our Message-ID',
        status: '5.1.1',
        diagnostic: 'no such user',
      };
      await expect(
        h.b.write(async (tx) => {
          await tx.bounces.record(report);
          await tx.bounces.markUndeliverable('B1@buyer.example', NOW + 5);
          throw new Error('stop');
        }),
      ).rejects.toThrow('stop');
      expect(await h.exec('SELECT count(*) AS n FROM bounce_reports')).toEqual([{ n: 0 }]);
      await h.b.write(async (tx) => {
        await tx.bounces.record(report);
        await tx.outbox.markFailed(id, 1, 'bounced after delivery: 5.1.1', NOW + 5);
        await tx.bounces.markUndeliverable('B1@buyer.example', NOW + 5);
      });
      // A second bounce keeps the first mark.
      await h.a.bounces.markUndeliverable('b1@buyer.example', NOW + 9);
      await h.a.bounces.record({ ...report, outcome: 'ignored', reason: 'too late', status: null, diagnostic: null });
      expect(await h.exec('SELECT outbox_id, outcome, reason, status, diagnostic FROM bounce_reports ORDER BY id')).toEqual([
        { outbox_id: id, outcome: 'failed', reason: 'quotes our Message-ID', status: '5.1.1', diagnostic: 'no such user' },
        { outbox_id: id, outcome: 'ignored', reason: 'too late', status: null, diagnostic: null },
      ]);
      expect(await h.exec('SELECT undeliverable_at FROM buyers WHERE id = 1')).toEqual([{ undeliverable_at: NOW + 5 }]);
      expect((await h.a.outbox.get(id))?.status).toBe('failed');
      // An accepted delivery of message 1 to that address clears the mark, once, with its event.
      expect(await h.b.bounces.clearUndeliverableAfterDelivery('B1@buyer.example', 1, NOW + 10)).toBe(true);
      expect(await h.a.bounces.clearUndeliverableAfterDelivery('b1@buyer.example', 1, NOW + 11)).toBe(false);
      expect(await h.exec("SELECT undeliverable_at, undeliverable_reason FROM buyers WHERE email = 'b1@buyer.example'")).toEqual([
        { undeliverable_at: null, undeliverable_reason: null },
      ]);
      // Marked again with its reason (a later reason does not replace it); staff clear it once.
      await h.a.bounces.markUndeliverable('b1@buyer.example', NOW + 12, '550 5.1.1 <tok1@relay.example>: user unknown');
      await h.b.bounces.markUndeliverable('b1@buyer.example', NOW + 13, 'other');
      expect(await h.exec("SELECT undeliverable_at, undeliverable_reason FROM buyers WHERE email = 'b1@buyer.example'")).toEqual([
        { undeliverable_at: NOW + 12, undeliverable_reason: '550 5.1.1 <tok1@relay.example>: user unknown' },
      ]);
      const pair = (await h.exec("SELECT p.id FROM pairs p JOIN buyers b ON b.id = p.buyer_id WHERE b.email = 'b1@buyer.example' ORDER BY p.id"))[0] as {
        id: number;
      };
      expect(await h.b.market.clearUndeliverable(pair.id, 'admin', 7, NOW + 14)).toBe(true);
      expect(await h.a.market.clearUndeliverable(pair.id, 'admin', 7, NOW + 15)).toBe(false);
      expect(await h.exec("SELECT undeliverable_at FROM buyers WHERE email = 'b1@buyer.example'")).toEqual([{ undeliverable_at: null }]);
      expect(await h.exec("SELECT count(*) AS n FROM events WHERE type = 'buyer.deliverable'")).toEqual([{ n: 2 }]);
    });
  });

  describe('retention', () => {
    it('purges old bodies (the row stays) and old events, and keeps what is younger', async () => {
      const day = 86_400_000;
      expect(await h.a.retention.purgeBodies(30, NOW + 29 * day)).toEqual({ messages: 0 });
      expect(await h.a.records.messageRaw(1)).not.toBeNull();
      expect(await h.b.retention.purgeBodies(30, NOW + 31 * day)).toEqual({ messages: 1 });
      expect(await h.a.records.messageRaw(1)).toBeNull();
      expect((await h.a.records.message(1))?.subject).toBe('Your order');
      expect(await h.b.retention.purgeBodies(30, NOW + 31 * day)).toEqual({ messages: 0 });
      for (const at of [NOW, NOW + day, NOW + 40 * day])
        await h.exec("INSERT INTO events (type, store_id, data, created_at) VALUES ('message.sent', 1, '{}', ?)", [at]);
      const before = Number((await h.exec('SELECT count(*) AS n FROM events'))[0]?.n);
      expect(await h.a.retention.purgeEvents(30, NOW + 35 * day)).toEqual({ events: before - 1 });
      expect(await h.exec('SELECT created_at FROM events')).toEqual([{ created_at: NOW + 40 * day }]);
    });
  });

  describe('unit of work', () => {
    it('commits everything a write did when it resolves', async () => {
      const id = await h.a.write(async (tx) => {
        const id = await tx.outbox.enqueue(relayRow(300), NOW);
        await tx.secrets.setSetting('uow', String(id));
        return id;
      });
      expect(await h.b.secrets.getSetting('uow')).toBe(String(id));
      expect((await h.b.outbox.raw(id))?.toString()).toBe('raw 300');
      await h.a.outbox.markDone(id, 'sent', 1, NOW);
    });

    it('keeps nothing of a write that throws', async () => {
      const before = await h.a.records.count('outbox');
      await expect(
        h.a.write(async (tx) => {
          await tx.outbox.enqueue(relayRow(301), NOW);
          await tx.secrets.setSetting('uow-failed', 'yes');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await h.a.records.count('outbox')).toBe(before);
      expect(await h.b.secrets.getSetting('uow-failed')).toBeNull();
    });
  });

  describe('the mail path', () => {
    const message = (relayMessageId: string, over: Record<string, unknown> = {}) => ({
      pairId: 2,
      storeId: 1,
      critical: false,
      criticalToOptedOut: false,
      suspicious: false,
      snippet: 'Where is my parcel?',
      searchText: 'Where is my parcel?',
      buyerName: 'Buyer 2',
      autoSubmitted: false,
      direction: 'buyer_to_store' as const,
      source: 'smtp' as const,
      authorEmail: 'b2@buyer.example',
      permittedSenderId: null,
      subject: 'Parcel',
      originalMessageId: '<orig-2@buyer.example>',
      relayMessageId,
      verdict: 'accept',
      findings: [],
      changes: [],
      raw: Buffer.from('From: b2@buyer.example\r\n\r\nWhere is my parcel?\r\n'),
      receivedAt: NOW + 1000,
      ...over,
    });

    it('reads a pair by its alias in any case and by store and buyer address, with its store and buyer', async () => {
      const view = await h.a.mail.pairByToken('TOK3');
      expect(view).toMatchObject({
        store: { id: 1, slug: 'shop', mailbox: 'seller@shop.example' },
        pair: { id: 3, token: 'tok3', optedOut: false },
        buyer: { id: 3, email: 'b3@buyer.example', name: 'Buyer 3', kind: 'customer', undeliverableAt: null },
      });
      expect((await h.b.mail.pairByStoreAndEmail(1, 'B3@Buyer.Example'))?.pair.id).toBe(3);
      expect(await h.a.mail.pairByToken('nope')).toBeNull();
      expect(await h.a.mail.pairByStoreAndEmail(1, 'stranger@buyer.example')).toBeNull();
    });

    it('reads stores, permitted senders, the postmaster owner, policies, banned words, orders and category rules', async () => {
      expect(await h.a.mail.storeBySlug('shop')).toMatchObject({ id: 1, name: 'Shop', mailbox: 'seller@shop.example' });
      expect(await h.a.mail.storeBySlug('other')).toBeNull();
      await h.exec("INSERT INTO permitted_senders (id, store_id, email, status, created_at, updated_at) VALUES (7, 1, 'staff@shop.example', 'enabled', ?, ?)", [
        NOW,
        NOW,
      ]);
      await h.exec("INSERT INTO permitted_senders (id, store_id, email, status, created_at, updated_at) VALUES (8, 1, 'gone@shop.example', 'blocked', ?, ?)", [
        NOW,
        NOW,
      ]);
      expect(await h.b.mail.findSender(1, 'Staff@Shop.Example')).toMatchObject({ id: 7, storeId: 1, status: 'enabled' });
      expect((await h.b.mail.senders(1)).map((x) => [x.id, x.status])).toEqual([
        [7, 'enabled'],
        [8, 'blocked'],
      ]);
      expect((await h.a.mail.sender(8))?.email).toBe('gone@shop.example');
      expect(await h.a.mail.sender(99)).toBeNull();

      // The sessions case made owner 1: disabled, it no longer counts.
      await h.exec('UPDATE users SET disabled_at = ?', [NOW]);
      expect(await h.a.mail.firstOwnerEmail()).toBeNull();
      await h.exec("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (12, 'agent@owner.example', 'Agent', 'agent', 'x', ?)", [NOW]);
      await h.exec("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (13, 'boss@owner.example', 'Boss', 'owner', 'x', ?)", [NOW]);
      expect(await h.b.mail.firstOwnerEmail()).toBe('boss@owner.example');

      const defaults = await h.a.mail.policy(1);
      await h.exec('UPDATE stores SET policy = ? WHERE id = 1', [JSON.stringify({ pairPerDay: 2 })]);
      expect(await h.b.mail.policy(1)).toEqual({ ...defaults, pairPerDay: 2 });

      await h.exec("INSERT INTO banned_words (store_id, word, created_at) VALUES (NULL, 'whatsapp', ?), (1, 'paypal', ?)", [NOW, NOW]);
      expect((await h.a.mail.bannedWords(1)).sort()).toEqual(['paypal', 'whatsapp']);
      expect(await h.a.mail.bannedWords(0)).toEqual(['whatsapp']);

      expect(await h.a.mail.orderSummaries(1)).toEqual([{ number: 'A-1', status: 'completed', completedAt: null }]);
      expect(await h.a.mail.orderSummaries(2)).toEqual([]);

      await h.exec('DELETE FROM category_rules');
      await h.exec(
        "INSERT INTO category_rules (position, category, field, pattern) VALUES (2, 'returns', 'subject', 'return'), (1, 'orders', 'subject', 'order')",
      );
      expect(await h.b.mail.categoryRules()).toEqual([
        { category: 'orders', field: 'subject', pattern: 'order' },
        { category: 'returns', field: 'subject', pattern: 'return' },
      ]);
    });

    it("finds a pair's cited messages for threading and counts its recent sends, never another pair's", async () => {
      expect(await h.a.mail.idMappings(1, ['<m1@relay.example>', '<unknown@x>'])).toEqual([
        { relayId: '<m1@relay.example>', originalId: null, author: 'store', receivedAt: NOW },
      ]);
      expect(await h.a.mail.idMappings(2, ['<m1@relay.example>'])).toEqual([]);
      expect(await h.a.mail.idMappings(1, [])).toEqual([]);
      expect(await h.b.mail.sendCounts(1, 1, NOW + 60_000)).toEqual({
        storeSentLastHour: 1,
        pairSentLastDay: 1,
        criticalToOptedOutLastDay: 0,
        lastBuyerMessageAt: null,
      });
      expect(await h.b.mail.sendCounts(1, 2, NOW + 2 * 3_600_000)).toEqual({
        storeSentLastHour: 0,
        pairSentLastDay: 0,
        criticalToOptedOutLastDay: 0,
        lastBuyerMessageAt: null,
      });
    });

    it("makes a visitor's pair once when two nodes make it at once, with a new alias and the name scrubbed of addresses", async () => {
      const made = await Promise.all([
        h.a.mail.ensurePair(1, 'New@Visitor.example', 'new@visitor.example', 'visitor', NOW),
        h.b.mail.ensurePair(1, 'new@visitor.example', 'new@visitor.example', 'visitor', NOW),
      ]);
      expect(made[0].view.pair.id).toBe(made[1].view.pair.id);
      expect(made.filter((m) => m.created)).toHaveLength(1);
      expect(made[0].view).toMatchObject({ store: { id: 1 }, buyer: { email: 'new@visitor.example', kind: 'visitor' } });
      expect(made[0].view.buyer.name).not.toContain('new@visitor.example');
      expect(made[0].view.pair.token).toMatch(/^[a-z0-9]{16,}$/);
      expect((await h.a.mail.pairByToken(made[0].view.pair.token))?.buyer.email).toBe('new@visitor.example');
      // The same buyer at another store is another pair; an order makes the visitor a customer.
      await h.exec("INSERT INTO stores (id, slug, name, mailbox, created_at) VALUES (2, 'other', 'Other', 'seller@other.example', ?)", [NOW]);
      const other = await h.b.mail.ensurePair(2, 'new@visitor.example', 'Nina New', 'customer', NOW);
      expect(other.created).toBe(true);
      expect(other.view.pair.id).not.toBe(made[0].view.pair.id);
      expect(other.view.buyer).toMatchObject({ id: made[0].view.buyer.id, kind: 'customer', name: 'Nina New' });
    });

    it('stores a message with its message.received event and outbox row in one write, and nothing of a write that throws', async () => {
      const { messageId, outboxId } = await h.a.write(async (tx) => {
        const id = await tx.mail.insertMessage(message('<r2@relay.example>'));
        const oid = await tx.outbox.enqueue({ ...relayRow(400), messageId: id }, NOW + 1000);
        return { messageId: id, outboxId: oid };
      });
      expect(await h.b.records.message(messageId)).toMatchObject({ pairId: 2, storeId: 1, direction: 'buyer_to_store', subject: 'Parcel' });
      expect((await h.b.records.messageRaw(messageId))?.toString()).toContain('Where is my parcel?');
      expect((await h.b.outbox.get(outboxId))?.messageId).toBe(messageId);
      const [ev] = await h.exec("SELECT store_id AS s, data FROM events WHERE type = 'message.received' ORDER BY id DESC LIMIT 1");
      expect(Number(ev?.s)).toBe(1);
      expect(JSON.parse(String(ev?.data))).toEqual({
        messageId,
        alias: 'tok2',
        direction: 'buyer_to_store',
        source: 'smtp',
        subject: 'Parcel',
        receivedAt: new Date(NOW + 1000).toISOString(),
      });
      expect(await h.a.mail.idMappings(2, ['<orig-2@buyer.example>'])).toEqual([
        { relayId: '<r2@relay.example>', originalId: '<orig-2@buyer.example>', author: 'buyer', receivedAt: NOW + 1000 },
      ]);
      expect((await h.a.mail.sendCounts(1, 2, NOW + 2000)).lastBuyerMessageAt).toBe(NOW + 1000);

      const before = await h.a.records.count('messages');
      await expect(
        h.b.write(async (tx) => {
          await tx.mail.insertMessage(message('<r3@relay.example>'));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await h.a.records.count('messages')).toBe(before);
    });

    it('appends refusal events in a commit of their own', async () => {
      await h.b.mail.appendEvents([{ type: 'message.refused', storeId: 1, data: { alias: 'tok4', code: 'BANNED_WORDS' } }], NOW + 5000);
      const [ev] = await h.exec("SELECT store_id AS s, data, created_at AS t FROM events WHERE type = 'message.refused' ORDER BY id DESC LIMIT 1");
      expect([Number(ev?.s), JSON.parse(String(ev?.data)), Number(ev?.t)]).toEqual([1, { alias: 'tok4', code: 'BANNED_WORDS' }, NOW + 5000]);
    });
  });

  describe("the marketplace API's port", () => {
    // The mail path's cases seeded permitted senders with explicit ids.
    beforeAll(() => h.afterSeed());
    const order = (number: string, email: string, placedAt: number) => ({
      storeId: 0,
      number,
      buyer: { email, name: 'Mia Buyer' },
      items: [
        { sku: 'S-1', name: 'Lamp', category: 'home', manufacturer: null, unitPriceMinor: 1999, quantity: 2 },
        { sku: 'S-2', name: 'Bulb', category: null, manufacturer: 'Lux', unitPriceMinor: 300, quantity: 1 },
      ],
      totalMinor: 4298,
      currency: 'EUR',
      placedAt,
      completedAt: null,
      status: 'placed' as const,
    });

    it('creates a store with its mailbox as its first enabled permitted sender, lists it and reads it back on the other node', async () => {
      const made = await h.a.market.createStore({ slug: 'lamps', name: 'Lamps', mailbox: 'Owner@Lamps.example' }, NOW);
      expect(made).toEqual({ id: expect.any(Number), slug: 'lamps', name: 'Lamps', mailbox: 'owner@lamps.example', createdAt: NOW });
      const id = (made as { id: number }).id;
      expect(await h.b.market.store(id)).toEqual(made);
      expect((await h.b.market.stores()).map((s) => s.slug)).toEqual(expect.arrayContaining(['shop', 'lamps']));
      expect((await h.b.mail.senders(id)).map((p) => [p.email, p.status])).toEqual([['owner@lamps.example', 'enabled']]);
      expect(await h.b.market.store(999_999)).toBeNull();
    });

    it('answers null for a slug already taken and writes nothing, and gives one slug to one of two nodes creating it at once', async () => {
      const before = await h.a.records.count('stores');
      expect(await h.b.market.createStore({ slug: 'shop', name: 'Again', mailbox: 'x@again.example' })).toBeNull();
      expect(await h.a.records.count('stores')).toBe(before);
      const both = await Promise.all([
        h.a.market.createStore({ slug: 'race', name: 'A', mailbox: 'a@race.example' }),
        h.b.market.createStore({ slug: 'race', name: 'B', mailbox: 'b@race.example' }),
      ]);
      expect(both.filter((s) => s !== null)).toHaveLength(1);
      expect(await h.a.records.count('stores')).toBe(before + 1);
      const [n] = await h.exec("SELECT count(*) AS n FROM permitted_senders WHERE email IN ('a@race.example', 'b@race.example')");
      expect(Number(n?.n)).toBe(1);
    });

    it('adds a permitted sender lower-cased with its status, once per store (null for the same address in any case)', async () => {
      const store = (await h.a.market.createStore({ slug: 'senders', name: 'Senders', mailbox: 'box@senders.example' }, NOW)) as { id: number };
      const added = await h.a.market.addSender(store.id, 'Staff@Senders.example', 'blocked', NOW + 1);
      expect(added).toEqual({
        id: expect.any(Number),
        storeId: store.id,
        email: 'staff@senders.example',
        status: 'blocked',
        createdAt: NOW + 1,
        updatedAt: NOW + 1,
      });
      expect(await h.b.market.addSender(store.id, 'STAFF@senders.example', 'enabled')).toBeNull();
      expect(await h.b.mail.findSender(store.id, 'staff@senders.example')).toEqual(added);
      expect((await h.b.mail.senders(store.id)).map((p) => p.email)).toEqual(['box@senders.example', 'staff@senders.example']);
    });

    it("creates an order with its items and the buyer's pair (a fresh token), reuses the pair for the buyer's next order, and lists them newest first", async () => {
      const store = (await h.a.market.createStore({ slug: 'orders', name: 'Orders', mailbox: 'box@orders.example' }, NOW)) as { id: number };
      const first = await h.a.market.createOrder({ ...order('O-1', 'Mia@Buyer.example', NOW), storeId: store.id }, NOW);
      expect(first).not.toBeNull();
      const { order: o1, pair } = first as NonNullable<typeof first>;
      expect(pair.pair.token).toMatch(/^[a-z0-9]{20}$/);
      expect([pair.store.id, pair.buyer.email, pair.buyer.name, pair.buyer.kind]).toEqual([store.id, 'mia@buyer.example', 'Mia Buyer', 'customer']);
      expect(o1).toEqual({
        id: expect.any(Number),
        storeId: store.id,
        pairId: pair.pair.id,
        number: 'O-1',
        status: 'placed',
        currency: 'EUR',
        totalMinor: 4298,
        placedAt: NOW,
        completedAt: null,
        items: [
          { id: expect.any(Number), sku: 'S-1', name: 'Lamp', category: 'home', manufacturer: null, unitPriceMinor: 1999, quantity: 2 },
          { id: expect.any(Number), sku: 'S-2', name: 'Bulb', category: null, manufacturer: 'Lux', unitPriceMinor: 300, quantity: 1 },
        ],
      });
      const second = await h.b.market.createOrder({ ...order('O-2', 'mia@buyer.example', NOW + 1000), storeId: store.id, items: [] }, NOW + 1000);
      expect(second?.pair.pair.id).toBe(pair.pair.id);
      expect(await h.b.market.order(o1.id)).toEqual(o1);
      expect((await h.b.market.ordersForPair(pair.pair.id)).map((o) => [o.number, o.items.length])).toEqual([
        ['O-2', 0],
        ['O-1', 2],
      ]);
      expect(await h.b.mail.pairByToken(pair.pair.token)).toEqual((await h.a.mail.pairById(pair.pair.id)) ?? 'missing');
      expect(await h.b.market.order(999_999)).toBeNull();
      expect(await h.b.market.ordersForPair(999_999)).toEqual([]);
    });

    it('answers null for an order number the store already has and makes no buyer or pair for it, inside a unit of work too', async () => {
      const store = (await h.a.market.createStore({ slug: 'dupes', name: 'Dupes', mailbox: 'box@dupes.example' }, NOW)) as { id: number };
      expect(await h.a.market.createOrder({ ...order('D-1', 'first@buyer.example', NOW), storeId: store.id })).not.toBeNull();
      const [pairs, buyers, orders] = [await h.a.records.count('pairs'), await h.a.records.count('buyers'), await h.a.records.count('orders')];
      expect(await h.b.market.createOrder({ ...order('D-1', 'new@buyer.example', NOW), storeId: store.id })).toBeNull();
      expect(await h.b.write((tx) => tx.market.createOrder({ ...order('D-1', 'other@buyer.example', NOW), storeId: store.id }))).toBeNull();
      expect([await h.a.records.count('pairs'), await h.a.records.count('buyers'), await h.a.records.count('orders')]).toEqual([pairs, buyers, orders]);
    });

    it('makes a first-time visitor who orders a customer with their name, keeping their pair', async () => {
      const store = (await h.a.market.createStore({ slug: 'visits', name: 'Visits', mailbox: 'box@visits.example' }, NOW)) as { id: number };
      const visit = await h.a.mail.ensurePair(store.id, 'guest@buyer.example', '', 'visitor', NOW);
      const made = await h.b.market.createOrder({ ...order('V-1', 'guest@buyer.example', NOW), storeId: store.id });
      expect([made?.pair.pair.id, made?.pair.buyer.kind, made?.pair.buyer.name]).toEqual([visit.view.pair.id, 'customer', 'Mia Buyer']);
    });
  });
});

describe('storage.write on SQLite', () => {
  it('refuses and rolls back a write whose callback waits on the event loop', async () => {
    const h = await sqliteHarness();
    try {
      await expect(
        h.a.write(async (tx) => {
          await tx.secrets.setSetting('yielded', 'yes');
          await new Promise((r) => setTimeout(r, 5));
        }),
      ).rejects.toThrow(/awaited something other than the storage ports/);
      expect(await h.a.secrets.getSetting('yielded')).toBeNull();
    } finally {
      await h.close();
    }
  });
});

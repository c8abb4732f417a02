// The admin port's contract (src/store/admin-ports.ts), the same cases on both adapters: SQLite (a
// data dir, a second connection as the other node) and PostgreSQL (a fresh database on the run's
// throwaway cluster, a second pool as the other node). What two nodes may do at once is asserted
// with both racing: the first owner made once from one setup link, an email taken once, a mailbox
// link confirmed once, a setting swapped once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/core/messaging-rules.js';
import type { Storage } from '../../src/store/ports.js';
import { currentSetupToken, setupSwap, setupTokenValid } from '../../src/web/admin/setup-token.js';
import { pgHarness, sqliteHarness, type ContractHarness as Harness } from '../helpers/contract-harness.js';

const NOW = 1_800_000_000_000;
const HASH = 'scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const settingsOf = (s: Storage) => ({ ...s.secrets, swapSetting: s.admin.swapSetting });

for (const [name, open] of [
  ['SQLite', () => sqliteHarness()],
  ['PostgreSQL', () => pgHarness()],
] as const) {
  describe(`the admin port on ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await open();
    }, 180_000);
    afterAll(async () => h?.close());

    it('gives every node the same setup link, and makes exactly one owner from it when requests race on both nodes', async () => {
      expect(await h.a.admin.users.count()).toBe(0);
      const [x, y] = await Promise.all([currentSetupToken(settingsOf(h.a), NOW), currentSetupToken(settingsOf(h.b), NOW + 5)]);
      expect(y).toEqual(x);
      expect(await currentSetupToken(settingsOf(h.b), NOW + 60_000)).toEqual(x);
      expect(await setupTokenValid(h.b.secrets, x.token, NOW)).toBe(true);
      // The last character changed (to another: a token that already ends in x stays itself with x).
      expect(await setupTokenValid(h.b.secrets, `${x.token.slice(0, -1)}${x.token.endsWith('x') ? 'y' : 'x'}`, NOW)).toBe(false);

      const swaps = await Promise.all([setupSwap(h.a.secrets, x.token, NOW), setupSwap(h.b.secrets, x.token, NOW)]);
      const made = await Promise.all(
        swaps.flatMap((swap, i) =>
          [0, 1, 2].map((k) =>
            (i === 0 ? h.a : h.b).admin.users.insertFirstOwner({ email: `Owner${i}${k}@Shop.Example`, name: 'Owner', passwordHash: HASH }, swap!, NOW),
          ),
        ),
      );
      const owners = made.filter((u) => u !== null);
      expect(owners).toHaveLength(1);
      expect(owners[0]).toMatchObject({ role: 'owner', disabledAt: null, timeZone: null });
      expect(owners[0]!.email).toMatch(/^owner\d\d@shop\.example$/);
      expect(await h.a.admin.users.count()).toBe(1);
      // Spent: the link no longer works anywhere, and another owner cannot be made with the old swap.
      expect(await setupTokenValid(h.a.secrets, x.token, NOW)).toBe(false);
      expect(await h.b.admin.users.insertFirstOwner({ email: 'late@shop.example', name: 'Late', passwordHash: HASH }, swaps[0]!, NOW)).toBeNull();
    });

    it('takes an email once across nodes, keeps an agent to its stores, and changes what an account may do', async () => {
      const store = (await h.a.market.createStore({ slug: 'kettles', name: 'Kettles', mailbox: 'Support@Kettles.Example' }, NOW))!;
      const other = (await h.a.market.createStore({ slug: 'mugs', name: 'Mugs', mailbox: 'hello@mugs.example' }, NOW))!;
      const input = { email: ' Agent@Shop.Example ', name: 'Agent', role: 'agent' as const, passwordHash: HASH, storeIds: [store.id] };
      const [p, q] = await Promise.all([h.a.admin.users.insert(input, NOW), h.b.admin.users.insert(input, NOW)]);
      const agent = (p ?? q)!;
      expect([p, q].filter((u) => u !== null)).toHaveLength(1);
      expect(agent.email).toBe('agent@shop.example');
      expect(await h.b.admin.users.storeIds(agent)).toEqual([store.id]);
      const owner = (await h.b.admin.users.list()).find((u) => u.role === 'owner')!;
      expect(await h.b.admin.users.storeIds(owner)).toEqual([store.id, other.id]);

      await h.b.admin.users.setStores(agent.id, [other.id, store.id, other.id]);
      expect(await h.a.admin.users.storeIds(agent)).toEqual([store.id, other.id]);
      await h.b.admin.users.setDisabled(agent.id, true, NOW + 1);
      await h.b.admin.users.setTimeZone(agent.id, 'Europe/Berlin');
      await h.b.admin.users.setPasswordHash(agent.id, `${HASH}x`);
      expect(await h.a.admin.users.withHash('AGENT@shop.example')).toMatchObject({ disabledAt: NOW + 1, timeZone: 'Europe/Berlin', passwordHash: `${HASH}x` });
      await h.a.admin.users.setDisabled(agent.id, false);
      expect((await h.b.admin.users.get(agent.id))!.disabledAt).toBeNull();
      expect(await h.a.admin.users.get(999_999)).toBeNull();
    });

    it('changes a store, its senders, rules, assignment and app passwords, and reads the same on the other node', async () => {
      const store = (await h.a.admin.stores.list()).find((s) => s.slug === 'kettles')!;
      expect(await h.b.admin.stores.bound(store.id)).toBe(false);
      expect(await h.b.admin.stores.policy(store.id)).toEqual(DEFAULT_POLICY);
      const [r1, r2] = await Promise.all([h.a.admin.stores.setPolicy(store.id, { storePerHour: 7 }), h.b.admin.stores.setPolicy(store.id, { pairPerDay: 3 })]);
      expect(r1).toBeTruthy();
      expect(r2).toBeTruthy();
      // Both changes are kept: each merge ran on the row the other had committed.
      expect(await h.a.admin.stores.policy(store.id)).toMatchObject({ storePerHour: 7, pairPerDay: 3 });

      expect(await h.b.admin.stores.roundRobin(store.id)).toBe(false);
      await h.a.admin.stores.setRoundRobin(store.id, true);
      expect(await h.b.admin.stores.roundRobin(store.id)).toBe(true);

      const renamed = await h.b.admin.stores.update(store.id, { name: 'Kettles & Co', mailbox: 'Orders@Kettles.Example' }, NOW);
      expect(renamed).toMatchObject({ id: store.id, name: 'Kettles & Co', mailbox: 'orders@kettles.example' });
      expect(await h.b.admin.stores.update(999_999, { name: 'x', mailbox: 'x@y.example' })).toBeNull();
      const senders = await h.a.admin.stores.senders(store.id);
      expect(senders.map((s) => [s.email, s.status])).toEqual([
        ['support@kettles.example', 'enabled'],
        ['orders@kettles.example', 'enabled'],
      ]);

      const sender = senders[0]!;
      const cred = await h.a.admin.credentials.insert(sender.id, 'phone', HASH, NOW);
      expect(cred).toMatchObject({ permittedSenderId: sender.id, label: 'phone', createdAt: NOW, lastUsedAt: null, revokedAt: null });
      expect(await h.b.admin.credentials.list(sender.id)).toEqual([cred]);
      expect(await h.b.admin.credentials.revoke(cred.id, NOW + 1)).toMatchObject({ revokedAt: NOW + 1 });
      expect(await h.a.admin.credentials.revoke(cred.id, NOW + 2)).toMatchObject({ revokedAt: NOW + 1 });

      expect(await h.b.admin.stores.setSenderStatus(sender.id, 'blocked', NOW + 3)).toMatchObject({ status: 'blocked', updatedAt: NOW + 3 });
      // Never wrote: removed, with its app passwords.
      expect(await h.a.admin.stores.removeSender(sender.id)).toBe('removed');
      expect(await h.b.admin.stores.sender(sender.id)).toBeNull();
      expect(await h.b.admin.credentials.get(cred.id)).toBeNull();
    });

    it('confirms a mailbox change once, whichever node the link is opened on, and supersedes an earlier request', async () => {
      const store = (await h.a.admin.stores.list()).find((s) => s.slug === 'mugs')!;
      const owner = (await h.a.admin.users.list()).find((u) => u.role === 'owner')!;
      const first = await h.a.admin.mailboxChanges.request(store.id, 'Old-Plan@Mugs.Example', owner.id, 60_000, NOW);
      const second = await h.b.admin.mailboxChanges.request(store.id, 'New@Mugs.Example', owner.id, 60_000, NOW + 1);
      expect(await h.a.admin.mailboxChanges.get(first.id)).toMatchObject({ outcome: 'superseded', settledAt: NOW + 1 });
      expect(await h.a.admin.mailboxChanges.pending(store.id, NOW + 2)).toEqual(second);
      expect(await h.a.admin.keptAddresses()).toContain('new@mugs.example');
      expect(await h.a.admin.mailboxChanges.pending(store.id, NOW + 60_001)).toBeNull();
      expect(await h.a.admin.mailboxChanges.confirm(second.id, NOW + 60_001)).toEqual({ ok: false, reason: 'expired' });

      const third = await h.b.admin.mailboxChanges.request(store.id, 'new@mugs.example', owner.id, 60_000, NOW + 10);
      const outcomes = await Promise.all([h.a.admin.mailboxChanges.confirm(third.id, NOW + 11), h.b.admin.mailboxChanges.confirm(third.id, NOW + 11)]);
      const won = outcomes.filter((o) => o.ok);
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ ok: true, previousMailbox: 'hello@mugs.example', store: { id: store.id, mailbox: 'new@mugs.example' } });
      expect(outcomes.find((o) => !o.ok)).toEqual({ ok: false, reason: 'settled' });
      expect((await h.b.admin.stores.senders(store.id)).map((s) => s.email)).toContain('new@mugs.example');
      expect(await h.a.admin.mailboxChanges.confirm(999_999)).toEqual({ ok: false, reason: 'unknown' });
    });

    it('keeps the addresses that are ours to show, and swaps a setting only from the value expected', async () => {
      const kept = await h.b.admin.keptAddresses();
      expect(kept).toEqual(expect.arrayContaining([expect.stringMatching(/^owner\d\d@shop\.example$/), 'agent@shop.example', 'orders@kettles.example']));
      expect(kept.some((a) => a.includes('buyer'))).toBe(false);

      const swaps = await Promise.all([h.a.admin.swapSetting('contract-key', null, 'one'), h.b.admin.swapSetting('contract-key', null, 'two')]);
      expect(swaps.filter(Boolean)).toHaveLength(1);
      const value = (await h.a.secrets.getSetting('contract-key'))!;
      expect(await h.b.admin.swapSetting('contract-key', 'not-it', 'three')).toBe(false);
      expect(await h.b.admin.swapSetting('contract-key', value, 'three')).toBe(true);
      expect(await h.a.secrets.getSetting('contract-key')).toBe('three');
    });

    it('lists the outbox newest first, retries a waiting row, shows a buyer by alias, and checks the database', async () => {
      const ops = h.a.admin.operations;
      expect(await ops.queue(NOW)).toEqual({ waiting: 0, oldestAgeSeconds: 0 });
      const raw = new Uint8Array(Buffer.from('Subject: x\r\n\r\nhi\r\n'));
      const first = await h.a.outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: 'staff@shop.example', raw, atMostOnce: false }, NOW);
      const second = await h.b.outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: 'more@shop.example', raw, atMostOnce: false }, NOW + 1000);
      expect((await ops.outbox({ limit: 10 })).map((r) => r.id)).toEqual([second, first]);
      expect((await h.b.admin.operations.outbox({ status: 'queued', limit: 1 })).map((r) => r.id)).toEqual([second]);
      expect(await h.b.admin.operations.outbox({ status: 'sent', limit: 10 })).toEqual([]);
      expect(await ops.queue(NOW + 61_000)).toEqual({ waiting: 2, oldestAgeSeconds: 61 });
      expect(await h.b.admin.operations.retryNow(first, NOW + 5)).toBe(true);
      expect((await h.a.outbox.get(first))!.nextAttemptAt).toBe(NOW + 5);
      await h.a.outbox.markDone(second, 'captured', 1, NOW + 6);
      expect(await ops.retryNow(second, NOW + 7)).toBe(false);

      const store = (await h.a.admin.stores.list())[0]!;
      const { view } = await h.a.mail.ensurePair(store.id, 'Jane@Buyer.Example', 'Jane', 'customer', NOW);
      expect(await h.b.admin.operations.buyerToken('jane@buyer.example')).toBe(view.pair.token);
      expect(await h.b.admin.operations.buyerToken('nobody@buyer.example')).toBeNull();

      const check = await ops.databaseCheck();
      expect(check.ok).toBe(true);
      expect(check.detail).toMatch(name === 'SQLite' ? /integrity check passed/ : /^PostgreSQL \d+/);
    });
  });
}

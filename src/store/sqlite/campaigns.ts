// The SQLite adapter of the campaign port (src/store/campaign-ports.ts): the synchronous
// repositories (campaigns.ts, audience.ts, prospects.ts, unsubscribes.ts, orders.ts) on the one
// connection, each call a settled promise.
import type { Db } from '../db.js';
import { AudienceRepo } from '../audience.js';
import type { CampaignStore } from '../campaign-ports.js';
import { CampaignRepo } from '../campaigns.js';
import { OrderRepo } from '../orders.js';
import { OutboxRepo } from '../outbox.js';
import { ProspectRepo } from '../prospects.js';
import { UnsubscribeRepo } from '../unsubscribes.js';

export function sqliteCampaigns(db: Db): CampaignStore {
  const repo = new CampaignRepo(db);
  const audience = new AudienceRepo(db);
  const prospects = new ProspectRepo(db);
  const unsubscribes = new UnsubscribeRepo(db);
  const orders = new OrderRepo(db);
  const outbox = new OutboxRepo(db);
  const tx = <T>(fn: () => T): T => (db.inTransaction ? fn() : db.transaction(fn)());
  return {
    create: async (d, now = Date.now()) => repo.create(d, now),
    update: async (id, d, now = Date.now()) => repo.update(id, d, now),
    get: async (id) => repo.get(id),
    list: async (storeIds) => repo.list(storeIds),
    withStatus: async (statuses) => repo.withStatus(statuses),
    transition: async (id, from, to, now = Date.now(), scheduledAt) => repo.transition(id, from, to, now, scheduledAt),
    recentTwin: async (c, sinceMs, now = Date.now()) => repo.recentTwin(c, sinceMs, now),
    start: async (id, price, now = Date.now()) => repo.start(id, price, now),
    settleCredits: async (id, now = Date.now()) => repo.settleCredits(id, now),
    recipientFacts: async (campaignId, pairId) => repo.recipientFacts(campaignId, pairId),
    claimed: async (ids) => repo.claimed(ids),
    finish: async (id, status, reason, now = Date.now()) => repo.finish(id, status, reason, now),
    cancelPending: async (campaignId, now = Date.now()) => repo.cancelPending(campaignId, now),
    recoverInterrupted: async (now = Date.now()) =>
      tx(() => {
        const interrupted = outbox.failInterrupted(now);
        const unknown = repo.markUnknown(interrupted);
        return { deliveries: interrupted.length, unknown, ...repo.recover(now) };
      }),
    progress: async (campaignId, now = Date.now()) => repo.progress(campaignId, now),
    latestOrder: async (pairId, number) => orders.latestForPair(pairId, number),
    split: async (storeId, a) => audience.split(storeId, a),
    nameless: async (storeId, a) => audience.nameless(storeId, a),
    members: async (storeId, a, limit = -1) => audience.members(storeId, a, limit),
    topItems: async (storeId, n = 4) => audience.topItems(storeId, n),
    choices: async (storeId) => audience.choices(storeId),
    importProspects: async (storeId, list, people, relayDomains, now = Date.now()) => prospects.import(storeId, list, people, relayDomains, now),
    lists: async (storeIds) => prospects.lists(storeIds),
    balance: async (storeId) => prospects.balance(storeId),
    addCredits: async (storeId, delta, reason, by, now = Date.now()) => prospects.addCredits(storeId, delta, reason, by, now),
    price: async () => prospects.price(),
    setPrice: async (credits) => prospects.setPrice(credits),
    unsubscribe: async (pairId, via, now = Date.now()) => unsubscribes.unsubscribe(pairId, via, now),
    setPairChoices: async (pairId, o, now = Date.now()) => unsubscribes.setPairChoices(pairId, o, now),
    pairForPage: async (pairId) => unsubscribes.pairForPage(pairId),
  };
}

// A support team's week with chosen message times, written through the real store layer, and the
// response-time numbers worked out by hand from it (README "Reports and the response clock").
// Times are offsets from `now`; with now = Wednesday 2026-11-25 12:00 UTC, conversation P5 waits
// over a weekend (Saturday 10:00 → Monday 09:00, 47 h: late, weekends count).
import type { Db } from '../../src/store/db.js';
import { MessageRepo, type NewMessage } from '../../src/store/messages.js';
import { PairRepo } from '../../src/store/pairs.js';
import { ReportRepo } from '../../src/store/reports.js';
import { StoreRepo } from '../../src/store/stores.js';
import { UserRepo, type User } from '../../src/store/users.js';

export const FIXTURE_NOW = Date.parse('2026-11-25T12:00:00Z');
const H = 3_600_000;

export interface ResponseFixture {
  readonly owner: User;
  readonly alex: User;
  readonly stores: { readonly acme: number; readonly birch: number };
  readonly pairs: Record<'p1' | 'p2' | 'p3' | 'p4' | 'p5' | 'p6' | 'p7' | 'p8' | 'p9', number>;
  readonly passwords: { readonly owner: string; readonly alex: string };
}

export async function seedResponseFixture(db: Db, now: number): Promise<ResponseFixture> {
  const storesRepo = new StoreRepo(db);
  const pairsRepo = new PairRepo(db);
  const messages = new MessageRepo(db);
  const reports = new ReportRepo(db);
  const users = new UserRepo(db);

  const acme = storesRepo.create({ slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' }, now - 400 * H);
  const birch = storesRepo.create({ slug: 'birch', name: 'Birch Home', mailbox: 'help@birch.example' }, now - 400 * H);
  const acmeBox = storesRepo.findSender(acme.id, 'support@acme.example') ?? storesRepo.addSender(acme.id, 'support@acme.example', 'enabled', now - 400 * H);
  const birchBox = storesRepo.findSender(birch.id, 'help@birch.example') ?? storesRepo.addSender(birch.id, 'help@birch.example', 'enabled', now - 400 * H);
  // Alex replies from Outlook with their own address, a permitted sender of Acme.
  const alexBox = storesRepo.addSender(acme.id, 'alex@acme.example', 'enabled', now - 400 * H);
  const passwords = { owner: 'owner password 1', alex: 'agent password 1' };
  const owner = await users.create({ email: 'olga@acme.example', name: 'Olga Owner', role: 'owner', password: passwords.owner });
  const alex = await users.create({ email: 'alex@acme.example', name: 'Alex Agent', role: 'agent', password: passwords.alex, storeIds: [acme.id] });

  const pair = (storeId: number, name: string) =>
    pairsRepo.ensure(storeId, `${name.toLowerCase()}@buyer.example`, name, 'customer', now - 400 * H).view.pair.id;
  const pairs = {
    p1: pair(acme.id, 'Jane'),
    p2: pair(acme.id, 'Kai'),
    p3: pair(acme.id, 'Lena'),
    p4: pair(acme.id, 'Milo'),
    p5: pair(birch.id, 'Nia'),
    p6: pair(birch.id, 'Omar'),
    p7: pair(birch.id, 'Pia'),
    p8: pair(birch.id, 'Quinn'),
    p9: pair(acme.id, 'Rosa'),
  };
  const storeOf = (pairId: number) => ([pairs.p5, pairs.p6, pairs.p7, pairs.p8].includes(pairId) ? birch.id : acme.id);
  let n = 0;
  const put = (pairId: number, hoursAgo: number, m: Partial<NewMessage> & Pick<NewMessage, 'direction'>) =>
    messages.insert({
      pairId,
      storeId: storeOf(pairId),
      critical: false,
      criticalToOptedOut: false,
      suspicious: false,
      autoSubmitted: false,
      source: m.direction === 'buyer_to_store' ? 'smtp' : 'smtp',
      authorEmail: 'buyer@buyer.example',
      permittedSenderId: null,
      subject: `message ${++n}`,
      originalMessageId: null,
      relayMessageId: `<fixture-${n}-${now}@relay.localhost>`,
      verdict: 'accept',
      findings: [],
      changes: [],
      raw: Buffer.from('x'),
      snippet: `message ${n}`,
      receivedAt: now - hoursAgo * H,
      ...m,
    });
  const buyer = (pairId: number, hoursAgo: number, category = 'buyer_message', autoSubmitted = false) =>
    put(pairId, hoursAgo, { direction: 'buyer_to_store', category, autoSubmitted });
  const reply = (pairId: number, hoursAgo: number, source: 'smtp' | 'api' | 'web' | 'campaign', sender: { id: number; email: string }, staffUserId?: number) =>
    put(pairId, hoursAgo, { direction: 'store_to_buyer', source, authorEmail: sender.email, permittedSenderId: sender.id, category: 'sent', staffUserId });

  // In arrival order, as the gateway would have stored them.
  buyer(pairs.p9, 240); // outside 7 days, inside 30
  reply(pairs.p9, 239, 'api', acmeBox); // 1 h
  buyer(pairs.p1, 100);
  buyer(pairs.p1, 99); // joins the running clock
  buyer(pairs.p5, 98, 'a_to_z_claim'); // Saturday 10:00
  reply(pairs.p1, 96, 'web', acmeBox, alex.id); // 4 h, Alex in the reply box
  buyer(pairs.p8, 90, 'refund');
  buyer(pairs.p2, 80, 'refund');
  buyer(pairs.p3, 70, 'buyer_message', true); // an auto-reply: starts nothing
  buyer(pairs.p3, 60, 'product_question');
  await reports.markNoResponseNeeded(pairs.p8, owner.id, now - 60 * H); // 30 h after: counts as late
  reply(pairs.p3, 59, 'campaign', acmeBox); // a campaign: stops nothing
  reply(pairs.p3, 58, 'api', acmeBox); // 2 h
  reply(pairs.p5, 51, 'smtp', birchBox); // Monday 09:00: 47 h, late
  reply(pairs.p2, 50, 'smtp', alexBox); // 30 h, late; Alex from Outlook
  buyer(pairs.p4, 40);
  await reports.markNoResponseNeeded(pairs.p4, alex.id, now - 39 * H); // within 24 h: left out
  buyer(pairs.p4, 30); // starts a new clock, still open after 30 h: late
  buyer(pairs.p7, 20);
  reply(pairs.p7, 19.5, 'web', birchBox, owner.id); // 30 min, Olga in the reply box
  buyer(pairs.p6, 10); // open for 10 h: not counted yet
  buyer(pairs.p7, 5, 'marketplace_notification'); // starts nothing
  return { owner, alex, stores: { acme: acme.id, birch: birch.id }, pairs, passwords };
}

/**
 * The 7-day report worked out by hand (hours). Clocks: P1 4 h, P2 30 h late, P3 2 h, P4a not
 * needed, P4b open 30 h (late), P5 47 h late, P6 open 10 h (not counted), P7 0.5 h, P8 marked after
 * 30 h (late). Counted = answered 5 + marked late 1 + open late 1 = 7; late = 2 + 1 + 1 = 4.
 */
export const EXPECTED_7_DAYS = {
  overall: { counted: 7, late: 4, answered: 5, notNeeded: 1, open: 1, averageH: 16.7, medianH: 4 },
  byStore: {
    'Acme Store': { counted: 4, late: 2, averageH: 12, medianH: 4 },
    'Birch Home': { counted: 3, late: 2, averageH: 23.75, medianH: 23.75 },
  },
  byAgent: {
    'Alex Agent': { counted: 2, late: 1, averageH: 17, medianH: 17 },
    'Olga Owner': { counted: 1, late: 0, averageH: 0.5, medianH: 0.5 },
    'help@birch.example (mail)': { counted: 1, late: 1, averageH: 47, medianH: 47 },
    'support@acme.example (mail)': { counted: 1, late: 0, averageH: 2, medianH: 2 },
  },
  byCategory: {
    'A-to-z claim': { counted: 1, late: 1, averageH: 47, medianH: 47 },
    'Buyer message': { counted: 3, late: 1, averageH: 2.25, medianH: 2.25 },
    'Product question': { counted: 1, late: 0, averageH: 2, medianH: 2 },
    Refund: { counted: 2, late: 2, averageH: 30, medianH: 30 },
  },
  /** Buyer messages per category (every one, machine-sent included) and store replies (no campaigns). */
  received: { 'Buyer message': 7, Refund: 2, 'Product question': 1, 'A-to-z claim': 1, 'Marketplace notification': 1 },
  replies: 5,
} as const;

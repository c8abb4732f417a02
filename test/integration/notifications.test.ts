// Staff are told about buyer messages by email, per their rules: a digest when several arrive
// together, nothing for a message already read or outside the rule. Real SMTP in, real sink out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboxRepo } from '../../src/store/inbox.js';
import { NotificationRepo } from '../../src/store/notifications.js';
import { UserRepo } from '../../src/store/users.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let pair: Awaited<ReturnType<typeof seedPair>>;
let ownerId: number;
let agentId: number;

beforeAll(async () => {
  // The pass is run by hand below (tick), so the test decides when a digest goes out.
  h = await startHarness({ admin: { publicUrl: 'https://mail.example.com', timeZone: 'UTC', notifyIntervalMs: 3_600_000, notifyDelayMs: 0 } });
  pair = await seedPair(h);
  const users = new UserRepo(h.gw.db);
  ownerId = (await users.create({ email: 'olivia@seller.example', name: 'Olivia', role: 'owner', password: 'owner password 1' })).id;
  const other = await seedPair(h, { slug: 'rival', storeName: 'Rival', mailbox: 'help@rival.example', buyerEmail: 'bo@buyer.example' });
  agentId = (await users.create({ email: 'alex@seller.example', name: 'Alex', role: 'agent', password: 'agent password 1', storeIds: [other.storeId] })).id;
  const rules = new NotificationRepo(h.gw.db);
  rules.addRule({ userId: ownerId, category: null, storeId: null, weekdays: 0b1111111, startMinute: 0, endMinute: 0 });
  rules.addRule({ userId: agentId, category: null, storeId: null, weekdays: 0b1111111, startMinute: 0, endMinute: 0 });
});
afterAll(async () => {
  await h.close();
});

async function buyerWrites(subject: string) {
  const c = await SmtpClient.connect(h.gw.smtpPort);
  await c.send('jane@buyer.example', [pair.address], buildMessage({ from: 'jane@buyer.example', to: pair.address, subject, body: 'Hello' }));
  await c.quit();
}
const toStaff = () => h.sink!.messages.filter((m) => m.to.some((t) => t.endsWith('@seller.example')));

describe('notifications', () => {
  it('sends one digest for messages that arrived together, with links and no buyer address', async () => {
    await buyerWrites('Where is my kettle?');
    await buyerWrites('Also: the lid?');
    await h.sink!.waitFor(2); // relayed to the store's mailbox
    await h.gw.notifier.tick();
    await h.sink!.waitFor(3);
    const mails = toStaff();
    expect(mails.map((m) => m.to)).toEqual([['olivia@seller.example']]); // the agent does not see Acme
    const raw = mails[0]!.raw.toString();
    expect(raw).toContain('Subject: 2 new buyer messages');
    expect(raw).toContain('Where is my kettle?');
    expect(raw).toContain('https://mail.example.com/conversations/');
    expect(raw).not.toContain('jane@buyer.example');
    // Nothing twice.
    await h.gw.notifier.tick();
    await new Promise((r) => setTimeout(r, 300));
    expect(toStaff()).toHaveLength(1);
  });

  it('says nothing about a message read before the digest went out', async () => {
    await buyerWrites('Never mind');
    await h.sink!.waitFor(4);
    new InboxRepo(h.gw.db).markPairRead((await h.api('GET', `/api/v1/pairs/${pair.alias}`)).body.id);
    await h.gw.notifier.tick();
    await new Promise((r) => setTimeout(r, 300));
    expect(toStaff()).toHaveLength(1);
    const outcome = h.gw.db.prepare("SELECT outcome FROM notifications_sent n JOIN messages m ON m.id = n.message_id WHERE m.subject = 'Never mind'").get();
    expect(outcome).toEqual({ outcome: 'skipped_read' });
  });
});

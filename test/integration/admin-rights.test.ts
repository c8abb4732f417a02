// Owner and agent rights over real HTTP (issue 12.6): an agent cannot move a store's mail elsewhere
// or change global tags; the owner's mailbox change takes effect only when the new mailbox opens the
// link mailed to it, and until then buyer mail keeps going to the old one.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TagRepo } from '../../src/store/tags.js';
import { TemplateRepo } from '../../src/store/templates.js';
import { UserRepo } from '../../src/store/users.js';
import { adminLogin, type AdminClient } from '../helpers/admin-client.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let base: string;
let pair: Awaited<ReturnType<typeof seedPair>>;
let owner: AdminClient;
let agent: AdminClient;

async function buyerWrites(subject: string) {
  const c = await SmtpClient.connect(h.gw.smtpPort);
  const r = await c.send('jane@buyer.example', [pair.address], buildMessage({ from: 'jane@buyer.example', to: pair.address, subject, body: 'Hello' }));
  await c.quit();
  expect(r.reply.code).toBe(250);
}

const mailbox = async () => (await h.api('GET', `/api/v1/stores/${pair.storeId}`)).body.mailbox as string;
const sunkTo = (address: string) => h.sink!.messages.filter((m) => m.to.includes(address));

beforeAll(async () => {
  h = await startHarness({ admin: { publicUrl: 'https://mail.seller.example' } });
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  pair = await seedPair(h, { mailbox: 'support@acme.example' });
  const users = new UserRepo(h.gw.db);
  await users.create({ email: 'olivia@seller.example', name: 'Olivia Owner', role: 'owner', password: 'owner password 123' });
  await users.create({ email: 'alex@seller.example', name: 'Alex Agent', role: 'agent', password: 'agent password 123', storeIds: [pair.storeId] });
  owner = await adminLogin(base, 'olivia@seller.example', 'owner password 123');
  agent = await adminLogin(base, 'alex@seller.example', 'agent password 123');
}, 120_000);
afterAll(() => h.close());

describe("an agent and the store's mail", () => {
  it('refuses an agent who sets the store mailbox to another address, and changes nothing', async () => {
    const r = await agent.post(`/stores/${pair.storeId}`, { name: 'Acme Store', mailbox: 'attacker@evil.example' });
    expect(r.status).toBe(403);
    expect(await r.text()).toContain('Only the owner changes where a store');
    expect(await mailbox()).toBe('support@acme.example');
    await new Promise((r) => setTimeout(r, 300));
    expect(sunkTo('attacker@evil.example')).toHaveLength(0);
    // The agent's store page shows the mailbox as text, with no form to change it (src/web/store-rights.test.ts has every control).
    const page = await (await agent.get(`/stores/${pair.storeId}`)).text();
    expect(page).not.toContain('name="mailbox"');
    expect(page).toContain('data-store-identity');
  });

  it('refuses an agent who creates, renames or deletes a global tag', async () => {
    const tags = new TagRepo(h.gw.db);
    const tag = tags.create('VIP', 'blue');
    expect((await agent.post(`/tags/${tag.id}`, { name: 'renamed', colour: 'red' })).status).toBe(403);
    expect((await agent.post(`/tags/${tag.id}/delete`, {})).status).toBe(403);
    expect((await agent.post('/tags', { name: 'new', colour: 'red' })).status).toBe(403);
    expect(tags.list().map((t) => [t.name, t.colour])).toEqual([['VIP', 'blue']]);
    expect(await (await agent.get('/tags')).text()).not.toContain('action="/tags/');
    // The owner may.
    expect((await owner.post(`/tags/${tag.id}`, { name: 'VIP buyer', colour: 'red' })).status).toBe(303);
    expect(tags.get(tag.id)?.name).toBe('VIP buyer');
  });

  it('keeps global templates, banned words and category rules to the owner', async () => {
    const templates = new TemplateRepo(h.gw.db);
    const global = templates.create({ storeId: null, name: 'Owner greeting', subject: 'Hello', body: 'Hello {{buyer.name}}' });
    expect((await agent.post(`/templates/${global.id}/delete`, {})).status).toBe(404);
    expect((await agent.post(`/templates/${global.id}`, { name: 'x', subject: 'x', body: 'x' })).status).toBe(404);
    expect(templates.get(global.id)?.name).toBe('Owner greeting');
    const page = await (await agent.get('/templates')).text();
    expect(page).toContain('Owner greeting');
    expect(page).not.toContain(`/templates/${global.id}/delete`);
    expect((await agent.post('/settings/banned-words', { word: 'refund' })).status).toBe(403);
    expect((await agent.get('/settings')).status).toBe(403);
  });
});

describe("an agent and the store's trust settings", () => {
  // A permitted sender writes AS the store to every buyer; an app password logs in to the
  // submission port. Granting either is the owner's; taking either away stays open to the agent.
  const senders = async () =>
    (await h.api('GET', `/api/v1/stores/${pair.storeId}/permitted-senders`)).body.items as { id: number; email: string; status: string }[];
  const credentialsOf = async (id: number) =>
    (await h.api('GET', `/api/v1/permitted-senders/${id}/credentials`)).body.items as { id: number; revokedAt: string | null }[];
  let desk = 0;

  it('refuses an agent who adds a permitted sender, and adds nothing', async () => {
    const before = await senders();
    const r = await agent.post(`/stores/${pair.storeId}/senders`, { email: 'friend@elsewhere.example' });
    expect(r.status).toBe(403);
    expect(await r.text()).toContain('Only the owner adds permitted senders');
    expect(await senders()).toEqual(before);
    // The owner may.
    expect((await owner.post(`/stores/${pair.storeId}/senders`, { email: 'desk@acme.example' })).status).toBe(200);
    desk = (await senders()).find((x) => x.email === 'desk@acme.example')!.id;
  });

  it('refuses an agent who issues an app password, and issues none', async () => {
    const r = await agent.post(`/senders/${desk}/credentials`, { label: 'my laptop' });
    expect(r.status).toBe(403);
    expect(await r.text()).toContain('Only the owner issues app passwords');
    expect(await credentialsOf(desk)).toEqual([]);
  });

  it('lets an agent block a sender but not enable one again', async () => {
    expect((await agent.post(`/senders/${desk}/status`, { status: 'blocked' })).status).toBe(303);
    expect((await senders()).find((x) => x.id === desk)?.status).toBe('blocked');
    const r = await agent.post(`/senders/${desk}/status`, { status: 'enabled' });
    expect(r.status).toBe(403);
    expect(await r.text()).toContain('Only the owner enables permitted senders');
    expect((await senders()).find((x) => x.id === desk)?.status).toBe('blocked');
    expect((await owner.post(`/senders/${desk}/status`, { status: 'enabled' })).status).toBe(303);
    expect((await senders()).find((x) => x.id === desk)?.status).toBe('enabled');
  });

  it('lets an agent revoke an app password the owner issued', async () => {
    expect((await owner.post(`/senders/${desk}/credentials`, { label: 'Outlook at the desk' })).status).toBe(200);
    const [cred] = await credentialsOf(desk);
    expect((await agent.post(`/credentials/${cred!.id}/revoke`, {})).status).toBe(200);
    expect((await credentialsOf(desk))[0]?.revokedAt).not.toBeNull();
  });

  it('shows an agent no form they cannot use, and says why', async () => {
    const page = await (await agent.get(`/stores/${pair.storeId}`)).text();
    expect(page).not.toContain(`action="/stores/${pair.storeId}/senders"`);
    expect(page).not.toContain(`action="/senders/${desk}/credentials"`);
    expect(page).toContain('data-owner-only');
    await agent.post(`/senders/${desk}/status`, { status: 'blocked' });
    const blocked = await (await agent.get(`/stores/${pair.storeId}`)).text();
    expect(blocked).not.toMatch(/name="status" value="enabled"/);
    const mine = await (await owner.get(`/stores/${pair.storeId}`)).text();
    expect(mine).toContain(`action="/stores/${pair.storeId}/senders"`);
    expect(mine).toMatch(/name="status" value="enabled"/);
  });

  it('keeps the JSON API to the API token: a staff session cookie adds nothing there', async () => {
    const before = await senders();
    const r = await fetch(`${base}/api/v1/stores/${pair.storeId}/permitted-senders`, {
      method: 'POST',
      headers: { cookie: agent.cookie, 'content-type': 'application/json', 'x-csrf-token': agent.csrf },
      body: JSON.stringify({ email: 'friend@elsewhere.example' }),
    });
    expect(r.status).toBe(401);
    const issue = await fetch(`${base}/api/v1/permitted-senders/${desk}/credentials`, {
      method: 'POST',
      headers: { cookie: agent.cookie, 'content-type': 'application/json', 'x-csrf-token': agent.csrf },
      body: JSON.stringify({ label: 'x' }),
    });
    expect(issue.status).toBe(401);
    expect(await senders()).toEqual(before);
  });
});

describe("the owner's mailbox change", () => {
  let link = '';

  it('mails a confirmation link to the new mailbox and keeps mail going to the old one until then', async () => {
    const r = await owner.post(`/stores/${pair.storeId}`, { name: 'Acme Store', mailbox: 'desk@acme.example' });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('A confirmation link was sent to desk@acme.example');
    expect(await mailbox()).toBe('support@acme.example');
    const [confirm] = await waitForMail('desk@acme.example', 1);
    const raw = confirm!.raw.toString();
    expect(raw).toMatch(/^Subject: Confirm the new mailbox for Acme Store/m);
    const text = (await simpleParser(confirm!.raw)).text ?? '';
    link = /https:\/\/mail\.seller\.example(\/mailbox\/confirm\?t=[^\s]+)/.exec(text)![1]!;
    expect((await owner.get(`/stores/${pair.storeId}`).then((x) => x.text())).includes('data-pending-mailbox')).toBe(true);
    await buyerWrites('Before the confirmation');
    const [toOld] = await waitForMail('support@acme.example', 1);
    expect(toOld!.raw.toString()).toContain('Before the confirmation');
  });

  it('changes nothing when the link is only opened (a scanner prefetching it), or altered', async () => {
    const page = await fetch(`${base}${link}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('desk@acme.example');
    expect(await mailbox()).toBe('support@acme.example');
    const t = new URL(`${base}${link}`).searchParams.get('t')!;
    const forged = t.replace(/^\d+/, (id) => String(Number(id) + 1));
    expect((await confirmWith(forged)).status).toBe(404);
    expect(await mailbox()).toBe('support@acme.example');
  });

  it('moves the mail once the new mailbox confirms, tells the old one, and the link then works no more', async () => {
    const t = new URL(`${base}${link}`).searchParams.get('t')!;
    const r = await confirmWith(t);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('Confirmed');
    expect(await mailbox()).toBe('desk@acme.example');
    const notices = await waitForMail('support@acme.example', 2);
    expect(notices[1]!.raw.toString()).toContain('now goes to desk@acme.example');
    expect((await confirmWith(t)).status).toBe(404);
    await buyerWrites('After the confirmation');
    const toNew = await waitForMail('desk@acme.example', 2);
    expect(toNew[1]!.raw.toString()).toContain('After the confirmation');
  });
});

function confirmWith(t: string) {
  return fetch(`${base}/mailbox/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t }).toString(),
  });
}

async function waitForMail(address: string, count: number) {
  for (let i = 0; i < 200 && sunkTo(address).length < count; i++) await new Promise((r) => setTimeout(r, 50));
  expect(sunkTo(address).length).toBeGreaterThanOrEqual(count);
  return sunkTo(address);
}

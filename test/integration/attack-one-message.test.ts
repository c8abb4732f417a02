// Round 25's attack on the admin's one-message routes (card, delivery badge, category, tags, report,
// HTML body, files), which read the message with the inbox port's message(id, storeIds): the store
// check is the query's WHERE. Over real HTTP on SQLite: another store's message is never shown or
// changed (by an agent of the other store, an agent with no store, an agent whose store was taken
// away during the session), an owner sees every store's, a change needs the session's CSRF token
// and our origin, and what is shown is escaped and scrubbed of real addresses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TagRepo } from '../../src/store/tags.js';
import { UserRepo } from '../../src/store/users.js';
import { adminLogin, type AdminClient } from '../helpers/admin-client.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let base: string;
let users: UserRepo;
let tags: TagRepo;
let acmeId: number;
let rivalId: number;
let ours: number;
let theirs: number;
let tagId: number;

async function buyerWrites(from: string, to: string, subject: string): Promise<number> {
  const c = await SmtpClient.connect(h.gw.smtpPort);
  const r = await c.send(from, [to], buildMessage({ from, to, subject, body: 'Hello' }));
  await c.quit();
  expect(r.reply.code).toBe(250);
  return (h.gw.db.prepare('SELECT max(id) AS id FROM messages').get() as { id: number }).id;
}

async function login(email: string, role: 'owner' | 'agent', storeIds: number[]): Promise<{ client: AdminClient; id: number }> {
  const user = await users.create({ email, name: email.split('@')[0]!, role, password: 'a long password 123', storeIds });
  return { client: await adminLogin(base, email, 'a long password 123'), id: user.id };
}

/** A request as htmx sends it: the card comes back as a fragment. */
function hx(a: AdminClient, path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: { cookie: a.cookie, 'hx-request': 'true', ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
}

const row = (id: number) =>
  h.gw.db
    .prepare(
      'SELECT category, (SELECT count(*) FROM message_tags WHERE message_id = m.id) AS tags, (SELECT count(*) FROM reports WHERE message_id = m.id) AS reports FROM messages m WHERE id = ?',
    )
    .get(id);

/** Every one-message route on `id` for `a` (the posts carry its CSRF token): their statuses, by route. */
async function statuses(a: AdminClient, id: string): Promise<Record<string, number>> {
  const at = `/messages/${encodeURIComponent(id)}`;
  const csrf = { _csrf: a.csrf };
  return {
    card: (await hx(a, `${at}/card`)).status,
    delivery: (await hx(a, `${at}/delivery`)).status,
    body: (await a.get(`${at}/body`)).status,
    files: (await a.get(`${at}/files/0`)).status,
    category: (await hx(a, `${at}/category`, { ...csrf, category: 'refund' })).status,
    tags: (await hx(a, `${at}/tags`, { ...csrf, tagId: String(tagId) })).status,
    untag: (await hx(a, `${at}/tags/${tagId}/remove`, csrf)).status,
    report: (await hx(a, `${at}/report`, { ...csrf, reason: 'spam' })).status,
  };
}
const all = (status: number) => ({
  card: status,
  delivery: status,
  body: status,
  files: status,
  category: status,
  tags: status,
  untag: status,
  report: status,
});

beforeAll(async () => {
  h = await startHarness();
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  users = new UserRepo(h.gw.db);
  tags = new TagRepo(h.gw.db);
  const acme = await seedPair(h, { number: 'A-1', buyerEmail: 'jane@buyer.example' });
  const rival = await seedPair(h, { slug: 'rival', storeName: 'Rival', mailbox: 'help@rival.example', number: 'R-1', buyerEmail: 'rr@buyer.example' });
  acmeId = acme.storeId;
  rivalId = rival.storeId;
  ours = await buyerWrites('jane@buyer.example', acme.address, 'Where is my order?');
  theirs = await buyerWrites('rr@buyer.example', rival.address, 'Rival question');
  tagId = tags.create('Urgent', tags.list()[0]?.colour ?? 'red').id;
  // Their message carries a tag and a category of its own.
  tags.add(theirs, tagId);
  h.gw.db.prepare("UPDATE messages SET category = 'shipping' WHERE id = ?").run(theirs);
}, 120_000);
afterAll(() => h.close());

describe("the one-message routes and another store's message", () => {
  it("an agent of one store gets a 404 on every route for the other store's message, and changes nothing of it", async () => {
    const { client } = await login('ann@seller.example', 'agent', [acmeId]);
    const before = row(theirs);
    for (const id of [String(theirs), `${theirs}abc`, `0${theirs}`, ` ${theirs}`, `+${theirs}`, `${theirs}/`, '9'.repeat(16), '-0'])
      expect([id, await statuses(client, id)]).toEqual([id, all(404)]);
    expect(row(theirs)).toEqual(before);
    expect(before).toEqual({ category: 'shipping', tags: 1, reports: 0 });
  }, 60_000);

  it('an agent with no store gets a 404 on every route, its own old message included', async () => {
    const { client } = await login('nora@seller.example', 'agent', []);
    for (const id of [ours, theirs]) expect([id, await statuses(client, String(id))]).toEqual([id, all(404)]);
  });

  it('an agent whose store is taken away during the session is refused at its next request', async () => {
    const { client, id } = await login('lee@seller.example', 'agent', [acmeId]);
    expect((await hx(client, `/messages/${ours}/card`)).status).toBe(200);
    users.setStores(id, [rivalId]);
    expect(await statuses(client, String(ours))).toEqual(all(404));
    expect((await hx(client, `/messages/${theirs}/card`)).status).toBe(200);
    users.setStores(id, [acmeId]);
  });

  it("an owner sees and changes every store's message", async () => {
    const { client } = await login('olga@seller.example', 'owner', []);
    for (const id of [ours, theirs]) {
      const card = await hx(client, `/messages/${id}/card`);
      expect(card.status).toBe(200);
      expect(await card.text()).toContain(id === ours ? 'Where is my order?' : 'Rival question');
    }
    const changed = await hx(client, `/messages/${theirs}/category`, { _csrf: client.csrf, category: 'refund' });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toMatch(/<option value="refund" selected/);
    h.gw.db.prepare("UPDATE messages SET category = 'shipping' WHERE id = ?").run(theirs);
  });
});

describe('a change to one message', () => {
  it('needs the session’s CSRF token and our origin: without them nothing is written', async () => {
    const { client } = await login('cat@seller.example', 'agent', [acmeId]);
    const other = await login('dan@seller.example', 'agent', [acmeId]);
    const before = row(ours);
    const tries: [string, Record<string, string>, Record<string, string>][] = [
      ['no token', { category: 'refund' }, {}],
      ['another session’s token', { _csrf: other.client.csrf, category: 'refund' }, {}],
      ['another site', { _csrf: client.csrf, category: 'refund' }, { origin: 'https://evil.example' }],
    ];
    for (const [what, form, headers] of tries) {
      expect([what, (await hx(client, `/messages/${ours}/category`, form, headers)).status]).toEqual([what, 403]);
      expect([what, (await hx(client, `/messages/${ours}/tags`, { ...form, tagId: String(tagId) }, headers)).status]).toEqual([what, 403]);
      expect([what, (await hx(client, `/messages/${ours}/report`, { ...form, reason: 'spam' }, headers)).status]).toEqual([what, 403]);
    }
    expect(row(ours)).toEqual(before);
    // With the token: the change is made and shown.
    const tagged = await hx(client, `/messages/${ours}/tags`, { _csrf: client.csrf, tagId: String(tagId) });
    expect(tagged.status).toBe(200);
    expect(await tagged.text()).toContain('Urgent');
    const untagged = await hx(client, `/messages/${ours}/tags/${tagId}/remove`, { _csrf: client.csrf });
    expect(untagged.status).toBe(200);
    expect(row(ours)).toEqual(before);
  }, 60_000);

  it('shows a delivery error and a file number that is none as text: escaped, scrubbed, no file', async () => {
    const { client } = await login('eve@seller.example', 'agent', [acmeId]);
    h.gw.db
      .prepare("UPDATE outbox SET status = 'failed', last_error = ?, next_attempt_at = ? WHERE message_id = ? AND kind = 'relay'")
      .run('550 5.1.1 <jane@buyer.example> <script>alert(1)</script> rr@buyer.example', Date.now() + 3_600_000, ours);
    for (const path of [`/messages/${ours}/card`, `/messages/${ours}/delivery`]) {
      const html = await (await hx(client, path)).text();
      expect(html, path).toContain('failed');
      expect(html, path).not.toContain('jane@buyer.example');
      expect(html, path).not.toContain('rr@buyer.example');
      expect(html, path).not.toContain('<script>alert');
    }
    for (const n of ['-1', '1.5', 'length', 'constructor', '__proto__', '99999999999999999999'])
      expect([n, (await client.get(`/messages/${ours}/files/${n}`)).status]).toEqual([n, 404]);
  });
});

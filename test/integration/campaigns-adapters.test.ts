// Campaigns end to end on both storage adapters: the same cases through the SQLite gateway
// (startGateway) and a PostgreSQL node (startPgGateway, on a fresh database of the run's throwaway
// cluster), set up through the same API. What a user checks: the audience counts by the filters,
// each matching buyer gets one masked message with List-Unsubscribe and the store a completion
// notice, the one-click POST and the mailto: address unsubscribe (a page load changes nothing), who
// must not get mail is skipped at send time with the reason, and a campaign cannot go out twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';
import { NODES, type Node } from '../helpers/adapter-nodes.js';
import { campaignShop, header } from '../helpers/campaign-shop.js';

describe.each(NODES)('campaigns on %s', (_name, make) => {
  let n: Node;
  let storeId = 0;
  const shop = campaignShop(() => (method, path, body) => n.api(method, path, body));
  const { alias, campaign, finished } = shop;
  const toBuyer = (name: string) => n.sink.messages.filter((m) => m.to.includes(`${name}@buyer.example`));
  const count = async (sql: string, args: unknown[] = []) => Number((await n.exec(sql, args))[0]?.n);

  beforeAll(async () => {
    n = await make();
    await shop.open();
    storeId = shop.storeId;
  }, 120_000);
  afterAll(async () => n?.close());

  it.each([
    [{}, ['ann', 'bob', 'cat', 'dan', 'eve', 'fay']],
    [{ categories: ['Living'] }, ['dan', 'eve', 'fay']],
    [{ placedFrom: '2026-04-01', placedTo: '2026-06-01' }, ['bob', 'cat', 'dan']],
    [{ amountMin: 75, amountMax: 100 }, ['bob', 'dan']],
    [{ boughtAll: ['KET-1', 'TOA-1'] }, ['bob']],
    [{ categories: ['Kitchen'], boughtNone: ['LAM-1'] }, ['ann', 'bob', 'cat']],
  ])('counts the audience %j as %j', async (audience, names) => {
    const id = await campaign({ audience });
    const r = await n.api('GET', `/api/v1/campaigns/${id}/audience`);
    expect(r.body.count).toBe(names.length);
    expect(r.body.sample.map((s: { name: string }) => s.name.toLowerCase()).sort()).toEqual(names);
    expect((await n.api('POST', `/api/v1/campaigns/${id}/cancel`)).body.status).toBe('cancelled');
  });

  let unsubscribeUrl = '';
  it('sends each matching buyer one masked message from their alias, with List-Unsubscribe, and tells the store when done', async () => {
    const id = await campaign({ name: 'Kettle fans', audience: { skus: ['KET-1'] } });
    const started = await n.api('POST', `/api/v1/campaigns/${id}/start`, {});
    expect(started.body).toMatchObject({ status: 'sending', recipients: 3 });
    const done = await finished(id);
    expect(done.progress).toMatchObject({ total: 3, sent: 3, skipped: 0, failed: 0, pending: 0 });
    await n.sink.waitFor(4); // three buyers and the completion notice
    for (const name of ['ann', 'bob', 'eve']) {
      const got = toBuyer(name);
      expect(got, name).toHaveLength(1);
      const raw = got[0]!.raw.toString();
      expect(raw).toContain(`From: Acme Store <${alias[name]}>`);
      expect(raw).toContain('Hi ' + name[0]!.toUpperCase() + name.slice(1) + '!');
      expect(raw).not.toContain('support@acme.example');
      const lu = header(raw, 'List-Unsubscribe')!;
      expect(lu).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/u\/[^>]+>, <mailto:unsubscribe\+[^@]+@relay\.localhost\?subject=unsubscribe>$/);
      expect(header(raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      if (name === 'bob') unsubscribeUrl = lu.slice(1, lu.indexOf('>'));
    }
    const notice = n.sink.messages.find((m) => m.to.includes('support@acme.example'))!.raw.toString();
    expect(notice).toContain('Campaign finished: Kettle fans');
    expect(notice).toMatch(/Sent: 3/);
    // Each ledger row names the message it sent and its outbox row.
    expect(
      await count(
        "SELECT count(*) AS n FROM campaign_recipients WHERE campaign_id = ? AND status = 'sent' AND message_id IS NOT NULL AND outbox_id IS NOT NULL",
        [id],
      ),
    ).toBe(3);
    expect(await n.api('POST', `/api/v1/campaigns/${id}/start`, {})).toMatchObject({ status: 409 });
  });

  it('lets a page load change nothing, and unsubscribes with the one-click POST (a forged link is refused)', async () => {
    const page = await fetch(unsubscribeUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Acme Store');
    expect(await count('SELECT count(*) AS n FROM campaign_unsubscribes')).toBe(0);
    const post = await fetch(unsubscribeUrl, { method: 'POST', body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) });
    expect(post.status).toBe(200);
    expect(await n.exec('SELECT via FROM campaign_unsubscribes')).toEqual([{ via: 'one-click' }]);
    const forged = await fetch(
      unsubscribeUrl.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')),
      { method: 'POST', body: 'List-Unsubscribe=One-Click' },
    );
    expect(forged.status).toBe(404);
  });

  it('skips at send time who must not get it, with the reason, and asks before the same content goes out again within 7 days', async () => {
    await n.exec("UPDATE buyers SET undeliverable_at = 1 WHERE email = 'dan@buyer.example'");
    const before = n.sink.messages.length;
    const id = await campaign({ name: 'Everyone', subject: 'News from {{store.name}}' });
    await n.api('POST', `/api/v1/campaigns/${id}/start`, {});
    const done = await finished(id);
    // bob unsubscribed, dan hard-bounced, ann and eve got "Kettle fans" today.
    expect(done.progress).toMatchObject({ total: 6, sent: 2, skipped: 4, failed: 0 });
    expect(done.progress.skippedBy).toEqual({ unsubscribed: 1, 'hard bounced': 1, 'had a campaign in the last 7 days': 2 });
    await n.sink.waitFor(before + 3); // cat, fay, and the completion notice
    const news = n.sink.messages.slice(before).filter((m) => m.raw.toString().includes('News from Acme Store'));
    expect(news.map((m) => m.to[0]).sort()).toEqual(['cat@buyer.example', 'fay@buyer.example']);

    const copy = await campaign({ name: 'Everyone again', subject: 'News from {{store.name}}' });
    const refused = await n.api('POST', `/api/v1/campaigns/${copy}/start`, {});
    expect(refused).toMatchObject({ status: 409, body: { confirm: true } });
    expect((await n.api('GET', `/api/v1/campaigns/${copy}`)).body.status).toBe('draft');
  });

  it('unsubscribes by the mailto: address, storing nothing as a message', async () => {
    const raw = toBuyer('fay').at(-1)!.raw.toString();
    const mailto = /<mailto:([^?>]+)/.exec(header(raw, 'List-Unsubscribe')!)![1]!;
    const client = await SmtpClient.connect(n.smtpPort);
    const r = await client.send(
      'fay@buyer.example',
      [mailto],
      buildMessage({ from: 'fay@buyer.example', to: mailto, subject: 'unsubscribe', body: 'unsubscribe' }),
    );
    await client.quit();
    expect(r.reply.code).toBe(250);
    expect(
      await n.exec(
        "SELECT u.via FROM campaign_unsubscribes u JOIN pairs p ON p.id = u.pair_id JOIN buyers b ON b.id = p.buyer_id WHERE b.email = 'fay@buyer.example'",
      ),
    ).toEqual([{ via: 'mailto' }]);
    expect(await count("SELECT count(*) AS n FROM messages WHERE subject = 'unsubscribe'")).toBe(0);
  });

  it('charges prospects credits and refuses a start the balance does not cover', async () => {
    const imported = await n.api('POST', `/api/v1/stores/${storeId}/prospects`, {
      list: 'fair',
      prospects: [
        { email: 'pia@prospect.example', name: 'Pia' },
        { email: 'ann@buyer.example', name: 'Ann' },
      ],
    });
    expect(imported.body).toEqual({ imported: 1, known: 1, invalid: [] });
    const id = await campaign({ name: 'Fair', audience: { prospectLists: ['fair'], noPurchasers: true } });
    const refused = await n.api('POST', `/api/v1/campaigns/${id}/start`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe('not enough credits: 1 prospect message cost 3 credits and the store has 0');
    expect((await n.api('POST', `/api/v1/stores/${storeId}/credits`, { delta: 5, reason: 'top-up' })).body).toEqual({ balance: 5, pricePerProspectMessage: 3 });
    expect((await n.api('POST', `/api/v1/campaigns/${id}/start`, {})).body).toMatchObject({ status: 'sending', recipients: 1 });
    expect((await finished(id)).progress).toMatchObject({ sent: 1 });
    expect((await n.api('GET', `/api/v1/stores/${storeId}/credits`)).body).toEqual({ balance: 2, pricePerProspectMessage: 3 });
  });
});

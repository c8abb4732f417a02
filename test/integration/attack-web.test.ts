// A fresh attacker's pass over the admin and the marketplace API (issues 12 and 17), over real
// HTTP against a running gateway: what broke is pinned here, each test written to fail first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientKey } from '../../src/core/client-key.js';
import { WebhookRepo } from '../../src/store/webhooks.js';
import { EventRepo } from '../../src/store/events.js';
import { parseProspectCsv } from '../../src/web/prospect-csv.js';
import { UserRepo } from '../../src/store/users.js';
import { adminLogin, type AdminClient } from '../helpers/admin-client.js';
import { seedPair, startHarness, TEST_TOKEN, type Harness } from '../helpers/gateway.js';

let h: Harness;
let base: string;
let owner: AdminClient;
let pair: Awaited<ReturnType<typeof seedPair>>;

beforeAll(async () => {
  h = await startHarness();
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  pair = await seedPair(h);
  await new UserRepo(h.gw.db).create({ email: 'olivia@seller.example', name: 'Olivia Owner', role: 'owner', password: 'owner password 123' });
  owner = await adminLogin(base, 'olivia@seller.example', 'owner password 123');
});
afterAll(async () => {
  await h.close();
});

const importCsv = (csv: string | Uint8Array, storeId = pair.storeId) =>
  fetch(`${base}/api/v1/orders/import?storeId=${storeId}&dryRun=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'text/csv' },
    body: csv,
  });

describe('CSV files cannot make the gateway read without bound', () => {
  // 100 001 short data rows, then a quote that never closes: a reader that stops at the row limit
  // answers "more than 100000 rows"; one that reads on (millions of records in memory for a 10 MB
  // upload) trips over the quote at the end instead.
  const tooLong = 'number,email\n' + 'a,\n'.repeat(100_001) + '"never closed\n';

  it('refuses an order file past 100 000 rows with 400 and a sentence, without reading the rest', async () => {
    const res = await importCsv(tooLong);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('the file has more than 100000 rows; split it into smaller files');
  });

  it('refuses a prospect list past 100 000 rows the same way', () => {
    expect(() => parseProspectCsv(tooLong)).toThrow('the file has more than 100000 rows; split it into smaller files');
  });

  it('refuses the same file uploaded in the admin with 400 and the sentence on the page', async () => {
    const form = new FormData();
    form.set('_csrf', owner.csrf);
    form.set('storeId', String(pair.storeId));
    form.set('file', new File([tooLong], 'orders.csv', { type: 'text/csv' }));
    const res = await fetch(`${base}/orders/import/preview`, { method: 'POST', body: form, headers: { cookie: owner.cookie } });
    const page = await res.text();
    expect(/class="error"[^>]*>([^<]*)/.exec(page)?.[1]).toContain('the file has more than 100000 rows; split it into smaller files');
    expect(res.status).toBe(400);
  });
});

describe('login throttling counts an IPv6 client per /64', { timeout: 120_000 }, () => {
  it('reads addresses of one /64 as one client, and others apart', () => {
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:ffff:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::5')).toBe('2001:db8:0:0::/64');
    expect(clientKey('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('203.0.113.5')).toBe('203.0.113.5');
  });

  it('stops one host spraying made-up accounts from 21 addresses of its /64 after 20 failures', async () => {
    const g = await startHarness({ http: { port: 0, host: '127.0.0.1', trustedProxies: ['loopback'] } }, { sink: false });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) {
        const r = await fetch(`http://127.0.0.1:${g.gw.httpPort}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `2001:db8:77:1::${(i + 1).toString(16)}` },
          body: new URLSearchParams({ email: `made-up-${i}@seller.example`, password: 'x' }).toString(),
        });
        statuses.push(r.status);
      }
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses[20]).toBe(429);
    } finally {
      await g.close();
    }
  });
});

describe('every stored text shown in the admin is inert', () => {
  // One marker per door; a page that shows any of them unescaped would run it.
  const x = (where: string) => `<img src=x onerror=alert("${where}")>`;

  it('escapes store names, CSV-imported names and items, visitor names, subjects, file names, tags, templates, notes and webhook URLs on every page', async () => {
    const store = await h.api('POST', '/api/v1/stores', { slug: 'hostile', name: x('store'), mailbox: 'desk@hostile.example' });
    expect(store.status).toBe(201);
    const csv = `number,email,name,date,total,currency,sku,item,price,qty\nH-1,hank@buyer.example,"${x('csv-name').replace(/"/g, '""')}",2026-11-01,5,EUR,"${x('csv-sku').replace(/"/g, '""')}","${x('csv-item').replace(/"/g, '""')}",5,1\n`;
    const imported = await fetch(`${base}/api/v1/orders/import?storeId=${store.body.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'text/csv' },
      body: csv,
    }).then((r) => r.json() as Promise<{ created: number; rows: { alias: string }[] }>);
    expect(imported.created).toBe(1);
    const alias = imported.rows[0]!.alias;
    const file = { filename: `${x('file')}.txt`, contentType: 'text/plain', content: Buffer.from('hello').toString('base64') };
    expect((await h.api('POST', `/api/v1/pairs/${alias}/buyer-messages`, { subject: x('subject'), text: x('text'), attachments: [file] })).status).toBe(201);
    const visitor = await h.api('POST', `/api/v1/stores/${store.body.id}/visitor-messages`, {
      email: 'vera@visitor.example',
      name: x('visitor'),
      subject: 'Hi',
      text: 'Hello',
    });
    expect(visitor.status).toBe(201);
    expect((await owner.post('/tags', { name: '<b onclick=alert(1)>t</b>', colour: 'red' })).status).toBe(303);
    expect(
      (await owner.post('/templates', { storeId: String(store.body.id), name: x('tpl-name'), subject: x('tpl-subject'), body: x('tpl-body') })).status,
    ).toBe(303);
    expect((await h.api('POST', '/api/v1/webhooks', { url: `https://hooks.example/a"><script>alert(1)</script>`, events: ['message.sent'] })).status).toBe(201);
    const conv = (h.gw.db.prepare('SELECT pair_id AS id FROM conversations WHERE store_id = ? ORDER BY pair_id').all(store.body.id) as { id: number }[]).map(
      (r) => r.id,
    );
    expect(conv.length).toBe(2);
    expect((await owner.post(`/conversations/${conv[0]}/notes`, { body: x('note') })).status).toBe(303);
    const tpl = h.gw.db.prepare('SELECT id FROM templates ORDER BY id DESC LIMIT 1').get() as { id: number };

    const pages = [
      '/inbox',
      ...conv.map((id) => `/conversations/${id}`),
      '/stores',
      `/stores/${store.body.id}`,
      '/tags',
      '/templates',
      `/templates/${tpl.id}`,
      '/webhooks',
      '/orders/import',
      '/campaigns',
      '/reports/response-times',
      '/outbox',
    ];
    for (const path of pages) {
      const res = await owner.get(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).not.toMatch(/<img src=x onerror|<script>alert|<b onclick/);
    }
    // The page where these texts are most: the conversation shows the subject, the file name and the note escaped.
    const page = await (await owner.get(`/conversations/${conv[0]}`)).text();
    expect(page).toContain('&lt;img src=x onerror=alert(&quot;note&quot;)&gt;');
  });
});

describe('webhooks cannot be pointed at the host itself', () => {
  const metadata = [
    'http://169.254.169.254/latest/meta-data/',
    'http://2852039166/latest/meta-data/', // 169.254.169.254 written as one number
    'http://[::ffff:169.254.169.254]/',
    'http://[fe80::1]/',
    'http://[fd00:ec2::254]/',
    // Metadata services outside link-local, beside AWS's: Google Cloud's over IPv6 (a unique local
    // address, otherwise allowed) and Alibaba Cloud's (in 100.64.0.0/10, where Tailscale lives).
    'http://[fd20:ce::254]/computeMetadata/v1/',
    'http://100.100.100.200/latest/meta-data/',
    'http://0.0.0.0:8080/',
    'http://[::]:8080/',
    'http://224.0.0.1/',
  ];

  it('refuses link-local, unspecified and multicast receivers with 400 and a sentence, in the API and the admin', async () => {
    for (const url of metadata) {
      const res = await h.api('POST', '/api/v1/webhooks', { url, events: ['message.sent'] });
      expect(res.status, url).toBe(400);
      expect(res.body.message, url).toMatch(/^url: must not go to .* is a (link-local, unspecified, multicast or broadcast|cloud metadata service's) address/);
    }
    const page = await owner.post('/webhooks', { url: metadata[0]!, events: 'message.sent' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('link-local');
    expect((await h.api('GET', '/api/v1/webhooks')).body.items.map((w: { url: string }) => w.url)).not.toEqual(expect.arrayContaining(metadata));
  });

  it('allows loopback and private receivers: a marketplace on the same host or network', async () => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://[::1]:9/hook',
      'http://10.1.2.3/hook',
      'http://192.168.1.5/hook',
      'http://localhost:9/hook',
      'http://100.100.100.201/hook',
      'http://[fd20:ce::253]/hook',
    ]) {
      const res = await h.api('POST', '/api/v1/webhooks', { url, events: ['campaign.finished'] });
      expect(res.status, url).toBe(201);
      await h.api('DELETE', `/api/v1/webhooks/${res.body.id}`);
    }
  });

  it('does not connect to such an address even for an endpoint stored before the rule, and says why', async () => {
    const { row } = new WebhookRepo(h.gw.db).create('http://169.254.169.254/latest/meta-data/', ['buyer.unsubscribed']);
    h.gw.db.transaction(() => new EventRepo(h.gw.db).append('buyer.unsubscribed', pair.storeId, { alias: pair.alias, via: 'page' }))();
    await expect
      .poll(async () => (await h.api('GET', `/api/v1/webhooks/${row.id}`)).body.lastError, { timeout: 15_000 })
      .toMatch(/^EADDRNOTALLOWED: 169\.254\.169\.254 is a link-local/);
    await h.api('DELETE', `/api/v1/webhooks/${row.id}`);
  });
});

describe('sessions and forms', () => {
  it('gives a new session at login: a session id the attacker planted before is not the one that logs in', async () => {
    const planted = 'mg_session=attacker-chosen-value-0123456789';
    const r = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: planted },
      body: new URLSearchParams({ email: 'olivia@seller.example', password: 'owner password 123' }).toString(),
    });
    expect(r.status).toBe(303);
    const issued = /mg_session=[^;]+/.exec(r.headers.getSetCookie().join('\n'))![0];
    expect(issued).not.toBe(planted);
    expect((await fetch(`${base}/inbox`, { redirect: 'manual', headers: { cookie: planted } })).status).toBe(303);
    expect((await fetch(`${base}/inbox`, { redirect: 'manual', headers: { cookie: issued } })).status).toBe(200);
  });

  it('refuses a state-changing POST without the CSRF token, with a wrong one, and from another origin with the right one', async () => {
    const post = (form: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${base}/tags`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      });
    const before = h.gw.db.prepare('SELECT count(*) AS n FROM tags').get();
    expect((await post({ name: 'csrf-none', colour: 'red' })).status).toBe(403);
    expect((await post({ name: 'csrf-wrong', colour: 'red', _csrf: 'x'.repeat(owner.csrf.length) })).status).toBe(403);
    const cross = await post({ name: 'csrf-cross', colour: 'red', _csrf: owner.csrf }, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect(await cross.text()).toBe('Cross-site request refused.');
    expect(h.gw.db.prepare('SELECT count(*) AS n FROM tags').get()).toEqual(before);
  });
});

describe('the events feed under hostile paging', () => {
  it('answers 400 naming the field for negative, huge, fractional and unknown paging values', async () => {
    const cases: [string, string][] = [
      ['after=-1', 'after:'],
      ['limit=100000', 'limit:'],
      ['limit=0', 'limit:'],
      ['limit=1.5', 'limit:'],
      ['after=1e400', 'after:'],
      ['after=99999999999999999999', 'after:'],
      ['type=message.exploded', 'type:'],
      ['cursor=5', 'Unrecognized key'],
    ];
    for (const [q, field] of cases) {
      const res = await h.api('GET', `/api/v1/events?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.message, q).toContain(field);
    }
    expect((await h.api('GET', '/api/v1/events?after=0&limit=1000')).status).toBe(200);
  });

  it('answers 400 with a sentence for a path whose percent-encoding is broken, in the API and the admin, and changes nothing', async () => {
    for (const [method, path] of [
      ['DELETE', '/api/v1/buyers/%ZZjane@buyer.example'],
      ['GET', '/api/v1/pairs/%E0%A4%A'],
    ] as const) {
      const res = await h.api(method, path);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/percent-encoding/) });
    }
    expect((await h.api('GET', `/api/v1/pairs/${pair.alias}`)).body.buyer.email).toBe('jane@buyer.example'); // not erased
    for (const path of ['/conversations/%ZZ', '/templates/%E0%A4%A', '/u/%ZZ', '/messages/1/files/%ZZ', '/mailbox/confirm?token=%ZZ']) {
      const page = await owner.get(path);
      expect(page.status, path).toBeGreaterThanOrEqual(400);
      expect(page.status, path).toBeLessThan(500);
    }
  });
});

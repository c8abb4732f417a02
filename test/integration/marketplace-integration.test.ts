// A marketplace developer integrating for the first time, from README "For marketplaces",
// docs/webhooks.md and /api/v1/openapi.json only: every answer has the status the document names
// and exactly the fields it describes, and the README's own verification snippet (run as printed)
// accepts every webhook the gateway sends.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESPONSES } from '../../src/web/api/response-schemas.js';
import { startHarness, TEST_TOKEN, type Harness } from '../helpers/gateway.js';

type Verify = (secret: string, rawBody: string, header: string, toleranceSeconds?: number) => boolean;

/** The README's snippet, as printed (its import line is what the Function receives). */
function readmeVerifier(): Verify {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## For marketplaces'));
  const code = /```js\n([\s\S]*?)```/.exec(section)![1]!.replace(/^import .*$/m, '');
  return new Function('createHmac', 'timingSafeEqual', `${code}\nreturn verifyMaskgate;`)(createHmac, timingSafeEqual) as Verify;
}

let h: Harness;
let base: string;
let doc: any;
const got: { raw: string; signature: string; id: number }[] = [];
let server: ReturnType<typeof createServer>;
let hookUrl: string;

beforeAll(async () => {
  h = await startHarness({ webhooks: { pollIntervalMs: 50, retrySchedule: [0.05], retryFor: 86_400, timeoutMs: 2000 } });
  base = `http://127.0.0.1:${h.gw.httpPort}`;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      got.push({ raw, signature: String(req.headers['maskgate-signature'] ?? ''), id: Number(req.headers['maskgate-event-id']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/maskgate`;
  doc = await (await fetch(`${base}/api/v1/openapi.json`)).json();
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await h.close();
});

/** Calls the API and checks the answer against the document: the documented success status and the described fields. */
async function call(method: string, docPath: string, path: string, body?: unknown, type = 'application/json'): Promise<any> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body !== undefined ? { 'content-type': type } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const json: any = await res.json();
  const op = doc.paths[docPath]?.[method.toLowerCase()];
  expect(op, `${method} ${docPath} is in the document`).toBeDefined();
  const documented = Object.keys(op.responses).filter((k) => /^2\d\d$/.test(k));
  expect(documented, `${method} ${docPath}: ${JSON.stringify(json)}`).toContain(String(res.status));
  const schema = RESPONSES[`${method.toLowerCase()} ${docPath}`];
  expect(schema, `${method} ${docPath} has a described answer`).toBeDefined();
  // The document is generated from these schemas; parsing the real answer with them (strict
  // objects) fails on any field the document does not describe or describes differently.
  const parsed = schema!.safeParse(json);
  expect(parsed.success ? null : JSON.stringify(parsed.error.issues), `${method} ${docPath} answer matches the document`).toBeNull();
  expect(
    op.responses[String(res.status)].content['application/json'].schema.type ?? op.responses[String(res.status)].content['application/json'].schema.$ref,
  ).toBeTruthy();
  return json;
}

describe('integrating a marketplace from the docs alone', () => {
  it('imports orders, registers a webhook, takes website messages, and reads events and the thread back, each answer as documented', async () => {
    const store = await h.api('POST', '/api/v1/stores', { slug: 'market', name: 'Market Shop', mailbox: 'desk@market.example' });
    const csv =
      'Order;Email;Customer name;Date;Total;Currency;SKU;Item;Price;Qty\r\nM-1;mia@buyer.example;Mia Buyer;01.11.2026;19,99;EUR;K-1;Kettle;19,99;1\r\n';
    const preview = await call('POST', '/orders/import', `/orders/import?storeId=${store.body.id}&dryRun=true`, csv, 'text/csv');
    expect(preview.rows[0]).toMatchObject({ status: 'new' });
    const imported = await call('POST', '/orders/import', `/orders/import?storeId=${store.body.id}`, csv, 'text/csv');
    const alias = imported.rows[0].alias as string;

    const hook = await call('POST', '/webhooks', '/webhooks', { url: hookUrl, events: ['message.received', 'message.sent'] });
    const secret = hook.secret as string;

    const caughtUp = await call('GET', '/events', '/events?after=0&limit=1000');
    const start = caughtUp.next as number;
    // Nothing newer yet: `next` stays where it was.
    expect((await call('GET', '/events', `/events?after=${start}`)).next).toBe(start);

    const buyer = await call('POST', '/pairs/{alias}/buyer-messages', `/pairs/${alias}/buyer-messages`, {
      subject: 'Where is M-1?',
      text: 'Hello, where is it?',
    });
    expect(buyer.source).toBe('website');
    const visitor = await call('POST', '/stores/{id}/visitor-messages', `/stores/${store.body.id}/visitor-messages`, {
      email: 'vic@visitor.example',
      name: 'Vic',
      subject: 'Do you ship to Norway?',
      text: 'Thanks',
    });
    expect(visitor.message.alias).toBe(visitor.alias);

    // Two messages received and two sent, delivered in id order, each signed as the README's snippet checks.
    const verify = readmeVerifier();
    await expect.poll(() => got.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    expect(got.every((g) => verify(secret, g.raw, g.signature))).toBe(true);
    expect(got.some((g) => verify(secret, g.raw + ' ', g.signature))).toBe(false);
    const ids = got.map((g) => g.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const page = await call('GET', '/events', `/events?after=${start}&limit=1000`);
    expect(page.items.map((e: { id: number }) => e.id)).toEqual(expect.arrayContaining(ids));
    expect(JSON.stringify(page)).not.toMatch(/mia@buyer|vic@visitor|desk@market/);
    // Paging one by one visits the same events in the same order.
    const oneByOne: number[] = [];
    for (let after = start; ;) {
      const p = await call('GET', '/events', `/events?after=${after}&limit=1`);
      if (p.items.length === 0) break;
      oneByOne.push(p.items[0].id);
      after = p.next;
    }
    expect(oneByOne).toEqual(page.items.map((e: { id: number }) => e.id));

    const state = await call('GET', '/webhooks/{id}', `/webhooks/${hook.id}`);
    expect(state.delivered).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(await call('GET', '/webhooks', '/webhooks'))).not.toContain(secret);

    const thread = await call('GET', '/pairs/{alias}/messages', `/pairs/${alias}/messages`);
    expect(thread.items[0]).toMatchObject({ subject: 'Where is M-1?', direction: 'buyer_to_store' });
    expect(JSON.stringify(thread)).not.toMatch(/desk@market/);
  });
});

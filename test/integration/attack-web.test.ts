// A fresh attacker's pass over the admin and the marketplace API (issues 12 and 17), over real
// HTTP against a running gateway: what broke is pinned here, each test written to fail first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

// Adding a permitted sender reports whether its domain can authenticate replies (SPF, DKIM,
// DMARC), from a fixed resolver standing in for DNS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/gateway.js';

const RECORDS: Record<string, string[][]> = {
  'good.example': [['v=spf1 include:spf.protection.outlook.example -all'], ['google-site-verification=x']],
  '_dmarc.good.example': [['v=DMARC1; p=reject; rua=mailto:d@good.example']],
  'selector1._domainkey.good.example': [['v=DKIM1; k=rsa; p=MIGfMA0']],
};

let h: Harness;
let storeId: number;
beforeAll(async () => {
  h = await startHarness(
    {},
    {
      sink: false,
      resolver: async (name, type) => {
        if (name.endsWith('slow.example')) throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
        const rows = type === 'TXT' ? RECORDS[name] : undefined;
        if (!rows) throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
        return rows;
      },
    },
  );
  storeId = (await h.api('POST', '/api/v1/stores', { slug: 'acme', name: 'Acme', mailbox: 'cs@acme.example' })).body.id;
});
afterAll(async () => {
  await h.close();
});

describe('permitted sender DNS readiness', () => {
  it('reports SPF, DMARC with its policy, and a DKIM key at a usual selector', async () => {
    const res = await h.api('POST', `/api/v1/stores/${storeId}/permitted-senders`, { email: 'amy@good.example' });
    expect(res.status).toBe(201);
    expect(res.body.domainReadiness).toEqual({
      domain: 'good.example',
      spf: { published: true, record: 'v=spf1 include:spf.protection.outlook.example -all' },
      dmarc: { published: true, policy: 'reject', record: 'v=DMARC1; p=reject; rua=mailto:d@good.example' },
      dkim: { selectorsFound: ['selector1'], note: 'a DKIM key is published at a usual selector' },
      errors: [],
    });
  });

  it('says plainly what is missing, and which lookups failed rather than came back empty', async () => {
    const bare = await h.api('POST', `/api/v1/stores/${storeId}/permitted-senders`, { email: 'bob@bare.example' });
    expect(bare.body.domainReadiness).toMatchObject({ spf: { published: false }, dmarc: { published: false }, dkim: { selectorsFound: [] }, errors: [] });
    const slow = await h.api('POST', `/api/v1/stores/${storeId}/permitted-senders`, { email: 'cy@slow.example' });
    expect(slow.status).toBe(201);
    expect(slow.body.domainReadiness.errors[0]).toBe('slow.example: ETIMEOUT');
    const again = await h.api('GET', `/api/v1/permitted-senders/${bare.body.id}/readiness`);
    expect(again.body.domain).toBe('bare.example');
    expect((await h.api('GET', '/api/v1/permitted-senders/9999/readiness')).status).toBe(404);
  });
});

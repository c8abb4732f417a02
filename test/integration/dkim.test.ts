// Every message we send is DKIM-signed for the relay domain, last, on the exact bytes: the same
// library (mailauth) verifies the signature on what the sink received, with our published key.
import { dkimVerify } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN, seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('DKIM', () => {
  it('publishes MX, SPF, DKIM and DMARC records and signs relayed mail and notices so they verify', async () => {
    const dns = await h.api('GET', '/api/v1/dns');
    const records: { type: string; name: string; value: string }[] = dns.body.records;
    expect(records.map((r) => `${r.type} ${r.name}`)).toEqual([`MX ${DOMAIN}`, `TXT ${DOMAIN}`, `TXT maskgate._domainkey.${DOMAIN}`, `TXT _dmarc.${DOMAIN}`]);
    expect(records.find((r) => r.name.includes('_domainkey'))?.value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/);
    // DNS is outside the machine: a fixed resolver that answers with the record we publish.
    const resolver = async (name: string, type: string) => {
      const hit = records.find((r) => r.name === name && r.type === type);
      if (!hit) throw Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' });
      return [[hit.value]];
    };

    h.sink!.answer = (_raw, _n, to) => (to.includes('support@acme.example') ? { code: 550, message: '5.1.1 no such mailbox' } : null);
    const { address } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    await c.send('jane@buyer.example', [address], buildMessage({ from: 'jane@buyer.example', to: address, subject: 'signed?', body: 'hello' }));
    await c.quit();
    const [notice] = await h.sink!.waitFor(1); // the relayed copy was refused; the notice arrives
    const noticeResult = await dkimVerify(notice!.raw, { resolver });
    expect(noticeResult.results.map((r) => r.status.result)).toEqual(['pass']);

    h.sink!.answer = () => null;
    const c2 = await SmtpClient.connect(h.gw.smtpPort);
    await c2.send('jane@buyer.example', [address], buildMessage({ from: 'jane@buyer.example', to: address, subject: 'signed!', body: 'hello again' }));
    await c2.quit();
    const relayed = (await h.sink!.waitFor(2))[1]!;
    const result = await dkimVerify(relayed.raw, { resolver });
    expect(result.results).toHaveLength(1);
    expect(result.results[0]!.status.result).toBe('pass');
    expect(result.results[0]!.signingDomain).toBe(DOMAIN);
    // The bytes the API shows are the bytes that were sent.
    // The sink has the bytes a moment before the worker records the row as sent.
    await expect.poll(async () => (await h.api('GET', '/api/v1/outbox?status=sent')).body.items.length).toBe(2);
    const items = (await h.api('GET', '/api/v1/outbox?status=sent')).body.items;
    const raw = (await h.api('GET', `/api/v1/outbox/${items[0].id}/raw`)).body as string;
    expect(Buffer.from(raw).equals(relayed.raw)).toBe(true);
  });
});

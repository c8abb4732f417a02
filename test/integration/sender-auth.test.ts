// Who is writing is proven, not claimed: on the MX port SPF, DKIM and DMARC are computed with
// mailauth from DNS (a fixed zone here: DNS is outside the machine) and the received bytes, over
// real SMTP. Headers that arrive with the mail never count.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notFound, type DnsResolver } from '../../src/dns/resolver.js';
import { dkimSignatures } from '../helpers/dkim.js';
import { seedPair, startHarness, zone, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'der' },
});
const dkimPublic = publicKey.toString('base64');

// acme.example (the store) sends from 192.0.2.10 only and asks receivers to reject failures.
const records = zone({
  'acme.example': { TXT: ['v=spf1 ip4:192.0.2.10 -all'] },
  '_dmarc.acme.example': { TXT: ['v=DMARC1; p=reject'] },
  'sel1._domainkey.acme.example': { TXT: [`v=DKIM1; k=rsa; p=${dkimPublic}`] },
  'buyer.example': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] },
  'quarantine.example': { TXT: ['v=spf1 ?all'] },
  '_dmarc.quarantine.example': { TXT: ['v=DMARC1; p=quarantine'] },
  'strict.example': { TXT: ['v=spf1 ?all'] },
  '_dmarc.strict.example': { TXT: ['v=DMARC1; p=reject'] },
  'slow.example': { TXT: ['v=spf1 ?all'] },
});
const resolver: DnsResolver = async (name, type) => {
  if (name === '_dmarc.slow.example') throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
  try {
    return await records(name, type);
  } catch {
    throw notFound(name, type);
  }
};

let h: Harness;
let pair: Awaited<ReturnType<typeof seedPair>>;
beforeAll(async () => {
  h = await startHarness({}, { resolver });
  pair = await seedPair(h);
});
afterAll(async () => {
  await h.close();
});

const send = (from: string, to: string, message: string) => SmtpClient.sendOnce(h.gw.smtpPort, from, to, message);
const messageCount = async () => (await h.api('GET', '/api/v1/messages?limit=200')).body.items.length as number;

describe('sender authentication on the MX port', () => {
  it("refuses a permitted sender's address from a host its domain does not authorise, naming what failed", async () => {
    const before = await messageCount();
    const r = await send(
      'support@acme.example',
      pair.address,
      buildMessage({ from: 'support@acme.example', to: pair.address, subject: `Order ${pair.number}`, body: 'Your kettle ships today.' }),
    );
    expect(r.stage).toBe('data');
    expect(r.reply.code).toBe(550);
    expect(r.reply.text).toMatch(/5\.7\.26 DMARC fails for acme\.example \(policy reject\): SPF fail/);
    expect(await messageCount()).toBe(before);
  });

  it('ignores a forged Authentication-Results header', async () => {
    const r = await send(
      'support@acme.example',
      pair.address,
      buildMessage({
        from: 'support@acme.example',
        to: pair.address,
        subject: `Order ${pair.number}`,
        body: 'Trust me.',
        extraHeaders: ['Authentication-Results: mx.relay.localhost; spf=pass smtp.mailfrom=acme.example; dkim=pass header.d=acme.example; dmarc=pass'],
      }),
    );
    expect(r.reply.code).toBe(550);
    expect(r.reply.text).toContain('5.7.26');
  });

  it('accepts the same mail when it carries a valid DKIM signature of the domain, and records the results', async () => {
    const message = buildMessage({ from: 'support@acme.example', to: pair.address, subject: `Order ${pair.number}`, body: 'Signed and shipped.' });
    const signatures = await dkimSignatures(message, [{ signingDomain: 'acme.example', selector: 'sel1', privateKey }]);
    const r = await send('support@acme.example', pair.address, signatures + message);
    expect(r.reply.code).toBe(250);
    const [stored] = (await h.api('GET', '/api/v1/messages?limit=1')).body.items;
    const auth = stored.findings.find((f: { rule: string }) => f.rule === 'sender-auth');
    expect(auth.result).toBe('pass');
    expect(auth.detail).toMatch(/dkim=pass \(acme\.example\); dmarc=pass p=reject/);
    expect(stored.suspicious).toBe(false);
  });

  it("refuses a look-alike domain, and a permitted sender's From sent from a stranger's envelope, after DATA", async () => {
    // Who writes is the From, decided after DATA: the envelope alone no longer refuses at RCPT.
    const lookAlike = await send(
      'support@acme-example.com',
      pair.address,
      buildMessage({ from: 'support@acme-example.com', to: pair.address, subject: `Order ${pair.number}`, body: 'Hi' }),
    );
    expect(lookAlike.stage).toBe('data');
    expect(lookAlike.reply.text).toMatch(/^5\.7\.1 the sender is neither the buyer/);
    const envelopeOther = await send(
      'mallory@buyer.example',
      pair.address,
      buildMessage({ from: 'support@acme.example', to: pair.address, subject: `Order ${pair.number}`, body: 'Hi' }),
    );
    expect(envelopeOther.stage).toBe('data');
    expect(envelopeOther.reply.code).toBe(550);
    expect(envelopeOther.reply.text).toMatch(/^5\.7\.26 DMARC fails for acme\.example \(policy reject\)/);
  });

  it('delivers a buyer whose domain passes SPF, unflagged', async () => {
    const r = await send(
      'jane@buyer.example',
      pair.address,
      buildMessage({ from: 'jane@buyer.example', to: pair.address, subject: 'Where is it?', body: 'Hello' }),
    );
    expect(r.reply.code).toBe(250);
    const [stored] = (await h.api('GET', '/api/v1/messages?limit=1')).body.items;
    expect(stored.suspicious).toBe(false);
  });

  it('delivers a buyer failing DMARC p=quarantine but flags it; refuses one failing p=reject', async () => {
    const q = await seedPair(h, { buyerEmail: 'sam@quarantine.example' });
    const r = await send(
      'sam@quarantine.example',
      q.address,
      buildMessage({ from: 'sam@quarantine.example', to: q.address, subject: 'Question', body: 'Hello' }),
    );
    expect(r.reply.code).toBe(250);
    const [stored] = (await h.api('GET', '/api/v1/messages?limit=1')).body.items;
    expect(stored.suspicious).toBe(true);
    expect(stored.findings.find((f: { rule: string }) => f.rule === 'sender-auth').result).toBe('suspicious');

    const s = await seedPair(h, { buyerEmail: 'kim@strict.example' });
    const before = await messageCount();
    const refused = await send(
      'kim@strict.example',
      s.address,
      buildMessage({ from: 'kim@strict.example', to: s.address, subject: 'Question', body: 'Hello' }),
    );
    expect(refused.reply.code).toBe(550);
    expect(refused.reply.text).toMatch(/5\.7\.26 DMARC fails for strict\.example \(policy reject\)/);
    expect(await messageCount()).toBe(before);
  });

  it('answers 451 when the DMARC record cannot be looked up, so the sender retries', async () => {
    const p = await seedPair(h, { buyerEmail: 'lee@slow.example' });
    const r = await send('lee@slow.example', p.address, buildMessage({ from: 'lee@slow.example', to: p.address, subject: 'Hi', body: 'Hello' }));
    expect(r.reply.code).toBe(451);
    expect(r.reply.text).toMatch(/^4\.4\.3 the DMARC record of slow\.example could not be looked up/);
  });
});

// The spoofing golden table: one reading of the header block decides who writes, and sender
// authentication proves that same reading, over real SMTP. Every header trick that two parsers read
// differently is refused (550 5.7.x with a sentence) or proven by the same reading; nothing is
// stored for a refused line. DNS is a fixed zone: shield.example (the store) asks receivers to
// reject failures and authorises no host of ours; evil.example is the attacker's own domain with a
// DKIM key and DMARC p=none.
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPair, startHarness, zone, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

function rsa() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  return { privateKey, dns: `v=DKIM1; k=rsa; p=${publicKey.toString('base64')}` };
}
const evilKey = rsa();
const shieldKey = rsa();
const buyerKey = rsa();

const resolver = zone({
  'shield.example': { TXT: ['v=spf1 ip4:192.0.2.10 -all'] },
  '_dmarc.shield.example': { TXT: ['v=DMARC1; p=reject'] },
  's1._domainkey.shield.example': { TXT: [shieldKey.dns] },
  'evil.example': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] },
  '_dmarc.evil.example': { TXT: ['v=DMARC1; p=none'] },
  's1._domainkey.evil.example': { TXT: [evilKey.dns] },
  // The buyer's provider signs its users' mail and asks receivers to reject failures.
  'mailbox.example': { TXT: ['v=spf1 ip4:192.0.2.20 -all'] },
  '_dmarc.mailbox.example': { TXT: ['v=DMARC1; p=reject'] },
  's1._domainkey.mailbox.example': { TXT: [buyerKey.dns] },
  // A helpdesk / sending service and a forwarder with their own return-path domains.
  'helpdesk.example': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] },
  'forwarder.example': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] },
});

let h: Harness;
let pair: Awaited<ReturnType<typeof seedPair>>;
beforeAll(async () => {
  h = await startHarness({}, { resolver });
  pair = await seedPair(h, { slug: 'shield', storeName: 'Shield Store', mailbox: 'desk@shield.example', buyerEmail: 'ann@mailbox.example', buyerName: 'Ann Lee' });
  const senders = await h.api('GET', `/api/v1/stores/${pair.storeId}/permitted-senders`);
  if (!senders.body.items?.some((s: { email: string }) => s.email === 'support@shield.example')) {
    const added = await h.api('POST', `/api/v1/stores/${pair.storeId}/permitted-senders`, { email: 'support@shield.example' });
    if (added.status !== 201) throw new Error(`seed sender failed: ${JSON.stringify(added.body)}`);
  }
});
afterAll(async () => {
  await h.close();
});

/**
 * DKIM-signs a message and puts the signature after its first header line (where it sits does not
 * matter to a verifier), so the header block still starts with the line under test.
 */
async function sign(message: string, domain: string, key: string): Promise<string> {
  const signed = await dkimSign(message, { signatureData: [{ signingDomain: domain, selector: 's1', privateKey: key }] } as never);
  if (signed.errors.length) throw new Error(JSON.stringify(signed.errors));
  const firstEnd = message.indexOf('\r\n') + 2;
  return message.slice(0, firstEnd) + signed.signatures + message.slice(firstEnd);
}

async function send(from: string, to: string, message: string) {
  const c = await SmtpClient.connect(h.gw.smtpPort);
  const r = await c.send(from, [to], message);
  await c.quit();
  return r;
}
const messageCount = async () => (await h.api('GET', '/api/v1/messages?limit=500')).body.items.length as number;
const sunkTo = (address: string) => h.sink!.messages.filter((m) => m.to.includes(address)).length;

/** A message whose header block starts with `first` (lines joined with CRLF), then a normal message. */
function withHeaders(lines: readonly string[], body = 'Your refund is ready: log in at https://evil.example/refund'): string {
  return [
    ...lines,
    `To: ${pair.address}`,
    `Subject: Order ${pair.number}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@evil.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
  ].join('\r\n');
}

describe('the reported bypass: a header read differently by the parser and by authentication', () => {
  it('refuses "FROM : Shield Store <x@evil.example>" signed by the attacker, sent from a permitted sender of a p=reject domain, and delivers nothing', async () => {
    const before = await messageCount();
    const sunk = sunkTo('ann@mailbox.example');
    const message = await sign(withHeaders(['FROM : Shield Store <x@evil.example>']), 'evil.example', evilKey.privateKey);
    const r = await send('support@shield.example', pair.address, message);
    expect(r.reply.code).toBe(550);
    expect(r.reply.text).toMatch(/^5\.7\.\d+ /);
    expect(r.reply.text).toMatch(/header/i);
    expect(await messageCount()).toBe(before);
    expect(sunkTo('ann@mailbox.example')).toBe(sunk);
  });

  it('refuses the same trick towards the store from the buyer of a p=reject domain, and stores nothing', async () => {
    const before = await messageCount();
    const message = await sign(withHeaders(['FROM : Ann Lee <x@evil.example>']), 'evil.example', evilKey.privateKey);
    const r = await send('ann@mailbox.example', pair.address, message);
    expect(r.reply.code).toBe(550);
    expect(await messageCount()).toBe(before);
  });
});

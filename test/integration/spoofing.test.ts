// The spoofing golden table: one reading of the header block decides who writes, and sender
// authentication proves that same reading, over real SMTP. Every header trick that two parsers read
// differently is refused (550 5.7.x with a sentence) or proven by the same reading; nothing is
// stored for a refused line. DNS is a fixed zone: shield.example (the store) asks receivers to
// reject failures and authorises no host of ours; evil.example is the attacker's own domain with a
// DKIM key and DMARC p=none.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsResolver } from '../../src/dns/resolver.js';
import { dkimSignatures } from '../helpers/dkim.js';
import { seedPair, startHarness, zone, type Harness } from '../helpers/gateway.js';
import { SmtpClient } from '../helpers/smtp-client.js';

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

const zoneResolver = zone({
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
  // Only the header-gate test writes from here: every lookup of it is counted.
  'gate.example': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] },
  '_dmarc.gate.example': { TXT: ['v=DMARC1; p=none'] },
});
/** Every name looked up, in order (beneath the gateway's DNS cache: a name's first lookup is seen). */
const asked: string[] = [];
const resolver: DnsResolver = (name, rrtype) => {
  asked.push(name.toLowerCase());
  return zoneResolver(name, rrtype);
};

let h: Harness;
let pair: Awaited<ReturnType<typeof seedPair>>;
beforeAll(async () => {
  h = await startHarness({}, { resolver });
  pair = await seedPair(h, {
    slug: 'shield',
    storeName: 'Shield Store',
    mailbox: 'desk@shield.example',
    buyerEmail: 'ann@mailbox.example',
    buyerName: 'Ann Lee',
  });
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
 * matter to a verifier), so the header block still starts with the field under test.
 */
async function sign(message: string, domain: string, key: string): Promise<string> {
  const signatures = await dkimSignatures(message, [{ signingDomain: domain, selector: 's1', privateKey: key }]);
  // After the first field, with its continuation lines.
  let firstEnd = message.indexOf('\r\n') + 2;
  while (message[firstEnd] === ' ' || message[firstEnd] === '\t') firstEnd = message.indexOf('\r\n', firstEnd) + 2;
  return message.slice(0, firstEnd) + signatures + message.slice(firstEnd);
}

const send = (from: string, to: string, message: string | Buffer) => SmtpClient.sendOnce(h.gw.smtpPort, from, to, message);
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

// Each line: the header lines that start the message, the envelope sender, and what must happen.
// Every message is DKIM-signed by the attacker's own domain (a pass for evil.example proves
// nothing about the store). "refused as a stranger" means the one reading named the attacker, and
// the identity and the proof agreed on that.
const GOLDEN: readonly (readonly [string, readonly string[], RegExp])[] = [
  [
    'whitespace before the colon',
    ['FROM : Shield Store <x@evil.example>'],
    /^5\.7\.1 the header block is malformed: a header field name has whitespace before its colon/,
  ],
  [
    'tab before the colon',
    ['From\t: Shield Store <x@evil.example>'],
    /^5\.7\.1 the header block is malformed: a header field name has whitespace before its colon/,
  ],
  [
    'an mbox postmark first',
    ['From x@evil.example Sat Jan  3 01:05:34 1996', 'From: Shield Store <support@shield.example>'],
    /^5\.7\.1 the header block is malformed: a line starting "From " \(an mbox postmark\)/,
  ],
  [
    'a lowercase mbox-like first line',
    ['from support@shield.example', 'From: <x@evil.example>'],
    /^5\.7\.1 the header block is malformed: a line starting "From "/,
  ],
  ['no From at all', ['Sender: support@shield.example'], /^5\.7\.1 the message has no From header field/],
  ['a duplicated From', ['From: Shield Store <support@shield.example>', 'From: <x@evil.example>'], /^5\.7\.1 the message has more than one From header field/],
  [
    'a duplicated From, the other way round',
    ['From: <x@evil.example>', 'From: Shield Store <support@shield.example>'],
    /^5\.7\.1 the message has more than one From header field/,
  ],
  [
    'two addresses in one From',
    ['From: support@shield.example, x@evil.example'],
    /^5\.7\.1 the From header must name exactly one plain address: it lists more than one address/,
  ],
  ['group syntax', ['From: Shield Store: support@shield.example;'], /^5\.7\.1 the From header must name exactly one plain address: it uses group syntax/],
  [
    'an empty group and a Sender',
    ['From: Shield Store:;', 'Sender: x@evil.example'],
    /^5\.7\.1 the From header must name exactly one plain address: it uses group syntax/,
  ],
  [
    'a comment holding the store address',
    ['From: x@evil.example (support@shield.example)'],
    /^5\.7\.1 the From header must name exactly one plain address: it contains a comment/,
  ],
  [
    'a comment inside the address',
    ['From: support(Shield)@shield.example'],
    /^5\.7\.1 the From header must name exactly one plain address: it contains a comment/,
  ],
  [
    'an unquoted address as display name',
    ['From: support@shield.example <x@evil.example>'],
    /^5\.7\.1 the From header must name exactly one plain address: the display name has an @ outside quotes/,
  ],
  ['a quoted local part', ['From: "support@shield.example"@evil.example'], /^5\.7\.1 the From header must name exactly one plain address/],
  [
    'an encoded From address',
    ['From: =?utf-8?B?c3VwcG9ydEBzaGllbGQuZXhhbXBsZQ==?='],
    /^5\.7\.1 the From header must name exactly one plain address: it has no address/,
  ],
  [
    'an encoded display name spelling the store address',
    ['From: =?utf-8?B?c3VwcG9ydEBzaGllbGQuZXhhbXBsZQ==?= <x@evil.example>'],
    /^5\.7\.1 the sender is neither the buyer/,
  ],
  ['a folded From naming the attacker', ['From: Shield Store', ' <x@evil.example>'], /^5\.7\.1 the sender is neither the buyer/],
  [
    'a folded From naming the store, without its proof',
    ['From: Shield Store', ' <support@shield.example>'],
    /^5\.7\.26 DMARC fails for shield\.example \(policy reject\)/,
  ],
  [
    'a folded line that looks like a second From',
    ['From: <x@evil.example>', ' From: support@shield.example'],
    /^5\.7\.1 the From header must name exactly one plain address: there is text after the address/,
  ],
  [
    'a continuation first',
    [' From: support@shield.example', 'From: <x@evil.example>'],
    /^5\.7\.1 the header block is malformed: the first line is a continuation/,
  ],
  [
    'a whitespace-only line before a From',
    ['X-Pad: 1', '  ', 'From: <x@evil.example>'],
    /^5\.7\.1 the header block is malformed: a line holds only whitespace/,
  ],
  ['a source route', ['From: <@shield.example:x@evil.example>'], /^5\.7\.1 the From header must name exactly one plain address/],
  // Unicode whitespace inside <…>: mailauth's address parser drops it, a trim() in identify did too,
  // but our reading kept it in the address, so the two readings of one From differed.
  ...['\u00a0', '\u2028', '\u3000', '\ufeff'].map(
    (ws) =>
      [
        `a U+${ws.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} after the store's address inside <>`,
        [`From: Shield Store <support@shield.example${ws}>`],
        /^5\.7\.1 the From header must name exactly one plain address: the address contains whitespace/,
      ] as const,
  ),
  [
    'a no-break space before the address inside <>',
    ['From: Shield Store <\u00a0support@shield.example>'],
    /^5\.7\.1 the From header must name exactly one plain address: the address contains whitespace/,
  ],
  // Sender is read by the same reader as From (its address and name are hidden from the buyer).
  [
    'a Sender with group syntax',
    ['From: Shield Store <support@shield.example>', 'Sender: Staff: x@evil.example;'],
    /^5\.7\.1 the header block is malformed: the Sender field must name exactly one plain address: it uses group syntax/,
  ],
  [
    'a Sender with two addresses',
    ['From: Shield Store <support@shield.example>', 'Sender: support@shield.example, x@evil.example'],
    /^5\.7\.1 the header block is malformed: the Sender field must name exactly one plain address: it lists more than one address/,
  ],
  [
    'a Sender with a comment',
    ['From: Shield Store <support@shield.example>', 'Sender: x@evil.example (John Smith)'],
    /^5\.7\.1 the header block is malformed: the Sender field must name exactly one plain address: it contains a comment/,
  ],
];

describe('the spoofing golden table (over SMTP, from an enabled permitted sender of a p=reject domain)', () => {
  it.each(GOLDEN)('%s → refused, nothing stored or sent', async (_name, lines, expected) => {
    const before = await messageCount();
    const sunk = sunkTo('ann@mailbox.example');
    const message = await sign(withHeaders(lines), 'evil.example', evilKey.privateKey);
    // As UTF-8 bytes (RFC 6532): a string is sent as Latin-1 by the test client.
    const r = await send('support@shield.example', pair.address, Buffer.from(message, 'utf8'));
    expect(r.reply.code).toBe(550);
    expect(r.reply.text).toMatch(expected);
    expect(await messageCount()).toBe(before);
    expect(sunkTo('ann@mailbox.example')).toBe(sunk);
  });

  it('refuses a NUL and a bare CR in the header block', async () => {
    for (const header of ['X-A: a\u0000b', 'X-A: a\rFrom: <x@evil.example>']) {
      const message = withHeaders(['From: Shield Store <support@shield.example>', header]);
      const r = await send('support@shield.example', pair.address, message);
      expect(r.reply.code).toBe(550);
      expect(r.reply.text).toMatch(/^5\.7\.1 the header block is malformed: it contains a (NUL byte|bare CR)/);
    }
  });
});

describe('the header gate comes before sender authentication', () => {
  it('refuses a header block it cannot read without a single DNS lookup for SPF, DKIM or DMARC; a readable one is checked', async () => {
    const ofGate = () => asked.filter((n) => n === 'gate.example' || n.endsWith('.gate.example'));
    const refused = await send('x@gate.example', pair.address, withHeaders(['FROM : Gate <x@gate.example>']));
    expect(refused.reply.code).toBe(550);
    expect(refused.reply.text).toMatch(/^5\.7\.1 the header block is malformed/);
    expect(ofGate()).toEqual([]);
    // The same sender with a readable header block is authenticated (and refused as a stranger).
    const read = await send('x@gate.example', pair.address, withHeaders(['From: Gate <x@gate.example>']));
    expect(read.reply.code).toBe(550);
    expect(read.reply.text).not.toMatch(/header block/);
    expect(ofGate()).toContain('gate.example');
  });
});

describe('the writer is the authenticated From; the envelope sender is only where bounces go', () => {
  const storeMail = (lines: readonly string[] = []) =>
    withHeaders(['From: Shield Store <support@shield.example>', ...lines], `Order ${pair.number} has shipped.`);

  it.each([
    ['a helpdesk with its own return path', 'bounces+4711@helpdesk.example'],
    ['a Microsoft 365 tenant envelope', 'support@shieldstore.onmicrosoft.com'],
    ['a BATV/PRVS-tagged return path', 'prvs=0123456789=support@shield.example'],
  ])('delivers store mail sent through %s when DKIM of the store passes DMARC', async (_name, envelope) => {
    const sunk = sunkTo('ann@mailbox.example');
    const message = await sign(storeMail(), 'shield.example', shieldKey.privateKey);
    const r = await send(envelope, pair.address, message);
    expect(r.reply.code).toBe(250);
    const [stored] = (await h.api('GET', '/api/v1/messages?limit=1')).body.items;
    expect(stored.direction).toBe('store_to_buyer');
    expect(stored.findings.find((f: { rule: string }) => f.rule === 'sender-auth').result).toBe('pass');
    await h.sink!.waitFor(h.sink!.messages.length + (sunkTo('ann@mailbox.example') > sunk ? 0 : 1));
    const delivered = h.sink!.messages.filter((m) => m.to.includes('ann@mailbox.example')).pop()!;
    expect(delivered.raw.toString('latin1')).not.toMatch(/helpdesk\.example|onmicrosoft|prvs=/);
  });

  it('delivers the buyer forwarded with SRS, and the buyer writing from a +tagged address, to the store', async () => {
    for (const [envelope, from] of [
      ['SRS0=HHH=TT=mailbox.example=ann@forwarder.example', 'Ann Lee <ann@mailbox.example>'],
      ['ann+shop@mailbox.example', 'Ann Lee <Ann+Shop@mailbox.example>'],
    ] as const) {
      const message = await sign(
        withHeaders([`From: ${from}`], 'Where is my parcel?').replace(`Subject: Order ${pair.number}`, 'Subject: Parcel'),
        'mailbox.example',
        buyerKey.privateKey,
      );
      const r = await send(envelope, pair.address, message);
      expect(r.reply.code).toBe(250);
      const [stored] = (await h.api('GET', '/api/v1/messages?limit=1')).body.items;
      expect(stored.direction).toBe('buyer_to_store');
      expect(stored.suspicious).toBe(false);
    }
  });

  it("refuses the store's From sent through a helpdesk without the store's DKIM", async () => {
    const r = await send('bounces+4711@helpdesk.example', pair.address, storeMail());
    expect(r.stage).toBe('data');
    expect(r.reply.text).toMatch(/^5\.7\.26 DMARC fails for shield\.example \(policy reject\)/);
  });
});

describe('a DKIM signature proves only the bytes it covers', () => {
  it("refuses the store's signed message with text appended past its l= body length, though mailauth's DMARC passes", async () => {
    const body = `Order ${pair.number} has shipped.\r\n`;
    const original = withHeaders(['From: Shield Store <support@shield.example>'], body);
    const signatures = await dkimSignatures(original, [
      { signingDomain: 'shield.example', selector: 's1', privateKey: shieldKey.privateKey, maxBodyLength: body.length },
    ]);
    const tampered = `${signatures}${original}\r\nYour refund is waiting: https://evil.example/refund\r\n`;
    const before = await messageCount();
    const r = await send('bounces@helpdesk.example', pair.address, tampered);
    expect(r.reply.code).toBe(550);
    expect(r.reply.text).toMatch(/^5\.7\.26 the only DKIM signature of shield\.example covers part of the body \(l=; \d+ bytes unsigned\)/);
    expect(await messageCount()).toBe(before);
  });
});

describe('a DKIM signature proves only the header fields it covers', () => {
  // A verifier reads the last copy of a field signed once (RFC 6376 §5.4.2); mailparser reads the
  // first Content-Type and Content-Transfer-Encoding. A copy put on top of the store's signed
  // message therefore changed how the gateway read the body while DMARC still passed for the store.
  it.each([
    ['Content-Type', 'Content-Type: text/html; charset=utf-8'],
    ['Content-Transfer-Encoding', 'Content-Transfer-Encoding: base64'],
    ['MIME-Version', 'MIME-Version: 1.0'],
  ])("refuses the store's signed message with a second %s put on top, and stores nothing", async (name, extra) => {
    const original = withHeaders(
      ['From: Shield Store <support@shield.example>', 'Content-Transfer-Encoding: 7bit'],
      `Order ${pair.number} has shipped. <img src=https://evil.example/t.gif>`,
    );
    const signatures = await dkimSignatures(original, [{ signingDomain: 'shield.example', selector: 's1', privateKey: shieldKey.privateKey }]);
    const before = await messageCount();
    const r = await send('bounces@helpdesk.example', pair.address, `${extra}\r\n${signatures}${original}`);
    expect(r.reply.code).toBe(550);
    expect(r.reply.text).toMatch(new RegExp(`^5\\.7\\.1 the header block is malformed: the ${name.toLowerCase()} field appears more than once`));
    expect(await messageCount()).toBe(before);
  });
});

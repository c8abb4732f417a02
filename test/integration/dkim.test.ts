// Every message we send is DKIM-signed for the relay domain, last, on the exact bytes: the same
// library (mailauth) verifies the signature on what the sink received, with our published key.
import { simpleParser } from 'mailparser';
import { dkimVerify } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN, seedPair, startHarness, type Harness, publishedResolver } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeAll(async () => {
  // As a new install starts: the key generated on this first start, not the harness's per-file one,
  // and a work pool of the gateway's own signing with it.
  h = await startHarness({}, { fresh: true });
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
    const resolver = publishedResolver(records);

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

  it('signs bodies with c=relaxed/simple, and every kind of body we compose verifies at the receiver and reads back as masked: 7bit, quoted-printable, base64 and a message with an attachment', async () => {
    const records: { type: string; name: string; value: string }[] = (await h.api('GET', '/api/v1/dns')).body.records;
    const resolver = publishedResolver(records);
    h.sink!.answer = () => null;
    const before = h.sink!.messages.length;
    const { address } = await seedPair(h);
    const longLines = `${'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789 ok\r\n'.repeat(400)}Write to jane@buyer.example\r\n`;
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const bodies: [string, string, string][] = [
      ['7bit', 'text/plain; charset=us-ascii', longLines],
      ['quoted-printable', 'text/plain; charset=utf-8', 'Bonjour, voilà ma commande  \r\nJane (jane@buyer.example)\r\n'],
      ['base64', 'text/plain; charset=utf-8', '吾輩は猫である。名前はまだ無い。\r\njane@buyer.example\r\n'],
      [
        'attachment',
        'multipart/mixed; boundary="b1"',
        [
          '--b1',
          'Content-Type: text/plain; charset=us-ascii',
          '',
          'See the photo, jane@buyer.example',
          '--b1',
          'Content-Type: image/png; name="p.png"',
          'Content-Disposition: attachment; filename="p.png"',
          'Content-Transfer-Encoding: base64',
          '',
          png,
          '--b1--',
          '',
        ].join('\r\n'),
      ],
    ];
    const c = await SmtpClient.connect(h.gw.smtpPort);
    for (const [subject, contentType, body] of bodies) {
      const message = `From: Jane <jane@buyer.example>\r\nTo: ${address}\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\nContent-Type: ${contentType}\r\n\r\n${body}`;
      expect((await c.send('jane@buyer.example', [address], Buffer.from(message))).reply.code).toBe(250);
    }
    await c.quit();
    const arrived = (await h.sink!.waitFor(before + bodies.length)).slice(before);
    const bySubject = new Map<string, Buffer>();
    for (const m of arrived) bySubject.set((await simpleParser(m.raw)).subject ?? '', m.raw);
    for (const [subject] of bodies) {
      const raw = bySubject.get(subject)!;
      const signature = /^DKIM-Signature:[^]*?\r\n(?! )/m.exec(raw.toString('latin1'))?.[0] ?? '';
      expect(signature.replace(/\r\n /g, '')).toMatch(/\bc=relaxed\/simple;/);
      const result = await dkimVerify(raw, { resolver });
      expect([subject, result.results.map((r) => r.status.result)]).toEqual([subject, ['pass']]);
      const parsed = await simpleParser(raw);
      // The writer's address reached the store as the alias, and nothing else of the text changed.
      expect(parsed.text).not.toContain('jane@buyer.example');
    }
    const encodingOf = (subject: string) => /^Content-Transfer-Encoding: ([\w-]+)/im.exec(bySubject.get(subject)!.toString('latin1'))?.[1];
    expect(['7bit', 'quoted-printable', 'base64'].map(encodingOf)).toEqual(['7bit', 'quoted-printable', 'base64']);
    expect((await simpleParser(bySubject.get('7bit')!)).text).toBe(longLines.replace(/\r\n/g, '\n').replace('jane@buyer.example', address));
    expect((await simpleParser(bySubject.get('quoted-printable')!)).text).toBe(`Bonjour, voilà ma commande  \nJane (${address})\n`);
    const withAttachment = await simpleParser(bySubject.get('attachment')!);
    expect(withAttachment.attachments.map((a) => [a.filename, a.content.toString('base64')])).toEqual([['p.png', png]]);
  });
});

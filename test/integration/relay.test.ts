// The relay over real sockets: a real SMTP client talks to the real gateway, which delivers to a
// real SMTP sink acting as the smarthost.
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DOMAIN, seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function messageCount(): Promise<number> {
  const res = await h.api('GET', '/api/v1/messages?limit=500');
  return res.body.items.length;
}

async function waitForOutbox(id: number, status: string, timeoutMs = 10_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await h.api('GET', `/api/v1/outbox/${id}`);
    if (res.body.status === status) return res.body;
    if (Date.now() > deadline) throw new Error(`outbox ${id} is ${JSON.stringify(res.body)}, expected ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('buyer → store', () => {
  it('forwards to the store mailbox from the alias, with the buyer address nowhere in the delivered bytes', async () => {
    const { address } = await seedPair(h);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: h.gw.smtpPort, secure: false, ignoreTLS: true });
    const info = await transport.sendMail({
      from: '"Jane Doe" <jane@buyer.example>',
      to: address,
      subject: 'Where is my kettle? (jane@buyer.example)',
      text: 'Hello, my order has not arrived.\n\nJane\njane@buyer.example\n\n> On Mon, Jane Doe <JANE@buyer.example> wrote:\n> earlier text',
      html: '<p>Hello, my order has not arrived.</p><p>Write to <a href="mailto:jane@buyer.example">jane&#64;buyer.example</a></p><blockquote>Jane Doe &lt;jane@buyer.example&gt; wrote:</blockquote>',
      headers: { 'X-Mailer': 'Buyer Mail 1.0', 'User-Agent': 'BuyerAgent/2' },
    });
    transport.close();
    expect(info.response).toMatch(/^250 /);
    const [m] = await h.sink!.waitFor(1);
    const raw = m!.raw.toString('utf8');
    expect(raw.toLowerCase()).not.toContain('jane@buyer.example');
    expect(raw).not.toContain('jane&#64;buyer.example');
    expect(raw).not.toMatch(/Buyer Mail|BuyerAgent/);
    expect(m!.to).toEqual(['support@acme.example']);
    // The envelope sender is a signed bounce address on the relay domain, never a real address.
    expect(m!.from).toMatch(/^bnc-[0-9a-z]+-[0-9a-z]+-[a-z2-7]{20}@relay\.localhost$/);
    const parsed = await simpleParser(m!.raw);
    expect(parsed.from?.value[0]).toEqual({ name: 'Jane Doe', address });
    expect(parsed.replyTo?.value[0]?.address).toBe(address);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.address : null).toBe('support@acme.example');
    expect(parsed.messageId).toMatch(new RegExp(`@${DOMAIN.replace('.', '\\.')}>$`));
    expect(parsed.text).toContain(`Jane Doe <${address}> wrote:`);
    expect(parsed.subject).toBe(`Where is my kettle? (${address})`);
    // The delivery is recorded in the next batched commit (within 50 ms of the sink's answer).
    await expect.poll(async () => (await h.api('GET', `/api/v1/messages?alias=${address.split('@')[0]}`)).body.items[0]?.status).toBe('sent');
    const stored = await h.api('GET', `/api/v1/messages?alias=${address.split('@')[0]}`);
    expect(stored.body.items).toHaveLength(1);
    expect(stored.body.items[0]).toMatchObject({ direction: 'buyer_to_store', verdict: 'accept', status: 'sent' });
    expect(stored.body.items[0].changes.map((c: { rule: string }) => c.rule)).toEqual(expect.arrayContaining(['mask.from', 'headers.removed', 'mask.address']));
  });

  it('turns an unknown sender writing to the store contact address into a visitor with a new pair', async () => {
    await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const r = await c.send(
      'visitor@elsewhere.example',
      [`acme@${DOMAIN}`],
      buildMessage({
        from: 'Vic Visitor <visitor@elsewhere.example>',
        to: `acme@${DOMAIN}`,
        subject: 'Do you ship to Malta?',
        body: 'Thanks, visitor@elsewhere.example',
      }),
    );
    await c.quit();
    expect(r.reply.code).toBe(250);
    const [m] = await h.sink!.waitFor(1);
    const parsed = await simpleParser(m!.raw);
    const alias = parsed.from?.value[0]?.address ?? '';
    expect(alias).toMatch(new RegExp(`^[a-z2-7]{20}@${DOMAIN}$`));
    expect(parsed.from?.value[0]?.name).toBe('Vic Visitor');
    expect(m!.raw.toString()).not.toContain('visitor@elsewhere.example');
    const pair = await h.api('GET', `/api/v1/pairs/${alias}`);
    expect(pair.body.buyer).toMatchObject({ kind: 'visitor', email: 'visitor@elsewhere.example' });
  });
});

const OUTLOOK_REPLY = (address: string, orderNumber: string) =>
  [
    'Received: from DB9PR01MB1234.eurprd01.prod.exchangelabs.com (2603:10a6:10:1::1) by mail.acme.example',
    'Received: from [192.168.7.23] (unknown [203.0.113.77]) by smtp.acme.example',
    'DKIM-Signature: v=1; a=rsa-sha256; d=acme.example; s=sel; b=abc',
    'ARC-Seal: i=1; a=rsa-sha256; cv=none; d=acme.example; b=xyz',
    'From: John Smith <john@acme.example>',
    'Sender: John Smith <john@acme.example>',
    `To: Jane Doe <${address}>`,
    'Cc: boss@acme.example',
    `Subject: RE: Where is my kettle? (order ${orderNumber})`,
    `Date: ${new Date().toUTCString()}`,
    '<outlook-1@DB9PR01MB1234.eurprd01.prod.outlook.com>'.replace(/^/, 'Message-ID: '),
    'X-Originating-IP: [203.0.113.77]',
    'X-MS-Exchange-Organization-AuthAs: Internal',
    'X-MS-Has-Attach: no',
    'X-Mailer: Microsoft Outlook 16.0',
    'User-Agent: Microsoft-MacOutlook/16.80',
    'Thread-Index: AQHZ1234567890',
    'Disposition-Notification-To: John Smith <john@acme.example>',
    'Return-Receipt-To: john@acme.example',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hi Jane, it ships tomorrow.',
    '',
    'John Smith | Acme Store | john@acme.example | +1 555 0100',
    '',
    '-----Original Message-----',
    `From: Jane Doe <${address}>`,
    'Sent: Monday, November 23, 2026 9:00 AM',
    'To: John Smith <john@acme.example>',
    'Subject: Where is my kettle?',
  ].join('\r\n');

describe('store → buyer', () => {
  it('delivers a staff reply to the buyer with no trace of the staff address, name, IP or client', async () => {
    const { address, storeId, number } = await seedPair(h);
    const added = await h.api('POST', `/api/v1/stores/${storeId}/permitted-senders`, { email: 'john@acme.example', status: 'enabled' });
    expect(added.status).toBe(201);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const r = await c.send('john@acme.example', [address], OUTLOOK_REPLY(address, number));
    await c.quit();
    expect(r.reply.code).toBe(250);
    const [m] = await h.sink!.waitFor(1);
    expect(m!.to).toEqual(['jane@buyer.example']);
    const raw = m!.raw.toString('utf8');
    for (const leak of [
      'john@acme.example',
      'John Smith',
      '203.0.113.77',
      '192.168.7.23',
      'Outlook',
      'exchangelabs',
      'd=acme.example', // the staff's own DKIM signature (ours is for the relay domain)
      'ARC-Seal',
      'Thread-Index',
      'boss@acme.example',
      'Disposition-Notification-To',
      'Sender:',
      'Received:',
      'X-MS-',
    ]) {
      expect(raw, `delivered bytes contain ${leak}`).not.toContain(leak);
    }
    const parsed = await simpleParser(m!.raw);
    expect(parsed.from?.value[0]).toEqual({ name: 'Acme Store', address });
    expect(parsed.replyTo?.value[0]?.address).toBe(address);
    expect(parsed.text).toContain(`Acme Store | Acme Store | ${address} | +1 555 0100`);
    expect(parsed.text).toContain(`To: Acme Store <${address}>`);
    expect(parsed.text).toContain('it ships tomorrow');
  });

  it('refuses a blocked permitted sender with 550 5.7.1 and a sentence after DATA (the From decides), and stores nothing', async () => {
    const { address, storeId } = await seedPair(h);
    await h.api('POST', `/api/v1/stores/${storeId}/permitted-senders`, { email: 'temp@acme.example', status: 'blocked' });
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const r = await c.send('temp@acme.example', [address], buildMessage({ from: 'temp@acme.example', to: address, subject: 'hi', body: 'x' }));
    await c.quit();
    expect(r.stage).toBe('data');
    expect(r.reply.code).toBe(550);
    expect(r.reply.text).toMatch(/^5\.7\.1 the sender is blocked from writing as Acme Store/);
    expect(await messageCount()).toBe(0);
  });

  it('refuses a sender that was blocked after RCPT when the DATA ends', async () => {
    const { address, storeId } = await seedPair(h);
    const added = await h.api('POST', `/api/v1/stores/${storeId}/permitted-senders`, { email: 'temp@acme.example', status: 'enabled' });
    const c = await SmtpClient.connect(h.gw.smtpPort);
    expect((await c.command('MAIL FROM:<temp@acme.example>')).code).toBe(250);
    expect((await c.command(`RCPT TO:<${address}>`)).code).toBe(250);
    await h.api('PATCH', `/api/v1/permitted-senders/${added.body.id}`, { status: 'blocked' });
    const r = await c.data(buildMessage({ from: 'temp@acme.example', to: address, subject: 'hi', body: 'x' }));
    await c.quit();
    expect(r.code).toBe(550);
    expect(r.text).toMatch(/^5\.7\.1 /);
    expect(await messageCount()).toBe(0);
  });

  it("refuses the store's From sent with a buyer's envelope: the From is the writer, and nothing proves it", async () => {
    const { address } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const r = await c.send('jane@buyer.example', [address], buildMessage({ from: 'support@acme.example', to: address, subject: 'spoof', body: 'x' }));
    await c.quit();
    expect(r.reply.code).toBe(550);
    expect(r.reply.text).toMatch(/^5\.7\.26 acme\.example publishes no DMARC record and neither SPF nor DKIM passes aligned with it/);
    expect(await messageCount()).toBe(0);
  });
});

describe('SMTP basics', () => {
  it.each([
    ['anyone to an unknown alias', 'jane@buyer.example', `aaaaaaaaaaaaaaaaaaaa@${DOMAIN}`, 550, /^5\.1\.1 /],
    ['anyone to a foreign domain (relay attempt)', 'jane@buyer.example', 'victim@gmail.example', 550, /^5\.7\.1 relaying denied/],
    ['a percent hack', 'jane@buyer.example', `victim%gmail.example@${DOMAIN}`, 553, /^5\.1\.3 /],
    ['a null sender to an alias', '', 'ALIAS', 550, /^5\.7\.1 bounces are not accepted/],
    ['mail from the relay domain itself', `someone@${DOMAIN}`, 'ALIAS', 550, /^5\.4\.6 /],
  ])('refuses %s at RCPT and stores nothing', async (_name, from, to, code, text) => {
    const { address } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const r = await c.send(from, [to === 'ALIAS' ? address : to], buildMessage({ from: from || 'x@y.example', to: 'x', subject: 's', body: 'b' }));
    await c.quit();
    expect(r.stage).toBe('rcpt');
    expect(r.reply.code).toBe(code);
    expect(r.reply.text).toMatch(text);
    expect(await messageCount()).toBe(0);
  });

  it('refuses a stranger writing to an alias after DATA (the From decides who writes) and stores nothing', async () => {
    const { address } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const r = await c.send('mallory@evil.example', [address], buildMessage({ from: 'mallory@evil.example', to: address, subject: 's', body: 'b' }));
    await c.quit();
    expect(r.stage).toBe('data');
    expect(r.reply.code).toBe(550);
    expect(r.reply.text).toMatch(/^5\.7\.1 the sender is neither the buyer/);
    expect(await messageCount()).toBe(0);
  });

  it('refuses an oversized message with 552 after the final dot and stores nothing', async () => {
    await h.close();
    h = await startHarness({ smtp: { port: 0, host: '127.0.0.1', maxMessageBytes: 20_000 } });
    const { address } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    expect(c.greeting.code).toBe(220);
    const ehlo = await c.command('EHLO again.example');
    expect(ehlo.lines.some((l) => /SIZE 20000/.test(l))).toBe(true);
    const big = buildMessage({ from: 'jane@buyer.example', to: address, subject: 'big', body: 'x'.repeat(30_000) });
    const r = await c.send('jane@buyer.example', [address], big);
    expect(r.stage).toBe('data');
    expect(r.reply.code).toBe(552);
    expect(r.reply.text).toMatch(/^5\.3\.4 message is \d+ bytes; this relay accepts at most 20000/);
    // The session goes on: a normal message after the refusal is accepted.
    const ok = await c.send('jane@buyer.example', [address], buildMessage({ from: 'jane@buyer.example', to: address, subject: 'small', body: 'ok' }));
    await c.quit();
    expect(ok.reply.code).toBe(250);
    expect(await messageCount()).toBe(1);
  });

  it('refuses a declared SIZE over the limit at MAIL FROM', async () => {
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const r = await c.command('MAIL FROM:<jane@buyer.example> SIZE=999999999');
    await c.quit();
    expect(r.code).toBe(552);
  });
});

describe('threading', () => {
  it('keeps one conversation on both sides across three replies', async () => {
    const { address, storeId } = await seedPair(h);
    await h.api('POST', `/api/v1/stores/${storeId}/permitted-senders`, { email: 'john@acme.example', status: 'enabled' });
    const c = await SmtpClient.connect(h.gw.smtpPort);
    // 1. buyer writes
    const b1 = '<b1@buyer.example>';
    expect(
      (await c.send('jane@buyer.example', [address], buildMessage({ from: 'jane@buyer.example', to: address, subject: 'Q', body: '1', messageId: b1 }))).reply
        .code,
    ).toBe(250);
    const [m1] = await h.sink!.waitFor(1);
    const r1 = (await simpleParser(m1!.raw)).messageId!;
    // 2. store replies to what it received (r1)
    const s1 = '<s1@acme.example>';
    expect(
      (
        await c.send(
          'john@acme.example',
          [address],
          buildMessage({ from: 'john@acme.example', to: address, subject: 'RE: Q', body: '2', messageId: s1, inReplyTo: r1, references: r1 }),
        )
      ).reply.code,
    ).toBe(250);
    const m2 = (await h.sink!.waitFor(2))[1]!;
    const p2 = await simpleParser(m2.raw);
    expect(p2.inReplyTo).toBe(b1); // the buyer sees a reply to their own message
    const r2 = p2.messageId!;
    // 3. buyer replies to r2, referencing the whole chain as their client knows it
    const b2 = '<b2@buyer.example>';
    expect(
      (
        await c.send(
          'jane@buyer.example',
          [address],
          buildMessage({
            from: 'jane@buyer.example',
            to: address,
            subject: 'RE: RE: Q',
            body: '3',
            messageId: b2,
            inReplyTo: r2,
            references: `${b1} ${r2} <foreign@somewhere.example>`,
          }),
        )
      ).reply.code,
    ).toBe(250);
    const p3 = await simpleParser((await h.sink!.waitFor(3))[2]!.raw);
    expect(p3.inReplyTo).toBe(s1); // the store sees a reply to its own message
    expect(p3.references).toEqual([r1, s1]); // as the store knows the chain; the foreign id is dropped
    const r3 = p3.messageId!;
    // 4. store answers again
    expect(
      (
        await c.send(
          'john@acme.example',
          [address],
          buildMessage({
            from: 'john@acme.example',
            to: address,
            subject: 'RE: Q',
            body: '4',
            messageId: '<s2@acme.example>',
            inReplyTo: r3,
            references: `${r1} ${s1} ${r3}`,
          }),
        )
      ).reply.code,
    ).toBe(250);
    const p4 = await simpleParser((await h.sink!.waitFor(4))[3]!.raw);
    await c.quit();
    expect(p4.inReplyTo).toBe(b2);
    expect(p4.references).toEqual([b1, r2, b2]);
  });

  it('never threads into another buyer’s conversation', async () => {
    const one = await seedPair(h, { buyerEmail: 'one@buyer.example' });
    const two = await seedPair(h, { buyerEmail: 'two@buyer.example' });
    const c = await SmtpClient.connect(h.gw.smtpPort);
    await c.send(
      'one@buyer.example',
      [one.address],
      buildMessage({ from: 'one@buyer.example', to: one.address, subject: 'a', body: 'a', messageId: '<x1@buyer.example>' }),
    );
    const r1 = (await simpleParser((await h.sink!.waitFor(1))[0]!.raw)).messageId!;
    // Staff reply on buyer two's alias quoting buyer one's message id.
    // It is no reply to buyer two, so it names buyer two's order, as a proactive message must.
    const sent = await c.send(
      'support@acme.example',
      [two.address],
      buildMessage({ from: 'support@acme.example', to: two.address, subject: `order ${two.number}`, body: 'b', inReplyTo: r1, references: r1 }),
    );
    expect(sent.reply.code).toBe(250);
    const p = await simpleParser((await h.sink!.waitFor(2))[1]!.raw);
    await c.quit();
    expect(p.inReplyTo).toBeUndefined();
    expect(p.references).toBeUndefined();
  });
});

describe('delivery', () => {
  it('retries after a 4xx from the smarthost and delivers once on the next 250', async () => {
    h.sink!.answer = (_raw, attempt) => (attempt === 1 ? { code: 451, message: '4.3.2 try again later' } : null);
    const { address } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const r = await c.send('jane@buyer.example', [address], buildMessage({ from: 'jane@buyer.example', to: address, subject: 'retry me', body: 'x' }));
    await c.quit();
    expect(r.reply.code).toBe(250);
    await h.sink!.waitFor(1);
    const msg = (await h.api('GET', '/api/v1/messages')).body.items[0];
    const row = await waitForOutbox(msg.outboxIds[0], 'sent');
    expect(row.attempts).toBe(2);
    expect(h.sink!.messages).toHaveLength(1);
    expect(h.sink!.attempts).toBe(2);
  });

  it('marks a 5xx failed and sends the author a masked notice from <>', async () => {
    h.sink!.answer = (_raw, _attempt, to) =>
      to.includes('support@acme.example') ? { code: 550, message: '5.1.1 <support@acme.example>: mailbox unavailable' } : null;
    const { address } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    await c.send('jane@buyer.example', [address], buildMessage({ from: 'jane@buyer.example', to: address, subject: 'doomed', body: 'x' }));
    await c.quit();
    const [notice] = await h.sink!.waitFor(1);
    expect(notice!.from).toBe('');
    expect(notice!.to).toEqual(['jane@buyer.example']);
    const parsed = await simpleParser(notice!.raw);
    expect(parsed.subject).toBe('Undeliverable: doomed');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.text).toContain(`Acme Store <${address}>`);
    expect(notice!.raw.toString()).not.toContain('support@acme.example');
    const failed = await h.api('GET', '/api/v1/outbox?status=failed');
    expect(failed.body.items).toHaveLength(1);
    expect(failed.body.items[0].lastError).toMatch(/550/);
    // The notice is never followed by a notice about itself.
    expect((await h.api('GET', '/api/v1/outbox')).body.items).toHaveLength(2);
  });

  it('captures outbound mail when no smarthost is configured, readable as message/rfc822', async () => {
    await h.close();
    h = await startHarness({}, { sink: false });
    const { address } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    await c.send('jane@buyer.example', [address], buildMessage({ from: 'jane@buyer.example', to: address, subject: 'captured', body: 'hello' }));
    await c.quit();
    const msg = (await h.api('GET', '/api/v1/messages')).body.items[0];
    await waitForOutbox(msg.outboxIds[0], 'captured');
    const res = await fetch(`http://127.0.0.1:${h.gw.httpPort}/api/v1/outbox/${msg.outboxIds[0]}/raw`, {
      headers: { authorization: 'Bearer test-token-0123456789abcdefghij' },
    });
    expect(res.headers.get('content-type')).toBe('message/rfc822');
    const parsed = await simpleParser(Buffer.from(await res.arrayBuffer()));
    expect(parsed.subject).toBe('captured');
    expect(parsed.from?.value[0]?.address).toBe(address);
  });
});

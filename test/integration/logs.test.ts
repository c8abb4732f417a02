// Logs at info level name aliases, ids and domains, never a real buyer or staff address, and use
// the stable event names of docs/events.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const lines: string[] = [];
let h: Harness;
beforeAll(async () => {
  h = await startHarness({}, { logLines: lines });
});
afterAll(async () => {
  await h.close();
});

describe('logs', () => {
  it('carry no real address through accept, reject, defer and failure', async () => {
    const { address } = await seedPair(h);
    let n = 0;
    h.sink!.answer = () =>
      ++n === 1
        ? { code: 451, message: '4.2.0 <support@acme.example> busy' }
        : { code: 550, message: '5.1.1 <support@acme.example> unknown; also jane@buyer.example' };
    const c = await SmtpClient.connect(h.gw.smtpPort);
    expect(
      (
        await c.send(
          'jane@buyer.example',
          [address],
          buildMessage({ from: 'Jane Doe <jane@buyer.example>', to: address, subject: 'hi', body: 'jane@buyer.example' }),
        )
      ).reply.code,
    ).toBe(250);
    expect(
      (await c.send('mallory@evil.example', [address], buildMessage({ from: 'mallory@evil.example', to: address, subject: 'x', body: 'x' }))).reply.code,
    ).toBe(550);
    await c.quit();
    const deadline = Date.now() + 10_000;
    while (!lines.some((l) => l.includes('"queue.failed"')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const events = lines.map((l) => (JSON.parse(l) as { event?: string }).event);
    expect(events).toEqual(expect.arrayContaining(['gateway.listening', 'smtp.accept', 'smtp.reject', 'queue.defer', 'queue.failed']));
    const text = lines.join('\n');
    for (const secret of ['jane@buyer.example', 'support@acme.example', 'mallory@evil.example', 'test-token-0123456789abcdefghij']) {
      expect(text, secret).not.toContain(secret);
    }
    expect(text).toContain('evil.example'); // the domain is enough to investigate
  });
});

describe('a refusal sentence that quotes the message', () => {
  it('names no real address in the smtp.reject line or in the message.refused event, while the sender is told in full', async () => {
    const pair = await seedPair(h, { slug: 'filer', mailbox: 'desk@filer.example', buyerEmail: 'ann.real@buyer.example' });
    const boundary = 'b-1';
    const message = [
      'From: Filer <desk@filer.example>',
      `To: ${pair.address}`,
      `Subject: Order ${pair.number}: your invoice`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Your invoice for order ${pair.number} is attached.`,
      `--${boundary}`,
      'Content-Type: application/octet-stream',
      // A file named after the buyer, as a shop system names invoices.
      'Content-Disposition: attachment; filename="invoice-ann.real@buyer.example.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0]).toString('base64'),
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const r = await c.send('desk@filer.example', [pair.address], message);
    await c.quit();
    expect(r.reply.code).toBe(550);
    expect(r.reply.text).toContain('invoice-ann.real@buyer.example.bin'); // the sender may read their own file name
    const rejects = lines.filter((l) => l.includes('"smtp.reject"') && l.includes('ATTACHMENT_REFUSED'));
    expect(rejects.length).toBe(1);
    expect(rejects.join('\n')).not.toContain('ann.real@buyer.example');
    expect(rejects.join('\n')).toContain('buyer.example');
    const refused = (await h.api('GET', '/api/v1/events?type=message.refused&limit=100')).body.items as { data: { code: string; reason: string } }[];
    const event = refused.find((e) => e.data.code === 'ATTACHMENT_REFUSED');
    expect(event?.data.reason).toMatch(/refused/);
    expect(JSON.stringify(event)).not.toContain('ann.real@buyer.example');
  });
});

describe('a request the HTTP side cannot read', () => {
  it('is logged without the address its path carries', async () => {
    const res = await h.api('DELETE', '/api/v1/buyers/%ZZann.path@buyer.example');
    expect(res.status).toBeLessThan(500);
    const text = lines.join('\n');
    expect(text).not.toContain('ann.path@buyer.example');
  });
});

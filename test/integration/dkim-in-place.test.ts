// Round 8 composes a message of 64 KiB or more straight into the buffer a pool thread moves to the
// SMTP thread and signs it there (relay/work.ts composeInPlace). Whatever its size or kind, what the
// receiver gets must verify with our key, carry no buyer address, and be exactly the bytes stored.
import { dkimVerify } from 'mailauth';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness, publishedResolver } from '../helpers/gateway.js';
import { SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\r\n';

describe('messages composed and signed in place', () => {
  it('verify, are masked and are stored as sent, around and above 64 KiB, with attachments, 8bit text and no final line end', async () => {
    const records: { type: string; name: string; value: string }[] = (await h.api('GET', '/api/v1/dns')).body.records;
    const resolver = publishedResolver(records);
    h.sink!.answer = () => null;
    const before = h.sink!.messages.length;
    const { address } = await seedPair(h, { buyerName: 'Jane Doe' });
    const head = (subject: string, type: string) =>
      `From: "Jane Doe ${'x'.repeat(300)}" <jane@buyer.example>\r\nTo: ${address}\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\nContent-Type: ${type}\r\n`;
    const text = (n: number) => `${line.repeat(n)}Jane Doe, jane@buyer.example`;
    const bin = Buffer.alloc(90_000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const bodies: [string, string][] = [
      ['small', `${head('small', 'text/plain')}\r\n${text(3)}`],
      ...[800, 820, 830, 840, 3000].map((n): [string, string] => [`text ${n}`, `${head(`text ${n}`, 'text/plain; charset=us-ascii')}\r\n${text(n)}\r\n`]),
      [
        '8bit',
        `${head('8bit', 'text/plain; charset=utf-8')}Content-Transfer-Encoding: 8bit\r\n\r\n${`Grüße aus München ${line}`.repeat(1500)}Jane Doe jane@buyer.example`,
      ],
      [
        'attachment',
        `${head('attachment', 'multipart/mixed; boundary=b1')}\r\n--b1\r\nContent-Type: text/plain\r\n\r\n${text(10)}\r\n--b1\r\nContent-Type: application/octet-stream; name=a.bin\r\nContent-Disposition: attachment; filename=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${bin}\r\n--b1--\r\n`,
      ],
    ];
    const c = await SmtpClient.connect(h.gw.smtpPort);
    for (const [subject, message] of bodies)
      expect([subject, (await c.send('jane@buyer.example', [address], Buffer.from(message))).reply.code]).toEqual([subject, 250]);
    await c.quit();
    const arrived = (await h.sink!.waitFor(before + bodies.length, 60_000)).slice(before);
    await expect
      .poll(async () => (await h.api('GET', '/api/v1/outbox?status=sent&limit=100')).body.items.length, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(bodies.length);
    const items: { id: number }[] = (await h.api('GET', '/api/v1/outbox?status=sent&limit=100')).body.items;
    const stored = new Map<string, Buffer>();
    for (const item of items) {
      const raw = Buffer.from((await h.api('GET', `/api/v1/outbox/${item.id}/raw`)).body as string);
      stored.set((await simpleParser(raw)).subject ?? '', raw);
    }
    const sizes: number[] = [];
    for (const m of arrived) {
      const parsed = await simpleParser(m.raw);
      const subject = parsed.subject ?? '';
      sizes.push(m.raw.length);
      const result = await dkimVerify(m.raw, { resolver });
      expect([subject, result.results.map((r) => r.status.result)]).toEqual([subject, ['pass']]);
      expect([subject, m.raw.toString('latin1').includes('jane@buyer.example')]).toEqual([subject, false]);
      expect([subject, stored.get(subject)?.equals(m.raw)]).toEqual([subject, true]);
    }
    // Both sides of IN_PLACE_FROM were sent.
    expect(sizes.some((s) => s < 64 * 1024)).toBe(true);
    expect(sizes.some((s) => s > 64 * 1024)).toBe(true);
  }, 120_000);
});

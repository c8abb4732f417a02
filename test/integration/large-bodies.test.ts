// Cost flat in size: no step may be quadratic in the number of lines or in the length of one line.
// A body of 100 000 short lines and a body that is one 10 MB line are both accepted and delivered,
// whole and masked: the writer's address, written at the start, in the middle and at the end, reaches
// the store as the alias, and every other character as sent. (Not timed: `npm run bench` measures
// speed; a quadratic step would make these time out.)
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.close());

function decodedBody(raw: string): string {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  if (/^Content-Transfer-Encoding: base64/im.test(head as string)) return Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('latin1');
  if (/^Content-Transfer-Encoding: quoted-printable/im.test(head as string))
    return body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, x: string) => String.fromCharCode(parseInt(x, 16)));
  return body;
}

describe('large bodies', () => {
  const WRITER = 'jane@buyer.example';
  it.each([
    [
      '100 000 lines',
      `${Array.from({ length: 100_000 }, (_, i) => (i % 25_000 === 0 || i === 99_999 ? `line ${i}: write to ${WRITER} please` : `line ${i} of a very long letter`)).join('\r\n')}\r\n`,
    ],
    ['one line of 10 MB', `${WRITER} ${'abcdefghij'.repeat(500_000)} ${WRITER} ${'abcdefghij'.repeat(500_000)} ${WRITER}\r\n`],
  ])(
    'accepts and delivers a body of %s whole, with the writer masked',
    async (label, body) => {
      const { address } = await seedPair(h);
      const c = await SmtpClient.connect(h.gw.smtpPort);
      const message = `From: Jane <jane@buyer.example>\r\nTo: ${address}\r\nSubject: ${label}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${body}`;
      const r = await c.send('jane@buyer.example', [address], message);
      await c.quit();
      expect(r.reply.code).toBe(250);
      const [arrived] = await h.sink!.waitFor(1, 120_000);
      const raw = arrived!.raw.toString('latin1');
      expect(raw).toMatch(new RegExp(`^Subject: ${label}\\r?$`, 'm'));
      const delivered = decodedBody(raw).replace(/\r\n/g, '\n').trim();
      expect(delivered).not.toContain(WRITER);
      const written = body.split(WRITER).length - 1;
      expect(delivered.split(address).length - 1).toBe(written);
      expect(delivered.split(address).join(WRITER)).toBe(body.replace(/\r\n/g, '\n').trim());
    },
    240_000,
  );
});

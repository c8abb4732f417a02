// Cost flat in size: no step may be quadratic in the number of lines or in the length of one line.
// A body of 100 000 short lines and a body that is one 10 MB line are both accepted and delivered,
// whole. (Not timed: `npm run bench` measures speed; a quadratic step would make these time out.)
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
  it.each([
    ['100 000 lines', `${Array.from({ length: 100_000 }, (_, i) => `line ${i} of a very long letter`).join('\r\n')}\r\n`],
    ['one line of 10 MB', `${'abcdefghij'.repeat(1_000_000)}\r\n`],
  ])(
    'accepts and delivers a body of %s whole',
    async (label, body) => {
      const { address } = await seedPair(h);
      const c = await SmtpClient.connect(h.gw.smtpPort);
      const message = `From: Jane <jane@buyer.example>\r\nTo: ${address}\r\nSubject: ${label}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${body}`;
      const r = await c.send('jane@buyer.example', [address], message);
      await c.quit();
      expect(r.reply.code).toBe(250);
      const [delivered] = await h.sink!.waitFor(1, 120_000);
      const raw = delivered!.raw.toString('latin1');
      expect(raw).toMatch(new RegExp(`^Subject: ${label}\\r?$`, 'm'));
      expect(decodedBody(raw).replace(/\r\n/g, '\n').trim()).toBe(body.replace(/\r\n/g, '\n').trim());
    },
    240_000,
  );
});

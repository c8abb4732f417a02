// Text shown reversed: a right-to-left override (U+202E, or HTML's <bdo dir="rtl">) shows the
// characters after it right to left, so `elpmaxe.reyub @ rebew.anna` written under one shows as
// `anna.weber @ buyer.example`, and `htimS nhoJ` as `John Smith`. The writer's address and a
// staff member's name written so must arrive masked (buyer → store and staff → buyer), and
// another address written so removed.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { alternativeMail, startMaskingPair } from '../helpers/tagged-send.js';
import { SmtpClient } from '../helpers/smtp-client.js';
import { BUYER, STAFF } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair({ staff: true })));
afterAll(() => h.close());

const reversed = (s: string) => [...s].reverse().join('');
const RLO = '\u202e';
const PDF = '\u202c';

/** What a reader sees of a text: each override's run (to its PDF or the line's end) shown reversed. */
function shown(text: string): string {
  return text.replace(/\u202e([^\u202c\n]*)\u202c?/g, (_, run: string) => reversed(run)).toLowerCase();
}

describe('an address or name written reversed under a right-to-left override', () => {
  it('arrives masked in the text part and the HTML part', async () => {
    h.sink!.answer = () => null;
    const before = h.sink!.messages.length;
    const cases = [
      { from: BUYER, secret: 'anna.weber @ buyer.example', run: reversed('anna.weber @ buyer.example') },
      { from: BUYER, secret: 'anna.weber@ buyer.example', run: reversed('anna.weber@ buyer.example') },
      { from: BUYER, secret: 'anna.private @ othermail.example', run: reversed('anna.private @ othermail.example') },
      { from: STAFF, secret: 'john smith', run: reversed('John Smith') },
      { from: STAFF, secret: 'smith, john', run: reversed('Smith, John') },
    ];
    const c = await SmtpClient.connect(h.gw.smtpPort);
    try {
      for (const [k, x] of cases.entries()) {
        const text = `About order A-1001: write to ${RLO}${x.run}${PDF} please.\r\n`;
        const html = `<p>About order A-1001: write to <bdo dir="rtl">${x.run}</bdo> please.</p>`;
        expect(shown(text).replace(/\s+/g, ' ')).toContain(x.secret);
        expect((await c.send(x.from.address, [alias], alternativeMail(alias, `A-1001 v${k}`, text, html, x.from))).reply.code).toBe(250);
      }
    } finally {
      await c.quit();
    }
    const arrived = (await h.sink!.waitFor(before + cases.length, 60_000)).slice(before);
    const problems: unknown[] = [];
    for (const m of arrived) {
      const p = await simpleParser(m.raw);
      const k = Number(/v([0-9]+)/.exec(p.subject ?? '')?.[1]);
      const x = cases[k]!;
      const text = shown(p.text ?? '').replace(/\s+/g, ' ');
      // The HTML as shown: each <bdo dir="rtl"> run reversed, tags dropped.
      const html = String(p.html)
        .replace(/<bdo dir="rtl">([^<]*)<\/bdo>/g, (_, run: string) => reversed(run))
        .replace(/<[^>]*>/g, '')
        .toLowerCase()
        .replace(/\s+/g, ' ');
      if (text.includes(x.secret)) problems.push([k, 'text', text]);
      if (html.includes(x.secret)) problems.push([k, 'html', html]);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

// A staff member's full name broken over a quoted reply's line break: a client that quotes a
// message again re-wraps its long lines and puts `> ` after each break, so the attribution line
// `On Mon, 30 Nov 2026 at 10:00, John Smith <…> wrote:` or a signature reads `John⏎> Smith`, which
// a reader joins as the address searches do (`anna.weber@⏎> buyer.example`). Through the gateway,
// staff → buyer, it must arrive as the store's name.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { alternativeMail, startMaskingPair } from '../helpers/tagged-send.js';
import { leakSearch, type Secrets } from '../helpers/leak-search.js';
import { SmtpClient } from '../helpers/smtp-client.js';
import { MAILBOX, STAFF } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair({ staff: true })));
afterAll(() => h.close());

const secrets: Secrets = { addresses: [STAFF.address, MAILBOX], names: [STAFF.name] };

const spellings = [
  '> On Mon, 30 Nov 2026 at 10:00, John\r\n> Smith wrote:',
  '> > Best regards, John\r\n> > Smith',
  '> Smith,\r\n> John (Acme)',
  '> Yours, JOHN\r\n>>  SMITH',
];

describe("a staff member's name broken by a quoted reply's line break", () => {
  it('arrives as the store name in the text and the HTML', async () => {
    h.sink!.answer = () => null;
    const before = h.sink!.messages.length;
    const c = await SmtpClient.connect(h.gw.smtpPort);
    try {
      for (const [k, s] of spellings.entries()) {
        const html = `<p>Your kettle ships today.</p><pre>${s.replace(/>/g, '&gt;')}</pre>`;
        const raw = alternativeMail(alias, `A-1001 q${k}`, `Your kettle ships today.\r\n\r\n${s}\r\n`, html, STAFF);
        expect((await leakSearch(raw, secrets)).length, s).toBeGreaterThan(0);
        expect((await c.send(STAFF.address, [alias], raw)).reply.code, s).toBe(250);
      }
    } finally {
      await c.quit();
    }
    const arrived = (await h.sink!.waitFor(before + spellings.length, 60_000)).slice(before);
    const problems: unknown[] = [];
    for (const m of arrived) {
      const k = Number(/q([0-9]+)/.exec((await simpleParser(m.raw)).subject ?? '')?.[1]);
      const leaks = await leakSearch(m.raw, secrets);
      if (leaks.length) problems.push([spellings[k], leaks.map((l) => `${l.where}: …${l.excerpt}…`)]);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

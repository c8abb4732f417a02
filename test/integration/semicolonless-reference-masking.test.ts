// A numeric character reference without its `;` (`&#64`, `&#0064`, `&#x40` before a character that
// is not a hex digit): HTML5 decodes it all the same (a parse error, but the character is shown),
// in text and in attribute values, so `anna.weber&#64buyer.example` shows as the address. Through
// the gateway, in an HTML part (text and href) and a text part, it must arrive masked.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { leakSearch, type Secrets } from '../helpers/leak-search.js';
import { SmtpClient } from '../helpers/smtp-client.js';
import { BUYER, BUYER_OTHER, MAILBOX } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => {
  h = await startHarness();
  const pair = await seedPair(h, { storeName: 'Acme Store', mailbox: MAILBOX, buyerEmail: BUYER.address, buyerName: BUYER.name, number: 'A-1001' });
  alias = pair.address;
});
afterAll(async () => {
  await h.close();
});

const secrets: Secrets = { addresses: [BUYER.address, BUYER_OTHER], names: [] };

function spellings(address: string): string[] {
  const [l, d] = address.split('@') as [string, string];
  return [
    `${l}&#64${d}`,
    `${l}&#064${d}`,
    `${l}&#x40 ${d}`,
    `${l}&#64${d.replace('.', '&#46')}`,
    `${l.replace('.', '&#46')}&#64${d}`,
    `${l}&#38#64;${d}`,
    `${l}&#37;40${d}`,
  ];
}

function message(subject: string, text: string, html: string): Buffer {
  return Buffer.from(
    [
      `From: ${BUYER.name} <${BUYER.address}>`,
      `To: ${alias}`,
      `Subject: ${subject}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b0"',
      '',
      '--b0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      text,
      '--b0',
      'Content-Type: text/html; charset=utf-8',
      '',
      html,
      '--b0--',
      '',
    ].join('\r\n'),
  );
}

describe('a numeric character reference without its semicolon', () => {
  it('arrives masked in the HTML text, an href and the text part', async () => {
    h.sink!.answer = () => null;
    const before = h.sink!.messages.length;
    const sent: { tag: string; spelling: string }[] = [];
    const c = await SmtpClient.connect(h.gw.smtpPort);
    try {
      for (const address of [BUYER.address, BUYER_OTHER]) {
        for (const spelling of spellings(address)) {
          const tag = `A-1001 t${sent.length}`;
          const html = `<p>About order A-1001.</p><p>Write to ${spelling} or <a href="mailto:${spelling}">here</a>.</p>`;
          const raw = message(tag, `About order A-1001. Write to ${spelling}\r\n`, html);
          expect((await leakSearch(raw, secrets)).length, spelling).toBeGreaterThan(0);
          expect((await c.send(BUYER.address, [alias], raw)).reply.code, spelling).toBe(250);
          sent.push({ tag, spelling });
        }
      }
    } finally {
      await c.quit();
    }
    const arrived = (await h.sink!.waitFor(before + sent.length, 60_000)).slice(before);
    const byTag = new Map<string, Buffer>();
    for (const m of arrived) byTag.set(/A-1001 t[0-9]+/.exec((await simpleParser(m.raw)).subject ?? '')?.[0] ?? '', m.raw);
    const problems: unknown[] = [];
    for (const s of sent) {
      const raw = byTag.get(s.tag);
      if (!raw) {
        problems.push([s.spelling, 'not delivered']);
        continue;
      }
      const leaks = await leakSearch(raw, secrets);
      if (leaks.length) problems.push([s.spelling, leaks.map((l) => `${l.where}: …${l.excerpt}…`)]);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

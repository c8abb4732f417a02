// Round 9 reads a long plain-ASCII text (no `%`, no `&`) natively when it folds it for masking
// (core/masking/fold-ascii.ts), composes it as 7bit from bytes made with native searches
// (relay/transfer-encoding.ts textPartContent), searches only where those bytes meet their neighbours
// for bare line ends (relay/line-ends.ts hasBareLineEndIn) and signs them without mailauth's
// line-end search (outbound/mailauth-line-ends.ts crlfOnly). Through the gateway, every ASCII
// spelling of the writer's name and addresses the fold evens out (case, every whitespace byte and
// run, line breaks inside a name, at the first and last byte of the text) must be masked on that
// path as on the character-by-character one (the same text ending in é), and what arrives must
// verify with our key.
import { dkimVerify } from 'mailauth';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedResolver, type Harness } from '../helpers/gateway.js';
import { startMaskingPair } from '../helpers/tagged-send.js';
import { leakSearch, type Secrets } from '../helpers/leak-search.js';
import { SmtpClient } from '../helpers/smtp-client.js';
import { BUYER, MAILBOX, STAFF } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => {
  const pair = await startMaskingPair({ staff: true });
  ({ h, alias } = pair);
  // More seller → buyer messages than a day's default allows (20).
  expect((await h.api('PATCH', `/api/v1/stores/${pair.storeId}/policy`, { pairPerDay: 1000 })).status).toBe(200);
});
afterAll(() => h.close());

// Prose with every ASCII whitespace byte and runs of it, capitals and punctuation: 7bit as it is.
const filler = 'Your kettle from order A-1001 ships tomorrow.\tThe  courier   calls first;\r\nplease be home (9-12).\r\n\r\n'.repeat(4);
const staffSecrets: Secrets = { addresses: [STAFF.address, MAILBOX], names: [STAFF.name] };
const buyerSecrets: Secrets = { addresses: [BUYER.address], names: [] };

// John Smith <john.smith@acme-real.example>, support@acme-real.example; Anna Weber <anna.weber@buyer.example>.
const staffSpellings = [
  'John Smith',
  'JOHN SMITH',
  'john smith',
  'jOhN sMiTh',
  'John\tSmith',
  'John  \t Smith',
  'John\r\nSmith',
  'John \r\n Smith',
  'John\r\n\r\nSmith',
  'Smith, John',
  'SMITH,JOHN',
  'Smith;John',
  'Smith John',
  'Smith,\r\n John',
  'john.smith@acme-real.example',
  'JOHN.SMITH@ACME-REAL.EXAMPLE',
  '<John.Smith@Acme-Real.Example>',
  'mailto:john.smith@acme-real.example',
  '"John Smith" <john.smith@acme-real.example>',
  'SUPPORT@ACME-REAL.EXAMPLE',
];
const buyerSpellings = ['anna.weber@buyer.example', 'ANNA.WEBER@BUYER.EXAMPLE', '(Anna.Weber@Buyer.Example)', 'mailto:ANNA.weber@buyer.EXAMPLE'];

interface Sent {
  readonly subject: string;
  readonly secrets: Secrets;
  readonly ascii: boolean;
}

// A subject line of ASCII prose long enough for the native fold (folded by the writer, unfolded by the parser).
const topic = 'about your kettle, the courier, the  invoice and the\r\n\tdelivery window '.repeat(4);

/**
 * [body, subject's end] with the spelling in the middle of the body, as its first bytes, as its
 * last (no line end after it), and in a long subject (its line breaks made folds), ASCII or ending in é.
 */
function bodies(spelling: string, ascii: boolean): [string, string][] {
  const tail = ascii ? '' : ' é';
  return [
    [`${filler}${spelling}\r\n${filler}${tail}`, 'x'],
    [`${spelling} ${filler}${tail}`, 'x'],
    [`${filler}${tail}\r\n${spelling}`, 'x'],
    [`${filler}${tail}`, `${topic}${spelling.replace(/(?:\r\n)+(?![ \t])/g, '\r\n ')}${tail}`],
  ];
}

describe('plain ASCII texts through the gateway (the native fold, 7bit bytes, signing without the line-end search)', () => {
  it('mask every ASCII spelling of the writer as the character-by-character fold does, and verify', async () => {
    const records: { type: string; name: string; value: string }[] = (await h.api('GET', '/api/v1/dns')).body.records;
    const resolver = publishedResolver(records);
    h.sink!.answer = () => null;
    const before = h.sink!.messages.length;
    const sent: Sent[] = [];
    const c = await SmtpClient.connect(h.gw.smtpPort);
    try {
      for (const [from, secrets, spellings] of [
        [STAFF, staffSecrets, staffSpellings],
        [BUYER, buyerSecrets, buyerSpellings],
      ] as const) {
        for (const [k, spelling] of spellings.entries()) {
          for (const ascii of [true, false]) {
            for (const [b, [body, topic]] of bodies(spelling, ascii).entries()) {
              // The native fold takes it: at least 256 characters of ASCII without % or &.
              if (ascii) expect([body, topic].some((t) => t.length >= 256 && /^[\x00-\x7f]*$/.test(t) && !/[%&]/.test(t))).toBe(true);
              const subject = `A-1001 ${from === STAFF ? 's' : 'b'}${k}.${b}${ascii ? 'a' : 'u'}`;
              const raw = Buffer.from(
                `From: ${from.name} <${from.address}>\r\nTo: ${alias}\r\nSubject: ${subject} ${topic}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body}\r\n`,
              );
              // The search can fail: it finds the writer in what was sent.
              expect((await leakSearch(raw, secrets)).length, subject).toBeGreaterThan(0);
              const reply = (await c.send(from.address, [alias], raw)).reply;
              expect([subject, reply.code, reply.text]).toEqual([subject, 250, reply.text]);
              sent.push({ subject, secrets, ascii });
            }
          }
        }
      }
    } finally {
      await c.quit();
    }
    const arrived = (await h.sink!.waitFor(before + sent.length, 120_000)).slice(before);
    const bySubject = new Map<string, Buffer>();
    for (const m of arrived) bySubject.set(/A-1001 [sb][0-9]+\.[0-9][au]/.exec((await simpleParser(m.raw)).subject ?? '')?.[0] ?? '', m.raw);
    const problems: unknown[] = [];
    for (const s of sent) {
      const raw = bySubject.get(s.subject);
      if (!raw) {
        problems.push([s.subject, 'not delivered']);
        continue;
      }
      const leaks = await leakSearch(raw, s.secrets);
      if (leaks.length) problems.push([s.subject, leaks.slice(0, 2)]);
      const verified = await dkimVerify(raw, { resolver });
      const results = verified.results.map((r) => r.status.result);
      if (results.join() !== 'pass') problems.push([s.subject, 'DKIM', results]);
      // The ASCII texts went as 7bit (textPartContent's bytes), the others not.
      const seven = /\r\nContent-Transfer-Encoding: 7bit\r\n/i.test(raw.toString('latin1'));
      if (seven !== s.ascii) problems.push([s.subject, '7bit', seven]);
    }
    expect(problems).toEqual([]);
  }, 240_000);
});

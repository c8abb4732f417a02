// Calendars and contact cards under the types older mail programs give them (`text/x-vcalendar`:
// Outlook 97–2003 and Palm/Nokia sync write vCalendar 1.0 so; `text/x-vcard`, `text/directory`),
// and addresses in a calendar property's parameters (an ATTACH's FILENAME/X-FILENAME, Outlook's
// X-MS-OLK-* and X-ALT-DESC parameters): each read by the calendar or card handler, so it arrives
// masked, not removed and not passed on as it was.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { attachmentMail, leakProblems, sendTagged, startMaskingPair } from '../helpers/tagged-send.js';
import type { Secrets } from '../helpers/leak-search.js';
import { b64, BUYER, BUYER_OTHER } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const secrets: Secrets = { addresses: [BUYER.address, BUYER_OTHER], names: [] };

const VCAL = (line: string) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:1.0',
    'PRODID:-//Microsoft Corporation//Outlook 11.0 MIMEDIR//EN',
    'BEGIN:VEVENT',
    'DTSTART:20260102T100000Z',
    'SUMMARY:Pickup of order A-1001',
    line,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
const ICS = (line: string) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//Test//EN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    'UID:t1',
    'DTSTAMP:20260101T000000Z',
    'DTSTART:20260102T100000Z',
    'SUMMARY:Pickup of order A-1001',
    line,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
const CARD = (line: string) => ['BEGIN:VCARD', 'VERSION:3.0', 'FN:Lager', line, 'END:VCARD', ''].join('\r\n');

/** Sends each `[type, name, text]` as its own message and returns the delivered copies. */
const send = (files: readonly (readonly [string, string, string])[]) =>
  sendTagged(
    h,
    BUYER.address,
    alias,
    files.map(([type, name, text], k) => attachmentMail(alias, k, { type, name, base64: b64(Buffer.from(text)) })),
  );

/** The delivered copies' named attachments' file names and texts (mailparser adds a calendar once more, unnamed). */
async function attachments(raws: readonly Buffer[]): Promise<[string | undefined, string][][]> {
  return Promise.all(
    raws.map(async (r) =>
      (await simpleParser(r)).attachments.filter((a) => a.filename).map((a) => [a.filename, a.content.toString('utf8')] as [string | undefined, string]),
    ),
  );
}

describe('calendars and cards under older types, and addresses in calendar parameters', () => {
  it('masks a vCalendar sent as text/x-vcalendar, and cards as text/x-vcard or text/directory, instead of removing them', async () => {
    const files = [
      ['text/x-vcalendar', 'pickup.vcs', VCAL(`DESCRIPTION:Write to ${BUYER_OTHER} or ${BUYER.address}`)],
      ['text/x-vcalendar', 'plain.vcs', VCAL('DESCRIPTION:Bring the receipt - 2 pcs @ 19.99 EUR')],
      ['text/x-vcard', 'lager.vcf', CARD(`NOTE:Write to ${BUYER_OTHER}`)],
      ['text/directory', 'lager.vcf', CARD(`NOTE:Write to ${BUYER_OTHER}`)],
    ] as const;
    const raws = await send(files);
    expect(
      await leakProblems(
        files.map((f) => f[1]),
        raws,
        secrets,
      ),
    ).toEqual([]);
    const got = await attachments(raws);
    expect(got.map((a) => a.map(([n]) => n))).toEqual(files.map((f) => [f[1]]));
    expect(got[0]![0]![1]).toContain('SUMMARY:Pickup of order A-1001');
    expect(got[1]![0]![1]).toContain('DESCRIPTION:Bring the receipt - 2 pcs @ 19.99 EUR');
  }, 60_000);

  it("masks an address in a calendar property's parameters (an ATTACH's FILENAME, X-MS-OLK-*, X-ALT-DESC's)", async () => {
    const files = [
      ['text/calendar', 'a.ics', ICS(`ATTACH;FILENAME=${BUYER_OTHER}.pdf:https://files.example/a.pdf`)],
      ['text/calendar', 'b.ics', ICS(`ATTACH;X-FILENAME="list ${BUYER.address}.txt";FMTTYPE=text/plain:https://files.example/b.txt`)],
      ['text/calendar', 'c.ics', ICS(`X-MS-OLK-SENDER;X-MS-OLK-ORIGINALSENDER="${BUYER_OTHER}":Lager`)],
      ['text/calendar', 'd.ics', ICS(`X-ALT-DESC;FMTTYPE=text/html;X-REPLY-TO=${BUYER_OTHER}:<p>Pickup</p>`)],
      ['application/ics', 'e.ics', ICS(`ATTACH;FILENAME=order-A-1001.pdf:https://files.example/a.pdf`)],
    ] as const;
    const raws = await send(files);
    expect(
      await leakProblems(
        files.map((f) => f[1]),
        raws,
        secrets,
      ),
    ).toEqual([]);
    const got = await attachments(raws);
    expect(got.map((a) => a.map(([n]) => n))).toEqual(files.map((f) => [f[1]]));
    expect(got[4]![0]![1].replace(/\r\n[ \t]/g, '')).toContain('FILENAME=order-A-1001.pdf');
  }, 60_000);
});

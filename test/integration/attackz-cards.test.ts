// Round-14 last attack rows on the calendar and contact-card fixes: what ical.js reads besides
// values crossed unmasked. A property, parameter or component name is copied as it is
// (`X-bob.stone@shopmail.de:hi`, `NOTE;X-bob.stone@shopmail.de=1:hi`, `BEGIN:X-…`); a file given as a
// data: URI (`ATTACH:data:text/plain;base64,…`, an X- property so in a card) is no binary value, so it
// crossed as a link; a quoted-printable value broken by soft line breaks (vCard 2.1 and vCalendar 1.0
// write `=` at the line end and go on at the next line's start, unindented) was read as two lines,
// its second (`=40shopmail.de: …`) a property of its own, whose name crossed.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER, mail } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const b64 = (s: string) => Buffer.from(s).toString('base64');
const FILE = b64(`Contacts\r\n${BUYER.address}\r\nbob.stone@shopmail.de\r\n`);
const event = (...lines: string[]) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//Test//EN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    'UID:attackz-1@buyer.example',
    'DTSTAMP:20260101T000000Z',
    'DTSTART:20260102T100000Z',
    'SUMMARY:Pickup of order A-1001',
    ...lines,
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\r\n');
const card = (...lines: string[]) => ['BEGIN:VCARD', 'VERSION:3.0', 'FN:Lager Team', ...lines, 'END:VCARD'].join('\r\n');

const ROWS: [string, string, string][] = [
  ['text/calendar; charset=utf-8; method=REQUEST', event('X-bob.stone@shopmail.de:hi'), 'SUMMARY:Pickup of order A-1001'],
  ['text/calendar; charset=utf-8; method=REQUEST', event('DESCRIPTION;X-bob.stone@shopmail.de=1:at the gate'), 'SUMMARY:Pickup of order A-1001'],
  [
    'text/calendar; charset=utf-8; method=REQUEST',
    event('BEGIN:X-bob.stone@shopmail.de', 'X-A:1', 'END:X-bob.stone@shopmail.de'),
    'SUMMARY:Pickup of order A-1001',
  ],
  ['text/calendar; charset=utf-8; method=REQUEST', event(`ATTACH;FMTTYPE=text/plain:data:text/plain;base64,${FILE}`), 'SUMMARY:Pickup of order A-1001'],
  ['text/vcard; charset=utf-8', card('X-bob.stone@shopmail.de:hi'), 'FN:Lager Team'],
  ['text/vcard; charset=utf-8', card('NOTE;X-bob.stone@shopmail.de=1:at the gate'), 'FN:Lager Team'],
  ['text/vcard; charset=utf-8', card(`X-FILE:data:text/plain;base64,${FILE}`), 'FN:Lager Team'],
  ['text/vcard; charset=utf-8', card('NOTE;ENCODING=QUOTED-PRINTABLE:Mail bob.stone=', '=40shopmail.de: any day'), 'FN:Lager Team'],
  [
    'text/calendar; charset=utf-8',
    [
      'BEGIN:VCALENDAR',
      'VERSION:1.0',
      'BEGIN:VEVENT',
      'SUMMARY:Pickup',
      'DESCRIPTION;ENCODING=QUOTED-PRINTABLE:Mail bob.stone=',
      '=40shopmail.de: any day',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n'),
    'SUMMARY:Pickup',
  ],
];

describe('names, data: files and soft line breaks in invitations and cards', () => {
  it('arrive without the addresses they held, the rest of the invitation or card kept', async () => {
    const raws = ROWS.map(([type, body], k) =>
      mail(
        [`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, `Subject: ${subjectTag(k)} pickup`, 'Content-Type: multipart/mixed; boundary="q"'],
        ['--q', 'Content-Type: text/plain', '', 'Attached.', '--q', `Content-Type: ${type}`, '', body, '--q--'],
      ),
    );
    const delivered = await sendTagged(h, BUYER.address, alias, raws, 30_000);
    const got = await Promise.all(
      delivered.map(async (raw) => {
        const part = (await simpleParser(raw)).attachments.find((a) => /calendar|vcard/.test(a.contentType));
        const text = part ? part.content.toString('utf8').replace(/\r\n[ \t]/g, '') : '';
        // What a calendar or contacts program reads: data: files and soft-broken quoted-printable decoded.
        const shown = text
          .replace(/data:[^,\s]*;base64,([A-Za-z0-9+/=]+)/gi, (_, v: string) => Buffer.from(v, 'base64').toString('utf8'))
          .replace(/=\r\n/g, '')
          .replace(/=([0-9A-F]{2})/gi, (_, x: string) => String.fromCharCode(parseInt(x, 16)));
        return [/shopmail/i.test(shown), shown.toLowerCase().includes(BUYER.address.toLowerCase())];
      }),
    );
    expect(got).toEqual(ROWS.map(() => [false, false]));
    const kept = await Promise.all(
      delivered.map(async (raw) => (await simpleParser(raw)).attachments.find((a) => /calendar|vcard/.test(a.contentType))?.content.toString('utf8') ?? ''),
    );
    expect(kept.map((t, k) => t.includes(ROWS[k]![2]))).toEqual(ROWS.map(() => true));
  }, 60_000);
});

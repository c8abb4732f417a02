// Round-14 last attack row: an invitation's HTML description (X-ALT-DESC;FMTTYPE=text/html, which
// Outlook shows as the meeting's body in place of DESCRIPTION) was masked as plain text, so an
// address split by a tag or written with entities (`anna.weber<b></b>@buyer.example`,
// `anna.weber&#64;buyer.example`) crossed and Outlook showed it whole.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER, mail } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const event = (line: string) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//Test//EN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    'UID:attackz-2@buyer.example',
    'DTSTAMP:20260101T000000Z',
    'DTSTART:20260102T100000Z',
    'SUMMARY:Pickup of order A-1001',
    line,
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\r\n');

const ROWS = [
  'X-ALT-DESC;FMTTYPE=text/html:<html><body><p>Mail anna.weber<b></b>@buyer.example</p></body></html>',
  'X-ALT-DESC;FMTTYPE=text/html:<html><body><p>Mail anna.weber&#64\\;buyer.example</p></body></html>',
];

describe('an invitation’s HTML description', () => {
  it('arrives without the writer’s address as Outlook shows it', async () => {
    const raws = ROWS.map((line, k) =>
      mail(
        [`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, `Subject: ${subjectTag(k)} pickup`, 'Content-Type: multipart/mixed; boundary="q"'],
        [
          '--q',
          'Content-Type: text/plain',
          '',
          'Invitation attached.',
          '--q',
          'Content-Type: text/calendar; charset=utf-8; method=REQUEST',
          '',
          event(line),
          '--q--',
        ],
      ),
    );
    const delivered = await sendTagged(h, BUYER.address, alias, raws, 30_000);
    const shown = await Promise.all(
      delivered.map(async (raw) => {
        const ics = (await simpleParser(raw)).attachments.find((a) => a.contentType.startsWith('text/calendar'));
        const text = ics ? ics.content.toString('utf8').replace(/\r\n[ \t]/g, '') : '';
        // As Outlook shows the HTML: tags as nothing, entities decoded, iCalendar escapes read.
        return text
          .replace(/\\([;,\\])/g, '$1')
          .replace(/<[^>]*>/g, '')
          .replace(/&#64;?/g, '@');
      }),
    );
    expect(shown.map((s) => s.includes(BUYER.address))).toEqual(ROWS.map(() => false));
    expect(shown.map((s) => s.includes('SUMMARY:Pickup of order A-1001'))).toEqual(ROWS.map(() => true));
  }, 60_000);
});

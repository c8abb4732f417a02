// Round-14 attack row: an invitation (text/calendar) carries files inside it (ATTACH;VALUE=BINARY,
// base64: Outlook writes and shows them as the meeting's attachments). The calendar handler kept
// binary values as they were, so a file inside an invitation crossed unread: the writer's address
// and another's inside it, and seller → buyer a file type the content filter refuses (the
// invitation passes the filter as text).
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER, mail } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const inside = Buffer.from(`Contacts\r\n${BUYER.address}\r\nbob.stone@shopmail.de\r\n`).toString('base64');
const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Test//Test//EN',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:attack14-1@buyer.example',
  'DTSTAMP:20260101T000000Z',
  'DTSTART:20260102T100000Z',
  'SUMMARY:Pickup of order A-1001',
  `ATTACH;FMTTYPE=text/plain;ENCODING=BASE64;VALUE=BINARY;X-FILENAME=contacts.txt:${inside}`,
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n');

describe('a file inside an invitation', () => {
  it('does not cross with the invitation; the invitation does', async () => {
    const raw = mail(
      [`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, `Subject: ${subjectTag(0)} pickup`, 'Content-Type: multipart/mixed; boundary="q"'],
      ['--q', 'Content-Type: text/plain', '', 'Invitation attached.', '--q', 'Content-Type: text/calendar; charset=utf-8; method=REQUEST', '', ICS, '--q--'],
    );
    const [delivered] = await sendTagged(h, BUYER.address, alias, [raw], 30_000);
    const p = await simpleParser(delivered!);
    const ics = p.attachments.find((a) => a.contentType.startsWith('text/calendar'));
    expect(ics).toBeDefined();
    const text = ics!.content.toString('utf8');
    expect(text).toContain('SUMMARY:Pickup of order A-1001');
    expect(text.replace(/\r\n[ \t]/g, '')).not.toContain(inside.slice(0, 20));
    expect(text).not.toMatch(/VALUE=BINARY/i);
  }, 60_000);
});
